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
 */
final class RotationProtocol {
    /** A new key that is in its user secret. */
    record StoredKey(String secretArn, NewAccessKey key) {}

    private final RotatorSettings settings;
    private final IdentityDirectory iam;
    private final SecretStore secrets;
    private final SecretOwnership ownership;
    private final Clock clock;
    private final JsonLog log;

    RotationProtocol(RotatorSettings settings, IdentityDirectory iam, SecretStore secrets, SecretOwnership ownership,
                     Clock clock, JsonLog log) {
        this.settings = settings;
        this.clock = clock;
        this.iam = iam;
        this.secrets = secrets;
        this.ownership = ownership;
        this.log = log;
    }

    /**
     * Creates a key for the user and stores it in the user secret. Returns empty, with the reason on {@code line},
     * when no key is stored; then no new key is left behind unless even its withdrawal failed.
     */
    Optional<StoredKey> createAndStore(UserState state, Step.Rotate step, UserReportLine line) {
        Optional<String> arn = ownedSecret(state, line);
        if (arn.isEmpty()) {
            return Optional.empty();
        }
        // Provenance: the intent is on record before the key exists, so that a key left behind by a run that dies
        // next is provably the rotator's to delete.
        secrets.tag(arn.get(), Map.of(SecretTags.CREATING_SINCE, clock.instant().toString()));
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
            return reserve(state, line);
        }
        Optional<String> notOwned = confirmOwned(state);
        if (notOwned.isPresent()) {
            line.problem(Outcome.ATTENTION, notOwned.get() + "; no key was created");
            return Optional.empty();
        }
        return Optional.of(secretArn(state));
    }

    private Optional<String> reserve(UserState state, UserReportLine line) {
        String name = settings.secretNamePrefix() + state.userName();
        String arn;
        try {
            arn = secrets.create(name, SecretDocument.renderReservation(state.userName(), clock.instant()),
                    settings.secretKmsKeyArn().orElseThrow(),
                    SecretTags.atCreation(state.userName()), idempotencyToken("reserve:" + name));
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
     * Right before a key is created for an existing secret: the secret must still be the rotator's (it may have
     * been re-keyed, or deleted and re-created, since it was read), and gets the rotator's resource policy back.
     * The role's KMS permissions close the remaining window: a secret re-keyed after this check refuses the
     * write, and the new key is withdrawn.
     */
    private Optional<String> confirmOwned(UserState state) {
        String arn = secretArn(state);
        Optional<SecretStore.SecretSummary> now = secrets.describe(arn);
        if (now.isEmpty() || now.get().scheduledForDeletion()) {
            return Optional.of("secret " + arn + " was deleted or scheduled for deletion during this run");
        }
        Optional<String> notOwned = ownership.whyNotOwned(now.get());
        if (notOwned.isPresent()) {
            return Optional.of("secret " + arn + " is no longer the rotator's (" + notOwned.get() + ")");
        }
        reapplyPolicy(state, arn);
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
            Optional<String> currentNow = secrets.readCurrent(target)
                    .flatMap(v -> SecretDocument.currentKeyId(v.secretString()));
            if (!currentNow.equals(step.expectedCurrentKey())) {
                withdraw(state, created, "the secret changed during this run (a concurrent rotation)", null, line);
                return Optional.empty();
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
