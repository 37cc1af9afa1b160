package dev.accesskeyrotator.service;

import dev.accesskeyrotator.domain.KeySchedule;
import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.domain.ExposureRules;
import dev.accesskeyrotator.domain.ExposureRules.ExposurePlan;
import dev.accesskeyrotator.domain.ExposureRules.ExposureRecord;
import dev.accesskeyrotator.domain.SecretState;
import dev.accesskeyrotator.domain.Step;
import dev.accesskeyrotator.domain.UserState;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.port.IdentityDirectory;
import dev.accesskeyrotator.port.IdentityDirectory.DirectoryUser;
import dev.accesskeyrotator.port.Notifier;
import dev.accesskeyrotator.port.SecretStore;
import dev.accesskeyrotator.port.SecretStore.SecretSummary;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rev 3, emergency rotation: for each exposed key (or each named user's key in use), find its user without listing
 * the account, read that user alone, ask {@link ExposureRules}, and act through the same crash-safe protocol as a
 * scheduled rotation. The concurrency guard is the protocol's: the store re-checks what the secret holds, so a
 * scheduled run beside this one cannot make the user rotate twice.
 */
final class EmergencyRotation {
    /** Who a named exposure is about: the user, and the exposed key if the request named it. */
    private record Target(String userName, Optional<String> keyId) {}

    private final RotatorSettings settings;
    private final RotationConfig config;
    private final IdentityDirectory iam;
    private final SecretStore secrets;
    private final Notifier notifier;
    private final NoticeComposer notices;
    private final NoticeLedger ledger;
    private final UserStateReader reader;
    private final RotationProtocol protocol;
    private final Clock clock;
    private final JsonLog log;

    EmergencyRotation(RotatorSettings settings, RotationConfig config, IdentityDirectory iam, SecretStore secrets,
                      Notifier notifier, NoticeComposer notices, NoticeLedger ledger, Clock clock, JsonLog log) {
        this.settings = settings;
        this.config = config;
        this.iam = iam;
        this.secrets = secrets;
        this.notifier = notifier;
        this.notices = notices;
        this.ledger = ledger;
        this.clock = clock;
        this.log = log;
        SecretOwnership ownership = new SecretOwnership(settings.secretKmsKeyArn());
        this.reader = new UserStateReader(iam, secrets, ownership, config);
        this.protocol = new RotationProtocol(settings, iam, secrets, clock, log);
    }

    List<UserResult> run(EmergencyRequest request) {
        List<UserResult> results = new ArrayList<>();
        Map<Target, Boolean> targets = new LinkedHashMap<>();
        for (String keyId : request.accessKeyIds()) {
            Optional<String> owner;
            try {
                owner = iam.userOfKey(keyId);
            } catch (AwsFailure failure) {
                results.add(unresolved(keyId, failure));
                continue;
            }
            if (owner.isEmpty()) {
                // Already deleted, or never this account's: nothing can use it here, and nobody is told twice.
                results.add(new UserResult("(no user)", Outcome.UNCHANGED, null, keyId, null, "key " + keyId
                        + " is not a key of any IAM user in this account (deleted, or another account's)",
                        UserResult.Effects.NONE));
                continue;
            }
            targets.put(new Target(owner.get(), Optional.of(keyId)), true);
        }
        request.userNames().forEach(name -> targets.put(new Target(name, Optional.empty()), true));
        for (Target target : targets.keySet()) {
            try {
                results.add(process(target, request));
            } catch (AwsFailure failure) {
                results.add(new UserResult(target.userName(), FailureClassifier.outcomeOf(failure), null,
                        target.keyId().orElse(null), null, FailureClassifier.reasonFor(failure),
                        UserResult.Effects.NONE));
            } catch (RuntimeException unexpected) {
                log.error("unexpected error for user", "user", target.userName(), "error", unexpected.toString());
                results.add(new UserResult(target.userName(), Outcome.FAILED, null, target.keyId().orElse(null),
                        null, "unexpected error: " + unexpected, UserResult.Effects.NONE));
            }
        }
        return results;
    }

    /**
     * The role may look up keys of opted-in users only (the opt-in tag condition), so IAM refusing to name a key's
     * user means the key is not an opted-in user's: admins must act on it themselves.
     */
    private UserResult unresolved(String keyId, AwsFailure failure) {
        if (!failure.is(AwsFailure.Kind.ACCESS_DENIED)) {
            return new UserResult("(unknown)", FailureClassifier.outcomeOf(failure), null, keyId, null,
                    FailureClassifier.reasonFor(failure), UserResult.Effects.NONE);
        }
        String reason = "exposed key " + keyId + " is not a key of a user opted in to rotation (IAM does not let the"
                + " rotator look it up): nothing was changed; find its user and disable or rotate it by hand now";
        UserReportLine line = new UserReportLine("(not opted in)", List.of());
        line.oldKey(keyId);
        line.problem(Outcome.ATTENTION, reason);
        if (!config.dryRun()) {
            tellAdmins(Optional.empty(), keyId, reason, line);
        }
        return line.build();
    }

    private UserResult process(Target target, EmergencyRequest request) {
        Instant now = clock.instant();
        Optional<DirectoryUser> found = iam.user(target.userName());
        if (found.isEmpty()) {
            return UserResult.of(target.userName(), Outcome.UNCHANGED, "no IAM user " + target.userName()
                    + " in this account");
        }
        DirectoryUser user = found.get();
        if (!config.userTag().matches(user.tags())) {
            // Never listed for keys, never changed: the contract's promise to users who are not opted in.
            String keyId = target.keyId().orElse("of this user (not looked up)");
            return decided(user, null, ExposureRules.notOptedIn(user.userName(), keyId), request);
        }
        String secretName = settings.secretNamePrefix() + user.userName();
        Optional<SecretSummary> summary = secrets.describe(secretName);
        UserState state = reader.read(user, summary, secretName, ledger.recordFor(user.userName()), now);
        Optional<String> keyId = target.keyId().or(() -> ExposureRules.keyInUse(state));
        if (keyId.isEmpty()) {
            long active = state.keys().stream().filter(k -> k.active()).count();
            ExposurePlan plan = active == 0
                    ? new ExposurePlan.Nothing("-", "the user has no active key")
                    : new ExposurePlan.CannotAct("-", Outcome.ATTENTION, "IAM user " + user.userName() + " has "
                    + active + " active keys made outside the rotator: which one is exposed is for a person to"
                    + " say; name it by access key id");
            return decided(user, state, plan, request);
        }
        ExposureRecord record = summary.filter(s -> !(state.secret() instanceof SecretState.NotOwned))
                .map(s -> new ExposureRecord(Optional.ofNullable(s.tags().get(SecretTags.EXPOSED_KEY_ID)),
                        Optional.ofNullable(s.tags().get(SecretTags.EXPOSURE_TOLD_KEY_ID))))
                .orElse(ExposureRecord.NONE);
        return decided(user, state, ExposureRules.decide(state, keyId.get(), record, now), request);
    }

    /** @param state null for a user who is not opted in (never read) */
    private UserResult decided(DirectoryUser user, UserState state, ExposurePlan plan, EmergencyRequest request) {
        UserReportLine line = new UserReportLine(user.userName(), List.of());
        if (!plan.exposedKeyId().equals("-")) {
            line.oldKey(plan.exposedKeyId());
        }
        if (config.dryRun() && !(plan instanceof ExposurePlan.Nothing) && !(plan instanceof ExposurePlan.CannotAct)) {
            line.action("would " + describe(plan));
            line.record(Outcome.PLANNED);
            return line.build();
        }
        String why = request.trigger().equals(EmergencyRequest.TRIGGER_HEALTH)
                ? "reported by AWS Health: " + request.reason() : "an administrator's emergency request: "
                + request.reason();
        if (plan instanceof ExposurePlan.Nothing nothing) {
            line.note(nothing.why() + "; nothing to do");
        } else if (plan instanceof ExposurePlan.CannotAct cannot) {
            line.problem(cannot.outcome(), cannot.reason());
            if (cannot.outcome() == Outcome.DEFERRED && state != null
                    && state.secret() instanceof SecretState.Stored stored && !config.dryRun()) {
                // A rotation in flight may retire the exposed key itself; the record makes the retry tell the owner.
                tagQuietly(user.userName(), stored.arn(), Map.of(SecretTags.EXPOSED_KEY_ID, plan.exposedKeyId()));
            }
            if (cannot.outcome() == Outcome.ATTENTION && !config.dryRun()) {
                tellAdmins(Optional.of(user.userName()), plan.exposedKeyId(), cannot.reason(), line);
            }
        } else if (plan instanceof ExposurePlan.Rotate rotate) {
            rotate(state, rotate, why, line);
        } else if (plan instanceof ExposurePlan.Disable disable) {
            disable(state, disable, why, line);
        } else if (plan instanceof ExposurePlan.SendOwedNotice owed) {
            sendOwed(state, owed, why, line);
        } else {
            throw new IllegalStateException("unhandled exposure plan " + plan);
        }
        return line.build();
    }

    private static String describe(ExposurePlan plan) {
        if (plan instanceof ExposurePlan.Rotate rotate) {
            return String.join("; ", rotate.makeRoom().stream().map(Step::describe).toList())
                    + (rotate.makeRoom().isEmpty() ? "" : "; ") + "replace exposed key " + rotate.exposedKeyId()
                    + " and disable it at once";
        }
        if (plan instanceof ExposurePlan.Disable disable) {
            return "disable exposed key " + disable.exposedKeyId() + " at once";
        }
        return "send the " + dev.accesskeyrotator.contract.Notices.EventType.KEY_EXPOSED.value() + " notice for " + plan.exposedKeyId();
    }

    private void rotate(UserState state, ExposurePlan.Rotate plan, String why, UserReportLine line) {
        try {
            Optional<String> arn = secretArnFor(state, line);
            if (arn.isEmpty()) {
                return;
            }
            // Before anything changes: a run that dies from here on leaves the next one owing the notice.
            secrets.tag(arn.get(), Map.of(SecretTags.EXPOSED_KEY_ID, plan.exposedKeyId()));
            for (Step room : plan.makeRoom()) {
                String keyId = room instanceof Step.DeleteStrayKey stray ? stray.keyId()
                        : ((Step.DeleteInactiveKeyForRoom) room).keyId();
                protocol.delete(state.userName(), keyId);
                line.deleted();
                line.action(room.describe().replaceFirst("^delete", "deleted"));
            }
            UserState withSecret = state.secret() instanceof SecretState.Missing
                    ? new UserState(state.userName(), state.userArn(), state.tags(), state.keys(),
                    new SecretState.Reserved(arn.get(), settings.secretNamePrefix() + state.userName(),
                            Optional.empty()), state.lastUsed(), state.notices())
                    : state;
            Optional<RotationProtocol.StoredKey> stored = protocol.createAndStore(withSecret,
                    new Step.Rotate(plan.exposedKeyId(), plan.expectedCurrentKey(), true, false), line);
            if (stored.isEmpty()) {
                return;
            }
            var created = stored.get().key();
            line.rotated();
            line.record(Outcome.ROTATED);
            line.action("replaced exposed key " + plan.exposedKeyId() + " with " + created.accessKeyId());
            Instant disabledAt = disableExposed(state, plan.exposedKeyId(), arn.get(), line);
            Notifier.Notice notice = notices.keyExposed(state.userName(), plan.exposedKeyId(),
                    Optional.of(created.accessKeyId()), created.accessKeyId(),
                    settings.secretNamePrefix() + state.userName(), arn.get(), plan.madeByPeople(), why,
                    new KeySchedule(config).deletionAt(disabledAt));
            notifier.publish(notice);
            line.noticeSent();
            Map<String, String> told = new LinkedHashMap<>(SecretTags.afterNotice(created.accessKeyId(),
                    created.createDate()));
            told.put(SecretTags.EXPOSURE_TOLD_KEY_ID, plan.exposedKeyId());
            tagQuietly(state.userName(), arn.get(), told);
        } catch (AwsFailure failure) {
            line.failed(failure);
        }
    }

    private void disable(UserState state, ExposurePlan.Disable plan, String why, UserReportLine line) {
        var stored = (SecretState.Stored) state.secret();
        try {
            secrets.tag(stored.arn(), Map.of(SecretTags.EXPOSED_KEY_ID, plan.exposedKeyId()));
            Instant disabledAt = disableExposed(state, plan.exposedKeyId(), plan.previous() ? stored.arn() : null,
                    line);
            line.record(Outcome.DISABLED_OLD);
            // A run that stored the replacement and died before retiring the exposed key: this notice is also the
            // one about the new key, which the owner was never told of.
            boolean newKeyUntold = plan.previous() && !stored.notifiedKeyId().map(stored.currentKeyId()::equals)
                    .orElse(false);
            notifier.publish(notices.keyExposed(state.userName(), plan.exposedKeyId(),
                    newKeyUntold ? Optional.of(stored.currentKeyId()) : Optional.empty(), stored.currentKeyId(),
                    stored.name(), stored.arn(), plan.madeByPeople(), why, new KeySchedule(config).deletionAt(disabledAt)));
            line.noticeSent();
            Map<String, String> told = new LinkedHashMap<>();
            told.put(SecretTags.EXPOSURE_TOLD_KEY_ID, plan.exposedKeyId());
            if (newKeyUntold) {
                state.key(stored.currentKeyId()).ifPresent(current ->
                        told.putAll(SecretTags.afterNotice(current.id(), current.createDate())));
            }
            tagQuietly(state.userName(), stored.arn(), told);
        } catch (AwsFailure failure) {
            line.failed(failure);
        }
    }

    /** A run retired the exposed key and died before the notice: the owner still has to hear of it, once. */
    private void sendOwed(UserState state, ExposurePlan.SendOwedNotice plan, String why, UserReportLine line) {
        var stored = (SecretState.Stored) state.secret();
        boolean replacedByCurrent = stored.previousKeyId().filter(plan.exposedKeyId()::equals).isPresent();
        Instant disabledAt = stored.previousDisabledAt().orElse(clock.instant());
        try {
            notifier.publish(notices.keyExposed(state.userName(), plan.exposedKeyId(),
                    replacedByCurrent ? Optional.of(stored.currentKeyId()) : Optional.empty(), stored.currentKeyId(),
                    stored.name(), stored.arn(), false, why, new KeySchedule(config).deletionAt(disabledAt)));
            line.noticeSent();
            line.record(Outcome.NOTIFIED);
            line.action("sent the " + dev.accesskeyrotator.contract.Notices.EventType.KEY_EXPOSED.value() + " notice for " + plan.exposedKeyId());
            Map<String, String> told = new LinkedHashMap<>();
            told.put(SecretTags.EXPOSURE_TOLD_KEY_ID, plan.exposedKeyId());
            if (replacedByCurrent) {
                state.key(stored.currentKeyId()).ifPresent(current ->
                        told.putAll(SecretTags.afterNotice(current.id(), current.createDate())));
            }
            tagQuietly(state.userName(), stored.arn(), told);
        } catch (AwsFailure failure) {
            line.failed(failure);
        }
    }

    /**
     * Disables the exposed key and, when it is the replaced key (its secret ARN given), records when, so that
     * delete-after-days counts from now. A key already gone is what was wanted.
     */
    private Instant disableExposed(UserState state, String keyId, String replacedInSecretArn, UserReportLine line) {
        Instant disabledAt = clock.instant();
        if (protocol.disable(state.userName(), keyId)) {
            line.disabled();
            line.action("disabled exposed key " + keyId + " at once");
            if (replacedInSecretArn != null) {
                tagQuietly(state.userName(), replacedInSecretArn,
                        Map.of(SecretTags.PREVIOUS_DISABLED_AT, disabledAt.toString()));
            }
        } else {
            line.action("exposed key " + keyId + " was already gone");
        }
        return disabledAt;
    }

    /** The user secret to store the new key in: the one read, or one reserved now for a never-rotated user. */
    private Optional<String> secretArnFor(UserState state, UserReportLine line) {
        if (state.secret() instanceof SecretState.Stored stored) {
            return Optional.of(stored.arn());
        }
        if (state.secret() instanceof SecretState.Reserved reserved) {
            return Optional.of(reserved.arn());
        }
        return protocol.ownedSecret(state, line);
    }

    /** An attention cause told once (then at most every attention-reminder-days), through the notice ledger. */
    private void tellAdmins(Optional<String> userName, String keyId, String reason, UserReportLine line) {
        String ledgerKey = userName.orElse("exposed-key:" + keyId);
        Instant now = clock.instant();
        if (!ledger.due(ledgerKey, reason, now, config.attentionReminderDays())) {
            line.action("admins were already told");
            return;
        }
        try {
            notifier.publish(notices.attention(userName.orElse("(unknown user of key " + keyId + ")"), reason));
            line.noticeSent();
            ledger.told(ledgerKey, reason, now);
        } catch (AwsFailure failure) {
            log.warn("notice not sent", "user", ledgerKey, "eventType", dev.accesskeyrotator.contract.Notices.EventType.ATTENTION.value(), "errorCode",
                    failure.errorCode());
        }
    }

    private void tagQuietly(String userName, String arn, Map<String, String> tags) {
        try {
            secrets.tag(arn, tags);
        } catch (AwsFailure failure) {
            log.warn("could not record on the secret", "user", userName, "tags", tags.keySet(), "errorCode",
                    failure.errorCode());
        }
    }
}
