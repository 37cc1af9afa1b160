package dev.accesskeyrotator.service;

import dev.accesskeyrotator.contract.Notices;
import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.domain.Finding;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.domain.RotationRules;
import dev.accesskeyrotator.domain.SecretState;
import dev.accesskeyrotator.domain.Step;
import dev.accesskeyrotator.domain.UserPlan;
import dev.accesskeyrotator.domain.UserState;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.port.IdentityDirectory;
import dev.accesskeyrotator.port.IdentityDirectory.DirectoryUser;
import dev.accesskeyrotator.port.IdentityDirectory.NewAccessKey;
import dev.accesskeyrotator.port.Notifier;
import dev.accesskeyrotator.port.SecretStore;
import dev.accesskeyrotator.port.SecretStore.SecretSummary;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads one user's state, asks the rules for a plan and applies it. Everything that can go wrong for this user is
 * caught here and becomes the user's outcome; only JVM errors escape, as they would end the process anyway.
 */
final class UserRotator {

    /** Admits or refuses a rotation: the per-run blast-radius cap. */
    interface RotationBudget {
        boolean tryAcquire();
    }

    private final RotatorSettings settings;
    private final RotationConfig config;
    private final RotationRules rules;
    private final UserStateReader reader;
    private final IdentityDirectory iam;
    private final SecretStore secrets;
    private final Notifier notifier;
    private final NoticeComposer notices;
    private final SecretOwnership ownership;
    private final Clock clock;
    private final JsonLog log;

    UserRotator(RotatorSettings settings, RotationConfig config, IdentityDirectory iam, SecretStore secrets,
                Notifier notifier, NoticeComposer notices, SecretOwnership ownership, Clock clock, JsonLog log) {
        this.settings = settings;
        this.config = config;
        this.rules = new RotationRules(config);
        this.reader = new UserStateReader(iam, secrets, ownership);
        this.ownership = ownership;
        this.iam = iam;
        this.secrets = secrets;
        this.notifier = notifier;
        this.notices = notices;
        this.clock = clock;
        this.log = log;
    }

    UserResult process(DirectoryUser user, Optional<SecretSummary> secret, RotationBudget budget) {
        UserState state;
        UserPlan plan;
        try {
            state = reader.read(user, secret, settings.secretNamePrefix() + user.userName());
            plan = rules.decide(state, clock.instant());
        } catch (AwsFailure failure) {
            return readFailed(user.userName(), failure);
        }
        if (plan.rotation().isPresent() && !budget.tryAcquire()) {
            plan = plan.withoutRotation(Finding.deferred("max-rotations-per-run (" + config.maxRotationsPerRun()
                    + ") reached; rotated in a later run"));
        }
        if (config.dryRun()) {
            return planned(plan);
        }
        return new Execution(state, plan).run();
    }

    private UserResult readFailed(String userName, AwsFailure failure) {
        if (failure.is(AwsFailure.Kind.NOT_FOUND) && "ListAccessKeys".equals(failure.operation())) {
            return UserResult.of(userName, Outcome.UNCHANGED, "user was deleted during the run");
        }
        if (failure.is(AwsFailure.Kind.THROTTLED)) {
            return UserResult.of(userName, Outcome.DEFERRED, "throttled by AWS; checked again next run ("
                    + failure.getMessage() + ")");
        }
        return UserResult.of(userName, Outcome.FAILED, failure.getMessage());
    }

    private UserResult planned(UserPlan plan) {
        Outcome outcome = plan.changesNothing() ? Outcome.UNCHANGED : Outcome.PLANNED;
        for (Finding finding : plan.findings()) {
            outcome = outcome.mostUrgent(finding.outcome());
        }
        String action = plan.changesNothing() ? null
                : "would " + String.join("; ", plan.steps().stream().map(Step::describe).toList());
        String oldKey = plan.rotation().map(Step.Rotate::replacedKeyId).orElse(null);
        return new UserResult(plan.userName(), outcome, action, oldKey, null, reasons(plan.findings(), List.of()),
                UserResult.Effects.NONE);
    }

