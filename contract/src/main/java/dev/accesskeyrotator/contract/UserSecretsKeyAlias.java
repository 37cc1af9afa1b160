package dev.accesskeyrotator.contract;

/**
 * The KMS alias the stack gives its user secrets key. Key owners' tools resolve it (kms:DescribeKey) to learn which
 * key an owned user secret is encrypted with, so that nobody has to type a key ARN on a machine; the function itself
 * is given the key's ARN ({@link EnvironmentVariable#SECRET_KMS_KEY_ID}) and never looks the alias up.
 *
 * <p>Derived from the secret name prefix, which both sides already know, so that two deployments with different
 * prefixes in one account and region get different aliases.
 */
public final class UserSecretsKeyAlias {
    /** What follows the prefix in the alias name. */
    public static final String SUFFIX = "user-secrets";

    private UserSecretsKeyAlias() {}

    /**
     * {@code alias/<prefix>user-secrets}, with every character of the prefix that an alias name does not allow
     * (secret names also allow {@code + = . @}) replaced by '-'.
     */
    public static String forSecretPrefix(String secretNamePrefix) {
        return "alias/" + secretNamePrefix.replaceAll("[^A-Za-z0-9/_-]", "-") + SUFFIX;
    }
}
