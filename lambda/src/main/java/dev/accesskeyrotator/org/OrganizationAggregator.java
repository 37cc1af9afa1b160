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
 * Format: one line for the organization, one per account with the {@value Organization#ACCOUNT_DIMENSION}
 * dimension) and the run-summary notice. Pure: reading results and writing the report is the handler's.
 */
public final class OrganizationAggregator {
    static final String LISTED = "listed";
    static final String COMPLETED = "completed";
    static final String FAILED = "failed";
    /** Per-account metrics: the counts an administrator acts on, so the metric count stays small per account. */
    static final List<ReportCount> PER_ACCOUNT_COUNTS = List.of(ReportCount.USERS_SCANNED, ReportCount.ROTATED,
            ReportCount.ATTENTION, ReportCount.BLOCKED, ReportCount.FAILED);

    private OrganizationAggregator() {}

    /**
     * @param listing what the lister found; an account listed but absent from {@code results} is reported as not
     *                run, so an account can never drop out of the report silently
     */
    public static OrganizationReport report(AccountLister.Listing listing, List<AccountResult> results, String runId,
                                            String startedAt, Instant finishedAt) {
        Map<String, AccountResult> byAccount = new TreeMap<>();
        results.forEach(result -> byAccount.put(result.accountId(), result));
        for (AccountLister.ListedAccount account : listing.accounts()) {
            byAccount.putIfAbsent(account.accountId(), AccountResult.failed(account.accountId(),
                    account.accountName(), AccountResult.STAGE_NOT_RUN, "NoResult",
                    "no result was written for this account", null, null));
        }
        List<AccountResult> all = List.copyOf(byAccount.values());
        List<AccountResult> completed = all.stream().filter(AccountResult::completed).toList();

        Map<String, Integer> accounts = new LinkedHashMap<>();
        accounts.put(LISTED, all.size());
        accounts.put(COMPLETED, completed.size());
        accounts.put(FAILED, all.size() - completed.size());
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (ReportCount count : ReportCount.values()) {
            counts.put(count.key(), completed.stream().mapToInt(r -> r.count(count.key())).sum());
        }
        List<OrganizationReport.FailedAccount> failed = all.stream().filter(r -> !r.completed())
                .map(r -> new OrganizationReport.FailedAccount(r.accountId(), r.accountName(), r.stage(),
                        r.errorCode(), r.message())).toList();
        List<OrganizationReport.AccountLine> lines = all.stream()
                .map(r -> new OrganizationReport.AccountLine(r.accountId(), r.accountName(), r.status(), r.dryRun(),
                        r.counts(), r.notableUsers(), r.notableUsersOmitted() == null
                        || r.notableUsersOmitted() == 0 ? null : r.notableUsersOmitted()))
                .toList();
        return new OrganizationReport(runId, startedAt, finishedAt.toString(), accounts, counts, failed,
                ids(completed, r -> r.count(ReportCount.FAILED.key()) > 0),
                ids(completed, r -> r.count(ReportCount.ATTENTION.key()) > 0),
                ids(completed, r -> r.count(ReportCount.BLOCKED.key()) > 0),
                listing.skipped(), listing.excluded(), lines);
    }

    private static List<String> ids(List<AccountResult> results, Predicate<AccountResult> matches) {
        return results.stream().filter(matches).map(AccountResult::accountId).sorted().toList();
    }

    /** EMF lines: the organization's totals (no dimension) and each account's counts (dimension AccountId). */
    public static List<String> metrics(OrganizationReport report, Instant timestamp) {
        List<String> lines = new ArrayList<>();
        Map<String, Integer> organization = new LinkedHashMap<>();
        organization.put(OrganizationMetric.ACCOUNTS_LISTED.metricName(), report.accounts().get(LISTED));
        organization.put(OrganizationMetric.ACCOUNTS_COMPLETED.metricName(), report.accounts().get(COMPLETED));
        organization.put(OrganizationMetric.ACCOUNTS_FAILED.metricName(), report.accounts().get(FAILED));
        lines.add(RunMetrics.emf(organization, Optional.empty(), timestamp));
        for (OrganizationReport.AccountLine line : report.perAccount()) {
            Map<String, Integer> values = new LinkedHashMap<>();
            for (ReportCount count : PER_ACCOUNT_COUNTS) {
                Metric metric = count.metric().orElseThrow();
                values.put(metric.metricName(), line.counts() == null ? 0
                        : line.counts().getOrDefault(count.key(), 0));
            }
            values.put(OrganizationMetric.ACCOUNTS_FAILED.metricName(),
                    AccountResult.COMPLETED.equals(line.status()) ? 0 : 1);
            lines.add(RunMetrics.emf(values, Optional.of(Map.entry(Organization.ACCOUNT_DIMENSION,
                    line.accountId())), timestamp));
        }
        return lines;
    }

    /** The organization's run summary for the admins (event type run-summary, no user, no account attribute). */
    public static Notifier.Notice summary(OrganizationReport report, String reportLocation) {
        StringBuilder text = new StringBuilder("Access key rotation across the organization, run ")
                .append(report.runId()).append(" (").append(report.startedAt()).append(" to ")
                .append(report.finishedAt()).append(").\n\n")
                .append("Accounts: ").append(report.accounts().get(LISTED)).append(" listed, ")
                .append(report.accounts().get(COMPLETED)).append(" completed, ")
                .append(report.accounts().get(FAILED)).append(" failed.\n")
                .append("Users: ");
        report.counts().forEach((name, value) -> text.append(name).append(' ').append(value).append(", "));
        text.setLength(text.length() - 2);
        text.append(".\n");
        for (OrganizationReport.FailedAccount failed : report.failedAccounts()) {
            text.append("\nAccount ").append(failed.accountId()).append(" not rotated (").append(failed.stage())
                    .append("): ").append(failed.errorCode());
        }
        appendAccounts(text, "Accounts with failed users", report.accountsWithFailedUsers());
        appendAccounts(text, "Accounts with users needing attention", report.accountsNeedingAttention());
        appendAccounts(text, "Accounts with blocked users", report.accountsWithBlockedUsers());
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
