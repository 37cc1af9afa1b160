package dev.accesskeyrotator.service;

import dev.accesskeyrotator.domain.AccessKey;
import dev.accesskeyrotator.domain.SecretState;
import dev.accesskeyrotator.domain.UserState;
import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.port.IdentityDirectory;
import dev.accesskeyrotator.port.IdentityDirectory.DirectoryUser;
import dev.accesskeyrotator.port.SecretStore;
import dev.accesskeyrotator.port.SecretStore.SecretSummary;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads one user's keys and secret right before the rules decide, so every action rests on fresh state. */
final class UserStateReader {
    private final IdentityDirectory iam;
    private final SecretStore secrets;
    private final SecretOwnership ownership;

    UserStateReader(IdentityDirectory iam, SecretStore secrets, SecretOwnership ownership) {
        this.iam = iam;
        this.secrets = secrets;
        this.ownership = ownership;
    }

    UserState read(DirectoryUser user, Optional<SecretSummary> summary, String secretName) {
        List<AccessKey> keys = iam.listAccessKeys(user.userName());
        SecretState secret = readSecret(summary, secretName);
        Map<String, Optional<Instant>> lastUsed = new HashMap<>();
        // Usage only matters for strays (rule 2); current and previous keys are the rotator's own.
        if (secret instanceof SecretState.Stored stored) {
            for (AccessKey key : keys) {
                boolean own = key.id().equals(stored.currentKeyId())
                        || stored.previousKeyId().map(key.id()::equals).orElse(false);
                if (!own) {
                    lastUsed.put(key.id(), iam.lastUsed(user.userName(), key.id()));
                }
            }
        } else if (secret instanceof SecretState.Missing && keys.stream().filter(AccessKey::active).count() > 1) {
            // Which of two keys is the newer one is the rules' call; give them the usage of both.
            keys.stream().filter(AccessKey::active)
                    .forEach(key -> lastUsed.put(key.id(), iam.lastUsed(user.userName(), key.id())));
        }
        return new UserState(user.userName(), user.arn(), user.tags(), keys, secret, lastUsed);
    }

    /**
     * Ownership is decided from the metadata, before the value is read: a secret that is not the rotator's is
     * never read (its key may be one the role must not use) and never trusted, whatever it holds.
     *
     * <p>ListSecrets is eventually consistent and was read at the start of the run: a secret created since (by
     * another run, or by someone else) is not in it. Users without a listed secret are therefore confirmed by name.
     */
    private SecretState readSecret(Optional<SecretSummary> listed, String secretName) {
        Optional<SecretSummary> summary = listed.isPresent() ? listed : secrets.describe(secretName);
        if (summary.isEmpty()) {
            return SecretState.missing();
        }
        SecretSummary found = summary.get();
        if (found.scheduledForDeletion()) {
            return new SecretState.ScheduledForDeletion(found.arn());
        }
        Optional<String> notOwned = ownership.whyNotOwned(found);
        if (notOwned.isPresent()) {
            return new SecretState.NotOwned(found.arn(), notOwned.get());
        }
        try {
            // The notice tag is not part of the value; without it the owner would be told twice.
            return secrets.readCurrent(found.arn())
                    .map(value -> SecretDocument.read(value.arn(), value.name(), value.secretString(),
                            Optional.ofNullable(found.tags().get(SecretTags.NOTIFIED_KEY_ID))))
                    .orElseGet(SecretState::missing);
        } catch (AwsFailure failure) {
            if (failure.is(AwsFailure.Kind.INVALID_STATE)) {
                // Secrets Manager refuses reads of a secret scheduled for deletion after it was listed.
                return new SecretState.ScheduledForDeletion(found.arn());
            }
            throw failure;
        }
    }
}
