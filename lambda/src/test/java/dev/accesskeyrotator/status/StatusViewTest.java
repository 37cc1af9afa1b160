package dev.accesskeyrotator.status;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.wiring.RotatorFactory;
import dev.accesskeyrotator.contract.Parameter;
import dev.accesskeyrotator.localaws.Calls;
import dev.accesskeyrotator.localaws.IamEmulator.KeySnapshot;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.SecretTags;
import dev.accesskeyrotator.status.StatusView.ComplianceFinding;
import dev.accesskeyrotator.status.StatusView.FindingKind;
import dev.accesskeyrotator.status.StatusView.UserLine;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code status} on the local endpoint, as an administrator whom the endpoint refuses {@code GetSecretValue} and
 * {@code kms:Decrypt}: every column for each kind of user, each compliance finding, and the exact operations the
 * documented read-only policy must allow.
 */
class StatusViewTest {
    static final String ADMIN_KEY_ID = "AKIAADMINREADONLY001";
    private static final String FOREIGN_KEY = "arn:aws:kms:us-east-1:123456789012:key/99999999-0000-0000-0000-000000000000";

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();

    private LocalAws aws;
    private RotatorHarness harness;
    private AwsClients admin;
    private Instant now;

    @BeforeEach
    void setUp() {
        aws = endpoint.aws();
        harness = new RotatorHarness(aws);
        now = aws.clock().instant();
        admin = adminClients(aws);
        harness.parameter(Parameter.MAX_KEY_AGE_DAYS.parameterName(), "120");
        harness.parameter(Parameter.CUTOVER.parameterName(), "on-use");
        harness.parameter(Parameter.GRACE_DAYS.parameterName(), "7");
        harness.parameter(Parameter.MAX_GRACE_DAYS.parameterName(), "14");
        harness.parameter(Parameter.OLD_KEY_IDLE_HOURS.parameterName(), "24");
        harness.parameter(Parameter.DELETE_AFTER_DAYS.parameterName(), "30");
        harness.parameter(Parameter.REMINDER_DAYS.parameterName(), "14");
    }

    @AfterEach
    void tearDown() {
        admin.close();
        harness.close();
    }

    /** An administrator's clients: denied secret values both by the identity policy and by KMS. */
    static AwsClients adminClients(LocalAws aws) {
        aws.kms().denyDecrypt(ADMIN_KEY_ID);
        aws.secretsManager().denyOperations(ADMIN_KEY_ID, Set.of("GetSecretValue"));
        return new AwsClients(new AwsClients.Options(aws.region(), Optional.of(aws.endpoint()),
                StaticCredentialsProvider.create(AwsBasicCredentials.create(ADMIN_KEY_ID, "admin-secret")),
                List.of(aws.crashInterceptor()), AwsClients.retryStrategy(Duration.ofMillis(5), Duration.ofMillis(10),
                Duration.ofMillis(100))));
    }

