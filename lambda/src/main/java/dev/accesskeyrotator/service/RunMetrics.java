package dev.accesskeyrotator.service;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.accesskeyrotator.log.JsonLog;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CloudWatch metrics as one Embedded Metric Format log line: no PutMetricData call, no extra permission, and the
 * stack alarms on them. Namespace and names are part of the stack's contract.
 */
public final class RunMetrics {
    public static final String NAMESPACE = "AccessKeyRotator";

    /** Report count name to metric name. */
    private static final Map<String, String> METRIC_FOR_COUNT = new LinkedHashMap<>();

    static {
        METRIC_FOR_COUNT.put("usersScanned", "UsersScanned");
        METRIC_FOR_COUNT.put("rotated", "Rotated");
        METRIC_FOR_COUNT.put("disabledOld", "DisabledOld");
        METRIC_FOR_COUNT.put("deletedOld", "DeletedOld");
        METRIC_FOR_COUNT.put("attention", "Attention");
        METRIC_FOR_COUNT.put("blocked", "Blocked");
        METRIC_FOR_COUNT.put("failed", "Failed");
        METRIC_FOR_COUNT.put("deferred", "Deferred");
        METRIC_FOR_COUNT.put("planned", "Planned");
    }

    private RunMetrics() {}

    /**
     * The metrics of a completed run: {@code RunSucceeded = 1} for the "no successful run" alarm, or, for a dry run,
     * {@code DryRun = 1} instead: a dry run rotates nothing, so a {@code dry-run} left on must not look healthy.
     */
    public static String completed(RunReport report, Instant timestamp) {
        Map<String, Integer> values = new LinkedHashMap<>();
        METRIC_FOR_COUNT.forEach((count, metric) -> values.put(metric, report.count(count)));
        values.put(report.dryRun() ? "DryRun" : "RunSucceeded", 1);
        return emf(values, timestamp);
    }

    /** A run that stopped before changing anything (bad configuration, discovery failure). */
    public static String aborted(Instant timestamp) {
        return emf(Map.of("RunFailed", 1), timestamp);
    }

    static String emf(Map<String, Integer> values, Instant timestamp) {
        ObjectNode line = JsonLog.mapper().createObjectNode();
        ObjectNode aws = line.putObject("_aws");
        aws.put("Timestamp", timestamp.toEpochMilli());
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", NAMESPACE);
        directive.putArray("Dimensions").addArray();
        ArrayNode metrics = directive.putArray("Metrics");
        values.forEach((name, value) -> {
            metrics.addObject().put("Name", name).put("Unit", "Count");
            line.put(name, value);
        });
        return line.toString();
    }
}
