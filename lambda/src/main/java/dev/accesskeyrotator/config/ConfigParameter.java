package dev.accesskeyrotator.config;

/** The Parameter Store parameters under the deploy-time prefix, with their documented defaults. */
public enum ConfigParameter {
    MAX_KEY_AGE_DAYS("max-key-age-days", "90"),
    USER_TAG("user-tag", "access-key-rotation=enabled"),
    GRACE_DAYS("grace-days", "0"),
    DELETE_AFTER_DAYS("delete-after-days", "30"),
    DRY_RUN("dry-run", "false"),
    MAX_ROTATIONS_PER_RUN("max-rotations-per-run", "100");

    private final String parameterName;
    private final String defaultValue;

    ConfigParameter(String parameterName, String defaultValue) {
        this.parameterName = parameterName;
        this.defaultValue = defaultValue;
    }

    public String parameterName() { return parameterName; }
    public String defaultValue() { return defaultValue; }
}
