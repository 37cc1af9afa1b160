package dev.accesskeyrotator.service;

import dev.accesskeyrotator.port.SecretStore.SecretSummary;

import java.util.Optional;

/**
 * Whether a secret is the rotator's own. Only the rotator's role may encrypt with the stack's KMS key (its key
 * policy names no one else), so a secret encrypted with exactly that key holds only values the rotator wrote, and
 * its readers are limited by the key policy. The ARN is compared, never an alias: an alias can be re-pointed.
 *
 * <p>What proves it is a value, never the metadata alone. Anyone who may create secrets can create one without a
 * value under the stack's key ARN (Secrets Manager asks KMS for nothing until a value is written), and give it any
 * tags; and UpdateSecret can point a secret at the stack's key without re-encrypting values written under another
 * key (it re-encrypts only for a caller who may use the new key). So a secret is the rotator's only if it holds a
 * value the rotator can read: the rotator creates each of its secrets with one, and its role may decrypt with no key
 * but the stack's. Only then are the records on it (tags) the rotator's: the secret's policy lets no one else tag it.
 */
public final class SecretOwnership {
    private final Optional<String> stackKeyArn;

    /** @param stackKeyArn empty only for a dry run without the key: ownership cannot be told, and nothing is written */
    public SecretOwnership(Optional<String> stackKeyArn) {
        this.stackKeyArn = stackKeyArn;
    }

    public boolean canTell() {
        return stackKeyArn.isPresent();
    }

    /** Why the secret is not the rotator's; empty when it is (or when ownership cannot be told). */
    public Optional<String> whyNotOwned(SecretSummary secret) {
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
        if (!secret.holdsValue()) {
            return Optional.of(NO_VALUE);
        }
        return Optional.empty();
    }

    /** Why a secret that names the stack's key but holds nothing is not the rotator's. */
    static final String NO_VALUE = "it holds no value, so nothing was ever encrypted in it with the rotator's KMS key"
            + " and nothing shows the rotator created it (the rotator creates its secrets with a value); its tags are"
            + " not trusted";

    /** What it means that the rotator may not read a secret that names the stack's key. */
    static final String UNREADABLE = "the value cannot be shown to be the rotator's: either it was written under"
            + " another KMS key and the secret re-keyed to the stack's key afterwards (which does not re-encrypt it),"
            + " or this identity may not decrypt with the stack's key; nothing was changed for this user";
}
