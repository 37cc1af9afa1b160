package dev.accesskeyrotator.contract;

import java.util.regex.Pattern;

/**
 * The KMS alias the stack gives its user secrets key, so that a key owner's tools can find the key by name (with
 * {@code kms:DescribeKey}, which the key policy allows the account's IAM users) instead of being told an ARN. An alias
 * only points at the key: whoever checks ownership compares the key ARN it resolves to with the secret's, and only
 * the account's key administrators can re-point it.
 *
 * <p>Derived from the secret name prefix, so that two stacks with different prefixes in one account and region do
 * not claim the same alias: {@code access-key-rotation/} gives {@code alias/access-key-rotation/secrets-key}.
 */
public final class SecretsKeyAlias {
    /** KMS allows letters, digits, '/', '_' and '-' in an alias name, at most 256 characters with "alias/". */
    public static final int MAX_LENGTH = 256;
    private static final Pattern NOT_ALLOWED = Pattern.compile("[^A-Za-z0-9/_-]");
    private static final String ALIAS = "alias/";
    /** KMS reserves "alias/aws/" for AWS managed keys. */
    private static final String RESERVED = "aws";

    private SecretsKeyAlias() {}

    public static String forPrefix(String secretNamePrefix) {
        String stem = NOT_ALLOWED.matcher(secretNamePrefix).replaceAll("-").replaceAll("/+$", "");
        if (stem.isEmpty() || stem.equals(RESERVED) || stem.startsWith(RESERVED + "/")) {
            stem = "rotator-" + stem;
        }
        return ALIAS + stem + "/secrets-key";
    }
}
