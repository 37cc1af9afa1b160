package dev.accesskeyrotator.config;

import dev.accesskeyrotator.contract.EnvironmentVariable;
import dev.accesskeyrotator.contract.OptInTag;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
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
 * @param delegatedReaders       per user name, the IAM roles an administrator named at deploy time that may read
 *                               that user's secret; never taken from a tag or a parameter, which people other than
 *                               the deployer can change
 */
public record RotatorSettings(String parameterPrefix, String secretNamePrefix, String noticeTopicArn,
                              Optional<String> secretKmsKeyArn, String adminContact, int maxConcurrency,
                              Optional<OptInTag> deployedOptInTag, Optional<String> functionRoleArn,
                              Optional<String> breakGlassPrincipalArn, Map<String, List<String>> delegatedReaders) {

    private static final String PARAMETER_PREFIX = EnvironmentVariable.PARAMETER_PREFIX.name();
    private static final String SECRET_NAME_PREFIX = EnvironmentVariable.SECRET_NAME_PREFIX.name();
    private static final String SECRET_KMS_KEY_ID = EnvironmentVariable.SECRET_KMS_KEY_ID.name();
    private static final String MAX_CONCURRENCY = EnvironmentVariable.MAX_CONCURRENCY.name();
    private static final String FUNCTION_ROLE_ARN = EnvironmentVariable.FUNCTION_ROLE_ARN.name();

    /** A key ARN, never an alias: ownership is decided by comparing ARNs, and an alias can be re-pointed. */
    private static final Pattern KMS_KEY_ARN =
            Pattern.compile("arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/[A-Za-z0-9-]+");
    private static final Pattern PRINCIPAL_ARN =
            Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:(root|(role|user)/[\\w+=,.@/-]+)");
    private static final Pattern ROLE_ARN = Pattern.compile(EnvironmentVariable.ROLE_ARN_PATTERN);
    private static final Pattern USER_NAME = Pattern.compile(EnvironmentVariable.USER_NAME_PATTERN);
    private static final String DELEGATED_READERS = EnvironmentVariable.DELEGATED_READERS.name();

    public RotatorSettings {
        if (!parameterPrefix.startsWith("/") || !parameterPrefix.endsWith("/")) {
            throw new ConfigurationException(PARAMETER_PREFIX, "environment variable " + PARAMETER_PREFIX
                    + " has value '" + parameterPrefix + "'; allowed: a path that starts and ends with '/'");
        }
        if (secretNamePrefix.isBlank()) {
            throw new ConfigurationException(SECRET_NAME_PREFIX, "environment variable " + SECRET_NAME_PREFIX
                    + " is empty; allowed: a secret name prefix such as '" + EnvironmentVariable.DEFAULT_SECRET_NAME_PREFIX + "'");
        }
        if (maxConcurrency < 1 || maxConcurrency > EnvironmentVariable.MAX_MAX_CONCURRENCY) {
            throw new ConfigurationException(MAX_CONCURRENCY, "environment variable " + MAX_CONCURRENCY
                    + " has value '" + maxConcurrency + "'; allowed: an integer from 1 to "
                    + EnvironmentVariable.MAX_MAX_CONCURRENCY);
        }
        secretKmsKeyArn.filter(arn -> !KMS_KEY_ARN.matcher(arn).matches()).ifPresent(arn -> {
            throw new ConfigurationException(SECRET_KMS_KEY_ID, "environment variable " + SECRET_KMS_KEY_ID
                    + " has value '" + ConfigurationException.abbreviate(arn) + "'; allowed: a KMS key ARN"
                    + " (arn:aws:kms:REGION:ACCOUNT:key/ID), not an alias or a bare key id");
        });
        requirePrincipal(FUNCTION_ROLE_ARN, functionRoleArn);
        requirePrincipal(EnvironmentVariable.BREAK_GLASS_PRINCIPAL_ARN.name(), breakGlassPrincipalArn);
        delegatedReaders.forEach(RotatorSettings::requireDelegatedReaders);
        Map<String, List<String>> copy = new TreeMap<>();
        delegatedReaders.forEach((user, roles) -> copy.put(user, List.copyOf(roles)));
        delegatedReaders = Map.copyOf(copy);
    }

    /** Settings without delegated readers: only the owner reads a user secret. */
    public RotatorSettings(String parameterPrefix, String secretNamePrefix, String noticeTopicArn,
                           Optional<String> secretKmsKeyArn, String adminContact, int maxConcurrency,
                           Optional<OptInTag> deployedOptInTag, Optional<String> functionRoleArn,
                           Optional<String> breakGlassPrincipalArn) {
        this(parameterPrefix, secretNamePrefix, noticeTopicArn, secretKmsKeyArn, adminContact, maxConcurrency,
                deployedOptInTag, functionRoleArn, breakGlassPrincipalArn, Map.of());
    }

    /** Reads the settings; a missing required variable fails with a message that names it. */
    public static RotatorSettings fromEnvironment(Map<String, String> env) {
        return new RotatorSettings(
                optional(env, EnvironmentVariable.PARAMETER_PREFIX).orElse(EnvironmentVariable.DEFAULT_PARAMETER_PREFIX),
                optional(env, EnvironmentVariable.SECRET_NAME_PREFIX)
                        .orElse(EnvironmentVariable.DEFAULT_SECRET_NAME_PREFIX),
                required(env, EnvironmentVariable.NOTICE_TOPIC_ARN),
                optional(env, EnvironmentVariable.SECRET_KMS_KEY_ID),
                optional(env, EnvironmentVariable.ADMIN_CONTACT).orElse(EnvironmentVariable.DEFAULT_CONTACT),
                optional(env, EnvironmentVariable.MAX_CONCURRENCY).map(v -> parseConcurrency(v))
                        .orElse(EnvironmentVariable.DEFAULT_MAX_CONCURRENCY),
                optional(env, EnvironmentVariable.OPT_IN_TAG).map(tag -> RotationConfigParser.optInTag(
                        "environment variable " + EnvironmentVariable.OPT_IN_TAG.name(), tag)),
                optional(env, EnvironmentVariable.FUNCTION_ROLE_ARN),
                optional(env, EnvironmentVariable.BREAK_GLASS_PRINCIPAL_ARN),
                optional(env, EnvironmentVariable.DELEGATED_READERS).map(RotatorSettings::parseDelegatedReaders)
                        .orElse(Map.of()));
    }

    /**
     * {@code USER ARN [ARN...]} entries as the stack writes them (see {@link EnvironmentVariable#DELEGATED_READERS});
     * each part is checked when the record is built.
     */
    static Map<String, List<String>> parseDelegatedReaders(String value) {
        Map<String, List<String>> readers = new LinkedHashMap<>();
        for (String entry : value.split(EnvironmentVariable.DELEGATED_READERS_ENTRY_SEPARATOR)) {
            if (entry.isBlank()) {
                continue;
            }
            List<String> fields = List.of(entry.strip().split(EnvironmentVariable.DELEGATED_READERS_FIELD_SEPARATOR
                    + "+"));
            String user = fields.get(0);
            if (fields.size() < 2) {
                throw new ConfigurationException(DELEGATED_READERS, "environment variable " + DELEGATED_READERS
                        + " names user '" + ConfigurationException.abbreviate(user) + "' without a role; allowed:"
                        + " entries 'USER ROLE_ARN [ROLE_ARN...]' separated by '"
                        + EnvironmentVariable.DELEGATED_READERS_ENTRY_SEPARATOR + "'");
            }
            if (readers.put(user, fields.subList(1, fields.size())) != null) {
                throw new ConfigurationException(DELEGATED_READERS, "environment variable " + DELEGATED_READERS
                        + " names user '" + ConfigurationException.abbreviate(user) + "' twice; allowed: one entry"
                        + " per user");
            }
        }
        return readers;
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

    /**
     * The principals a user secret's resource policy names: those it lets change the secret, and each user's
     * delegated readers.
     */
    public SecretPrincipals secretPrincipals() {
        List<String> writers = new ArrayList<>();
        functionRoleArn.ifPresent(writers::add);
        breakGlassPrincipalArn.ifPresent(writers::add);
        return new SecretPrincipals(writers, delegatedReaders);
    }

    /**
     * Only roles: a reader is a workload (External Secrets, a CI system) that assumes a role. A user ARN would let a
     * person read another user's key, and a wildcard, an account root or a session ARN would admit more than the
     * one role the administrator meant.
     */
    private static void requireDelegatedReaders(String user, List<String> roles) {
        if (!USER_NAME.matcher(user).matches()) {
            throw new ConfigurationException(DELEGATED_READERS, "environment variable " + DELEGATED_READERS
                    + " names user '" + ConfigurationException.abbreviate(user) + "'; allowed: an IAM user name");
        }
        for (String role : roles) {
            if (!ROLE_ARN.matcher(role).matches()) {
                throw new ConfigurationException(DELEGATED_READERS, "environment variable " + DELEGATED_READERS
                        + " names '" + ConfigurationException.abbreviate(role) + "' as a reader of user " + user
                        + "; allowed: an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)");
            }
        }
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
                    + " has value '" + raw + "'; allowed: an integer from 1 to "
                    + EnvironmentVariable.MAX_MAX_CONCURRENCY);
        }
    }

    private static Optional<String> optional(Map<String, String> env, EnvironmentVariable variable) {
        return Optional.ofNullable(env.get(variable.name())).filter(v -> !v.isBlank());
    }

    private static String required(Map<String, String> env, EnvironmentVariable variable) {
        return optional(env, variable).orElseThrow(() -> new ConfigurationException(variable.name(),
                "required environment variable " + variable.name() + " is not set"));
    }
}
