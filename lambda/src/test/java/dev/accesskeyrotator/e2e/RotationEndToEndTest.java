package dev.accesskeyrotator.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.lambda.RotationHandler;
import dev.accesskeyrotator.localaws.IamEmulator.KeySnapshot;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.localaws.SecretsManagerEmulator.SecretSnapshot;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.UserResult;
import dev.accesskeyrotator.testing.FakeLambdaContext;
import dev.accesskeyrotator.testing.RotatorHarness;
import dev.accesskeyrotator.testing.SecretLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Lambda handler with real SDK v2 clients against the local endpoint, over a seeded account. */
class RotationEndToEndTest {

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();

    private RotatorHarness harness;
    private LocalAws aws;

    @BeforeEach
    void seed() {
        aws = endpoint.aws();
        harness = new RotatorHarness(aws);
        harness.optedInUser("alice");
        harness.key("alice", 120, true);
        harness.optedInUser("bob");
        harness.key("bob", 10, true);
        harness.optedInUser("dave");
        harness.key("dave", 300, false);
        harness.key("dave", 95, true);
        harness.otherUser("carol");
        harness.key("carol", 400, true);
        harness.optedInUser("erin");
    }

    @AfterEach
    void close() {
        harness.close();
    }

    private RunReport invokeHandler() {
        RotationHandler handler = new RotationHandler(harness.service(), harness.log());
        // The schedule's event as EventBridge delivers it (the runtime hands the handler plain maps).
        Map<String, Object> event = Map.of("id", "schedule-event-1", "source", "aws.events",
                "detail-type", "Scheduled Event", "detail", Map.of());
        Map<String, Object> response = handler.handleRequest(event, FakeLambdaContext.withPlentyOfTime());
        // The response is the logged document in plain maps: outcome labels as in the contract, no internals.
        List<?> users = (List<?>) response.get("users");
        for (Object user : users) {
            Map<?, ?> fields = (Map<?, ?>) user;
            assertTrue(Set.of("unchanged", "rotated", "disabled-old", "deleted-old", "notified", "attention",
                    "blocked", "failed", "deferred", "planned", "reminded").contains(fields.get("outcome")), fields.toString());
            assertFalse(fields.containsKey("effects"), fields.toString());
        }
        return FakeLambdaContext.report(response);
    }

    private static Map<String, UserResult> byUser(RunReport report) {
        return report.users().stream().collect(Collectors.toMap(UserResult::user, u -> u));
    }

    @Test
    void rotatesDueUsersOnlyAndASecondRunChangesNothing() {
        KeySnapshot aliceOld = aws.iam().keys("alice").get(0);
        List<KeySnapshot> bobBefore = aws.iam().keys("bob");
        List<KeySnapshot> carolBefore = aws.iam().keys("carol");
        List<KeySnapshot> daveBefore = aws.iam().keys("dave");

        RunReport first = invokeHandler();

        Map<String, UserResult> results = byUser(first);
        assertEquals(Set.of("alice", "bob", "dave", "erin"), results.keySet(), "carol is not opted in");
        assertEquals(Outcome.ROTATED, results.get("alice").outcome());
        // dave's second slot holds an inactive key made by a person: the rotator never deletes it.
        assertEquals(Outcome.BLOCKED, results.get("dave").outcome());
        assertEquals(Outcome.UNCHANGED, results.get("bob").outcome());
        assertEquals(Outcome.UNCHANGED, results.get("erin").outcome());
        assertEquals(1, first.count("rotated"));
        assertEquals(4, first.count("usersScanned"));

        // alice: the new key is in her secret and works; the old one is disabled (grace-days 0).
        Map<String, KeySnapshot> aliceKeys = aws.iam().keys("alice").stream()
                .collect(Collectors.toMap(KeySnapshot::id, k -> k));
        JsonNode secret = secretValue("alice");
        String newKeyId = secret.get("AccessKeyId").asText();
        assertNotEquals(aliceOld.id(), newKeyId);
        assertTrue(aliceKeys.get(newKeyId).active());
        assertEquals(aliceKeys.get(newKeyId).secret(), secret.get("SecretAccessKey").asText());
        assertEquals("alice", secret.get("UserName").asText());
        assertEquals(1, secret.get("Version").asInt());
        assertFalse(aliceKeys.get(aliceOld.id()).active(), "old key disabled");
        assertEquals(newKeyId, results.get("alice").newKeyId());
        assertEquals(aliceOld.id(), results.get("alice").oldKeyId());

        // The secret is encrypted with the stack's key, tagged, and readable by alice alone.
        SecretSnapshot aliceSecret = aws.secretsManager().secret(harness.secretName("alice")).orElseThrow();
        assertEquals(RotatorHarness.KMS_KEY, aliceSecret.kmsKeyId());
        assertEquals("alice", aliceSecret.tags().get("access-key-rotation:user"));
        String policy = aliceSecret.resourcePolicy();
        assertTrue(policy.contains(aws.iam().user("alice").orElseThrow().arn()), policy);
        assertTrue(policy.contains("secretsmanager:GetSecretValue") && policy.contains("secretsmanager:DescribeSecret"));

        // dave: both keys as they were, and his owner is told why.
        assertEquals(daveBefore, aws.iam().keys("dave"));
        assertEquals(1, harness.noticesFor("dave", "blocked"));

        // One notice for the rotated user, none for the others.
        assertEquals(1, harness.noticesFor("alice", "key-rotated"));
        assertEquals(0, harness.noticesFor("dave", "key-rotated"));
        assertEquals(0, harness.noticesFor("bob", "key-rotated"));
        assertTrue(aws.secretsManager().secret(harness.secretName("bob")).isEmpty());

        // Untouched users: bob unchanged; carol not even looked at beyond discovery.
        assertEquals(bobBefore, aws.iam().keys("bob"));
        assertEquals(carolBefore, aws.iam().keys("carol"));
        assertTrue(aws.calls().forUser("carol").isEmpty(), "carol was never looked at: " + aws.calls().forUser("carol"));

        // Second run: nothing to do.
        Map<String, List<KeySnapshot>> before = keysOfEveryone();
        int publishedBefore = aws.sns().published().size();
        RunReport second = invokeHandler();
        assertEquals(0, second.count("rotated"));
        assertEquals(0, second.count("disabledOld") + second.count("deletedOld") + second.count("failed"));
        assertTrue(second.users().stream().filter(u -> !u.user().equals("dave"))
                .allMatch(u -> u.outcome() == Outcome.UNCHANGED), second.users().toString());
        assertEquals(Outcome.BLOCKED, byUser(second).get("dave").outcome());
        assertEquals(before, keysOfEveryone());
        // Nothing new: dave's unchanged cause is not told again before attention-reminder-days, to him or to the
        // admins, and a run with nothing new sends no summary.
        assertEquals(publishedBefore, aws.sns().published().size(), "nothing sent");
        assertEquals(1, harness.noticesFor("dave", "blocked"));

        List<String> captured = new ArrayList<>(harness.logLines());
        captured.add(JsonLog.toJson(first));
        captured.add(JsonLog.toJson(second));
        SecretLeakCheck.assertNoSecretLeaked(aws, captured);
    }

