package dev.accesskeyrotator.service;

import dev.accesskeyrotator.port.SecretStore.SecretSummary;

import java.util.Optional;

/**
 * Whether a user secret is the rotator's own. Only the rotator's role may encrypt with the stack's KMS key (its key
 * policy names no one else), so a secret encrypted with exactly that key holds only values the rotator wrote, and
 * its readers are limited by the key policy. The ARN is compared, never an alias: an alias can be re-pointed.
 */
final class SecretOwnership {
    private final Optional<String> stackKeyArn;

    /** @param stackKeyArn empty only for a dry run without the key: ownership cannot be told, and nothing is written */
    SecretOwnership(Optional<String> stackKeyArn) {
        this.stackKeyArn = stackKeyArn;
    }

    boolean canTell() {
        return stackKeyArn.isPresent();
    }

    /** Why the secret is not the rotator's; empty when it is (or when ownership cannot be told). */
    Optional<String> whyNotOwned(SecretSummary secret) {
        if (stackKeyArn.isEmpty()) {
            return Optional.empty();
        }
        if (secret.kmsKeyId().isEmpty()) {
            return Optional.of("encrypted with the AWS managed key aws/secretsmanager, not the rotator's KMS key "
                    + stackKeyArn.get());
        }
        if (!secret.kmsKeyId().get().equals(stackKeyArn.get())) {
            return Optional.of("encrypted with KMS key " + secret.kmsKeyId().get() + ", not the rotator's KMS key "
                    + stackKeyArn.get());
        }
        return Optional.empty();
    }
}
