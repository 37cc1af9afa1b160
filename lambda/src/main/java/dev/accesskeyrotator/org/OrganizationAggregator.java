package dev.accesskeyrotator.org;

import dev.accesskeyrotator.contract.Metric;
import dev.accesskeyrotator.contract.Notices;
import dev.accesskeyrotator.contract.Organization;
import dev.accesskeyrotator.contract.Organization.OrganizationMetric;
import dev.accesskeyrotator.port.Notifier;
import dev.accesskeyrotator.service.ReportCount;
import dev.accesskeyrotator.service.RunMetrics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Turns the per-account results of one organization run into the organization report, its metrics (Embedded Metric
 * Format: one line for the organization, one per account entered or meant to be, with the
 * {@value Organization#ACCOUNT_DIMENSION} dimension) and the run-summary notice. Pure: reading results and writing
 * the report is the handler's.
 */
public final class OrganizationAggregator {
    static final String TOTAL = "total";
    /** Per-account metrics: the counts an administrator acts on, so the metric count stays small per account. */
    static final List<ReportCount> PER_ACCOUNT_COUNTS = List.of(ReportCount.USERS_SCANNED, ReportCount.ROTATED,
            ReportCount.ATTENTION, ReportCount.BLOCKED, ReportCount.FAILED);

    private OrganizationAggregator() {}

    /**
     * @param listing    what the lister found (empty when the listing failed); a listed account absent from
     *                   {@code results} is reported as not run, so an account can never drop out of the report
     * @param runProblem why the run stopped early, or null
     */
    public static OrganizationReport report(AccountLister.Listing listing, List<AccountResult> results, String runId,
                                            String startedAt, Instant finishedAt, String runProblem) {
        Map<String, AccountResult> byAccount = new TreeMap<>();
        listing.notEnrolled().forEach(result -> byAccount.put(result.accountId(), result));
        listing.excluded().forEach(result -> byAccount.put(result.accountId(), result));
        results.forEach(result -> byAccount.put(result.accountId(), result));
        for (AccountLister.ListedAccount account : listing.accounts()) {
            byAccount.putIfAbsent(account.accountId(), AccountResult.notRotated(account.accountId(),
                    account.accountName(), AccountResult.NOT_RUN, "NoResult",
                    "no result was written for this account"));
        }
        List<AccountResult> all = List.copyOf(byAccount.values());
        List<AccountResult> ran = all.stream().filter(AccountResult::ran).toList();

        Map<String, Integer> accounts = new LinkedHashMap<>();
        accounts.put(TOTAL, all.size());
        for (String status : AccountResult.STATUSES) {
            accounts.put(status, (int) all.stream().filter(r -> r.status().equals(status)).count());
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (ReportCount count : ReportCount.values()) {
            counts.put(count.key(), ran.stream().mapToInt(r -> r.count(count.key())).sum());
        }
        List<OrganizationReport.FailedAccount> failed = all.stream().filter(AccountResult::failure)
                .map(r -> new OrganizationReport.FailedAccount(r.accountId(), r.accountName(), r.status(), r.stage(),
                        r.errorCode(), r.message())).toList();
        List<OrganizationReport.AccountLine> lines = all.stream()
                .map(r -> new OrganizationReport.AccountLine(r.accountId(), r.accountName(), r.status(),
                        r.ran() ? null : r.errorCode(), r.dryRun(), r.counts(), r.notableUsers(),
                        r.notableUsersOmitted() == null || r.notableUsersOmitted() == 0 ? null
                                : r.notableUsersOmitted()))
                .toList();
        return new OrganizationReport(runId, startedAt, finishedAt.toString(), runProblem, accounts, counts, failed,
                ids(ran, r -> r.count(ReportCount.FAILED.key()) > 0),
                ids(ran, r -> r.count(ReportCount.ATTENTION.key()) > 0),
                ids(ran, r -> r.count(ReportCount.BLOCKED.key()) > 0),
                ids(ran, r -> AccountResult.DRY_RUN.equals(r.status())), lines);
    }

    private static List<String> ids(List<AccountResult> results, Predicate<AccountResult> matches) {
        return results.stream().filter(matches).map(AccountResult::accountId).sorted().toList();
    }

    /**
     * EMF lines: the organization's totals (no dimension) and, for each account that was or should have been
     * rotated, its counts, whether it failed and whether it was a dry run (dimension AccountId). Accounts without a
     * spoke and exempt accounts get no per-account metrics: nothing is expected of them.
     */
    public static List<String> metrics(OrganizationReport report, Instant timestamp) {
        List<String> lines = new ArrayList<>();
        Map<String, Integer> organization = new LinkedHashMap<>();
        organization.put(OrganizationMetric.ACCOUNTS_LISTED.metricName(), report.accounts().get(TOTAL));
        organization.put(OrganizationMetric.ACCOUNTS_COMPLETED.metricName(),
                report.accounts().get(AccountResult.ROTATED) + report.accounts().get(AccountResult.DRY_RUN));
        organization.put(OrganizationMetric.ACCOUNTS_FAILED.metricName(), report.failures());
        organization.put(OrganizationMetric.ACCOUNTS_IN_DRY_RUN.metricName(),
                report.accounts().get(AccountResult.DRY_RUN));
        organization.put(OrganizationMetric.ACCOUNTS_NOT_ENROLLED.metricName(),
                report.accounts().get(AccountResult.NOT_ENROLLED));
        organization.put(OrganizationMetric.RUN_INCOMPLETE.metricName(), report.runProblem() == null ? 0 : 1);
        lines.add(RunMetrics.emf(organization, Optional.empty(), timestamp));
        for (OrganizationReport.AccountLine line : report.perAccount()) {
            if (line.status().equals(AccountResult.NOT_ENROLLED) || line.status().equals(AccountResult.EXCLUDED)) {
                continue;
            }
            Map<String, Integer> values = new LinkedHashMap<>();
            for (ReportCount count : PER_ACCOUNT_COUNTS) {
                Metric metric = count.metric().orElseThrow();
                values.put(metric.metricName(), line.counts() == null ? 0
                        : line.counts().getOrDefault(count.key(), 0));
            }
            boolean failed = line.status().equals(AccountResult.FAILED) || line.status().equals(AccountResult.NOT_RUN);
            values.put(OrganizationMetric.ACCOUNTS_FAILED.metricName(), failed ? 1 : 0);
            values.put(OrganizationMetric.ACCOUNTS_IN_DRY_RUN.metricName(),
                    line.status().equals(AccountResult.DRY_RUN) ? 1 : 0);
            lines.add(RunMetrics.emf(values, Optional.of(Map.entry(Organization.ACCOUNT_DIMENSION,
                    line.accountId())), timestamp));
        }
        return lines;
    }

    /** The organization's run summary for the admins (event type run-summary, no user, no account attribute). */
    public static Notifier.Notice summary(OrganizationReport report, String reportLocation) {
        StringBuilder text = new StringBuilder("Access key rotation across the organization, run ")
                .append(report.runId()).append(" (").append(report.startedAt()).append(" to ")
                .append(report.finishedAt()).append(").\n\n");
        if (report.runProblem() != null) {
            text.append("The run stopped early: ").append(report.runProblem()).append("\n\n");
        }
        text.append("Accounts: ").append(report.accounts().get(TOTAL)).append(" known");
        for (String status : AccountResult.STATUSES) {
            text.append(", ").append(report.accounts().get(status)).append(' ').append(status.replace('-', ' '));
        }
        text.append(".\nUsers: ");
        report.counts().forEach((name, value) -> text.append(name).append(' ').append(value).append(", "));
        text.setLength(text.length() - 2);
        text.append(".\n");
        for (OrganizationReport.FailedAccount failed : report.failedAccounts()) {
            text.append("\nAccount ").append(failed.accountId()).append(' ')
                    .append(failed.status().equals(AccountResult.NOT_RUN) ? "not run" : "not rotated")
                    .append(failed.stage() == null ? "" : " (" + failed.stage() + ")").append(": ")
                    .append(failed.errorCode());
        }
        appendAccounts(text, "Accounts in dry run (nothing rotated)", report.accountsInDryRun());
        appendAccounts(text, "Accounts with failed users", report.accountsWithFailedUsers());
        appendAccounts(text, "Accounts with users needing attention", report.accountsNeedingAttention());
        appendAccounts(text, "Accounts with blocked users", report.accountsWithBlockedUsers());
        appendAccounts(text, "Accounts not enrolled (no spoke)", report.perAccount().stream()
                .filter(line -> line.status().equals(AccountResult.NOT_ENROLLED))
                .map(line -> line.accountId() + " (" + line.reason() + ")").toList());
        text.append("\n\nThe full report, with each account's users: ").append(reportLocation).append('\n');
        String subject = report.needsALook() ? "Access key rotation: organization run needs a look"
                : "Access key rotation: organization run completed";
        return new Notifier.Notice(subject, text.toString(),
                Map.of(Notices.EVENT_TYPE, Notices.EventType.RUN_SUMMARY.value()));
    }

    private static void appendAccounts(StringBuilder text, String label, List<String> accounts) {
        if (!accounts.isEmpty()) {
            text.append("\n").append(label).append(": ").append(String.join(", ", accounts));
        }
    }
}
