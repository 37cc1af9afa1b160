package dev.accesskeyrotator.lambda;

import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.aws.SsmParameterSource;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.service.InProcessRotation;
import software.amazon.awssdk.services.secretsmanager.model.FilterNameStringType;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * SnapStart priming, before the snapshot, as Powertools does it: real read-only calls through the function's own
 * clients (so the SDK's signers, marshallers, credential provider and HTTP client are loaded and warm), then the
 * rotation's own code in process with no I/O (rules on a due user, the secret document, every notice, the report
 * and its metrics). No emulator and no canned responses: nothing here can change an account, and a call that fails
 * (no network yet, a missing permission) only primes less.
 */
final class Priming {
    private Priming() {}

    /** Runs the priming; returns what it went through, in order. Never throws. */
    static List<String> prime(AwsClients clients, RotatorSettings settings, Clock clock) {
        List<String> done = new ArrayList<>();
        attempt(done, "GetParametersByPath",
                () -> new SsmParameterSource(clients.ssm()).readUnder(settings.parameterPrefix()));
        attempt(done, "ListSecrets", () -> clients.secretsManager().listSecrets(r -> r.maxResults(1)
                .filters(f -> f.key(FilterNameStringType.NAME).values(settings.secretNamePrefix()))));
        attempt(done, "GetCredentialReport", () -> clients.iam().getCredentialReport());
        attempt(done, "rules, documents, notices and report", () -> InProcessRotation.rotateOneDueUser(settings, clock));
        return List.copyOf(done);
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
