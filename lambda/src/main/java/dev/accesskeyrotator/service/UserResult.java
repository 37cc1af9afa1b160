package dev.accesskeyrotator.service;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.accesskeyrotator.contract.Outcome;

/**
 * One user's line in the run report. Key ids are not secret; secret access keys never appear here.
 *
 * @param effects what actually changed, for the run's counts and metrics
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UserResult(String user, Outcome outcome, String action, String oldKeyId, String newKeyId,
                         String reason, @JsonIgnore Effects effects) {

    /** Changes made for one user. */
    public record Effects(int rotated, int disabled, int deleted, int notices) {
        public static final Effects NONE = new Effects(0, 0, 0, 0);
    }

    public static UserResult of(String user, Outcome outcome, String reason) {
        return new UserResult(user, outcome, null, null, null, reason, Effects.NONE);
    }
}