    @Test
    void dryRunReportsThePlanAndChangesNothing() {
        harness.parameter("dry-run", "true");
        Map<String, List<KeySnapshot>> before = keysOfEveryone();

        RunReport report = invokeHandler();

        assertTrue(report.dryRun());
        Map<String, UserResult> results = byUser(report);
        assertEquals(Outcome.PLANNED, results.get("alice").outcome());
        assertTrue(results.get("alice").action().startsWith("would rotate key"), results.get("alice").action());
        assertEquals(Outcome.BLOCKED, results.get("dave").outcome());
        assertEquals(Outcome.UNCHANGED, results.get("bob").outcome());
        assertEquals(before, keysOfEveryone());
        assertTrue(aws.secretsManager().secret(harness.secretName("alice")).isEmpty());
        assertTrue(aws.sns().published().isEmpty());
        assertEquals(0, aws.calls().all().stream().filter(c -> Set.of("CreateAccessKey", "UpdateAccessKey",
                "DeleteAccessKey", "CreateSecret", "PutSecretValue", "TagResource", "PutResourcePolicy", "Publish")
                .contains(c.operation())).count());
    }

    @Test
    void graceDaysKeepOldKeyActiveThenLaterRunsDisableAndDeleteIt() {
        harness.parameter("grace-days", "7");
        harness.parameter("delete-after-days", "10");
        String oldKey = aws.iam().keys("alice").get(0).id();

        invokeHandler();
        assertTrue(aws.iam().keys("alice").stream().allMatch(KeySnapshot::active), "both active during grace");
        assertTrue(aws.sns().published().stream().filter(m -> m.attribute("user_name").orElse("").equals("alice"))
                .anyMatch(m -> m.message().contains("stays active until")));

        harness.advanceDays(6);
        invokeHandler();
        assertTrue(aws.iam().accessKey(oldKey).orElseThrow().active(), "day 6: still in grace");

        harness.advanceDays(1);
        RunReport day7 = invokeHandler();
        assertFalse(aws.iam().accessKey(oldKey).orElseThrow().active(), "day 7: disabled");
        assertEquals(Outcome.DISABLED_OLD, byUser(day7).get("alice").outcome());
        assertEquals(1, harness.noticesFor("alice", "key-disabled"));

        harness.advanceDays(9);
        invokeHandler();
        assertTrue(aws.iam().accessKey(oldKey).isPresent(), "day 16: kept");
        harness.advanceDays(1);
        RunReport day17 = invokeHandler();
        assertTrue(aws.iam().accessKey(oldKey).isEmpty(), "day 17: deleted");
        assertEquals(Outcome.DELETED_OLD, byUser(day17).get("alice").outcome());
        assertEquals(1, aws.iam().keys("alice").size());
        assertEquals(1, harness.noticesFor("alice", "key-rotated"));
    }

