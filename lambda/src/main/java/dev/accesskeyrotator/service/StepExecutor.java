package dev.accesskeyrotator.service;

import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.contract.Notices;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.domain.SecretState;
import dev.accesskeyrotator.domain.Step;
import dev.accesskeyrotator.domain.UserPlan;
import dev.accesskeyrotator.domain.UserState;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.port.Notifier;
import dev.accesskeyrotator.port.SecretStore;

import java.time.Instant;
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
    private final UserReportLine line;

    StepExecutor(UserState state, UserPlan plan, RotationConfig config, RotationProtocol protocol,
                 SecretStore secrets, Notifier notifier, NoticeComposer notices, String secretName, JsonLog log) {
        this.state = state;
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
        if (line.needsAttention()) {
            publishQuietly(notices.attention(state.userName(), line.reasons()));
        }
        return line.build();
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
        line.disabled();
        line.oldKey(keyId);
        line.action("disabled previous key " + keyId);
        line.record(Outcome.DISABLED_OLD);
        if (config.graceDays() > 0 && state.secret() instanceof SecretState.Stored stored) {
            Instant deleteAt = config.previousKeyDeleteAt(state.key(stored.currentKeyId()).orElseThrow().createDate());
            publishQuietly(notices.keyDisabled(state.userName(), keyId, stored.currentKeyId(), stored.arn(), deleteAt));
        }
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
        if (step.expectedCurrentKey().isEmpty() && !protocol.grantOwnerRead(state, arn, line)) {
            // The owner cannot fetch the new key yet: keep the old one working and hold the notice; the next run
            // applies the policy, notifies, and only then retires the old key.
            return null;
        }
        // The new key is stored: each follow-up is retried by the next run if it fails, so one failure must not
        // skip the others (above all, the notice).
        if (step.disableReplacedNow()) {
            attempt(() -> {
                if (protocol.disable(state.userName(), step.replacedKeyId())) {
                    line.disabled();
                    line.action("disabled old key " + step.replacedKeyId());
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
            tagNotified(arn, created.accessKeyId(), created.createDate());
        });
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
            line.noticeSent();
        } catch (AwsFailure failure) {
            log.warn("notice not sent", "user", state.userName(), "eventType",
                    notice.attributes().get(Notices.EVENT_TYPE), "errorCode", failure.errorCode());
        }
    }
}