    @Test
    void everyOptedInUserHasItsKeysAgesLastUseNextEventAndCauses() {
        seedAccount();

        StatusView.Status status = RotatorFactory.statusView(harness.settings(), admin, aws.clock()).read();

        Map<String, UserLine> users = status.users().stream()
                .collect(Collectors.toMap(UserLine::user, u -> u));
        assertEquals(new TreeSet<>(List.of("bad-override", "due", "foreign", "fresh", "retired", "rotated",
                "two-keys")), new TreeSet<>(users.keySet()));

        UserLine fresh = users.get("fresh");
        assertEquals(1, fresh.keys().size());
        assertEquals("only", fresh.keys().get(0).role());
        assertEquals(10, fresh.keys().get(0).ageDays());
        assertTrue(fresh.keys().get(0).active());
        assertEquals(Optional.of(now.minus(Duration.ofDays(2))), fresh.keys().get(0).lastUsed());
        assertEquals("ok", fresh.state());
        assertEquals("remind the owner of key slot-1's rotation", fresh.nextEvent());
        assertEquals(Optional.of(now.minus(Duration.ofDays(10)).plus(Duration.ofDays(120 - 14))),
                fresh.nextEventAt());
        assertEquals(List.of(), fresh.causes());

        UserLine due = users.get("due");
        assertEquals("planned", due.state());
        assertEquals("rotate key slot-1", due.nextEvent());
        assertEquals(Optional.empty(), due.nextEventAt());
        assertEquals(Optional.empty(), due.keys().get(0).lastUsed());

        UserLine rotated = users.get("rotated");
        // Slot order, as the credential report has them: the older key first.
        assertEquals(List.of("previous", "current"), rotated.keys().stream().map(StatusView.KeyLine::role).toList());
        assertEquals(currentKeyOf("rotated"), rotated.keys().get(1).key());
        assertEquals(Optional.of(now.minus(Duration.ofDays(1))), rotated.keys().get(0).lastUsed());
        Instant replaced = now.minus(Duration.ofDays(3));
        assertEquals("ok", rotated.state());
        assertEquals("disable previous key slot-1 once unused for 24 h (deadline " + replaced.plus(Duration.ofDays(14))
                + ")", rotated.nextEvent());
        assertEquals(Optional.of(replaced.plus(Duration.ofDays(7))), rotated.nextEventAt());

        UserLine retired = users.get("retired");
        assertFalse(retired.keys().get(0).active());
        assertEquals("delete previous key slot-1", retired.nextEvent());
        assertEquals(Optional.of(now.minus(Duration.ofDays(6)).plus(Duration.ofDays(30))), retired.nextEventAt());

        UserLine twoKeys = users.get("two-keys");
        assertEquals("blocked", twoKeys.state());
        assertTrue(twoKeys.causes().get(0).startsWith("two active keys (slot-1, slot-2) made outside the rotator"),
                twoKeys.causes().toString());
        assertEquals(List.of("unrecorded", "unrecorded"),
                twoKeys.keys().stream().map(StatusView.KeyLine::role).toList());

        UserLine foreign = users.get("foreign");
        assertEquals("attention", foreign.state());
        assertTrue(foreign.causes().get(0).contains("is not the rotator's (encrypted with KMS key " + FOREIGN_KEY),
                foreign.causes().toString());

        UserLine badOverride = users.get("bad-override");
        assertEquals("attention", badOverride.state());
        assertTrue(badOverride.causes().get(0).startsWith("skipped: "), badOverride.causes().toString());
        assertEquals(120, badOverride.maxKeyAgeDays());
    }

