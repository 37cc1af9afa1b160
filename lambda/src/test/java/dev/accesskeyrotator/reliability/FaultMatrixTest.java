package dev.accesskeyrotator.reliability;

import dev.accesskeyrotator.localaws.Faults;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.SimulatedCrash;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.testing.Invariants;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;

import java.time.Duration;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every mutating step of a rotation x every fault x grace 0 and 3 x bulk discovery on and off (credential report
 * available or not). Each scenario runs once with the fault, then once cleanly a day later (the next scheduled
 * run), then checks every invariant of the contract. Scenarios share nothing (each has its own endpoint, clients and
 * retry strategy), so they run concurrently (with each other only: the class as a whole runs in turn with the others).
 */
class FaultMatrixTest {

    /** The calls that change something, in the order a rotation makes them. */
    private static final List<String> MUTATING_STEPS = List.of(
            "iam:CreateAccessKey", "secretsmanager:CreateSecret", "secretsmanager:PutSecretValue",
            "secretsmanager:PutResourcePolicy", "iam:UpdateAccessKey", "iam:DeleteAccessKey", "sns:Publish",
            "secretsmanager:TagResource");

    enum Fault { ERROR_RESPONSE, THROTTLING, CRASH_AFTER_SUCCESS, ERROR_AFTER_SUCCESS }

    private static final List<Integer> GRACE_DAYS = List.of(0, 3);
    private static final List<Boolean> CREDENTIAL_REPORT = List.of(true, false);

    /**
     * Persistent faults only need retries to run out; the adaptive client-side rate limiter (exercised by the
     * throttling storm test) would make each throttled scenario take tens of seconds.
     */
    private static final int QUICK_RETRY_ATTEMPTS = 3;
    private static final AtomicInteger PASSED = new AtomicInteger();

    /** A fresh strategy per scenario: its retry quota is state, and scenarios run concurrently. */
    private static RetryStrategy quickRetries() {
        BackoffStrategy quick = BackoffStrategy.exponentialDelay(Duration.ofMillis(1), Duration.ofMillis(5));
        return AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(QUICK_RETRY_ATTEMPTS)
                .backoffStrategy(quick).throttlingBackoffStrategy(quick).build();
    }

    @TestFactory
    @Execution(ExecutionMode.CONCURRENT)
    Stream<DynamicTest> everyStepTimesEveryFaultTimesGrace() {
        List<DynamicTest> scenarios = new ArrayList<>();
        for (String step : MUTATING_STEPS) {
            for (Fault fault : Fault.values()) {
                for (int grace : GRACE_DAYS) {
                    for (boolean report : CREDENTIAL_REPORT) {
                        scenarios.add(DynamicTest.dynamicTest(step + " x " + fault + " x grace " + grace + " x "
                                + (report ? "credential report" : "no credential report"),
                                () -> runScenario(step, fault, grace, report)));
                    }
                }
            }
        }
        System.out.println("fault matrix: " + MUTATING_STEPS.size() + " steps x " + Fault.values().length
                + " faults x " + GRACE_DAYS.size() + " grace settings x " + CREDENTIAL_REPORT.size()
                + " discovery modes = " + scenarios.size() + " scenarios");
        return scenarios.stream();
    }

    @AfterAll
    static void summary() {
        System.out.println("fault matrix: " + PASSED.get() + " scenarios passed");
    }

    private static void runScenario(String step, Fault fault, int graceDays, boolean credentialReport) {
        try (LocalAws aws = LocalAws.start(); RotatorHarness harness = new RotatorHarness(aws, quickRetries())) {
            aws.iam().setCredentialReportAvailable(credentialReport);
            harness.parameter("grace-days", String.valueOf(graceDays));
            harness.parameter("delete-after-days", "5");
            // veteran already went through one rotation, so the faulted run also retires its previous key.
            harness.optedInUser("veteran");
            harness.key("veteran", 100, true);
            harness.optedInUser("bystander");
            harness.otherUser("outsider");
            harness.key("outsider", 400, true);
            harness.run();
            harness.advanceDays(95);
            harness.key("bystander", 10, true);
            harness.optedInUser("fresh");
            harness.key("fresh", 100, true);

            Invariants invariants = Invariants.watch(harness, Set.of("veteran", "bystander", "fresh"));
            if (fault == Fault.ERROR_AFTER_SUCCESS && step.equals("sns:Publish")) {
                // Every SDK attempt delivers, then the next run sends it again: duplicates, never none.
                invariants.withMaxNoticesPerRotation(QUICK_RETRY_ATTEMPTS + 1);
            }
            String[] serviceAndOperation = step.split(":");
            Faults.Rule rule = inject(aws, serviceAndOperation[0], serviceAndOperation[1], fault);
            List<String> captured = new ArrayList<>();
            try {
                RunReport faulted = harness.run();
                captured.add(JsonLog.toJson(faulted));
                assertTrue(fault != Fault.CRASH_AFTER_SUCCESS, "the crash should have aborted the run");
            } catch (SimulatedCrash crash) {
                captured.add(crash.getMessage());
            }
            assertTrue(rule.fired() > 0, "the scenario never reached " + step);
            invariants.assertWorkingKeys();

            aws.faults().remove(rule);
            harness.advanceDays(1);
            RunReport clean = harness.run();
            assertEquals(credentialReport ? "credential-report" : "per-user", clean.discovery());
            invariants.assertAll(clean, graceDays, captured);
            assertEquals(0, clean.count("failed"), clean.users().toString());
            PASSED.incrementAndGet();
        }
    }

    private static Faults.Rule inject(LocalAws aws, String service, String operation, Fault fault) {
        Faults.RuleBuilder on = aws.faults().on(service, operation);
        return switch (fault) {
            case ERROR_RESPONSE -> on.error(400, "InjectedFailure", "injected by the fault matrix");
            case THROTTLING -> on.throttle();
            case CRASH_AFTER_SUCCESS -> on.once().crashAfterSuccess();
            // Every attempt (the SDK retries a 500) takes effect and still reports failure: a timeout after the change.
            case ERROR_AFTER_SUCCESS -> on.errorAfterSuccess(500, "InternalFailure", "failed after taking effect");
        };
    }
}
