package dev.accesskeyrotator.org;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * One report for a whole organization run: every account the run knows of with its one state (see
 * {@link AccountResult}), the summed counts, which accounts need a look and why.
 *
 * @param runProblem           why the run itself stopped early (listing failed, the Map failed past its tolerance),
 *                             or null when it ran to the end
 * @param accounts             how many accounts the run knows of ({@code total}) and how many are in each state
 * @param counts               the run report counts summed over accounts that ran (rotated or dry run)
 * @param failedAccounts       accounts that should have been rotated and were not (failed, not run), with why
 * @param accountsWithFailedUsers   accounts that ran with users whose rotation failed
 * @param accountsNeedingAttention  accounts that ran with users in {@code attention}
 * @param accountsWithBlockedUsers  accounts that ran with {@code blocked} users
 * @param accountsInDryRun     accounts whose run was a dry run: nothing was rotated there
 * @param perAccount           every account, sorted by id
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OrganizationReport(String runId, String startedAt, String finishedAt, String runProblem,
                                 Map<String, Integer> accounts, Map<String, Integer> counts,
                                 List<FailedAccount> failedAccounts, List<String> accountsWithFailedUsers,
                                 List<String> accountsNeedingAttention, List<String> accountsWithBlockedUsers,
                                 List<String> accountsInDryRun, List<AccountLine> perAccount) {

    /** An account whose run did not complete. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FailedAccount(String accountId, String accountName, String status, String stage, String errorCode,
                                String message) { }

    /** One account's line: its state (with the reason where it was not rotated), counts and notable users. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AccountLine(String accountId, String accountName, String status, String reason, Boolean dryRun,
                              Map<String, Integer> counts, List<AccountResult.NotableUser> notableUsers,
                              Integer notableUsersOmitted) { }

    @JsonIgnore
    public boolean needsALook() {
        return runProblem != null || !failedAccounts.isEmpty() || !accountsWithFailedUsers.isEmpty()
                || !accountsNeedingAttention.isEmpty() || !accountsWithBlockedUsers.isEmpty()
                || !accountsInDryRun.isEmpty();
    }

    /** Accounts that failed or were not run: what fails the execution. */
    @JsonIgnore
    public int failures() {
        return failedAccounts.size();
    }
}
