package dev.accesskeyrotator.service;

import dev.accesskeyrotator.contract.Metric;
import dev.accesskeyrotator.contract.Outcome;

import java.util.Arrays;
import java.util.Optional;

/**
 * The counts of a run report, in report order, with the metric each one feeds. Keyed by this enum, a count cannot be
 * misspelled into a metric an alarm reads as zero.
 */
public enum ReportCount {
    USERS_SCANNED("usersScanned", Metric.USERS_SCANNED, null),
    ROTATED("rotated", Metric.ROTATED, null),
    DISABLED_OLD("disabledOld", Metric.DISABLED_OLD, null),
    DELETED_OLD("deletedOld", Metric.DELETED_OLD, null),
    NOTIFIED(null, Outcome.NOTIFIED),
    REMINDED(null, Outcome.REMINDED),
    ATTENTION(Metric.ATTENTION, Outcome.ATTENTION),
    BLOCKED(Metric.BLOCKED, Outcome.BLOCKED),
    FAILED(Metric.FAILED, Outcome.FAILED),
    DEFERRED(Metric.DEFERRED, Outcome.DEFERRED),
    PLANNED(Metric.PLANNED, Outcome.PLANNED),
    UNCHANGED(null, Outcome.UNCHANGED);

    private final String key;
    private final Metric metric;
    private final Outcome outcome;

    ReportCount(String key, Metric metric, Outcome outcome) {
        this.key = key;
        this.metric = metric;
        this.outcome = outcome;
    }

    /** A count of users by outcome is keyed by the outcome's label, so the report's words are the contract's. */
    ReportCount(Metric metric, Outcome outcome) {
        this(outcome.label(), metric, outcome);
    }

    /** The key in the report's {@code counts} object. */
    public String key() {
        return key;
    }

    public Optional<Metric> metric() {
        return Optional.ofNullable(metric);
    }

    /** For counts of users by outcome: that outcome. */
    Optional<Outcome> outcome() {
        return Optional.ofNullable(outcome);
    }

    /** @throws IllegalArgumentException for a key no count has: a typo must fail, not read as zero */
    public static ReportCount ofKey(String key) {
        return Arrays.stream(values()).filter(count -> count.key.equals(key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no report count named '" + key + "'"));
    }
}
