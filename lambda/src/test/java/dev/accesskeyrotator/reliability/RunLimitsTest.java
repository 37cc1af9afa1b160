package dev.accesskeyrotator.reliability;

import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.lambda.RotationHandler;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.UserResult;
import dev.accesskeyrotator.testing.FakeLambdaContext;
import dev.accesskeyrotator.testing.RotatorHarness;
import dev.accesskeyrotator.testing.SecretLeakCheck;
import dev.accesskeyrotator.log.JsonLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The blast-radius cap and the Lambda deadline defer users to the next run instead of failing them. */
class RunLimitsTest {

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();
    private RotatorHarness harness;

    @BeforeEach
    void seed() {
        harness = new RotatorHarness(endpoint.aws()).maxConcurrency(1);
        for (int i = 0; i < 6; i++) {
            harness.optedInUser("due-" + i);
            harness.key("due-" + i, 100, true);
        }
    }

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void usersPastTheRotationCapAreDeferredAndDoneNextRun() {
        harness.parameter("max-rotations-per-run", "2");
        RunReport first = harness.run();
        assertEquals(2, first.count("rotated"));
        assertEquals(4, first.count("deferred"));
        assertTrue(first.users().stream().filter(u -> u.outcome() == Outcome.DEFERRED)
                .allMatch(u -> u.reason().contains("max-rotations-per-run")));
        RunReport second = harness.run();
        RunReport third = harness.run();
        RunReport fourth = harness.run();
        assertEquals(2, second.count("rotated"));
        assertEquals(2, third.count("rotated"));
        assertEquals(0, fourth.count("deferred"));
        SecretLeakCheck.assertNoSecretLeaked(endpoint.aws(), List.of(JsonLog.toJson(first), JsonLog.toJson(second),
                JsonLog.toJson(third), JsonLog.toJson(fourth), String.join("\n", harness.logLines())));
    }

    @Test
    void noUserStartsOnceTheLambdaDeadlineIsNear() {
        LocalAws aws = endpoint.aws();
        AtomicInteger remaining = new AtomicInteger(600_000);
        // Each user "takes" two minutes of the function's time.
        aws.faults().on("iam", "ListAccessKeys").when(request -> {
            remaining.addAndGet(-120_000);
            return false;
        }).error(500, "Unused", "observer only");
        RotationHandler handler = new RotationHandler(harness.service(), harness.log());

        RunReport report = FakeLambdaContext.report(handler.handleRequest(null, new FakeLambdaContext(remaining::get)));

        assertEquals(0, report.count("failed"));
        assertTrue(report.count("rotated") >= 3 && report.count("rotated") <= 5, report.users().toString());
        assertEquals(6, report.count("rotated") + report.count("deferred"));
        for (UserResult user : report.users()) {
            if (user.outcome() == Outcome.DEFERRED) {
                assertTrue(user.reason().contains("time limit"), user.reason());
            }
        }
        remaining.set(600_000);
        RunReport next = FakeLambdaContext.report(handler.handleRequest(null, new FakeLambdaContext(() -> 600_000)));
        assertEquals(6 - report.count("rotated"), next.count("rotated"));
        SecretLeakCheck.assertNoSecretLeaked(aws, List.of(JsonLog.toJson(report), JsonLog.toJson(next),
                String.join("\n", harness.logLines())));
    }
}
