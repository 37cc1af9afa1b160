package dev.accesskeyrotator.reliability;

import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.localaws.IamEmulator.KeySnapshot;
import dev.accesskeyrotator.localaws.IamEmulator.KeyStatus;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.UserResult;
import dev.accesskeyrotator.testing.Invariants;
import dev.accesskeyrotator.testing.RotatorHarness;
import dev.accesskeyrotator.testing.SecretLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An account where people and earlier failures left every kind of mess. Each hostile user gets its documented
 * outcome, and the ordinary users in the same run are rotated as usual.
 */
class HostileAccountStateTest {

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();
    private RotatorHarness harness;
    private LocalAws aws;

    @BeforeEach
    void start() {
        aws = endpoint.aws();
        harness = new RotatorHarness(aws);
    }

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void everyMessGetsItsDocumentedOutcomeAndTheOthersProceed() {
        // Users that first go through a normal rotation, so that they have a secret to be messed with; their old
        // keys are deleted at once to leave room for the keys people add by hand below.
        harness.parameter("delete-after-days", "0");
        for (String user : List.of("disabled-by-hand", "stray-unused", "stray-used", "scheduled-deletion",
                "current-deleted-by-hand")) {
            harness.optedInUser(user);
            harness.key(user, 100, true);
        }
        harness.run();
        harness.advanceDays(10);
        String disabledKey = currentKey("disabled-by-hand");
        aws.iam().setKeyStatus(disabledKey, KeyStatus.INACTIVE);
        KeySnapshot unusedStray = harness.key("stray-unused", 2, true);
        KeySnapshot usedStray = harness.key("stray-used", 2, true);
        aws.iam().markKeyUsed(usedStray.id(), aws.clock().instant().minus(Duration.ofHours(3)), "s3", "us-east-1");
        aws.secretsManager().scheduleDeletion(harness.secretName("scheduled-deletion"));
        // Someone deleted the current key by hand, then made themselves a new one.
        String deletedKey = currentKey("current-deleted-by-hand");
        deleteKeyDirectly("current-deleted-by-hand", deletedKey);

        harness.optedInUser("two-active-keys");
        harness.key("two-active-keys", 200, true);
        KeySnapshot second = harness.key("two-active-keys", 20, true);
        aws.iam().markKeyUsed(second.id(), aws.clock().instant().minus(Duration.ofDays(1)), "ec2", "us-east-1");

        harness.optedInUser("malformed-secret");
        harness.key("malformed-secret", 200, true);
        // Values only the rotator's role could have written (they are under its key): defence in depth.
        aws.secretsManager().seedRaw(harness.secretName("malformed-secret"), "{\"AccessKeyId\": \"AKIA", Map.of(),
                RotatorHarness.KMS_KEY);

        harness.optedInUser("holds-other-users-key");
        KeySnapshot own = harness.key("holds-other-users-key", 200, true);
        aws.secretsManager().seedRaw(harness.secretName("holds-other-users-key"),
                "{\"Version\":1,\"AccessKeyId\":\"AKIAOTHERUSERKEY0000\",\"SecretAccessKey\":\"not-a-real-secret\","
                        + "\"UserName\":\"someone-else\",\"CreateDate\":\"2026-01-01T00:00:00Z\"}", Map.of(),
                RotatorHarness.KMS_KEY);

        harness.optedInUser("bad-override", Map.of(RotatorHarness.overrideTag(), "soon"));
        harness.key("bad-override", 200, true);

        harness.optedInUser("deleted-mid-run");
        harness.key("deleted-mid-run", 200, true);
        aws.faults().on("iam", "ListAccessKeys").forUser("deleted-mid-run").when(request -> {
            aws.iam().deleteUserNow("deleted-mid-run");
            return false;
        }).error(500, "Unused", "observer only");

        harness.optedInUser("ordinary-1");
        harness.key("ordinary-1", 100, true);
        harness.optedInUser("ordinary-2");
        harness.key("ordinary-2", 91, true);

        Map<String, List<KeySnapshot>> before = aws.iam().userNames().stream()
                .collect(Collectors.toMap(u -> u, u -> aws.iam().keys(u)));
        RunReport report = harness.run();
        Map<String, UserResult> results = report.users().stream().collect(Collectors.toMap(UserResult::user, u -> u));

        expect(results, "disabled-by-hand", Outcome.ATTENTION, "disabled outside the rotator");
        assertFalse(aws.iam().accessKey(disabledKey).orElseThrow().active(), "never re-enabled");

        // A key a person added is theirs to retire, used or not: the rotator reports it and leaves it.
        expect(results, "stray-unused", Outcome.ATTENTION, "made outside the rotator");
        assertTrue(aws.iam().accessKey(unusedStray.id()).orElseThrow().active(), "unused people-made stray kept");

        expect(results, "stray-used", Outcome.ATTENTION, usedStray.id());
        assertTrue(aws.iam().accessKey(usedStray.id()).orElseThrow().active(), "used stray left alone");

        expect(results, "scheduled-deletion", Outcome.ATTENTION, "scheduled for deletion");
        expect(results, "current-deleted-by-hand", Outcome.ATTENTION, "deleted outside the rotator");
        expect(results, "two-active-keys", Outcome.BLOCKED, "cannot tell which one is in use");
        expect(results, "malformed-secret", Outcome.ATTENTION, "does not hold a rotator key document");
        assertEquals("{\"AccessKeyId\": \"AKIA",
                aws.secretsManager().currentValue(harness.secretName("malformed-secret")).orElseThrow(), "left as is");
        expect(results, "holds-other-users-key", Outcome.ATTENTION, "someone-else");
        assertEquals(List.of(own), aws.iam().keys("holds-other-users-key"));
        expect(results, "bad-override", Outcome.ATTENTION, RotatorHarness.overrideTag());
        expect(results, "deleted-mid-run", Outcome.UNCHANGED, "deleted during the run");

        expect(results, "ordinary-1", Outcome.ROTATED, null);
        expect(results, "ordinary-2", Outcome.ROTATED, null);

        for (String untouched : List.of("disabled-by-hand", "stray-used", "scheduled-deletion",
                "current-deleted-by-hand", "two-active-keys", "malformed-secret", "bad-override")) {
            assertEquals(before.get(untouched), aws.iam().keys(untouched), untouched + " keys changed");
        }
        // Owners of an attention case hear about it.
        assertEquals(1, harness.noticesFor("disabled-by-hand", "attention"));
        SecretLeakCheck.assertNoSecretLeaked(aws, List.of(JsonLog.toJson(report), String.join("\n", harness.logLines())));
    }

