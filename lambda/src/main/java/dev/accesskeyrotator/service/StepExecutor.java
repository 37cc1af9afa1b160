package dev.accesskeyrotator.service;

import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.contract.Notices;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.domain.KeySchedule;
import dev.accesskeyrotator.domain.SecretState;
import dev.accesskeyrotator.domain.Step;
import dev.accesskeyrotator.domain.UserPlan;
import dev.accesskeyrotator.domain.UserState;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.port.Notifier;
import dev.accesskeyrotator.port.SecretStore;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Applies one user's plan, step by step, through the rotation protocol; every kind of step has its handler (the
 * compiler checks that through {@link Step.Visitor}). The first failing step ends the plan: later steps depend on
 * earlier ones, and the next run starts again from what it observes.
 */
final class StepExecutor implements Step.Visitor<Void> {
    private final UserState state;
    private final UserPlan plan;
    private final RotationConfig config;
    private final RotationProtocol protocol;
    private final SecretStore secrets;
    private final Notifier notifier;
    private final NoticeComposer notices;
    private final JsonLog log;
    private final String secretName;
    private final NoticeLedger ledger;
    private final Clock clock;
    private final UserReportLine line;

    StepExecutor(UserState state, UserPlan plan, RotationConfig config, RotationProtocol protocol,
                 SecretStore secrets, Notifier notifier, NoticeComposer notices, String secretName,
                 NoticeLedger ledger, Clock clock, JsonLog log) {
        this.state = state;
        this.ledger = ledger;
        this.clock = clock;
        this.plan = plan;
        this.config = config;
        this.protocol = protocol;
        this.secrets = secrets;
        this.notifier = notifier;
        this.notices = notices;
        this.secretName = secretName;
        this.log = log;
        this.line = new UserReportLine(state.userName(), plan.findings());
    }

    UserResult run() {
        try {
            for (Step step : plan.steps()) {
                step.accept(this);
            }
        } catch (AwsFailure failure) {
            line.failed(failure);
        }
        tellOwnerOfProblems();
        return line.build();
    }

    /**
     * An attention or blocked cause is told to the owner when it is new, then at most every
     * attention-reminder-days while it stays the same; once it is gone, a later one is told at once.
     */
    private void tellOwnerOfProblems() {
        boolean blocked = line.outcome() == Outcome.BLOCKED;
        if (!blocked && !line.needsAttention()) {
            ledger.resolved(state.userName());
            return;
        }
        String cause = line.reasons();
        Instant now = clock.instant();
        if (ledger.due(state.userName(), cause, now, config.attentionReminderDays())) {
            boolean sent = publishQuietly(blocked ? notices.blocked(state.userName(), cause)
                    : notices.attention(state.userName(), cause));
            if (sent) {
                ledger.told(state.userName(), cause, now);
            }
        }
    }

    @Override
    public Void deleteStrayKey(Step.DeleteStrayKey step) {
        deleteKey(step.keyId(), "deleted unused stray key ");
        line.record(Outcome.DELETED_OLD);
        return null;
    }

    @Override
    public Void deleteInactiveKeyForRoom(Step.DeleteInactiveKeyForRoom step) {
        deleteKey(step.keyId(), "deleted inactive key to make room ");
        return null;
    }

    @Override
    public Void disablePreviousKey(Step.DisablePreviousKey step) {
        String keyId = step.keyId();
        if (!protocol.disable(state.userName(), keyId)) {
            line.action("previous key " + keyId + " was already gone");
            return null;
        }
        Instant disabledAt = clock.instant();
        line.disabled();
        line.oldKey(keyId);
        line.action(step.describe().replaceFirst("^disable", "disabled"));
        line.record(Outcome.DISABLED_OLD);
        var stored = (SecretState.Stored) state.secret();
        // delete-after-days counts from here; without the record the rules count from the cut-over's deadline.
        tagQuietly(stored.arn(), Map.of(SecretTags.PREVIOUS_DISABLED_AT, disabledAt.toString()));
        publishQuietly(notices.keyDisabled(state.userName(), keyId, stored.currentKeyId(), stored.arn(),
                new KeySchedule(config).deletionAt(disabledAt), step.reason(), config));
        return null;
    }

    @Override
    public Void sendReminder(Step.SendReminder step) {
        // The reminder's record lives on the user's secret, whose ownership the read already settled (a record is
        // not a key: no re-check is needed); a user never rotated gets the secret reserved now.
        Optional<String> arn = state.secret() instanceof SecretState.Stored stored ? Optional.of(stored.arn())
                : state.secret() instanceof SecretState.Reserved reserved ? Optional.of(reserved.arn())
                : protocol.ownedSecret(state, line);
        if (arn.isEmpty()) {
            return null;
        }
        notifier.publish(notices.keyExpiring(state.userName(), step.keyId(), step.rotationDue(), secretName));
        line.noticeSent();
        line.action("reminded the owner that key " + step.keyId() + " rotates soon");
        line.record(Outcome.REMINDED);
        tagQuietly(arn.get(), Map.of(SecretTags.REMINDED_KEY_ID, step.keyId()));
        return null;
    }

