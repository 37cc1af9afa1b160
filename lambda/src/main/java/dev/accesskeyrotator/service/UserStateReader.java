package dev.accesskeyrotator.service;

import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.domain.AccessKey;
import dev.accesskeyrotator.domain.KeyUse;
import dev.accesskeyrotator.domain.NoticeRecord;
import dev.accesskeyrotator.domain.KeySchedule;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Reads one user's keys and secret right before the rules decide, so every action rests on fresh state. */
final class UserStateReader {
    private final IdentityDirectory iam;
    private final SecretStore secrets;
    private final SecretOwnership ownership;
    private final RotationConfig config;
    private final KeySchedule schedule;
    /** Users whose plan this run rests on tags, not the value; workers add to it concurrently. */
    private final Set<String> valueNotRead = ConcurrentHashMap.newKeySet();

    UserStateReader(IdentityDirectory iam, SecretStore secrets, SecretOwnership ownership, RotationConfig config) {
        this.iam = iam;
        this.secrets = secrets;
        this.ownership = ownership;
        this.config = config;
        this.schedule = new KeySchedule(config);
    }

    /** @param ledger what the run's notice ledger records for the user's attention causes */
    UserState read(DirectoryUser user, Optional<SecretSummary> summary, String secretName, NoticeRecord ledger,
                   Instant now) {
        try {
            return readOnce(user, summary, secretName, ledger, now);
        } catch (AwsFailure failure) {
            if (failure.kind() != AwsFailure.Kind.NOT_FOUND || !"GetAccessKeyLastUsed".equals(failure.operation())) {
                throw failure;
            }
            // A key listed a moment ago is gone: another run (a second delivery of the schedule, the CLI) or a
            // person changed the user meanwhile. Read the user once more, so that the rules decide on the keys as
            // they are now rather than failing the user over a key that no longer exists.
            return readOnce(user, Optional.empty(), secretName, ledger, now);
        }
    }

    private UserState readOnce(DirectoryUser user, Optional<SecretSummary> summary, String secretName,
                               NoticeRecord ledger, Instant now) {
        List<AccessKey> keys = iam.listAccessKeys(user.userName());
        Optional<SecretSummary> found = summary.isPresent() ? summary : secrets.describe(secretName);
        SecretState secret = readSecret(found, user.userName(), keys);
        Map<String, Optional<KeyUse>> lastUsed = new HashMap<>();
        if (secret instanceof SecretState.Stored stored) {
            for (AccessKey key : keys) {
                boolean current = key.id().equals(stored.currentKeyId());
                boolean previous = stored.previousKeyId().map(key.id()::equals).orElse(false);
                // Strays: whether they were used decides what happens to them (rule 3). The previous key: only when
                // its use can decide the cut-over or its reminder in this run.
                if (!current && (!previous || useDecidesCutover(key, keys, stored, now))) {
                    lastUsed.put(key.id(), iam.lastUsed(user.userName(), key.id()));
                }
            }
        } else if (!(secret instanceof SecretState.NotOwned) && keys.stream().filter(AccessKey::active).count() > 1) {
            // Which of two keys is the newer one is the rules' call; give them the usage of both.
            keys.stream().filter(AccessKey::active)
                    .forEach(key -> lastUsed.put(key.id(), iam.lastUsed(user.userName(), key.id())));
        }
        NoticeRecord notices = fromTags(secret instanceof SecretState.NotOwned ? Map.of()
                : found.map(SecretSummary::tags).orElse(Map.of()), ledger);
        return new UserState(user.userName(), user.arn(), user.tags(), keys, secret, lastUsed, notices);
    }

    /** An active previous key's last use is looked up only while it can decide the cut-over or its reminder. */
    private boolean useDecidesCutover(AccessKey previous, List<AccessKey> keys, SecretState.Stored stored,
                                      Instant now) {
        if (!previous.active()) {
            return false;
        }
        return keys.stream().filter(k -> k.id().equals(stored.currentKeyId())).findFirst()
                .map(current -> schedule.useMatters(current.createDate(), now)).orElse(false);
    }

    private static NoticeRecord fromTags(Map<String, String> tags, NoticeRecord ledger) {
        return new NoticeRecord(Optional.ofNullable(tags.get(SecretTags.REMINDED_KEY_ID)),
                Optional.ofNullable(tags.get(SecretTags.GRACE_REMINDED_KEY_ID)), ledger.attentionCause(),
                ledger.attentionSentAt());
    }

