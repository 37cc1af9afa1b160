package dev.accesskeyrotator.contract;

/**
 * A user's outcome in the run report. When several things happened to one user, the report shows the one that
 * most needs a person: declaration order is that priority, from most to least urgent.
 */
public enum Outcome {
    FAILED("failed"),
    BLOCKED("blocked"),
    ATTENTION("attention"),
    DEFERRED("deferred"),
    ROTATED("rotated"),
    PLANNED("planned"),
    DISABLED_OLD("disabled-old"),
    DELETED_OLD("deleted-old"),
    NOTIFIED("notified"),
    REMINDED("reminded"),
    UNCHANGED("unchanged");

    private final String label;

    Outcome(String label) {
        this.label = label;
    }

    /** The word the report, the logs and the docs use. */
    public String label() {
        return label;
    }

    public Outcome mostUrgent(Outcome other) {
        return compareTo(other) <= 0 ? this : other;
    }
}