    @Test
    void oneBrokenUserInATenThousandUserAccountFailsAloneWithItsErrorCode() {
        for (int i = 0; i < 10_000; i++) {
            String user = String.format("user-%05d", i);
            harness.optedInUser(user);
            harness.key(user, i % 1000 == 0 ? 120 : 30, true);
        }
        aws.faults().on("iam", "CreateAccessKey").forUser("user-05000").error(500, "ServiceFailure", "broken user");
        Invariants invariants = Invariants.watch(harness, Set.copyOf(aws.iam().userNames()));

        RunReport report = harness.run();

        assertEquals(10_000, report.users().size());
        assertEquals(10_000, report.count("usersScanned"));
        assertEquals(9, report.count("rotated"));
        assertEquals(1, report.count("failed"));
        UserResult broken = report.users().stream().filter(u -> u.user().equals("user-05000")).findFirst().orElseThrow();
        assertTrue(broken.reason().contains("ServiceFailure") && broken.reason().contains("broken user"), broken.reason());
        invariants.assertWorkingKeys();
        SecretLeakCheck.assertNoSecretLeaked(aws, List.of(JsonLog.toJson(report), String.join("\n", harness.logLines())));
    }

    private void expect(Map<String, UserResult> results, String user, Outcome outcome, String reasonPart) {
        UserResult result = results.get(user);
        assertEquals(outcome, result.outcome(), user + ": " + result);
        if (reasonPart != null) {
            assertTrue(result.reason() != null && result.reason().contains(reasonPart), user + ": " + result.reason());
        }
    }

    private String currentKey(String user) {
        String value = aws.secretsManager().currentValue(harness.secretName(user)).orElseThrow();
        return dev.accesskeyrotator.service.SecretDocument.currentKeyId(value).orElseThrow();
    }

    private void deleteKeyDirectly(String user, String keyId) {
        try (var iam = dev.accesskeyrotator.localaws.LocalAwsClients.create(aws)) {
            iam.iam().deleteAccessKey(r -> r.userName(user).accessKeyId(keyId));
            iam.iam().createAccessKey(r -> r.userName(user));
        }
    }
}
