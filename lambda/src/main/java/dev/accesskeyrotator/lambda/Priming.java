package dev.accesskeyrotator.lambda;

import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.aws.SsmParameterSource;
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
import dev.accesskeyrotator.service.NoticeComposer;
import dev.accesskeyrotator.service.RunMetrics;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.SecretDocument;
import dev.accesskeyrotator.service.UserResult;
import software.amazon.awssdk.services.secretsmanager.model.FilterNameStringType;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SnapStart priming, before the snapshot, as Powertools does it: real read-only calls through the function's own
 * clients (so the SDK's signers, marshallers, credential provider and HTTP client are loaded and warm), then the
 * rotation's own code in process with no I/O (rules on a due user, the secret document, every notice, the report
 * and its metrics). No emulator and no canned responses: nothing here can change an account, and a call that fails
 * (no network yet, a missing permission) only primes less.
 */
final class Priming {
    private static final String USER = "priming-user";

    private Priming() {}

    /** Runs the priming; returns what it went through, in order. Never throws. */
    static List<String> prime(AwsClients clients, RotatorSettings settings, Clock clock) {
        List<String> done = new ArrayList<>();
        attempt(done, "GetParametersByPath",
                () -> new SsmParameterSource(clients.ssm()).readUnder(settings.parameterPrefix()));
        attempt(done, "ListSecrets", () -> clients.secretsManager().listSecrets(r -> r.maxResults(1)
                .filters(f -> f.key(FilterNameStringType.NAME).values(settings.secretNamePrefix()))));
        attempt(done, "GetCredentialReport", () -> clients.iam().getCredentialReport());
        attempt(done, "rules, documents, notices and report", () -> rotateInProcess(settings, clock));
        return List.copyOf(done);
    }

    /** One due user through the rules, the documents, the notices, the report and the metrics. */
    private static void rotateInProcess(RotatorSettings settings, Clock clock) {
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

    private static void attempt(List<String> done, String what, Runnable step) {
        try {
            step.run();
            done.add(what);
        } catch (RuntimeException failed) {
            // Priming is an optimisation: the snapshot works without it, and the first run loads what is missing.
            done.add(what + " (failed: " + failed.getClass().getSimpleName() + ")");
        }
    }
}