    @Test
    void invalidParameterStopsTheRunBeforeAnyChange() {
        harness.parameter("max-key-age-days", "0");
        Map<String, List<KeySnapshot>> before = keysOfEveryone();
        RotationHandler handler = new RotationHandler(harness.service(), harness.log());
        var error = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> handler.handleRequest(Map.of(), FakeLambdaContext.withPlentyOfTime()));
        assertTrue(error.getMessage().contains("max-key-age-days") && error.getMessage().contains("'0'")
                && error.getMessage().contains("1 to 3650"), error.getMessage());
        assertEquals(before, keysOfEveryone());
        assertTrue(aws.sns().published().isEmpty());
        assertTrue(harness.logLines().stream().anyMatch(l -> l.contains("\"RunFailed\":1")), "failure metric emitted");
    }

    @Test
    void awsErrorForOneUserFailsThatUserWithCodeAndTheOthersProceed() {
        harness.optedInUser("frank");
        harness.key("frank", 100, true);
        aws.faults().on("iam", "CreateAccessKey").forUser("alice").error(500, "ServiceFailure", "IAM is unwell");
        RunReport report = invokeHandler();
        UserResult alice = byUser(report).get("alice");
        assertEquals(Outcome.FAILED, alice.outcome());
        assertTrue(alice.reason().contains("ServiceFailure") && alice.reason().contains("IAM is unwell"), alice.reason());
        assertEquals(Outcome.ROTATED, byUser(report).get("frank").outcome());
        assertEquals(1, report.count("failed"));
        assertTrue(harness.logLines().stream().anyMatch(l -> l.contains("\"Failed\":1")), "failure metric emitted");
    }

    @Test
    void storeFailureWithdrawsTheNewKey() {
        aws.faults().on("secretsmanager", "PutSecretValue").when(r -> r.text("SecretId").orElse("").contains("/alice"))
                .error(400, "EncryptionFailure", "KMS key is disabled");
        List<String> before = aws.iam().keys("alice").stream().map(KeySnapshot::id).toList();
        RunReport report = invokeHandler();
        UserResult alice = byUser(report).get("alice");
        assertEquals(Outcome.FAILED, alice.outcome());
        assertTrue(alice.reason().contains("EncryptionFailure") && alice.reason().contains("withdrawn"), alice.reason());
        assertEquals(before, aws.iam().keys("alice").stream().map(KeySnapshot::id).toList(), "new key deleted");
        assertTrue(aws.iam().keys("alice").get(0).active(), "old key untouched");
        assertEquals(0, harness.noticesFor("alice", "key-rotated"));
    }

    @Test
    void noticeOwedByARunThatDiedAfterStoringIsSentByTheNextRun() {
        aws.faults().on("sns", "Publish").when(r -> r.params().containsValue("alice")).error(500, "InternalError",
                "SNS is down");
        RunReport failedNotice = invokeHandler();
        assertEquals(Outcome.FAILED, byUser(failedNotice).get("alice").outcome());
        String newKey = secretValue("alice").get("AccessKeyId").asText();
        assertEquals(0, harness.noticesFor("alice", "key-rotated"));

        aws.faults().clear();
        harness.advanceDays(1);
        RunReport next = invokeHandler();
        UserResult alice = byUser(next).get("alice");
        assertEquals(Outcome.NOTIFIED, alice.outcome());
        assertEquals(newKey, alice.newKeyId());
        assertEquals(1, harness.noticesFor("alice", "key-rotated"));
        assertEquals(Outcome.UNCHANGED, byUser(invokeHandler()).get("alice").outcome(), "and only once");
        SecretLeakCheck.assertNoSecretLeaked(aws, List.of(JsonLog.toJson(failedNotice), JsonLog.toJson(next),
                String.join("\n", harness.logLines())));
    }

    @Test
    void runSummaryGoesToAdminsWithCounts() {
        invokeHandler();
        var summary = aws.sns().published().stream()
                .filter(m -> m.attribute("event_type").filter("run-summary"::equals).isPresent()).toList();
        assertEquals(1, summary.size());
        assertTrue(summary.get(0).subject().startsWith("Access key rotation: 1 rotated"), summary.get(0).subject());
        assertTrue(summary.get(0).message().contains("rotated: 1"));
        assertTrue(summary.get(0).message().contains("account 123456789012, region us-east-1"),
                summary.get(0).message());
        assertTrue(summary.get(0).message().contains("rotated (1): alice"), summary.get(0).message());
        assertTrue(summary.get(0).message().contains("dave [blocked]"), summary.get(0).message());
    }

    private JsonNode secretValue(String user) {
        try {
            return JsonLog.mapper().readTree(aws.secretsManager().currentValue(harness.secretName(user)).orElseThrow());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private Map<String, List<KeySnapshot>> keysOfEveryone() {
        return aws.iam().userNames().stream().collect(Collectors.toMap(u -> u, u -> aws.iam().keys(u)));
    }
}