    @Test
    void complianceFindsOldAndUnusedKeysOutsideTheRotatorTwoActiveKeysAndSecretsWithoutAUser() {
        seedAccount();

        StatusView.Status status = RotatorFactory.statusView(harness.settings(), admin, aws.clock()).read();

        Set<String> findings = status.compliance().stream().map(f -> f.kind().label() + " " + f.subject())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(List.of("key-over-threshold legacy", "key-unused-90-days idle",
                "two-active-keys two-keys", "two-active-keys legacy",
                "secret-without-user " + RotatorHarness.SECRET_PREFIX + "gone-user")), findings);
        ComplianceFinding over = status.compliance().stream().filter(f -> f.kind() == FindingKind.KEY_OVER_THRESHOLD)
                .findFirst().orElseThrow();
        assertTrue(over.detail().contains("is 200 days old (threshold 120)"), over.detail());
    }

    @Test
    void aUserRotatedSinceTheCredentialReportIsShownWithItsKeysLookedUp() {
        harness.optedInUser("just-rotated");
        KeySnapshot old = harness.key("just-rotated", 125, true);
        aws.iam().markKeyUsed(old.id(), now.minus(Duration.ofHours(2)), "s3", "us-east-1");
        // The run generates the credential report, then rotates: AWS keeps that report for 4 hours, so it
        // predates the new key.
        harness.run();
        aws.calls().reset();

        StatusView.Status status = RotatorFactory.statusView(harness.settings(), admin, aws.clock()).read();

        UserLine line = status.users().stream().filter(u -> u.user().equals("just-rotated")).findFirst()
                .orElseThrow();
        assertEquals(List.of(old.id(), currentKeyOf("just-rotated")),
                line.keys().stream().map(StatusView.KeyLine::key).toList());
        assertEquals(List.of("previous", "current"), line.keys().stream().map(StatusView.KeyLine::role).toList());
        assertTrue(line.keys().get(0).active() && line.keys().get(1).active());
        assertEquals(Optional.of(now.minus(Duration.ofHours(2))), line.keys().get(0).lastUsed(),
                "last use from the report");
        assertEquals(Optional.empty(), line.keys().get(1).lastUsed(), "the report predates the new key");
        assertEquals("ok", line.state());
        assertEquals("disable previous key " + old.id() + " once unused for 24 h (deadline "
                + now.plus(Duration.ofDays(14)) + ")", line.nextEvent());
        assertEquals(Optional.of(now.plus(Duration.ofDays(7))), line.nextEventAt());
        assertEquals(List.of(), line.causes());
        assertEquals(1, aws.calls().count("iam", "ListAccessKeys"), "one look-up, for the rotated user only");
    }

    @Test
    void statusCallsOnlyTheOperationsOfTheDocumentedPolicyAndNeverASecretValue() throws Exception {
        seedAccount();
        // A run just before: the users it rotates are newer than its credential report, and are looked up.
        harness.run();
        aws.calls().reset();

        RotatorFactory.statusView(harness.settings(), admin, aws.clock()).read();

        Set<String> called = aws.calls().all().stream()
                .filter(call -> call.signingKeyId().filter(ADMIN_KEY_ID::equals).isPresent())
                .map(Calls.Call::key).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(documentedStatusPolicyActions(), called);
        assertFalse(called.contains("secretsmanager:GetSecretValue"));
    }

    @Test
    void theCommandPrintsTableJsonAndCsvOnStdoutOnlyAndNoSecret() {
        seedAccount();
        String saved = System.getProperty("aws.accessKeyId");
        String savedSecret = System.getProperty("aws.secretAccessKey");
        System.setProperty("aws.accessKeyId", ADMIN_KEY_ID);
        System.setProperty("aws.secretAccessKey", "admin-secret");
        try {
            for (String output : List.of("table", "json", "csv")) {
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
                int code = dev.accesskeyrotator.cli.Main.run(List.of("status", "--endpoint-url",
                        aws.endpoint().toString(), "--region", "us-east-1", "--kms-key-id", RotatorHarness.KMS_KEY,
                        "--output", output), Map.of(), new java.io.PrintStream(out, true),
                        new java.io.PrintStream(err, true));
                String printed = out.toString();
                assertEquals(0, code, err.toString());
                assertEquals("", err.toString());
                for (String secret : aws.iam().allSecretAccessKeys()) {
                    assertFalse(printed.contains(secret));
                }
                switch (output) {
                    case "table" -> {
                        assertTrue(printed.contains("USER"), printed);
                        assertTrue(printed.contains("COMPLIANCE (outside the rotator)"), printed);
                        assertTrue(printed.lines().anyMatch(l -> l.startsWith("due ") && l.contains("rotate key slot-1")
                                && l.contains("next run")), printed);
                    }
                    case "json" -> assertEquals(7, JsonLogTree.users(printed));
                    default -> {
                        assertEquals(String.join(",", List.of("section", "user", "key", "role", "status", "created",
                                "age_days", "last_used", "state", "next_event", "next_event_at", "detail")),
                                printed.lines().findFirst().orElseThrow());
                        assertTrue(printed.lines().anyMatch(l -> l.startsWith("secret-without-user,"
                                + RotatorHarness.SECRET_PREFIX + "gone-user,")), printed);
                    }
                }
            }
        } finally {
            restore("aws.accessKeyId", saved);
            restore("aws.secretAccessKey", savedSecret);
        }
        assertEquals(0, aws.calls().count("secretsmanager", "GetSecretValue"));
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    private static final class JsonLogTree {
        static int users(String json) {
            try {
                return JsonLog.mapper().readTree(json).get("users").size();
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + json, e);
            }
        }
    }

    /** The actions of the JSON policy under docs/operations.md's "Read-only status" heading. */
    static Set<String> documentedStatusPolicyActions() throws Exception {
        Path docs = Path.of("..", "docs", "operations.md");
        String text = Files.readString(Files.exists(docs) ? docs : Path.of("docs", "operations.md"));
        int heading = text.indexOf("### Permissions for `status`");
        assertTrue(heading >= 0, "docs/operations.md has no status permissions section");
        int start = text.indexOf("```json", heading) + "```json".length();
        JsonNode policy = JsonLog.mapper().readTree(text.substring(start, text.indexOf("```", start)));
        Set<String> actions = new TreeSet<>();
        for (JsonNode statement : policy.get("Statement")) {
            statement.get("Action").forEach(action -> actions.add(action.asText()));
        }
        return actions;
    }

    private void seedAccount() {
        harness.optedInUser("fresh");
        KeySnapshot freshKey = harness.key("fresh", 10, true);
        aws.iam().markKeyUsed(freshKey.id(), now.minus(Duration.ofDays(2)), "s3", "us-east-1");

        harness.optedInUser("due");
        harness.key("due", 125, true);

        harness.optedInUser("rotated");
        KeySnapshot old = harness.key("rotated", 93, true);
        aws.iam().markKeyUsed(old.id(), now.minus(Duration.ofDays(1)), "s3", "us-east-1");
        storedSecret("rotated", harness.key("rotated", 3, true), Map.of());

        harness.optedInUser("retired");
        harness.key("retired", 110, false);
        storedSecret("retired", harness.key("retired", 20, true),
                Map.of(SecretTags.PREVIOUS_DISABLED_AT, now.minus(Duration.ofDays(6)).toString()));

        harness.optedInUser("two-keys");
        harness.key("two-keys", 30, true);
        harness.key("two-keys", 20, true);

        harness.optedInUser("foreign");
        harness.key("foreign", 5, true);
        aws.secretsManager().seedRaw(harness.secretName("foreign"), "{}", Map.of(), FOREIGN_KEY);

        harness.optedInUser("bad-override", Map.of(RotatorHarness.overrideTag(), "soon"));
        harness.key("bad-override", 5, true);

        harness.otherUser("legacy");
        KeySnapshot legacy = harness.key("legacy", 200, true);
        aws.iam().markKeyUsed(legacy.id(), now.minus(Duration.ofDays(1)), "s3", "us-east-1");
        harness.key("legacy", 100, true);
        aws.iam().markKeyUsed(aws.iam().keys("legacy").get(1).id(), now.minus(Duration.ofDays(1)), "s3", "us-east-1");

        harness.otherUser("idle");
        harness.key("idle", 100, true);

        aws.secretsManager().seedRaw(RotatorHarness.SECRET_PREFIX + "gone-user", "{}",
                Map.of(SecretTags.USER, "gone-user"), RotatorHarness.KMS_KEY);
        aws.secretsManager().seedRaw(RotatorHarness.SECRET_PREFIX + "rotator/attention-notices", "{}", Map.of(),
                RotatorHarness.KMS_KEY);
    }

    private void storedSecret(String user, KeySnapshot current, Map<String, String> extraTags) {
        Map<String, String> tags = new java.util.HashMap<>(Map.of(SecretTags.USER, user,
                SecretTags.NOTIFIED_KEY_ID, current.id(),
                SecretTags.CURRENT_KEY_CREATED, SecretTags.seconds(current.createDate())));
        tags.putAll(extraTags);
        aws.secretsManager().seedRaw(harness.secretName(user), "{\"AccessKeyId\":\"" + current.id() + "\"}", tags,
                RotatorHarness.KMS_KEY);
    }

    private String currentKeyOf(String user) {
        return aws.iam().keys(user).stream().max(java.util.Comparator.comparing(KeySnapshot::createDate))
                .orElseThrow().id();
    }

}
