package dev.accesskeyrotator.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Deploy-time settings from the environment the stack sets (or CLI flags): where configuration and secrets live,
 * where notices go, which KMS key encrypts the user secrets, which tag the stack's permissions were deployed for,
 * and which principals may change a user secret.
 *
 * @param secretKmsKeyArn        ARN of the stack's KMS key; a user secret is the rotator's only if it is encrypted
 *                               with exactly this key. Needed for any change; a dry run may go without it.
 * @param deployedOptInTag       the opt-in tag the stack's IAM permissions allow; the {@code user-tag} parameter
 *                               must equal or narrow it
 * @param functionRoleArn        the rotator's own role: the one principal (with the break-glass one) that the secret
 *                               resource policy lets change a user secret. Needed for any change.
 * @param breakGlassPrincipalArn an administrator principal that may also change user secrets, for repairs
 */
public record RotatorSettings(String parameterPrefix, String secretNamePrefix, String noticeTopicArn,
                              Optional<String> secretKmsKeyArn, String adminContact, int maxConcurrency,
                              Optional<OptInTag> deployedOptInTag, Optional<String> functionRoleArn,
                              Optional<String> breakGlassPrincipalArn) {

    public static final String PARAMETER_PREFIX = "PARAMETER_PREFIX";
    public static final String SECRET_NAME_PREFIX = "SECRET_NAME_PREFIX";
    public static final String NOTICE_TOPIC_ARN = "NOTICE_TOPIC_ARN";
    public static final String SECRET_KMS_KEY_ID = "SECRET_KMS_KEY_ID";
    public static final String ADMIN_CONTACT = "ADMIN_CONTACT";
    public static final String MAX_CONCURRENCY = "MAX_CONCURRENCY";
    public static final String OPT_IN_TAG = "OPT_IN_TAG";
    public static final String FUNCTION_ROLE_ARN = "FUNCTION_ROLE_ARN";
    public static final String BREAK_GLASS_PRINCIPAL_ARN = "BREAK_GLASS_PRINCIPAL_ARN";

    public static final String DEFAULT_PARAMETER_PREFIX = "/access-key-rotation/";
    public static final String DEFAULT_SECRET_NAME_PREFIX = "access-key-rotation/";
    public static final String DEFAULT_CONTACT = "your platform team";
    public static final int DEFAULT_MAX_CONCURRENCY = 4;

    /** A key ARN, never an alias: ownership is decided by comparing ARNs, and an alias can be re-pointed. */
    private static final Pattern KMS_KEY_ARN =
            Pattern.compile("arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/[A-Za-z0-9-]+");
    private static final Pattern PRINCIPAL_ARN =
            Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:(root|(role|user)/[\\w+=,.@/-]+)");

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
        secretKmsKeyArn.filter(arn -> !KMS_KEY_ARN.matcher(arn).matches()).ifPresent(arn -> {
            throw new ConfigurationException(SECRET_KMS_KEY_ID, "environment variable " + SECRET_KMS_KEY_ID
                    + " has value '" + ConfigurationException.abbreviate(arn) + "'; allowed: a KMS key ARN"
                    + " (arn:aws:kms:REGION:ACCOUNT:key/ID), not an alias or a bare key id");
        });
        requirePrincipal(FUNCTION_ROLE_ARN, functionRoleArn);
        requirePrincipal(BREAK_GLASS_PRINCIPAL_ARN, breakGlassPrincipalArn);
    }

    /** Reads the settings; a missing required variable fails with a message that names it. */
    public static RotatorSettings fromEnvironment(Map<String, String> env) {
        return new RotatorSettings(
                optional(env, PARAMETER_PREFIX).orElse(DEFAULT_PARAMETER_PREFIX),
                optional(env, SECRET_NAME_PREFIX).orElse(DEFAULT_SECRET_NAME_PREFIX),
                required(env, NOTICE_TOPIC_ARN),
                optional(env, SECRET_KMS_KEY_ID),
                optional(env, ADMIN_CONTACT).orElse(DEFAULT_CONTACT),
                optional(env, MAX_CONCURRENCY).map(v -> parseConcurrency(v)).orElse(DEFAULT_MAX_CONCURRENCY),
                optional(env, OPT_IN_TAG).map(tag -> OptInTag.parse("environment variable " + OPT_IN_TAG, tag)),
                optional(env, FUNCTION_ROLE_ARN),
                optional(env, BREAK_GLASS_PRINCIPAL_ARN));
    }

    /** Fails before any change when a setting that changes need is missing; a dry run needs none of them. */
    public void requireWhatChangesNeed() {
        List<String> missing = new ArrayList<>();
        if (secretKmsKeyArn.isEmpty()) {
            missing.add(SECRET_KMS_KEY_ID);
        }
        if (functionRoleArn.isEmpty()) {
            missing.add(FUNCTION_ROLE_ARN);
        }
        if (!missing.isEmpty()) {
            throw new ConfigurationException(missing.get(0), "required environment variable"
                    + (missing.size() > 1 ? "s " : " ") + String.join(" and ", missing) + " not set"
                    + " (only a dry run goes without)");
        }
    }

    /** The principals the secret resource policy lets change a user secret. */
    public List<String> secretWriters() {
        List<String> writers = new ArrayList<>();
        functionRoleArn.ifPresent(writers::add);
        breakGlassPrincipalArn.ifPresent(writers::add);
        return List.copyOf(writers);
    }

    private static void requirePrincipal(String variable, Optional<String> arn) {
        arn.filter(value -> !PRINCIPAL_ARN.matcher(value).matches()).ifPresent(value -> {
            throw new ConfigurationException(variable, "environment variable " + variable + " has value '"
                    + ConfigurationException.abbreviate(value) + "'; allowed: an IAM role, user or account root ARN");
        });
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
