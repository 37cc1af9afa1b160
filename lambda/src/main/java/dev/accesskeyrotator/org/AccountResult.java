package dev.accesskeyrotator.org;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.UserResult;

import java.util.List;
import java.util.Map;

/**
 * What the worker returns for one account, and what the Distributed Map writes to the results bucket for it: the
 * run's counts and the users that need a look, or why the account could not be rotated. Small on purpose (a Map
 * item's output is at most 256 KB); the account's full run report is in the worker's log.
 *
 * @param status        {@value #COMPLETED} or {@value #FAILED}
 * @param stage         for a failed account, where it stopped: {@value #STAGE_ASSUME_ROLE},
 *                      {@value #STAGE_SPOKE_CONFIGURATION}, {@value #STAGE_RUN} or, set by the aggregator,
 *                      {@value #STAGE_WORKER}
 * @param errorCode     the AWS error code, or one of the worker's own ({@code SpokeNotConfigured}, ...)
 * @param notableUsers  users whose outcome is not {@code unchanged}, the most urgent first, at most
 *                      {@value #MAX_NOTABLE_USERS}
 * @param notableUsersOmitted how many more there were
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AccountResult(String accountId, String accountName, String status, String stage, String errorCode,
                            String message, String runId, Boolean dryRun, String startedAt, String finishedAt,
                            Map<String, Integer> counts, List<NotableUser> notableUsers, Integer notableUsersOmitted) {
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String STAGE_ASSUME_ROLE = "assume-role";
    public static final String STAGE_SPOKE_CONFIGURATION = "spoke-configuration";
    public static final String STAGE_RUN = "run";
    /** The worker itself failed (timeout, out of memory): only Step Functions saw it. */
    public static final String STAGE_WORKER = "worker";
    /** The Map never ran the account's item (the run was stopped, or failed past its tolerance). */
    public static final String STAGE_NOT_RUN = "not-run";
    static final int MAX_NOTABLE_USERS = 100;

    /** One user's line, as in the run report but without key ids. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NotableUser(String user, String outcome, String reason) { }

    public boolean completed() {
        return COMPLETED.equals(status);
    }

    static AccountResult completed(String accountId, String accountName, RunReport report) {
        List<UserResult> notable = report.users().stream().filter(u -> u.outcome() != Outcome.UNCHANGED)
                .sorted((a, b) -> a.outcome() == b.outcome() ? a.user().compareTo(b.user())
                        : a.outcome().compareTo(b.outcome()))
                .toList();
        List<NotableUser> kept = notable.stream().limit(MAX_NOTABLE_USERS)
                .map(u -> new NotableUser(u.user(), u.outcome().label(), u.reason())).toList();
        return new AccountResult(accountId, accountName, COMPLETED, null, null, null, report.runId(), report.dryRun(),
                report.startedAt(), report.finishedAt(), report.counts(), kept, notable.size() - kept.size());
    }

    static AccountResult failed(String accountId, String accountName, String stage, String errorCode, String message,
                                String startedAt, String finishedAt) {
        return new AccountResult(accountId, accountName, FAILED, stage, errorCode, message, null, null, startedAt,
                finishedAt, null, null, null);
    }

    int count(String name) {
        return counts == null ? 0 : counts.getOrDefault(name, 0);
    }
}
