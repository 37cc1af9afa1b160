package dev.accesskeyrotator.service;

import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.domain.SecretState;
import dev.accesskeyrotator.domain.Step;
import dev.accesskeyrotator.domain.UserState;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.port.IdentityDirectory;
import dev.accesskeyrotator.port.IdentityDirectory.NewAccessKey;
import dev.accesskeyrotator.port.SecretStore;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The crash-safe protocol of one rotation, independent of which step asked for it: confirm the secret is the
 * rotator's, create the key, store it (or withdraw it), then retire keys.
 *
 * <p>Why it is safe to die anywhere: a key exists without its secret only between {@code CreateAccessKey} and the
 * store; the next run finds it unused and newer than the current key and deletes it (rule 3). A store is idempotent
 * (its token is derived from the new key id), and a store that reports failure is read back before the key is
 * withdrawn. An old key is disabled only after its replacement is stored.
 *
 * <p>What it costs: a first rotation is {@code CreateSecret} (the intent in its own tags), {@code PutResourcePolicy},
 * {@code CreateAccessKey} and {@code PutSecretValue}; a later one {@code PutResourcePolicy}, {@code TagResource} (the
 * intent), {@code CreateAccessKey} and {@code PutSecretValue}. Ownership rests on the read made right before (the
 * listing's KMS key and a value only the rotator can have written); a secret re-keyed, deleted or scheduled for
 * deletion since then refuses the write (the role may encrypt with no other key, and the write goes by ARN), and the
 * new key is withdrawn.
 */
final class RotationProtocol {
    /** A new key that is in its user secret. */
    record StoredKey(String secretArn, NewAccessKey key) {}

    private final RotatorSettings settings;
    private final IdentityDirectory iam;
    private final SecretStore secrets;
    private final Clock clock;
    private final JsonLog log;

    RotationProtocol(RotatorSettings settings, IdentityDirectory iam, SecretStore secrets, Clock clock, JsonLog log) {
        this.settings = settings;
        this.clock = clock;
        this.iam = iam;
        this.secrets = secrets;
        this.log = log;
    }

    /**
     * Creates a key for the user and stores it in the user secret. Returns empty, with the reason on {@code line},
     * when no key is stored; then no new key is left behind unless even its withdrawal failed.
     */
    Optional<StoredKey> createAndStore(UserState state, Step.Rotate step, UserReportLine line) {
        // Provenance: the intent is on record before the key exists, so that a key left behind by a run that dies
        // next is provably the rotator's to delete. A secret created now carries it in its own tags.
        Map<String, String> intent = Map.of(SecretTags.CREATING_SINCE, clock.instant().toString());
        Optional<String> arn;
        if (state.secret() instanceof SecretState.Missing) {
            arn = reserve(state, intent, line);
        } else {
            arn = ownedSecret(state, line);
            arn.ifPresent(existing -> secrets.tag(existing, intent));
        }
        if (arn.isEmpty()) {
            return Optional.empty();
        }
        NewAccessKey created;
        try {
            created = iam.createAccessKey(state.userName());
        } catch (AwsFailure failure) {
            if (failure.is(AwsFailure.Kind.LIMIT_EXCEEDED)) {
                line.failed(failure);
                return Optional.empty();
            }
            throw failure;
        }
        line.newKey(created.accessKeyId());
        return store(state, arn.get(), created, step, line).map(stored -> new StoredKey(stored, created));
    }

    /**
     * The user secret, confirmed to be the rotator's and carrying its policy, ready for a key: the existing one, or
     * one reserved now (a value without a key, so that the intent and the records have a home before the first key,
     * on a secret that shows it is the rotator's).
     * Empty, with the reason on {@code line}, when there is none to write to.
     */
    Optional<String> ownedSecret(UserState state, UserReportLine line) {
        if (state.secret() instanceof SecretState.Missing) {
            return reserve(state, Map.of(), line);
        }
        Optional<String> notOwned = confirmOwned(state);
        if (notOwned.isPresent()) {
            line.problem(Outcome.ATTENTION, notOwned.get() + "; no key was created");
            return Optional.empty();
        }
        return Optional.of(secretArn(state));
    }

    private Optional<String> reserve(UserState state, Map<String, String> records, UserReportLine line) {
        String name = settings.secretNamePrefix() + state.userName();
        Map<String, String> tags = new java.util.HashMap<>(SecretTags.atCreation(state.userName()));
        tags.putAll(records);
        String arn;
        try {
            arn = secrets.create(name, SecretDocument.renderReservation(state.userName(), clock.instant()),
                    settings.secretKmsKeyArn().orElseThrow(), Map.copyOf(tags), idempotencyToken("reserve:" + name));
        } catch (AwsFailure failure) {
            // Someone (another run, or not) created it since this run looked: the next run decides with it in view.
            line.failed(failure);
            return Optional.empty();
        }
        reapplyPolicy(state, arn);
        return Optional.of(arn);
    }

    /** Re-applies the rotator's resource policy, as before every write. */
    void reapplyPolicy(UserState state, String secretArn) {
        secrets.putResourcePolicy(secretArn, policy(state));
    }

    /** Disables a key; false when it no longer exists (a concurrent run or a person retired it already). */
    boolean disable(String userName, String keyId) {
        try {
            iam.deactivateAccessKey(userName, keyId);
            return true;
        } catch (AwsFailure failure) {
            if (failure.is(AwsFailure.Kind.NOT_FOUND)) {
                return false;
            }
            throw failure;
        }
    }

    /** Deletes a key; a key already gone is the state wanted, so that is success too. */
    void delete(String userName, String keyId) {
        try {
            iam.deleteAccessKey(userName, keyId);
        } catch (AwsFailure failure) {
            if (!failure.is(AwsFailure.Kind.NOT_FOUND)) {
                throw failure;
            }
        }
    }

    static String idempotencyToken(String newKeyId) {
        return UUID.nameUUIDFromBytes(("access-key-rotator:" + newKeyId).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * Right before a key is created for an existing secret, which the read has just shown to be the rotator's: it
     * gets the rotator's resource policy back. A secret changed since that read is not looked up again: the role's
     * KMS permissions and the write by ARN close the window (a secret re-keyed, deleted or scheduled for deletion
     * refuses the write, and the new key is withdrawn), as they always closed the moment between a check and the
     * write. A secret scheduled for deletion already refuses the policy, before any key exists.
     */
    private Optional<String> confirmOwned(UserState state) {
        reapplyPolicy(state, secretArn(state));
        return Optional.empty();
    }

    /**
     * Stores the new key; on failure withdraws it (it is useless without its secret) and returns empty. Once
     * checked, the secret is written by ARN: a secret deleted and re-created under the same name since then has
     * another ARN and is never written.
     */
    private Optional<String> store(UserState state, String target, NewAccessKey created, Step.Rotate step,
                                   UserReportLine line) {
        String document = SecretDocument.render(created, step.replacedKeyId());
        String token = idempotencyToken(created.accessKeyId());
        try {
            // Two runs at once: IAM's two-key quota is the lock. While the replaced key exists, a concurrent run's
            // new key and this one cannot both exist, so CreateAccessKey succeeding proves no other rotation of this
            // user is under way. Only a rotation that deletes the replaced key at once gives the lock up: then the
            // secret is read back first, and a current key other than the one replaced means another run won.
            if (step.deleteReplacedNow()) {
                Optional<String> currentNow = secrets.readCurrent(target)
                        .flatMap(v -> SecretDocument.currentKeyId(v.secretString()));
                if (!currentNow.equals(step.expectedCurrentKey())) {
                    withdraw(state, created, "the secret changed during this run (a concurrent rotation)", null, line);
                    return Optional.empty();
                }
            }
            secrets.putValue(target, document, token);
            return Optional.of(target);
        } catch (AwsFailure failure) {
            return afterFailedStore(state, created, target, failure, line);
        }
    }

    /**
     * A write can take effect even though the call reports an error (a timeout, a 5xx after the change). Only a
     * secret that verifiably does not hold the new key lets the key be withdrawn; if even that cannot be read,
     * the key stays: the next run finds it either in the secret (current) or as an unused stray (deleted).
     */
    private Optional<String> afterFailedStore(UserState state, NewAccessKey created, String target,
                                              AwsFailure failure, UserReportLine line) {
        Optional<SecretStore.SecretValue> now;
        try {
            now = secrets.readCurrent(target);
        } catch (AwsFailure unreadable) {
            line.problem(Outcome.FAILED, "storing new key " + created.accessKeyId() + " reported "
                    + failure.getMessage() + ", and the secret could not be read back (" + unreadable.errorCode()
                    + "); the next run finds out whether it was stored");
            return Optional.empty();
        }
        if (now.flatMap(v -> SecretDocument.currentKeyId(v.secretString()))
                .filter(created.accessKeyId()::equals).isPresent()) {
            log.warn("store reported an error but took effect", "user", state.userName(),
                    "newKeyId", created.accessKeyId(), "errorCode", failure.errorCode());
            return Optional.of(now.get().arn());
        }
        String why = failure.is(AwsFailure.Kind.ALREADY_EXISTS)
                ? "the secret was created by someone else during this run" : "storing it failed";
        withdraw(state, created, why, failure, line);
        return Optional.empty();
    }

    private void withdraw(UserState state, NewAccessKey created, String why, AwsFailure cause, UserReportLine line) {
        String undo;
        try {
            iam.deleteAccessKey(state.userName(), created.accessKeyId());
            undo = "new key " + created.accessKeyId() + " withdrawn";
        } catch (AwsFailure deleteFailure) {
            undo = "new key " + created.accessKeyId() + " could not be withdrawn (" + deleteFailure.getMessage()
                    + "); the next run deletes it as an unused stray";
        }
        line.newKey(null);
        // Without an AWS failure the cause is a concurrent rotation, which the next run sees settled.
        line.problem(cause == null ? Outcome.DEFERRED : FailureClassifier.outcomeOf(cause),
                why + (cause == null ? "" : ": " + cause.getMessage()) + "; " + undo);
        log.warn("rotation withdrawn", "user", state.userName(), "newKeyId", created.accessKeyId(),
                "reason", why, "errorCode", cause == null ? null : cause.errorCode());
    }

    private static String secretArn(UserState state) {
        if (state.secret() instanceof SecretState.Stored stored) {
            return stored.arn();
        }
        if (state.secret() instanceof SecretState.Reserved reserved) {
            return reserved.arn();
        }
        throw new IllegalStateException("no secret of the rotator's to write for " + state.userName());
    }

    private String policy(UserState state) {
        return SecretPolicy.forUser(state.userArn(), settings.secretPrincipals());
    }
}
