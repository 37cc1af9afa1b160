package dev.accesskeyrotator.reliability;

import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.SecretsManagerEmulator.SecretSnapshot;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.SecretDocument;
import dev.accesskeyrotator.testing.Invariants;
import dev.accesskeyrotator.testing.RotatorHarness;
import dev.accesskeyrotator.contract.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The schedule can deliver twice, and someone may run the CLI meanwhile: two runs at once must not double-rotate. */
class ConcurrentRunsTest {

    @ParameterizedTest(name = "latency {0} ms, {1} workers per run, grace {2}, delete-after {3}, cutover {4}")
    @CsvSource({"0, 4, 0, 0, after-grace", "5, 4, 0, 0, after-grace", "25, 2, 0, 30, after-grace",
            "10, 1, 3, 0, after-grace", "0, 8, 0, 0, after-grace", "5, 4, 0, 30, on-use", "0, 8, 2, 0, on-use"})
    void twoSimultaneousRunsRotateEachUserOnce(int latencyMillis, int workers, int graceDays, int deleteAfterDays,
                                               String cutover) throws Exception {
        try (LocalAws aws = LocalAws.start(); RotatorHarness harness = new RotatorHarness(aws).maxConcurrency(workers)) {
            harness.parameter("grace-days", String.valueOf(graceDays));
            harness.parameter("delete-after-days", String.valueOf(deleteAfterDays));
            harness.parameter("cutover", cutover);
            Set<String> optedIn = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                harness.optedInUser("veteran-" + i);
                harness.key("veteran-" + i, 100, true);
                optedIn.add("veteran-" + i);
            }
            harness.run();
            harness.advanceDays(95);
            for (int i = 0; i < 10; i++) {
                harness.optedInUser("fresh-" + i);
                harness.key("fresh-" + i, 100, true);
                optedIn.add("fresh-" + i);
            }
            for (int i = 0; i < 4; i++) {
                harness.optedInUser("young-" + i);
                harness.key("young-" + i, 5, true);
                optedIn.add("young-" + i);
            }
            Invariants invariants = Invariants.watch(harness, optedIn);
            if (latencyMillis > 0) {
                aws.faults().on("*", "*").latency(Duration.ofMillis(latencyMillis));
            }
            int noticesBefore = aws.sns().published().size();

            CountDownLatch start = new CountDownLatch(1);
            CompletableFuture<RunReport> first = CompletableFuture.supplyAsync(() -> awaitThen(start, harness));
            CompletableFuture<RunReport> second = CompletableFuture.supplyAsync(() -> awaitThen(start, harness));
            start.countDown();
            List<String> captured = new ArrayList<>(List.of(JsonLog.toJson(first.get()), JsonLog.toJson(second.get())));
            assertEquals(0, first.get().count("failed"), first.get().users().toString());
            assertEquals(0, second.get().count("failed"), second.get().users().toString());
            invariants.assertWorkingKeys();

            aws.faults().clear();
            invariants = Invariants.watch(harness, optedIn);
            harness.advanceDays(1);
            RunReport settled = harness.run();
            invariants.assertAll(settled, graceDays, captured);

            for (String user : optedIn) {
                int rotationsBefore = user.startsWith("veteran") ? 1 : 0;
                int expected = user.startsWith("young") ? 0 : rotationsBefore + 1;
                // Versions that hold a key: a never-rotated user's secret starts with a reservation, which holds none.
                int stored = (int) aws.secretsManager().secret(harness.secretName(user))
                        .map(SecretSnapshot::versions).orElse(List.of()).stream()
                        .filter(version -> SecretDocument.heldKey(version.value()).isPresent()).count();
                assertEquals(expected, stored, user + " was rotated " + (stored - rotationsBefore) + " times");
            }
            // One rotation notice per rotation: the run that stored the key tells the owner, and the other run waits
            // out the in-flight guard instead of sending the "owed" notice too.
            for (String user : optedIn) {
                long notices = aws.sns().published().stream().skip(noticesBefore)
                        .filter(m -> m.attribute("event_type").filter("key-rotated"::equals).isPresent())
                        .filter(m -> m.attribute("user_name").filter(user::equals).isPresent()).count();
                assertEquals(user.startsWith("young") ? 0 : 1, notices, user + " got " + notices + " notices");
            }
        }
    }

    /**
     * The race the runs above hit now and then, made certain: while this run looks up the last use of alice's replaced
     * key, the other run has deleted it, and IAM answers NoSuchEntity (the fault stands in for that answer). The user
     * is read once more and decided on the keys as they are, not reported failed.
     */
    @Test
    void aKeyThatVanishesBetweenListingAndItsLastUseLookupIsReadAgainNotAFailure() {
        try (LocalAws aws = LocalAws.start(); RotatorHarness harness = new RotatorHarness(aws)) {
            harness.parameter("cutover", "on-use");
            harness.parameter("reminder-days", "0");
            harness.optedInUser("alice");
            harness.key("alice", 100, true);
            assertEquals(Outcome.ROTATED, harness.run().users().get(0).outcome());
            harness.advanceDays(1);
            long listingsBefore = aws.calls().count("iam", "ListAccessKeys");
            aws.faults().on("iam", "GetAccessKeyLastUsed").once()
                    .error(404, "NoSuchEntity", "The Access Key with id AKIA... cannot be found.");

            RunReport report = harness.run();

            assertNotEquals(Outcome.FAILED, report.users().get(0).outcome(), report.users().toString());
            assertEquals(0, report.count("failed"), report.users().toString());
            assertEquals(2, aws.calls().count("iam", "ListAccessKeys") - listingsBefore,
                    "alice's keys were listed again after the lookup found her key gone");
        }
    }

    private static RunReport awaitThen(CountDownLatch start, RotatorHarness harness) {
        try {
            start.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return harness.run();
    }
}
