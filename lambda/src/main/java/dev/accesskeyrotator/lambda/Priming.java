package dev.accesskeyrotator.lambda;

import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.aws.SsmParameterSource;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.service.InProcessRotation;
import dev.accesskeyrotator.service.PrimingSteps;
import software.amazon.awssdk.services.secretsmanager.model.FilterNameStringType;

import java.time.Clock;
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
        return new PrimingSteps()
                .attempt("GetParametersByPath",
                        () -> new SsmParameterSource(clients.ssm()).readUnder(settings.parameterPrefix()))
                .attempt("ListSecrets", () -> clients.secretsManager().listSecrets(r -> r.maxResults(1)
                        .filters(f -> f.key(FilterNameStringType.NAME).values(settings.secretNamePrefix()))))
                .attempt("GetCredentialReport", () -> clients.iam().getCredentialReport())
                .attempt("rules, documents, notices and report",
                        () -> InProcessRotation.rotateOneDueUser(settings, clock))
                .done();
    }
}
