package dev.accesskeyrotator.reliability;

import dev.accesskeyrotator.domain.Outcome;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.UserResult;
import dev.accesskeyrotator.testing.Invariants;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Half of all IAM calls throttled: the production retry strategy (adaptive: it also slows the client down, which is
 * why this test takes about a minute) carries the run through, and what it cannot finish is deferred, not failed.
 */
class ThrottlingStormTest {

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();
    private RotatorHarness harness;
    private final Set<String> optedIn = new HashSet<>();

    @BeforeEach
    void seed() {
        harness = new RotatorHarness(endpoint.aws());
        for (int i = 0; i < 20; i++) {
            String user = "user-" + i;
            harness.optedInUser(user);
            harness.key(user, i % 4 == 0 ? 120 : 30, true);
            optedIn.add(user);
        }
    }

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void halfOfIamCallsThrottledCausesNoFailure() {
        LocalAws aws = endpoint.aws();
        Invariants invariants = Invariants.watch(harness, optedIn);
        var storm = aws.faults().on("iam", "*").withProbability(0.5).throttle();

        RunReport report = harness.run();

        assertTrue(storm.fired() >= 10, "the storm hit " + storm.fired() + " calls");
        assertEquals(0, report.count("failed"), report.users().toString());
        for (UserResult user : report.users()) {
            boolean settled = user.outcome() == Outcome.ROTATED || user.outcome() == Outcome.UNCHANGED;
            boolean deferredForThrottling = user.outcome() == Outcome.DEFERRED && user.reason().contains("Throttl");
            assertTrue(settled || deferredForThrottling, user.toString());
        }
        assertTrue(report.count("rotated") >= 4, "most due users rotate despite the storm: " + report.count("rotated"));
        invariants.assertWorkingKeys();

        aws.faults().remove(storm);
        harness.advanceDays(1);
        RunReport next = harness.run();
        assertEquals(0, next.count("failed"));
        assertEquals(5, optedIn.stream().filter(u -> aws.secretsManager().secret(harness.secretName(u)).isPresent())
                .count(), "every due user has been rotated by the next run");
        invariants.assertAll(next, 0, List.of(JsonLog.toJson(report)));
    }
}
