package dev.accesskeyrotator.service;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.accesskeyrotator.contract.Outcome;

import java.util.List;

/**
 * What an emergency rotation returns and logs: per named key or user, the outcome, with {@code oldKeyId} the exposed
 * key and {@code newKeyId} its replacement. Key ids are not secret; secret access keys never appear here.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EmergencyReport(String runId, String trigger, boolean dryRun, String reason, String startedAt,
                              String finishedAt, List<UserResult> users) {

    public EmergencyReport {
        users = List.copyOf(users);
    }

    /**
     * Some exposure is still to be acted on (a failure, or a rotation in flight): the Lambda handler fails the
     * invocation so that it is retried and, at the end, lands in the dead-letter queue that the alarm watches.
     */
    @JsonIgnore
    public boolean unfinished() {
        return users.stream().anyMatch(u -> u.outcome() == Outcome.FAILED || u.outcome() == Outcome.DEFERRED);
    }
}