    /**
     * Ownership is decided from the metadata, before the value is read: a secret that is not the rotator's is
     * never read (its key may be one the role must not use) and never trusted, whatever it holds.
     *
     * <p>ListSecrets is eventually consistent and was read at the start of the run: a secret created since (by
     * another run, or by someone else) is not in it. Users without a listed secret are therefore confirmed by name.
     */
    private SecretState readSecret(Optional<SecretSummary> summary, String userName, List<AccessKey> keys) {
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
            // The records (tags) are read only once the value shows the secret is the rotator's.
            return secrets.readCurrent(found.arn())
                    .map(value -> withRecords(SecretDocument.read(value.arn(), value.name(), value.secretString(),
                            Optional.ofNullable(found.tags().get(SecretTags.NOTIFIED_KEY_ID))), found.tags()))
                    .orElseGet(() -> new SecretState.NotOwned(found.arn(), SecretOwnership.NO_VALUE));
        } catch (AwsFailure failure) {
            if (failure.is(AwsFailure.Kind.INVALID_STATE)) {
                // Secrets Manager refuses reads of a secret scheduled for deletion after it was listed.
                return new SecretState.ScheduledForDeletion(found.arn());
            }
            if (failure.is(AwsFailure.Kind.ACCESS_DENIED) && config.dryRun()) {
                Optional<SecretState> fromTags = fromTagsOnly(found, userName, keys);
                if (fromTags.isPresent()) {
                    valueNotRead.add(userName);
                    return fromTags.get();
                }
            }
            if (failure.is(AwsFailure.Kind.ACCESS_DENIED)) {
                // Nothing proves the secret is the rotator's, so nothing is changed; but the cause may as well be this
                // identity's permissions as the secret, so it is the run's failure (and alarm), not the owner's news.
                throw failure.explained(SecretOwnership.UNREADABLE);
            }
            throw failure;
        }
    }

    /**
     * An administrator's preview: the identity may not read secret values (nor decrypt them), but the rotator tags
     * each secret with the key its owner was told about and when that key was made. That is enough to plan from; the
     * value's previous key is guessed as the one other key older than the current one, which is how the rotator
     * leaves a user after a rotation. Only for a dry run: a change is never based on a guess.
     */
    private static Optional<SecretState> fromTagsOnly(SecretSummary found, String userName, List<AccessKey> keys) {
        Optional<String> current = Optional.ofNullable(found.tags().get(SecretTags.NOTIFIED_KEY_ID));
        if (current.isEmpty()) {
            return Optional.empty();
        }
        Optional<Instant> currentCreated = keys.stream().filter(k -> k.id().equals(current.get())).findFirst()
                .map(AccessKey::createDate);
        List<AccessKey> older = keys.stream().filter(k -> !k.id().equals(current.get()))
                .filter(k -> currentCreated.map(k.createDate()::isBefore).orElse(false)).toList();
        Optional<String> previous = older.size() == 1 ? Optional.of(older.get(0).id()) : Optional.empty();
        String owner = found.tags().getOrDefault(SecretTags.USER, userName);
        return Optional.of(new SecretState.Stored(found.arn(), found.name(), current.get(), owner, previous, current,
                SecretTags.instant(found.tags(), SecretTags.CREATING_SINCE),
                SecretTags.instant(found.tags(), SecretTags.PREVIOUS_DISABLED_AT)));
    }

    /** Whether this run planned the user from the secret's tags because its value could not be read. */
    boolean valueNotRead(String userName) {
        return valueNotRead.contains(userName);
    }

    /** The rotator's records on the secret (tags) that the value does not carry. */
    private static SecretState withRecords(SecretState state, Map<String, String> tags) {
        if (state instanceof SecretState.Reserved reserved) {
            return new SecretState.Reserved(reserved.arn(), reserved.name(),
                    SecretTags.instant(tags, SecretTags.CREATING_SINCE));
        }
        if (state instanceof SecretState.Stored stored) {
            return new SecretState.Stored(stored.arn(), stored.name(), stored.currentKeyId(), stored.ownerName(),
                    stored.previousKeyId(), stored.notifiedKeyId(),
                    SecretTags.instant(tags, SecretTags.CREATING_SINCE),
                    SecretTags.instant(tags, SecretTags.PREVIOUS_DISABLED_AT));
        }
        return state;
    }
}
