package dev.accesskeyrotator.contract;

/**
 * The function's CloudWatch metrics (Embedded Metric Format, namespace {@value #NAMESPACE}, no dimensions), which the
 * stack's alarms read. Per-run counts mirror the run report's counts.
 */
public enum Metric {
    USERS_SCANNED("UsersScanned"),
    ROTATED("Rotated"),
    DISABLED_OLD("DisabledOld"),
    DELETED_OLD("DeletedOld"),
    ATTENTION("Attention"),
    BLOCKED("Blocked"),
    FAILED("Failed"),
    DEFERRED("Deferred"),
    PLANNED("Planned"),
    /** 1 per completed run that could change keys: what the "no successful run" alarm waits for. */
    RUN_SUCCEEDED("RunSucceeded"),
    /** 1 per completed dry run, instead of {@link #RUN_SUCCEEDED}: a dry run rotates nothing. */
    DRY_RUN("DryRun"),
    /** 1 per run stopped before any change (bad configuration, discovery failure). */
    RUN_FAILED("RunFailed");

    public static final String NAMESPACE = "AccessKeyRotator";

    private final String metricName;

    Metric(String metricName) {
        this.metricName = metricName;
    }

    public String metricName() {
        return metricName;
    }
}
