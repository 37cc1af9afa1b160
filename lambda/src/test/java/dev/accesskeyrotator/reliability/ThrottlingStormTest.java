package dev.accesskeyrotator.reliability;

import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.localaws.Faults;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.UserResult;
import dev.accesskeyrotator.testing.Invariants;
import dev.accesskeyrotator.testing.RotatorHarness;
import dev.accesskeyrotator.testing.VirtualTimeRetryStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Half of all IAM calls throttled: the production retry strategy (adaptive: it also slows the client down) carries the
 * run through, and what it cannot finish is deferred, not failed. One due user's key creation stays throttled past
 * every retry, so the deferral is exercised on every run, not only when the dice fall that way.
 * <p>
 * The production strategy runs on virtual time ({@link VirtualTimeRetryStrategy}): its rate limiter holds calls back
 * as against AWS, but nobody sleeps, so the storm takes seconds instead of a minute. The storm's rolls are keyed by
 * user and operation ({@link Faults}), so the same calls are throttled on every run, whatever order the rotator's four
 * workers take.
 */
class ThrottlingStormTest {
    /** Fixes which calls the storm throttles; another seed throttles other calls, about half of them too. */
    private static final long STORM_SEED = 13L;
    private static final String STUCK_USER = "user-stuck";

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();

    @Test
    void halfOfIamCallsThrottledCausesNoFailure() {
        LocalAws aws = endpoint.aws();
        VirtualTimeRetryStrategy retries = VirtualTimeRetryStrategy.of(AwsClients.defaultRetryStrategy());
        try (RotatorHarness harness = new RotatorHarness(aws, retries)) {
            Set<String> optedIn = seed(harness);
            Invariants invariants = Invariants.watch(harness, optedIn);
            Storm storm = Storm.start(aws);

            RunReport report = harness.run();

            long exposed = aws.calls().all().stream().filter(call -> call.service().equals("iam")).count()
                    - storm.stuck().fired();
            assertTrue(storm.throttled() >= 10 && storm.throttled() * 3 >= exposed,
                    "the storm throttled " + storm.throttled() + " of " + exposed + " IAM calls");
            assertEquals(retries.maxAttempts(), storm.stuck().fired(), "every attempt of the stuck call is throttled");
            assertTrue(retries.heldBackCalls() > 0, "the adaptive rate limiter never slowed the client down");
            assertEquals(0, report.count("failed"), report.users().toString());
            for (UserResult user : report.users()) {
                boolean settled = user.outcome() == Outcome.ROTATED || user.outcome() == Outcome.UNCHANGED;
                assertTrue(settled || deferredForThrottling(user), user.toString());
            }
            UserResult stuck = report.users().stream().filter(u -> u.user().equals(STUCK_USER)).findFirst().orElseThrow();
            assertTrue(deferredForThrottling(stuck), "what the retries cannot finish is deferred: " + stuck);
            assertTrue(report.count("rotated") >= 4, "most due users rotate despite the storm: " + report.count("rotated"));
            invariants.assertWorkingKeys();

            storm.end(aws);
            harness.advanceDays(1);
            RunReport next = harness.run();
            assertEquals(0, next.count("failed"));
            assertEquals(6, optedIn.stream().filter(u -> aws.secretsManager().secret(harness.secretName(u)).isPresent())
                    .count(), "every due user has been rotated by the next run");
            invariants.assertAll(next, 0, List.of(JsonLog.toJson(report)));
        }
    }

    @Test
    void theStormThrottlesTheSameCallsOnEveryRun() {
        try (LocalAws first = LocalAws.start(); LocalAws second = LocalAws.start()) {
            assertEquals(stormyRun(first), stormyRun(second));
        }
    }

    /** What a stormy run did: which requests were throttled and how each user ended. */
    private static Map<String, Object> stormyRun(LocalAws aws) {
        VirtualTimeRetryStrategy retries = VirtualTimeRetryStrategy.of(AwsClients.defaultRetryStrategy());
        try (RotatorHarness harness = new RotatorHarness(aws, retries)) {
            seed(harness);
            Storm storm = Storm.start(aws);
            RunReport report = harness.run();
            Map<String, Object> run = new TreeMap<>();
            run.put("throttled", storm.throttled());
            run.put("retries", retries.retries());
            run.put("requests", aws.calls().all().stream()
                    .filter(call -> call.service().equals("iam"))
                    .collect(Collectors.groupingBy(call -> call.operation() + " " + call.param("UserName").orElse(""),
                            TreeMap::new, Collectors.counting())));
            run.put("outcomes", report.users().stream()
                    .collect(Collectors.toMap(UserResult::user, UserResult::outcome, (a, b) -> a, TreeMap::new)));
            return run;
        }
    }

    /** Twenty opted-in users, five of them due, plus one due user whose key creation the storm never lets through. */
    private static Set<String> seed(RotatorHarness harness) {
        Set<String> optedIn = new TreeSet<>();
        for (int i = 0; i < 20; i++) {
            String user = "user-" + i;
            harness.optedInUser(user);
            harness.key(user, i % 4 == 0 ? 120 : 30, true);
            optedIn.add(user);
        }
        harness.optedInUser(STUCK_USER);
        harness.key(STUCK_USER, 120, true);
        optedIn.add(STUCK_USER);
        return optedIn;
    }

    private static boolean deferredForThrottling(UserResult user) {
        return user.outcome() == Outcome.DEFERRED && user.reason().contains("Throttl");
    }

    private record Storm(Faults.Rule stuck, Faults.Rule half) {
        static Storm start(LocalAws aws) {
            aws.faults().reseed(STORM_SEED);
            Faults.Rule stuck = aws.faults().on("iam", "CreateAccessKey").forUser(STUCK_USER).throttle();
            Faults.Rule half = aws.faults().on("iam", "*").withProbability(0.5).throttle();
            return new Storm(stuck, half);
        }

        /** Throttles of the half-of-all-calls rule. */
        int throttled() {
            return half.fired();
        }

        void end(LocalAws aws) {
            aws.faults().remove(stuck);
            aws.faults().remove(half);
        }
    }
}
