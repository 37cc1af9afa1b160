package dev.accesskeyrotator.config;

import java.util.Map;
import java.util.Optional;

/**
 * Deploy-time settings from the environment the stack sets (or CLI flags): where configuration and secrets live,
 * where notices go, which KMS key encrypts the user secrets.
 */
public record RotatorSettings(String parameterPrefix, String secretNamePrefix, String noticeTopicArn,
                              String secretKmsKeyId, String adminContact, int maxConcurrency) {

    public static final String PARAMETER_PREFIX = "PARAMETER_PREFIX";
    public static final String SECRET_NAME_PREFIX = "SECRET_NAME_PREFIX";
    public static final String NOTICE_TOPIC_ARN = "NOTICE_TOPIC_ARN";
    public static final String SECRET_KMS_KEY_ID = "SECRET_KMS_KEY_ID";
    public static final String ADMIN_CONTACT = "ADMIN_CONTACT";
    public static final String MAX_CONCURRENCY = "MAX_CONCURRENCY";

    public static final String DEFAULT_PARAMETER_PREFIX = "/access-key-rotation/";
    public static final String DEFAULT_SECRET_NAME_PREFIX = "access-key-rotation/";
    public static final String DEFAULT_CONTACT = "your platform team";
    public static final int DEFAULT_MAX_CONCURRENCY = 4;

    public RotatorSettings {
        if (!parameterPrefix.startsWith("/") || !parameterPrefix.endsWith("/")) {
            throw new ConfigurationException(PARAMETER_PREFIX, "environment variable " + PARAMETER_PREFIX
                    + " has value '" + parameterPrefix + "'; allowed: a path that starts and ends with '/'");
        }
        if (secretNamePrefix.isBlank()) {
            throw new ConfigurationException(SECRET_NAME_PREFIX, "environment variable " + SECRET_NAME_PREFIX
                    + " is empty; allowed: a secret name prefix such as '" + DEFAULT_SECRET_NAME_PREFIX + "'");
        }
        if (maxConcurrency < 1 || maxConcurrency > 32) {
            throw new ConfigurationException(MAX_CONCURRENCY, "environment variable " + MAX_CONCURRENCY
                    + " has value '" + maxConcurrency + "'; allowed: an integer from 1 to 32");
        }
    }

    /** Reads the settings; a missing required variable fails with a message that names it. */
    public static RotatorSettings fromEnvironment(Map<String, String> env) {
        return new RotatorSettings(
                optional(env, PARAMETER_PREFIX).orElse(DEFAULT_PARAMETER_PREFIX),
                optional(env, SECRET_NAME_PREFIX).orElse(DEFAULT_SECRET_NAME_PREFIX),
                required(env, NOTICE_TOPIC_ARN),
                required(env, SECRET_KMS_KEY_ID),
                optional(env, ADMIN_CONTACT).orElse(DEFAULT_CONTACT),
                optional(env, MAX_CONCURRENCY).map(v -> parseConcurrency(v)).orElse(DEFAULT_MAX_CONCURRENCY));
    }

    private static int parseConcurrency(String raw) {
        try {
            return Integer.parseInt(raw.strip());
        } catch (NumberFormatException e) {
            throw new ConfigurationException(MAX_CONCURRENCY, "environment variable " + MAX_CONCURRENCY
                    + " has value '" + raw + "'; allowed: an integer from 1 to 32");
        }
    }

    private static Optional<String> optional(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).filter(v -> !v.isBlank());
    }

    private static String required(Map<String, String> env, String name) {
        return optional(env, name).orElseThrow(() -> new ConfigurationException(name,
                "required environment variable " + name + " is not set"));
    }
}
