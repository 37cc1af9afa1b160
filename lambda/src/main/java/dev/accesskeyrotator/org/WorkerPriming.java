package dev.accesskeyrotator.org;

import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.aws.SsmParameterSource;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.InProcessRotation;
import dev.accesskeyrotator.service.PrimingSteps;
import dev.accesskeyrotator.service.RunReport;

import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * SnapStart priming of the hub's worker, before the snapshot: the worker runs once per member account per run, each
 * invocation possibly a fresh environment restored from the snapshot. As the single-account function's priming,
 * real read-only calls through the worker's own clients (the hub's configuration, STS's GetCallerIdentity), the
 * member account's clients built and closed unused (entering an account needs its credentials, and priming enters
 * none), then the rotation's own code in process and the account result's JSON. Nothing here can change an account;
 * a call that fails (no network yet, a missing permission) only primes less.
 */
final class WorkerPriming {
    private WorkerPriming() {}

    /** Runs the priming; returns what it went through, in order. Never throws. */
    static List<String> prime(AwsClients hub, AssumedRoleAccounts accounts, RotatorSettings settings, Clock clock) {
        return new PrimingSteps()
                .attempt("GetParametersByPath",
                        () -> new SsmParameterSource(hub.ssm()).readUnder(settings.parameterPrefix()))
                .attempt("GetCallerIdentity and member clients", accounts::prime)
                .attempt("rules, documents, notices, report and account result", () -> {
            InProcessRotation.rotateOneDueUser(settings, clock);
            RunReport empty = new RunReport("priming", false, clock.instant().toString(), clock.instant().toString(),
                    "per-user", Map.of(), List.of(), Map.of(), List.of());
            JsonLog.mapper().convertValue(AccountResult.completed("000000000000", "priming", empty),
                    ListAccountsHandler.PLAIN_JSON);
                })
                .done();
    }
}
