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
        KEY_EXPIRING("key-expiring", false),
        KEY_ROTATED("key-rotated", false),
        KEY_DISABLED("key-disabled", false),
        /** Rev 3: an exposed key was disabled at once (and replaced, if it was the key in use). */
        KEY_EXPOSED("key-exposed", true),
        ATTENTION("attention", true),
        BLOCKED("blocked", true),
        RUN_SUMMARY("run-summary", true);

        private final String value;
        private final boolean forAdministrators;

        EventType(String value, boolean forAdministrators) {
            this.value = value;
            this.forAdministrators = forAdministrators;
        }

        public String value() {
            return value;
        }

        /**
         * The notices the administrators' e-mail subscription ({@code -c alarmEmail}) receives, in both modes: each
         * run's outcome and what needs a person, not every owner's routine notice.
         */
        public static java.util.List<String> forAdministrators() {
            return java.util.Arrays.stream(values()).filter(type -> type.forAdministrators).map(EventType::value)
                    .toList();
        }
    }
}