    static String idempotencyToken(String newKeyId) {
        return UUID.nameUUIDFromBytes(("access-key-rotator:" + newKeyId).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static String reasons(List<Finding> findings, List<String> problems) {
        List<String> all = new ArrayList<>(findings.stream().map(Finding::reason).toList());
        all.addAll(problems);
        return all.isEmpty() ? null : String.join("; ", all);
    }

    /** The application of one plan; collects what happened for the report. */
    private final class Execution {
        private final UserState state;
        private final UserPlan plan;
        private final String secretName;
        private final int maxAgeDays;
        private final List<String> actions = new ArrayList<>();
        private final List<String> problems = new ArrayList<>();
        private Outcome outcome = Outcome.UNCHANGED;
        private String oldKeyId;
        private String newKeyId;
        private int rotated;
        private int disabled;
        private int deleted;
        private int noticesSent;

        Execution(UserState state, UserPlan plan) {
            this.state = state;
            this.plan = plan;
            this.secretName = settings.secretNamePrefix() + state.userName();
            this.maxAgeDays = plan.maxKeyAgeDays();
            plan.findings().forEach(f -> outcome = outcome.mostUrgent(f.outcome()));
        }

        UserResult run() {
            try {
                for (Step step : plan.steps()) {
                    apply(step);
                }
            } catch (AwsFailure failure) {
                fail(failure);
            }
            if (outcome == Outcome.ATTENTION || plan.findings().stream().anyMatch(f -> f.outcome() == Outcome.ATTENTION)) {
                publishQuietly(notices.attention(state.userName(), reasons(plan.findings(), problems)));
            }
            return new UserResult(state.userName(), outcome, actions.isEmpty() ? null : String.join("; ", actions),
                    oldKeyId, newKeyId, reasons(plan.findings(), problems),
                    new UserResult.Effects(rotated, disabled, deleted, noticesSent));
        }

        private void apply(Step step) {
            if (step instanceof Step.DeleteStrayKey stray) {
                deleteKey(stray.keyId(), "deleted unused stray key ");
                record(Outcome.DELETED_OLD);
            } else if (step instanceof Step.DeleteInactiveKeyForRoom room) {
                deleteKey(room.keyId(), "deleted inactive key to make room ");
            } else if (step instanceof Step.DisablePreviousKey previous) {
                disablePrevious(previous.keyId());
            } else if (step instanceof Step.DeletePreviousKey previous) {
                deleteKey(previous.keyId(), "deleted previous key ");
                oldKeyId = previous.keyId();
                record(Outcome.DELETED_OLD);
            } else if (step instanceof Step.SendPendingNotice pending) {
                sendPendingNotice(pending);
            } else if (step instanceof Step.Rotate rotate) {
                rotate(rotate);
            }
        }

        private void deleteKey(String keyId, String description) {
            try {
                iam.deleteAccessKey(state.userName(), keyId);
            } catch (AwsFailure failure) {
                if (!failure.is(AwsFailure.Kind.NOT_FOUND)) {
                    throw failure;
                }
                // Already gone: a concurrent run or a person got there first, which is the state we wanted.
            }
            deleted++;
            actions.add(description + keyId);
        }

        /** Returns false when the key no longer exists: a concurrent run or a person retired it already. */
        private boolean deactivate(String keyId) {
            try {
                iam.deactivateAccessKey(state.userName(), keyId);
                return true;
            } catch (AwsFailure failure) {
                if (failure.is(AwsFailure.Kind.NOT_FOUND)) {
                    return false;
                }
                throw failure;
            }
        }

        private void disablePrevious(String keyId) {
            if (!deactivate(keyId)) {
                actions.add("previous key " + keyId + " was already gone");
                return;
            }
            disabled++;
            oldKeyId = keyId;
            actions.add("disabled previous key " + keyId);
            record(Outcome.DISABLED_OLD);
            if (config.graceDays() > 0 && state.secret() instanceof SecretState.Stored s) {
                Instant deleteAt = config.previousKeyDeleteAt(state.key(s.currentKeyId()).orElseThrow().createDate());
                publishQuietly(notices.keyDisabled(state.userName(), keyId, s.currentKeyId(), s.arn(), deleteAt));
            }
        }

        private void sendPendingNotice(Step.SendPendingNotice pending) {
            var stored = (SecretState.Stored) state.secret();
            Instant created = state.key(pending.currentKeyId()).orElseThrow().createDate();
            // A run that died between creating the secret and notifying may also have missed the policy.
            secrets.putResourcePolicy(stored.arn(), policy());
            notifier.publish(notices.keyRotated(state.userName(), secretName, stored.arn(), pending.currentKeyId(),
                    created, pending.previousKeyId(), config, maxAgeDays));
            noticesSent++;
            newKeyId = pending.currentKeyId();
            actions.add("sent the notice for key " + pending.currentKeyId());
            record(Outcome.NOTIFIED);
            tagNotified(stored.arn(), pending.currentKeyId(), created);
        }

        private void rotate(Step.Rotate step) {
            oldKeyId = step.replacedKeyId();
            if (step.expectedCurrentKey().isPresent()) {
                Optional<String> notOwned = confirmOwned(((SecretState.Stored) state.secret()).arn());
                if (notOwned.isPresent()) {
                    record(Outcome.ATTENTION);
                    problems.add(notOwned.get() + "; no key was created");
                    return;
                }
            }
            NewAccessKey created;
            try {
                created = iam.createAccessKey(state.userName());
            } catch (AwsFailure failure) {
                if (failure.is(AwsFailure.Kind.LIMIT_EXCEEDED)) {
                    record(Outcome.DEFERRED);
                    problems.add("IAM reports two keys already: another rotation may be in progress; checked again"
                            + " next run");
                    return;
                }
                throw failure;
            }
            newKeyId = created.accessKeyId();
            Optional<String> arn = store(created, step);
            if (arn.isEmpty()) {
                return;
            }
            rotated++;
            actions.add("rotated " + step.replacedKeyId() + " to " + created.accessKeyId());
            record(Outcome.ROTATED);
            if (step.expectedCurrentKey().isEmpty() && !ownerCanRead(arn.get())) {
                // The owner cannot fetch the new key yet: keep the old one working and hold the notice; the next
                // run applies the policy, notifies, and only then retires the old key.
                return;
            }
            // The new key is stored: each follow-up is retried by the next run if it fails, so one failure must not
            // skip the others (above all, the notice).
            if (step.disableReplacedNow()) {
                attempt(() -> {
                    if (deactivate(step.replacedKeyId())) {
                        disabled++;
                        actions.add("disabled old key " + step.replacedKeyId());
                    }
                });
            }
            if (step.deleteReplacedNow()) {
                attempt(() -> deleteKey(step.replacedKeyId(), "deleted old key "));
            }
            attempt(() -> {
                notifier.publish(notices.keyRotated(state.userName(), secretName, arn.get(), created.accessKeyId(),
                        created.createDate(), Optional.of(step.replacedKeyId()), config, maxAgeDays));
                noticesSent++;
                tagNotified(arn.get(), created.accessKeyId(), created.createDate());
            });
        }

        /**
         * Right before a key is created for an existing secret: the secret must still be the rotator's (it may have
         * been re-keyed, or deleted and re-created, since it was read), and gets the rotator's resource policy back.
         * The role's KMS permissions close the remaining window: a secret re-keyed after this check refuses the
         * write, and the new key is withdrawn.
         */
        private Optional<String> confirmOwned(String arn) {
            Optional<SecretStore.SecretSummary> now = secrets.describe(arn);
            if (now.isEmpty() || now.get().scheduledForDeletion()) {
                return Optional.of("secret " + arn + " was deleted or scheduled for deletion during this run");
            }
            Optional<String> notOwned = ownership.whyNotOwned(now.get());
            if (notOwned.isPresent()) {
                return Optional.of("secret " + arn + " is no longer the rotator's (" + notOwned.get() + ")");
            }
            secrets.putResourcePolicy(arn, policy());
            return Optional.empty();
        }

        private String policy() {
            return SecretPolicy.forUser(state.userArn(), settings.secretWriters());
        }

        private boolean ownerCanRead(String arn) {
            try {
                secrets.putResourcePolicy(arn, policy());
                return true;
            } catch (AwsFailure failure) {
                fail(failure);
                problems.add("the new key is stored but its owner cannot read it yet; the old key stays active"
                        + " until the next run grants access and sends the notice");
                return false;
            }
        }

        private void attempt(Runnable followUp) {
            try {
                followUp.run();
            } catch (AwsFailure failure) {
                fail(failure);
            }
        }

        /** Stores the new key; on failure withdraws it (it is useless without its secret) and returns empty. */
        private Optional<String> store(NewAccessKey created, Step.Rotate step) {
            String document = SecretDocument.render(created, step.replacedKeyId());
            String token = idempotencyToken(created.accessKeyId());
            // Once checked, the secret is written by ARN: a secret deleted and re-created under the same name since
            // then has another ARN and is never written.
            String target = step.expectedCurrentKey().isEmpty() ? secretName
                    : ((SecretState.Stored) state.secret()).arn();
            try {
                if (step.expectedCurrentKey().isEmpty()) {
                    return Optional.of(secrets.create(secretName, document, settings.secretKmsKeyArn().orElseThrow(),
                            SecretTags.atCreation(state.userName()), token));
                }
                Optional<String> currentNow = secrets.readCurrent(target)
                        .flatMap(v -> SecretDocument.currentKeyId(v.secretString()));
                if (!currentNow.equals(step.expectedCurrentKey())) {
                    withdraw(created, "the secret changed during this run (a concurrent rotation)", null);
                    return Optional.empty();
                }
                secrets.putValue(target, document, token);
                return Optional.of(target);
            } catch (AwsFailure failure) {
                return afterFailedStore(created, target, failure);
            }
        }

        /**
         * A write can take effect even though the call reports an error (a timeout, a 5xx after the change). Only a
         * secret that verifiably does not hold the new key lets the key be withdrawn; if even that cannot be read,
         * the key stays: the next run finds it either in the secret (current) or as an unused stray (deleted).
         */
        private Optional<String> afterFailedStore(NewAccessKey created, String target, AwsFailure failure) {
            Optional<SecretStore.SecretValue> now;
            try {
                now = secrets.readCurrent(target);
            } catch (AwsFailure unreadable) {
                record(Outcome.FAILED);
                problems.add("storing new key " + created.accessKeyId() + " reported " + failure.getMessage()
                        + ", and the secret could not be read back (" + unreadable.errorCode() + "); the next run"
                        + " finds out whether it was stored");
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
            withdraw(created, why, failure);
            return Optional.empty();
        }

        private void withdraw(NewAccessKey created, String why, AwsFailure cause) {
            String undo;
            try {
                iam.deleteAccessKey(state.userName(), created.accessKeyId());
                undo = "new key " + created.accessKeyId() + " withdrawn";
            } catch (AwsFailure deleteFailure) {
                undo = "new key " + created.accessKeyId() + " could not be withdrawn (" + deleteFailure.getMessage()
                        + "); the next run deletes it as an unused stray";
            }
            newKeyId = null;
            boolean transientCause = cause == null || cause.is(AwsFailure.Kind.THROTTLED)
                    || cause.is(AwsFailure.Kind.ALREADY_EXISTS);
            record(transientCause ? Outcome.DEFERRED : Outcome.FAILED);
            problems.add(why + (cause == null ? "" : ": " + cause.getMessage()) + "; " + undo);
            log.warn("rotation withdrawn", "user", state.userName(), "newKeyId", created.accessKeyId(),
                    "reason", why, "errorCode", cause == null ? null : cause.errorCode());
        }

        private void tagNotified(String arn, String keyId, Instant created) {
            try {
                secrets.tag(arn, SecretTags.afterNotice(keyId, created));
            } catch (AwsFailure failure) {
                // The notice went out; without the tag the next run sends it again, which is the safe direction.
                log.warn("could not record the notice on the secret", "user", state.userName(),
                        "errorCode", failure.errorCode());
            }
        }

        private void publishQuietly(Notifier.Notice notice) {
            try {
                notifier.publish(notice);
                noticesSent++;
            } catch (AwsFailure failure) {
                log.warn("notice not sent", "user", state.userName(), "eventType",
                        notice.attributes().get(Notices.EVENT_TYPE), "errorCode", failure.errorCode());
            }
        }

        private void fail(AwsFailure failure) {
            record(failure.is(AwsFailure.Kind.THROTTLED) ? Outcome.DEFERRED : Outcome.FAILED);
            problems.add(failure.getMessage());
        }

        private void record(Outcome happened) {
            outcome = outcome.mostUrgent(happened);
        }
    }
}
