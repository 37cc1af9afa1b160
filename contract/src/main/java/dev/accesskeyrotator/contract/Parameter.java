package dev.accesskeyrotator.contract;

/**
 * The rotation parameters in Parameter Store, under the deploy-time prefix: the catalogue the stack creates them
 * from (default, description, {@code AllowedPattern}), the function validates with, and the parameters table in
 * docs/operations.md is checked against.
 */
public enum Parameter {
    MAX_KEY_AGE_DAYS("max-key-age-days", "90",
            "Rotate an active key when it reaches this age, counted from the key's `CreateDate`.",
            "integer 1–3650", Patterns.DAYS_1_TO_3650),
    USER_TAG("user-tag", OptInTag.DEFAULT,
            "Opt-in tag: `key=value` (that value only) or `key` (any value).",
            "IAM tag rules: key 1–128 and value 0–256 characters of letters, digits, spaces and `_.:/=+-@`; the key"
                    + " must not start with `aws:`. It must equal the stack's `optInTag` or, when that is a key only,"
                    + " choose a value of it; anything else stops the run (see [Changing the opt-in"
                    + " tag](#changing-the-opt-in-tag)).",
            OptInTag.ALLOWED_PATTERN),
    GRACE_DAYS("grace-days", "0",
            "Days the old key stays active after the new key was created. With `0` the old key is disabled in the"
                    + " same run.",
            "integer 0 to `max-key-age-days` − 1", Patterns.DAYS_0_TO_3650),
    DELETE_AFTER_DAYS("delete-after-days", "30",
            "Days a disabled previous key is kept before it is deleted, counted from when it was disabled (with"
                    + " `on-use` that can be as late as `max-grace-days` after the new key was stored).",
            "integer 0–3650", Patterns.DAYS_0_TO_3650),
    DRY_RUN("dry-run", "false",
            "`true` means plan and report only. Nothing changes in IAM or Secrets Manager, and no SNS message is"
                    + " sent. A dry run counts as a dry run (`DryRun` metric, `DryRunLeftOn` alarm), never as a"
                    + " successful run.",
            "`true` or `false` (any case; Parameter Store's pattern takes lower case)", Patterns.TRUE_OR_FALSE),
    MAX_ROTATIONS_PER_RUN("max-rotations-per-run", "100",
            "Caps the rotations one run starts. Due users past the cap are reported as `deferred` and rotated in a"
                    + " later run, oldest keys first.",
            "integer 1–100000", Patterns.COUNT_1_TO_100000),
    CUTOVER("cutover", Cutover.ON_USE.value(),
            "When the replaced key is disabled: `on-use` once IAM shows no use of it for `old-key-idle-hours`"
                    + " (after `grace-days`, at the latest at `max-grace-days`), or `after-grace` after `grace-days`,"
                    + " used or not.",
            "`on-use` or `after-grace`", Patterns.CUTOVER),
    MAX_GRACE_DAYS("max-grace-days", "7",
            "With `on-use`: the replaced key is disabled at this age of the new key even if it is still in use.",
            "integer `grace-days` to `max-key-age-days` − 1", Patterns.DAYS_0_TO_3650),
    OLD_KEY_IDLE_HOURS("old-key-idle-hours", "24",
            "With `on-use`: the replaced key counts as unused once IAM shows no use of it for this many hours,"
                    + " measured from when the new key was stored. IAM reports use hours late, so no less than 4.",
            "integer 4–720", Patterns.HOURS_4_TO_720),
    REMINDER_DAYS("reminder-days", "7",
            "Owners get one `key-expiring` notice this many days before their key reaches `max-key-age-days`;"
                    + " `0` sends none.",
            "integer 0 to `max-key-age-days` − 1", Patterns.DAYS_0_TO_3650),
    ATTENTION_REMINDER_DAYS("attention-reminder-days", "7",
            "An unchanged `attention` or `blocked` cause is told to the owner again at most this often; `0` tells it"
                    + " once.",
            "integer 0–365", Patterns.DAYS_0_TO_365);

    /** Values of {@link #CUTOVER}. */
    public enum Cutover {
        ON_USE("on-use"),
        AFTER_GRACE("after-grace");

        private final String value;

        Cutover(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }
    }

    /** The largest day count any parameter or override tag accepts. */
    public static final int MAX_DAYS = 3650;
    public static final int MAX_ROTATIONS_LIMIT = 100_000;
    public static final int MIN_IDLE_HOURS = 4;
    public static final int MAX_IDLE_HOURS = 720;
    public static final int MAX_ATTENTION_REMINDER_DAYS = 365;
    /** Prefix of the tags that override a parameter for one user. */
    public static final String USER_OVERRIDE_TAG_PREFIX = "access-key-rotation:";

    private final String parameterName;
    private final String defaultValue;
    private final String meaning;
    private final String allowed;
    private final String allowedPattern;

    Parameter(String parameterName, String defaultValue, String meaning, String allowed, String allowedPattern) {
        this.parameterName = parameterName;
        this.defaultValue = defaultValue;
        this.meaning = meaning;
        this.allowed = allowed;
        this.allowedPattern = allowedPattern;
    }

    /** The name under the prefix, e.g. {@code max-key-age-days}. */
    public String parameterName() {
        return parameterName;
    }

    public String defaultValue() {
        return defaultValue;
    }

    /** What the parameter does, in the words of the docs (Markdown); also its description in Parameter Store. */
    public String meaning() {
        return meaning;
    }

    /** The values the function accepts, in the words of the docs (Markdown). */
    public String allowed() {
        return allowed;
    }

    /**
     * The regular expression Parameter Store checks values against. Only constructs that Parameter Store's and
     * Java's regular expressions share are used. Ranges that depend on another parameter are the function's to check.
     */
    public String allowedPattern() {
        return allowedPattern;
    }

    /** The user tag that overrides this parameter for one user, e.g. {@code access-key-rotation:max-key-age-days}. */
    public String userOverrideTag() {
        return USER_OVERRIDE_TAG_PREFIX + parameterName;
    }

    /** Numbers are plain decimals without sign or leading zeros. */
    static final class Patterns {
        static final String DAYS_1_TO_3650 = "^([1-9][0-9]{0,2}|[1-2][0-9]{3}|3[0-5][0-9]{2}|36[0-4][0-9]|3650)$";
        static final String DAYS_0_TO_3650 = "^(0|[1-9][0-9]{0,2}|[1-2][0-9]{3}|3[0-5][0-9]{2}|36[0-4][0-9]|3650)$";
        static final String COUNT_1_TO_100000 = "^([1-9][0-9]{0,4}|100000)$";
        static final String TRUE_OR_FALSE = "^(true|false)$";
        static final String CUTOVER = "^(on-use|after-grace)$";
        static final String HOURS_4_TO_720 = "^([4-9]|[1-9][0-9]|[1-6][0-9]{2}|7[01][0-9]|720)$";
        static final String DAYS_0_TO_365 = "^(0|[1-9][0-9]?|[12][0-9]{2}|3[0-5][0-9]|36[0-5])$";

        private Patterns() {}
    }
}
