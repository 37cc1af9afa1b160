package dev.accesskeyrotator.reliability;

import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.SecretsManagerEmulator.SecretSnapshot;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.EmergencyReport;
import dev.accesskeyrotator.service.EmergencyRequest;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.testing.Invariants;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An emergency rotation beside a scheduled run, interleaved at the worst point: one of them has created its new key
 * and is held right before storing it while the other runs from start to end. The protocol's concurrency guard (the
 * in-flight key, the re-check of the secret before the store) must keep the user from being rotated twice, and the
 * emergency's retry must finish the job.
 */
class EmergencyBesideScheduledRunTest {

    @ParameterizedTest(name = "held first: {0}")
    @ValueSource(strings = {"scheduled", "emergency"})
    void oneRotationNeverTwo(String heldFirst) throws Exception {
        try (LocalAws aws = LocalAws.start(); RotatorHarness harness = new RotatorHarness(aws)) {
            harness.optedInUser("alice");
            harness.key("alice", 120, true);
            harness.run();
            harness.advanceDays(95);
            String exposed = aws.secretsManager().currentValue(harness.secretName("alice")).map(v -> v.substring(
                    v.indexOf("AKIA"), v.indexOf("AKIA") + 20)).orElseThrow();
            int versionsBefore = versions(aws, harness);
            Invariants invariants = Invariants.watch(harness, Set.of("alice"));

            CountDownLatch reachedStore = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean first = new AtomicBoolean(true);
            // Holds the first PutSecretValue (the held run's store) until the other run has ended. Not a fault.
            aws.faults().on("secretsmanager", "PutSecretValue").when(request -> {
                if (first.compareAndSet(true, false)) {
                    reachedStore.countDown();
                    await(release);
                }
                return false;
            }).error(500, "Unused", "never fires");

            Supplier<Object> scheduled = harness::run;
            Supplier<Object> emergency = () -> harness.service().runEmergency(new EmergencyRequest(
                    EmergencyRequest.TRIGGER_HEALTH, List.of(exposed), List.of(), "test", false));
            Supplier<Object> held = heldFirst.equals("scheduled") ? scheduled : emergency;
            Supplier<Object> other = heldFirst.equals("scheduled") ? emergency : scheduled;
            CompletableFuture<Object> heldRun = CompletableFuture.supplyAsync(held);
            assertTrue(reachedStore.await(30, TimeUnit.SECONDS), "the held run never reached its store");
            Object otherReport = other.get();
            release.countDown();
            Object heldReport = heldRun.get(30, TimeUnit.SECONDS);
            List<String> captured = new ArrayList<>(List.of(JsonLog.toJson(heldReport), JsonLog.toJson(otherReport)));
            invariants.assertWorkingKeys();
            assertEquals(versionsBefore + 1, versions(aws, harness), "rotated once, never twice");

            // Lambda retries an unfinished emergency a minute later; by then the other run has settled.
            EmergencyReport emergencyReport = (EmergencyReport) (heldFirst.equals("emergency") ? heldReport
                    : otherReport);
            if (emergencyReport.unfinished()) {
                aws.clock().advance(Duration.ofMinutes(1));
                captured.add(JsonLog.toJson(harness.service().runEmergency(new EmergencyRequest(
                        EmergencyRequest.TRIGGER_HEALTH, List.of(exposed), List.of(), "test", false))));
            }
            assertFalse(aws.iam().keys("alice").stream().filter(k -> k.id().equals(exposed)).findFirst()
                    .orElseThrow().active(), "the exposed key is disabled");
            assertEquals(versionsBefore + 1, versions(aws, harness), "the retry did not rotate again");
            long exposedNotices = aws.sns().published().stream()
                    .filter(m -> m.attribute("event_type").filter("key-exposed"::equals).isPresent()).count();
            assertEquals(1, exposedNotices, "the owner hears of the exposure once");

            aws.faults().clear();
            harness.advanceDays(1);
            RunReport settled = harness.run();
            invariants.assertAll(settled, 0, captured);
        }
    }

    private static int versions(LocalAws aws, RotatorHarness harness) {
        return aws.secretsManager().secret(harness.secretName("alice")).map(SecretSnapshot::versions)
                .map(List::size).orElse(0);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
