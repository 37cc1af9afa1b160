package dev.accesskeyrotator.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.lambda.RotationHandler;
import dev.accesskeyrotator.localaws.Calls;
import dev.accesskeyrotator.localaws.IamEmulator.KeySnapshot;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.localaws.SecretsManagerEmulator.SecretSnapshot;
import dev.accesskeyrotator.localaws.SnsEmulator.PublishedMessage;
import dev.accesskeyrotator.log.JsonLog;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rev 3 acceptance, end to end: an AWS Health exposure event (as AWS documents it) and an admin's payload, fed to the
 * Lambda handler with real SDK v2 clients against the local endpoint.
 */
public class EmergencyRotationEndToEndTest {

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();

    private RotatorHarness harness;
    private LocalAws aws;
    private final List<String> captured = new ArrayList<>();

    @BeforeEach
    void seed() {
        aws = endpoint.aws();
        harness = new RotatorHarness(aws);
        harness.optedInUser("alice");
        harness.key("alice", 120, true);
        harness.optedInUser("bystander");
        harness.key("bystander", 200, true);
        harness.otherUser("carol");
        harness.key("carol", 10, true);
    }

    @AfterEach
    void close() {
        harness.close();
    }

    /** The event as the AWS Health user guide shows it, for one exposed key. */
    public static Map<String, Object> healthEvent(String accessKeyId) {
        return Map.of("version", "0", "id", "7bf73129-1428-4cd3-a780-95db273d1602", "detail-type", "AWS Health Event",
                "source", "aws.health", "account", "123456789012", "time", "2026-05-01T06:27:57Z",
                "region", "us-east-1", "resources", List.of(),
                "detail", Map.of("eventArn", "arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/E1",
                        "service", "RISK", "eventTypeCode", "AWS_RISK_CREDENTIALS_EXPOSED",
                        "eventTypeCategory", "issue", "startTime", "Fri, 01 May 2026 06:10:09 GMT",
                        "eventDescription", List.of(Map.of("language", "en_US",
                                "latestDescription", "Your access key was found publicly available")),
                        "affectedEntities", List.of(Map.of("entityValue", accessKeyId))));
    }

    private Map<String, Object> invoke(Map<String, Object> event) {
        RotationHandler handler = new RotationHandler(harness.service(), harness.log());
        Map<String, Object> response = handler.handleRequest(event, FakeLambdaContext.withPlentyOfTime());
        captured.add(JsonLog.toJson(response));
        return response;
    }

    private static Map<?, ?> onlyUser(Map<String, Object> response) {
        List<?> users = (List<?>) response.get("users");
        assertEquals(1, users.size(), response.toString());
        return (Map<?, ?>) users.get(0);
    }

    private List<PublishedMessage> notices(String eventType) {
        return aws.sns().published().stream().filter(m -> m.attribute("event_type").filter(eventType::equals)
                .isPresent()).toList();
    }

    private String keyInSecret(String user) {
        return secretValue(user).get("AccessKeyId").asText();
    }