    @Override
    public Void sendGraceReminder(Step.SendGraceReminder step) {
        var stored = (SecretState.Stored) state.secret();
        notifier.publish(notices.graceReminder(state.userName(), step.previousKeyId(), step.lastUse(),
                step.deadline(), stored.currentKeyId(), stored.arn()));
        line.noticeSent();
        line.action("reminded the owner that replaced key " + step.previousKeyId() + " is still in use");
        line.record(Outcome.REMINDED);
        tagQuietly(stored.arn(), Map.of(SecretTags.GRACE_REMINDED_KEY_ID, stored.currentKeyId()));
        return null;
    }

    @Override
    public Void deletePreviousKey(Step.DeletePreviousKey step) {
        deleteKey(step.keyId(), "deleted previous key ");
        line.oldKey(step.keyId());
        line.record(Outcome.DELETED_OLD);
        return null;
    }

    @Override
    public Void sendPendingNotice(Step.SendPendingNotice step) {
        var stored = (SecretState.Stored) state.secret();
        Instant created = state.key(step.currentKeyId()).orElseThrow().createDate();
        // A run that died between creating the secret and notifying may also have missed the policy.
        protocol.reapplyPolicy(state, stored.arn());
        notifier.publish(notices.keyRotated(state.userName(), secretName, stored.arn(), step.currentKeyId(),
                created, step.previousKeyId(), config, plan.maxKeyAgeDays()));
        line.noticeSent();
        line.newKey(step.currentKeyId());
        line.action("sent the notice for key " + step.currentKeyId());
        line.record(Outcome.NOTIFIED);
        tagNotified(stored.arn(), step.currentKeyId(), created);
        return null;
    }

    @Override
    public Void rotate(Step.Rotate step) {
        line.oldKey(step.replacedKeyId());
        Optional<RotationProtocol.StoredKey> stored = protocol.createAndStore(state, step, line);
        if (stored.isEmpty()) {
            return null;
        }
        String arn = stored.get().secretArn();
        var created = stored.get().key();
        line.rotated();
        line.action("rotated " + step.replacedKeyId() + " to " + created.accessKeyId());
        line.record(Outcome.ROTATED);
        // The new key is stored: each follow-up is retried by the next run if it fails, so one failure must not
        // skip the others (above all, the notice). What was done is recorded at the end, in one TagResource.
        Map<String, String> records = new HashMap<>();
        if (step.disableReplacedNow()) {
            attempt(() -> {
                if (protocol.disable(state.userName(), step.replacedKeyId())) {
                    line.disabled();
                    line.action("disabled old key " + step.replacedKeyId());
                    records.put(SecretTags.PREVIOUS_DISABLED_AT, clock.instant().toString());
                }
            });
        }
        if (step.deleteReplacedNow()) {
            attempt(() -> deleteKey(step.replacedKeyId(), "deleted old key "));
        }
        attempt(() -> {
            notifier.publish(notices.keyRotated(state.userName(), secretName, arn, created.accessKeyId(),
                    created.createDate(), Optional.of(step.replacedKeyId()), config, plan.maxKeyAgeDays()));
            line.noticeSent();
            records.putAll(SecretTags.afterNotice(created.accessKeyId(), created.createDate()));
        });
        if (!records.isEmpty()) {
            tagQuietly(arn, records);
        }
        return null;
    }

    private void deleteKey(String keyId, String description) {
        protocol.delete(state.userName(), keyId);
        line.deleted();
        line.action(description + keyId);
    }

    private void attempt(Runnable followUp) {
        try {
            followUp.run();
        } catch (AwsFailure failure) {
            line.failed(failure);
        }
    }

    private void tagNotified(String arn, String keyId, Instant created) {
        tagQuietly(arn, SecretTags.afterNotice(keyId, created));
    }

    /**
     * Records on the secret what was done. A record that cannot be written is repaired by the next run: a notice
     * is sent again (at least once), a deletion counts from a later moment; neither is unsafe.
     */
    private void tagQuietly(String arn, Map<String, String> tags) {
        try {
            secrets.tag(arn, tags);
        } catch (AwsFailure failure) {
            log.warn("could not record on the secret", "user", state.userName(), "tags", tags.keySet(),
                    "errorCode", failure.errorCode());
        }
    }

    private boolean publishQuietly(Notifier.Notice notice) {
        try {
            notifier.publish(notice);
            line.noticeSent();
            return true;
        } catch (AwsFailure failure) {
            log.warn("notice not sent", "user", state.userName(), "eventType",
                    notice.attributes().get(Notices.EVENT_TYPE), "errorCode", failure.errorCode());
            return false;
        }
    }
}
