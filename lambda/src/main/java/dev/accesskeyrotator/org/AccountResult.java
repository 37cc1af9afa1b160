package dev.accesskeyrotator.org;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.contract.Parameter;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.UserResult;

import java.util.List;
import java.util.Map;

/**
 * One account's state in an organization run, as the worker returns it (and the Distributed Map writes it to the
 * results bucket) or as the lister and the aggregator decide it for accounts the worker never ran. Every account a
 * run knows of has exactly one {@link #status}:
 *
 * <table>
 *   <tr><th>status</th><th>meaning</th><th>counts as failed</th></tr>
 *   <tr><td>{@value #ROTATED}</td><td>the run completed and could change keys</td><td>no</td></tr>
 *   <tr><td>{@value #DRY_RUN}</td><td>the run completed as a dry run (hub or account override)</td><td>no</td></tr>
 *   <tr><td>{@value #NOT_ENROLLED}</td><td>no spoke: the management account, an account not ACTIVE, or one whose
 *       spoke role cannot be assumed (outside the StackSet's targets)</td><td>no</td></tr>
 *   <tr><td>{@value #EXCLUDED}</td><td>exempt by {@code excludedAccounts}; never entered</td><td>no</td></tr>
 *   <tr><td>{@value #FAILED}</td><td>entered (or tried to) and could not be rotated; {@code stage},
 *       {@code errorCode} and {@code message} say why</td><td>yes</td></tr>
 *   <tr><td>{@value #NOT_RUN}</td><td>listed, but the Map stopped before running it</td><td>yes</td></tr>
 * </table>
 *
 * <p>Small on purpose (a Map item's output is at most 256 KB); the account's full run report is in the worker's log.
 *
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
    public static final String ROTATED = "rotated";
    /** The account's run had the {@code dry-run} parameter on (the hub's, or the account's override). */
    public static final String DRY_RUN = Parameter.DRY_RUN.parameterName();
    public static final String NOT_ENROLLED = "not-enrolled";
    public static final String EXCLUDED = "excluded";
    public static final String FAILED = "failed";
    public static final String NOT_RUN = "not-run";
    /** Every status, in the order the report counts them. */
    public static final List<String> STATUSES = List.of(ROTATED, DRY_RUN, NOT_ENROLLED, EXCLUDED, FAILED, NOT_RUN);

    public static final String STAGE_ASSUME_ROLE = "assume-role";
    public static final String STAGE_SPOKE_CONFIGURATION = "spoke-configuration";
    public static final String STAGE_RUN = "run";
    /** The worker itself failed (timeout, out of memory): only Step Functions saw it. */
    public static final String STAGE_WORKER = "worker";
    static final int MAX_NOTABLE_USERS = 100;

    /** One user's line, as in the run report but without key ids. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NotableUser(String user, String outcome, String reason) { }

    /** The rotation ran to the end in this account (for real or as a dry run): its counts are the account's. */
    @JsonIgnore
    public boolean ran() {
        return ROTATED.equals(status) || DRY_RUN.equals(status);
    }

    /** A failure someone must look at: the account should have been rotated and was not. */
    @JsonIgnore
    public boolean failure() {
        return FAILED.equals(status) || NOT_RUN.equals(status);
    }

    static AccountResult completed(String accountId, String accountName, RunReport report) {
        List<UserResult> notable = report.users().stream().filter(u -> u.outcome() != Outcome.UNCHANGED)
                .sorted((a, b) -> a.outcome() == b.outcome() ? a.user().compareTo(b.user())
                        : a.outcome().compareTo(b.outcome()))
                .toList();
        List<NotableUser> kept = notable.stream().limit(MAX_NOTABLE_USERS)
                .map(u -> new NotableUser(u.user(), u.outcome().label(), u.reason())).toList();
        return new AccountResult(accountId, accountName, report.dryRun() ? DRY_RUN : ROTATED, null, null, null,
                report.runId(), report.dryRun(), report.startedAt(), report.finishedAt(), report.counts(), kept,
                notable.size() - kept.size());
    }

    static AccountResult failed(String accountId, String accountName, String stage, String errorCode, String message,
                                String startedAt, String finishedAt) {
        return new AccountResult(accountId, accountName, FAILED, stage, errorCode, message, null, null, startedAt,
                finishedAt, null, null, null);
    }

    /** An account the worker did not (or could not) enter, for a reason that is not a failure, or was never run. */
    static AccountResult notRotated(String accountId, String accountName, String status, String errorCode,
                                    String message) {
        return new AccountResult(accountId, accountName, status, null, errorCode, message, null, null, null, null,
                null, null, null);
    }

    int count(String name) {
        return counts == null ? 0 : counts.getOrDefault(name, 0);
    }
}