    private JsonNode secretValue(String user) {
        try {
            return JsonLog.mapper().readTree(aws.secretsManager().currentValue(harness.secretName(user))
                    .orElseThrow());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private KeySnapshot key(String user, String id) {
        return aws.iam().keys(user).stream().filter(k -> k.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void anExposedCurrentKeyIsReplacedAndDisabledAtOnceAndTheSameEventAgainDoesNothing() {
        harness.run();
        harness.advanceDays(2);
        String exposed = keyInSecret("alice");
        int versionsBefore = aws.secretsManager().secret(harness.secretName("alice")).orElseThrow().versions().size();
        aws.calls().reset();

        Map<String, Object> response = invoke(healthEvent(exposed));

        Map<?, ?> alice = onlyUser(response);
        assertEquals("rotated", alice.get("outcome"), alice.toString());
        assertEquals(exposed, alice.get("oldKeyId"));
        String fresh = keyInSecret("alice");
        assertNotEquals(exposed, fresh);
        assertEquals(fresh, alice.get("newKeyId"));
        assertTrue(key("alice", fresh).active());
        assertEquals(key("alice", fresh).secret(), secretValue("alice").get("SecretAccessKey").asText());
        assertFalse(key("alice", exposed).active(), "the exposed key is Inactive at once, days before any cut-over");
        assertEquals(versionsBefore + 1,
                aws.secretsManager().secret(harness.secretName("alice")).orElseThrow().versions().size());
        List<PublishedMessage> exposedNotices = notices("key-exposed");
        assertEquals(1, exposedNotices.size());
        PublishedMessage notice = exposedNotices.get(0);
        assertEquals("alice", notice.attribute("user_name").orElseThrow());
        assertTrue(notice.message().contains(exposed) && notice.message().contains(fresh), notice.message());
        assertTrue(notice.message().contains(aws.secretsManager().secret(harness.secretName("alice")).orElseThrow()
                .arn()), "names where the new key is");
        assertTrue(notices("key-rotated").stream().noneMatch(m -> m.message().contains(fresh)),
                "one notice, the key-exposed one");
        // Only alice was read or changed: no account-wide discovery, no other user by name.
        Set<String> operations = Set.copyOf(aws.calls().all().stream().map(Calls.Call::key).toList());
        assertFalse(operations.contains("iam:GetAccountAuthorizationDetails"), operations.toString());
        assertFalse(operations.contains("iam:GetCredentialReport"), operations.toString());
        assertFalse(operations.contains("secretsmanager:ListSecrets"), operations.toString());
        assertTrue(aws.calls().forUser("bystander").isEmpty());

        // The same event again: nothing changes and nobody is told twice.
        List<KeySnapshot> keysAfter = aws.iam().keys("alice");
        int published = aws.sns().published().size();
        Map<?, ?> again = onlyUser(invoke(healthEvent(exposed)));
        assertEquals("unchanged", again.get("outcome"), again.toString());
        assertEquals(keysAfter, aws.iam().keys("alice"));
        assertEquals(published, aws.sns().published().size());
        SecretLeakCheck.assertNoSecretLeaked(aws, withLogs());
    }

    @Test
    void anExposedPreviousKeyStillInGraceIsDisabledAtOnceWithoutANewRotation() {
        harness.parameter("grace-days", "5");
        harness.run();
        harness.advanceDays(1);
        String current = keyInSecret("alice");
        String previous = secretValue("alice").get("PreviousAccessKeyId").asText();
        assertTrue(key("alice", previous).active(), "in grace");
        int versionsBefore = aws.secretsManager().secret(harness.secretName("alice")).orElseThrow().versions().size();

        Map<?, ?> alice = onlyUser(invoke(healthEvent(previous)));

        assertEquals("disabled-old", alice.get("outcome"), alice.toString());
        assertFalse(key("alice", previous).active());
        assertTrue(key("alice", current).active());
        assertEquals(current, keyInSecret("alice"), "no new rotation");
        assertEquals(2, aws.iam().keys("alice").size());
        assertEquals(versionsBefore,
                aws.secretsManager().secret(harness.secretName("alice")).orElseThrow().versions().size());
        assertEquals(1, notices("key-exposed").size());
        assertTrue(notices("key-exposed").get(0).message().contains(current), "tells which key to use");

        int published = aws.sns().published().size();
        assertEquals("unchanged", onlyUser(invoke(healthEvent(previous))).get("outcome"));
        assertEquals(published, aws.sns().published().size());
        SecretLeakCheck.assertNoSecretLeaked(aws, withLogs());
    }

    @Test
    void anExposedKeyOfAUserWhoIsNotOptedInIsAttentionNamingTheKeyAndNothingChanges() {
        List<KeySnapshot> carolBefore = aws.iam().keys("carol");
        String exposed = carolBefore.get(0).id();
        aws.calls().reset();

        Map<?, ?> carol = onlyUser(invoke(healthEvent(exposed)));

        assertEquals("attention", carol.get("outcome"), carol.toString());
        assertEquals(carolBefore, aws.iam().keys("carol"));
        assertTrue(aws.secretsManager().secret(harness.secretName("carol")).isEmpty());
        assertTrue(aws.calls().forUser("carol").stream().noneMatch(c -> !c.operation().equals("GetUser")),
                "carol's keys are never listed or changed: " + aws.calls().forUser("carol"));
        List<PublishedMessage> attention = notices("attention");
        assertEquals(1, attention.size());
        assertTrue(attention.get(0).message().contains(exposed), attention.get(0).message());
        assertTrue(notices("key-exposed").isEmpty());

        assertEquals("attention", onlyUser(invoke(healthEvent(exposed))).get("outcome"));
        assertEquals(1, notices("attention").size(), "the same event twice tells admins once");
        SecretLeakCheck.assertNoSecretLeaked(aws, withLogs());
    }

    @Test
    void whenIamRefusesToNameTheUserOfAKeyAdminsAreTold() {
        // The deployed role may look up keys of opted-in users only: IAM answers AccessDenied for anyone else's.
        aws.faults().on("iam", "GetAccessKeyLastUsed").error(403, "AccessDenied", "not authorized");
        String exposed = aws.iam().keys("carol").get(0).id();

        Map<?, ?> line = onlyUser(invoke(healthEvent(exposed)));

        assertEquals("attention", line.get("outcome"), line.toString());
        assertEquals(1, notices("attention").size());
        assertTrue(notices("attention").get(0).message().contains(exposed));
        assertTrue(aws.iam().keys("carol").get(0).active());
    }

    @Test
    void aNeverRotatedUsersPeopleMadeKeyIsReplacedAndTheNoticeSaysWhy() {
        String exposed = aws.iam().keys("bystander").get(0).id();

        Map<?, ?> line = onlyUser(invoke(healthEvent(exposed)));

        assertEquals("rotated", line.get("outcome"), line.toString());
        assertFalse(key("bystander", exposed).active());
        assertTrue(key("bystander", keyInSecret("bystander")).active());
        assertTrue(notices("key-exposed").get(0).message().contains("made outside the rotator"));
        SecretLeakCheck.assertNoSecretLeaked(aws, withLogs());
    }

    @Test
    void anAdminPayloadNamingUsersReplacesTheirKeysInUseAndDryRunChangesNothing() {
        harness.run();
        harness.advanceDays(1);
        String before = keyInSecret("alice");
        int published = aws.sns().published().size();

        Map<String, Object> preview = invoke(Map.of("emergency", Map.of("users", List.of("alice"),
                "reason", "key pasted in ticket SEC-1", "dryRun", true)));

        assertEquals(true, preview.get("dryRun"));
        assertEquals("planned", onlyUser(preview).get("outcome"));
        assertEquals(before, keyInSecret("alice"));
        assertTrue(key("alice", before).active());
        assertEquals(published, aws.sns().published().size());

        harness.parameter("dry-run", "true");
        assertEquals("planned", onlyUser(invoke(Map.of("emergency", Map.of("users", List.of("alice"),
                "reason", "key pasted in ticket SEC-1")))).get("outcome"), "the dry-run parameter is respected");
        harness.parameter("dry-run", "false");

        Map<?, ?> done = onlyUser(invoke(Map.of("emergency", Map.of("users", List.of("alice"),
                "reason", "key pasted in ticket SEC-1"))));
        assertEquals("rotated", done.get("outcome"), done.toString());
        assertFalse(key("alice", before).active());
        assertTrue(notices("key-exposed").get(0).message().contains("SEC-1"), "the reason is told");
        SecretLeakCheck.assertNoSecretLeaked(aws, withLogs());
    }

    @Test
    void otherEventsAndMalformedPayloadsAreAnsweredWithoutAnyChange() {
        Map<String, Object> otherHealth = Map.of("source", "aws.health", "detail-type", "AWS Health Event",
                "detail", Map.of("eventTypeCode", "AWS_EC2_INSTANCE_STORE_DRIVE_PERFORMANCE_DEGRADED"));
        assertTrue(String.valueOf(invoke(otherHealth).get("error")).contains("not an exposure"));
        assertTrue(String.valueOf(invoke(Map.of("emergency", Map.of("users", List.of("alice"))))
                .get("error")).contains("reason"));
        assertTrue(String.valueOf(invoke(Map.of("emergency", Map.of("accessKeyIds", List.of("not-a-key"),
                "reason", "x"))).get("error")).contains("not an access key id"));
        assertEquals(0, aws.calls().count("iam", "CreateAccessKey"));
        assertTrue(aws.sns().published().isEmpty());
    }

    private List<String> withLogs() {
        List<String> texts = new ArrayList<>(captured);
        texts.addAll(harness.logLines());
        return texts;
    }
}
