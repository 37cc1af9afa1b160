package dev.accesskeyrotator.service;

import dev.accesskeyrotator.contract.Metric;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.accesskeyrotator.log.JsonLog;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * CloudWatch metrics as one Embedded Metric Format log line: no PutMetricData call, no extra permission, and the
 * stack alarms on them. Namespace and names are part of the stack's contract.
 */
public final class RunMetrics {


    private RunMetrics() {}

    /**
     * The metrics of a completed run: {@code RunSucceeded = 1} for the "no successful run" alarm, or, for a dry run,
     * {@code DryRun = 1} instead: a dry run rotates nothing, so a {@code dry-run} left on must not look healthy.
     */
    public static String completed(RunReport report, Instant timestamp) {
        Map<Metric, Integer> values = new LinkedHashMap<>();
        for (ReportCount count : ReportCount.values()) {
            count.metric().ifPresent(metric -> values.put(metric, report.count(count)));
        }
        values.put(report.dryRun() ? Metric.DRY_RUN : Metric.RUN_SUCCEEDED, 1);
        return emf(values, timestamp);
    }

    /** A run that stopped before changing anything (bad configuration, discovery failure). */
    public static String aborted(Instant timestamp) {
        return emf(Map.of(Metric.RUN_FAILED, 1), timestamp);
    }

    static String emf(Map<Metric, Integer> values, Instant timestamp) {
        Map<String, Integer> byName = new LinkedHashMap<>();
        values.forEach((metric, value) -> byName.put(metric.metricName(), value));
        return emf(byName, Optional.empty(), timestamp);
    }

    /**
     * One CloudWatch embedded-metric-format line in the rotator's namespace: counts by metric name, with no
     * dimension or with one (name and value).
     */
    public static String emf(Map<String, Integer> valuesByName, Optional<Map.Entry<String, String>> dimension,
                             Instant timestamp) {
        ObjectNode line = JsonLog.mapper().createObjectNode();
        ObjectNode aws = line.putObject("_aws");
        aws.put("Timestamp", timestamp.toEpochMilli());
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", Metric.NAMESPACE);
        ArrayNode dimensions = directive.putArray("Dimensions").addArray();
        dimension.ifPresent(d -> {
            dimensions.add(d.getKey());
            line.put(d.getKey(), d.getValue());
        });
        ArrayNode metrics = directive.putArray("Metrics");
        valuesByName.forEach((name, value) -> {
            metrics.addObject().put("Name", name).put("Unit", "Count");
            line.put(name, value);
        });
        return line.toString();
    }
}
