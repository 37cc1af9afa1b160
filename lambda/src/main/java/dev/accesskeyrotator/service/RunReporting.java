package dev.accesskeyrotator.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.contract.Parameter;
import dev.accesskeyrotator.log.JsonLog;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the run report says about a run: the configuration it used, its counts, and the one logged copy. */
final class RunReporting {
    /** Logged copies of the report stay under CloudWatch Logs' 256 KB event limit. */
    private static final int MAX_LOGGED_REPORT_CHARS = 200_000;

    private RunReporting() {}

    static Map<String, Object> describe(RotationConfig config) {
        Map<String, Object> described = new LinkedHashMap<>();
        // An exhaustive switch: a parameter added to the catalogue does not compile until the run logs it.
        for (Parameter parameter : Parameter.values()) {
            described.put(parameter.parameterName(), switch (parameter) {
                case MAX_KEY_AGE_DAYS -> config.maxKeyAgeDays();
                case USER_TAG -> config.userTag().toString();
                case GRACE_DAYS -> config.graceDays();
                case DELETE_AFTER_DAYS -> config.deleteAfterDays();
                case DRY_RUN -> config.dryRun();
                case MAX_ROTATIONS_PER_RUN -> config.maxRotationsPerRun();
                case CUTOVER -> config.cutover().value();
                case MAX_GRACE_DAYS -> config.maxGraceDays();
                case OLD_KEY_IDLE_HOURS -> config.oldKeyIdleHours();
                case REMINDER_DAYS -> config.reminderDays();
                case ATTENTION_REMINDER_DAYS -> config.attentionReminderDays();
            });
        }
        return described;
    }

    static Map<String, Integer> counts(int scanned, List<UserResult> results) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (ReportCount count : ReportCount.values()) {
            int value = switch (count) {
                case USERS_SCANNED -> scanned;
                case ROTATED -> results.stream().mapToInt(r -> r.effects().rotated()).sum();
                case DISABLED_OLD -> results.stream().mapToInt(r -> r.effects().disabled()).sum();
                case DELETED_OLD -> results.stream().mapToInt(r -> r.effects().deleted()).sum();
                case NOTIFIED, REMINDED, ATTENTION, BLOCKED, FAILED, DEFERRED, PLANNED, UNCHANGED ->
                        (int) results.stream().filter(r -> r.outcome() == count.outcome().orElseThrow()).count();
            };
            counts.put(count.key(), value);
        }
        return counts;
    }

    /** Logs the report as one JSON line; past the size limit, unchanged users are left out (and counted). */
    static void log(RunReport report, Clock clock, JsonLog log) {
        ObjectNode line = JsonLog.mapper().createObjectNode();
        line.put("timestamp", clock.instant().toString());
        line.put("level", "INFO");
        line.put("message", "run report");
        line.set("report", JsonLog.mapper().valueToTree(report));
        String json = line.toString();
        if (json.length() > MAX_LOGGED_REPORT_CHARS) {
            List<UserResult> notable = report.users().stream().filter(u -> u.outcome() != Outcome.UNCHANGED).toList();
            line.set("report", JsonLog.mapper().valueToTree(new RunReport(report.runId(), report.dryRun(),
                    report.startedAt(), report.finishedAt(), report.discovery(), report.configuration(),
                    report.defaultedParameters(), report.counts(), notable)));
            line.put("unchangedUsersOmitted", report.count(ReportCount.UNCHANGED));
            json = line.toString();
        }
        log.raw(json);
    }
}
