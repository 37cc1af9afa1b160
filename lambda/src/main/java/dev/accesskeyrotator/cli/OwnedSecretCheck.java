package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.service.SecretTags;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a user secret is the rotator's own, judged on the key owner's side from what its owner may see, before
 * anything in its value is used. The same rule as the function's: only the rotator's role may encrypt with the
 * stack's KMS key, so a version encrypted with that key alone holds a value the rotator wrote.
 *
 * <p>Three facts, because each alone can be forged. The secret's {@code KmsKeyId} can be set with
 * {@code UpdateSecret} by whoever created the secret, without re-encrypting the versions it already has; so the
 * current version's own keys ({@code ListSecretVersionIds}) must be the stack's key and nothing else. The rotator's
 * tags are easy to copy and prove nothing alone, but a secret without them was not created by the rotator. Plain Java,
 * no SDK types: the reader gathers the facts, this class decides.
 */
final class OwnedSecretCheck {
    /** The stack's user secrets key, as DescribeKey names it. */
    record StackKey(String arn) {
        /** The key id, the last part of the ARN ({@code arn:aws:kms:region:account:key/<id>}). */
        String keyId() {
            return arn.substring(arn.lastIndexOf('/') + 1);
        }

        boolean is(String kmsKeyId) {
            return kmsKeyId.equals(arn) || kmsKeyId.equals(keyId());
        }
    }

    /**
     * What DescribeSecret says about the secret.
     *
     * @param kmsKeyId         empty for the AWS managed key {@code aws/secretsmanager}
     * @param currentVersionId the version labeled AWSCURRENT; empty for a secret created without a value
     */
    record Metadata(String arn, String name, Optional<String> kmsKeyId, Map<String, String> tags,
                    Optional<String> currentVersionId, boolean scheduledForDeletion) { }

    private OwnedSecretCheck() {}

    /** Why the secret's metadata is not that of the rotator's secret for {@code user}; empty when it is. */
    static Optional<String> whyNotOwned(StackKey stackKey, Metadata secret, String user) {
        if (secret.kmsKeyId().isEmpty()) {
            return Optional.of("it is encrypted with the AWS managed key aws/secretsmanager, not the rotator's KMS"
                    + " key " + stackKey.arn());
        }
        if (!stackKey.is(secret.kmsKeyId().get())) {
            return Optional.of("it is encrypted with KMS key " + printable(secret.kmsKeyId().get())
                    + ", not the rotator's KMS key " + stackKey.arn());
        }
        if (!SecretTags.MANAGED_BY_VALUE.equals(secret.tags().get(SecretTags.MANAGED_BY))) {
            return Optional.of("it lacks the rotator's tag " + SecretTags.MANAGED_BY + "=" + SecretTags.MANAGED_BY_VALUE);
        }
        if (!user.equals(secret.tags().get(SecretTags.USER))) {
            return Optional.of("its tag " + SecretTags.USER + " does not name user " + user);
        }
        if (secret.scheduledForDeletion()) {
            return Optional.of("it is scheduled for deletion");
        }
        if (secret.currentVersionId().isEmpty()) {
            return Optional.of("it has no current value");
        }
        return Optional.empty();
    }

    /**
     * Why the current version is not one the rotator wrote; empty when it is.
     *
     * @param versionKeys the KMS keys ListSecretVersionIds reports for the current version; empty when it was not
     *                    listed
     */
    static Optional<String> whyNotWrittenByRotator(StackKey stackKey, Optional<List<String>> versionKeys) {
        if (versionKeys.isEmpty() || versionKeys.get().isEmpty()) {
            return Optional.of("Secrets Manager names no KMS key for its current version");
        }
        for (String key : versionKeys.get()) {
            if (!stackKey.is(key)) {
                return Optional.of("its current version is encrypted with KMS key " + printable(key)
                        + ", not only the rotator's KMS key " + stackKey.arn()
                        + " (the secret was re-keyed after its value was written)");
            }
        }
        return Optional.empty();
    }

    /** A name from AWS may be quoted in a message, but never with a line break that could forge another line. */
    private static String printable(String value) {
        return KeyValues.hasControlCharacter(value) ? "(a name with control characters)" : value;
    }
}
