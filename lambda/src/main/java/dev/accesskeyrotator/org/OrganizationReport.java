package dev.accesskeyrotator.org;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * One report for a whole organization run: which accounts were covered, the summed counts, which accounts need a
 * look and why, and each account's counts.
 *
 * @param accounts             how many accounts were listed, completed and failed
 * @param counts               the run report counts summed over completed accounts
 * @param failedAccounts       accounts whose run did not complete, with where and why
 * @param accountsWithFailedUsers   completed accounts with users whose rotation failed
 * @param accountsNeedingAttention  completed accounts with users in {@code attention}
 * @param accountsWithBlockedUsers  completed accounts with {@code blocked} users
 * @param skippedAccounts      accounts found but not ACTIVE, as {@code id (STATE)}
 * @param excludedAccounts     exempt accounts
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OrganizationReport(String runId, String startedAt, String finishedAt, Map<String, Integer> accounts,
                                 Map<String, Integer> counts, List<FailedAccount> failedAccounts,
                                 List<String> accountsWithFailedUsers, List<String> accountsNeedingAttention,
                                 List<String> accountsWithBlockedUsers, List<String> skippedAccounts,
                                 List<String> excludedAccounts, List<AccountLine> perAccount) {

    /** An account whose run did not complete. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FailedAccount(String accountId, String accountName, String stage, String errorCode,
                                String message) { }

    /** One account's line: its status and counts, and the users that need a look. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AccountLine(String accountId, String accountName, String status, Boolean dryRun,
                              Map<String, Integer> counts, List<AccountResult.NotableUser> notableUsers,
                              Integer notableUsersOmitted) { }

    public boolean needsALook() {
        return !failedAccounts.isEmpty() || !accountsWithFailedUsers.isEmpty() || !accountsNeedingAttention.isEmpty()
                || !accountsWithBlockedUsers.isEmpty();
    }
}
