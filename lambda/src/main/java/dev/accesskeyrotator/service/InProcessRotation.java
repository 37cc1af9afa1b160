package dev.accesskeyrotator.service;

import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.domain.AccessKey;
import dev.accesskeyrotator.domain.RotationRules;
import dev.accesskeyrotator.domain.SecretState;
import dev.accesskeyrotator.domain.Step;
import dev.accesskeyrotator.domain.UserPlan;
import dev.accesskeyrotator.domain.UserState;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.IdentityDirectory.NewAccessKey;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rotation's own code on one made-up due user, in process and with no I/O: what SnapStart priming runs before
 * the snapshot, so that a restored function (the single-account one or the hub's worker) has the rules, documents,
 * notices and report loaded and compiled. Its results are thrown away.
 */
public final class InProcessRotation {
    private static final String USER = "priming-user";

    private InProcessRotation() {}

    /** One due user through the rules, the documents, the notices, the report and the metrics. */
    public static void rotateOneDueUser(RotatorSettings settings, Clock clock) {
        Instant now = clock.instant();
        RotationConfig config = RotationConfig.defaults();
        // Created at the epoch: due under any max-key-age, with no key date worked out here (KeySchedule owns those).
        AccessKey old = new AccessKey("AKIAPRIMINGOLDKEY000", true, Instant.EPOCH);
        String arn = "arn:aws:secretsmanager:us-east-1:000000000000:secret:" + settings.secretNamePrefix() + USER
                + "-AbCdEf";
        NewAccessKey fresh = new NewAccessKey(USER, "AKIAPRIMINGNEWKEY000", "priming", now);
        String document = SecretDocument.render(fresh, old.id());
        SecretState stored = SecretDocument.read(arn, settings.secretNamePrefix() + USER, document, Optional.empty());
        UserState state = new UserState(USER, "arn:aws:iam::000000000000:user/" + USER, Map.of(), List.of(old),
                stored, Map.of());
        UserPlan plan = new RotationRules(config).decide(state, now);
        plan.steps().forEach(Step::describe);
        SecretDocument.heldKey(document);
        NoticeComposer notices = new NoticeComposer("us-east-1", "000000000000", settings.adminContact());
        notices.keyRotated(USER, settings.secretNamePrefix() + USER, arn, fresh.accessKeyId(), now,
                Optional.of(old.id()), config, config.maxKeyAgeDays());
        notices.keyExpiring(USER, old.id(), now, settings.secretNamePrefix() + USER);
        notices.keyDisabled(USER, old.id(), fresh.accessKeyId(), arn, now, Step.CutoverReason.IDLE, config);
        notices.keyExposed(USER, old.id(), Optional.of(fresh.accessKeyId()), fresh.accessKeyId(),
                settings.secretNamePrefix() + USER, arn, false, "priming", now);
        notices.attention(USER, "priming");
        RunReport report = new RunReport("priming", false, now.toString(), now.toString(), "per-user", Map.of(),
                List.of(), Map.of(), List.of(new UserResult(USER, Outcome.ROTATED, "priming", old.id(),
                fresh.accessKeyId(), null, UserResult.Effects.NONE)));
        notices.runSummary(report);
        JsonLog.toJson(report);
        RunMetrics.completed(report, now);
    }
}
