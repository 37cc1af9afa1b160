package dev.accesskeyrotator.contract;

/**
 * SNS message attributes of the notices: owners subscribe with a filter policy on {@link #USER_NAME}, admins on
 * {@link #EVENT_TYPE}.
 */
public final class Notices {
    /** The IAM user a notice is about; absent on the run summary. */
    public static final String USER_NAME = "user_name";
    public static final String EVENT_TYPE = "event_type";

    private Notices() {}

    /** Values of {@link #EVENT_TYPE}. */
    public enum EventType {
        KEY_EXPIRING("key-expiring"),
        KEY_ROTATED("key-rotated"),
        KEY_DISABLED("key-disabled"),
        /** Rev 3: an exposed key was disabled at once (and replaced, if it was the key in use). */
        KEY_EXPOSED("key-exposed"),
        ATTENTION("attention"),
        BLOCKED("blocked"),
        RUN_SUMMARY("run-summary");

        private final String value;

        EventType(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }

        /**
         * The notices the administrators' e-mail subscription ({@code -c alarmEmail}) receives, in both modes: each
         * run's outcome and what needs a person, not every owner's routine notice.
         */
        public static java.util.List<String> forAdministrators() {
            return java.util.stream.Stream.of(RUN_SUMMARY, ATTENTION, BLOCKED, KEY_EXPOSED).map(EventType::value)
                    .toList();
        }
    }
}
