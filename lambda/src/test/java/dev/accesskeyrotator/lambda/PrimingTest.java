package dev.accesskeyrotator.lambda;

import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.localaws.Calls;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SnapStart priming makes only real read-only calls and runs the rotation's own code in process: it can change
 * nothing in an account, and a failing call never breaks the snapshot.
 */
class PrimingTest {
    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();

    @Test
    void primingMakesReadOnlyCallsThroughTheFunctionsClientsAndRunsTheRotationCodeInProcess() {
        LocalAws aws = endpoint.aws();
        try (RotatorHarness harness = new RotatorHarness(aws)) {
            aws.calls().reset();
            List<String> done = Priming.prime(harness.clients(), harness.settings(), aws.clock());

            assertEquals(List.of("GetParametersByPath", "ListSecrets", "GetCredentialReport",
                    "rules, documents, notices and report"), done.stream().map(PrimingTest::withoutOutcome).toList());
            assertTrue(done.subList(0, 2).stream().noneMatch(step -> step.contains("failed")), done.toString());
            // Read-only operations only: priming changes nothing.
            assertEquals(List.of("ssm:GetParametersByPath", "secretsmanager:ListSecrets", "iam:GetCredentialReport"),
                    aws.calls().all().stream().map(Calls.Call::key).toList());
            assertTrue(aws.sns().published().isEmpty());
        }
    }

    @Test
    void aFailingCallOnlyPrimesLess() {
        LocalAws aws = endpoint.aws();
        try (RotatorHarness harness = new RotatorHarness(aws);
             AwsClients clients = new AwsClients(new AwsClients.Options(aws.region(), Optional.of(aws.endpoint()),
                aws.credentials(), List.of(), AwsClients.retryStrategy(java.time.Duration.ofMillis(1),
                java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(2))))) {
            for (String service : List.of("ssm", "secretsmanager", "iam")) {
                aws.faults().on(service, "*").error(400, "AccessDeniedException", "not allowed");
            }
            List<String> done = Priming.prime(clients, harness.settings(), aws.clock());

            assertEquals(4, done.size(), done.toString());
            assertTrue(done.get(0).contains("failed"), done.toString());
            assertEquals("rules, documents, notices and report", done.get(3), "the in-process part needs no AWS");
        }
    }

    private static String withoutOutcome(String step) {
        int failed = step.indexOf(" (failed");
        return failed < 0 ? step : step.substring(0, failed);
    }
}
