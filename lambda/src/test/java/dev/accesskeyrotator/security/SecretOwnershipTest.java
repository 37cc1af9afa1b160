package dev.accesskeyrotator.security;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.aws.IamDirectory;
import dev.accesskeyrotator.aws.SecretsManagerStore;
import dev.accesskeyrotator.aws.SnsNotifier;
import dev.accesskeyrotator.aws.SsmParameterSource;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.localaws.IamEmulator.KeySnapshot;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.Calls;
import dev.accesskeyrotator.localaws.LocalAwsClients;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.SecretStore;
import dev.accesskeyrotator.service.RotationService;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.SecretDocument;
import dev.accesskeyrotator.service.SecretTags;
import dev.accesskeyrotator.service.UserResult;
import dev.accesskeyrotator.testing.RotatorHarness;
import dev.accesskeyrotator.testing.SecretLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rule 2 against someone who can create, delete and re-key secrets under the prefix (no IAM rights needed) and
 * wants the victim's next key: a secret the rotator does not own never receives a key, and no key is created or
 * disabled for its user. The endpoint signs the rotator's calls with their own key id and refuses them encryption
 * with any KMS key but the stack's, as the deployed role's Deny does; the attacker signs with another key id.
 */
class SecretOwnershipTest {
    private static final String VICTIM = "victim";
    private static final String ATTACKER_KEY_ALIAS = "alias/attacker-readable";

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();
    private LocalAws aws;
    private RotatorHarness harness;
    private SecretsManagerClient attacker;

    @BeforeEach
    void start() {
        aws = endpoint.aws();
        harness = new RotatorHarness(aws);
        attacker = LocalAwsClients.configure(SecretsManagerClient.builder(), aws)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("AKIAATTACKER00000001", "attacker-secret")))
                .build();
        harness.optedInUser(VICTIM);
    }

    @AfterEach
    void close() {
        attacker.close();
        harness.close();
    }

    @Test
    void aSecretPreCreatedUnderAnotherKeyGetsNoKey() {
        KeySnapshot only = harness.key(VICTIM, 120, true);
        attacker.createSecret(r -> r.name(harness.secretName(VICTIM)).secretString("{\"waiting\":true}"));

        UserResult result = runAndExpectAttention("encrypted with the AWS managed key aws/secretsmanager");

        assertKeysUntouched(List.of(only));
        assertEquals("{\"waiting\":true}", aws.secretsManager().currentValue(harness.secretName(VICTIM)).orElseThrow());
        assertEquals(1, harness.noticesFor(VICTIM, "attention"), "the owner is told");
        assertTrue(result.reason().contains(harness.secretName(VICTIM)), result.reason());
    }

    @Test
    void aForgedDocumentNamingTheVictimsCurrentKeyGetsNoKey() {
        KeySnapshot only = harness.key(VICTIM, 120, true);
        attacker.createSecret(r -> r.name(harness.secretName(VICTIM)).kmsKeyId(ATTACKER_KEY_ALIAS)
                .secretString(document(only.id(), "forged-secret")));

        runAndExpectAttention("encrypted with KMS key " + ATTACKER_KEY_ALIAS);

        assertKeysUntouched(List.of(only));
    }

    @Test
    void aSecretDeletedAndRecreatedBySomeoneElseGetsNoKey() {
        harness.key(VICTIM, 120, true);
        harness.run();
        String current = currentKeyId();
        harness.advanceDays(100);
        List<KeySnapshot> before = aws.iam().keys(VICTIM);
        attacker.deleteSecret(r -> r.secretId(harness.secretName(VICTIM)).forceDeleteWithoutRecovery(true));
        attacker.createSecret(r -> r.name(harness.secretName(VICTIM)).kmsKeyId(ATTACKER_KEY_ALIAS)
                .secretString(document(current, "forged-secret")));

        runAndExpectAttention("encrypted with KMS key " + ATTACKER_KEY_ALIAS);

        assertKeysUntouched(before);
    }

    @Test
    void aSecretReKeyedAfterTheLastRunGetsNoKey() {
        harness.key(VICTIM, 120, true);
        harness.run();
        harness.advanceDays(100);
        List<KeySnapshot> before = aws.iam().keys(VICTIM);
        attacker.updateSecret(r -> r.secretId(harness.secretName(VICTIM)).kmsKeyId(ATTACKER_KEY_ALIAS));

        runAndExpectAttention("encrypted with KMS key " + ATTACKER_KEY_ALIAS);

        assertKeysUntouched(before);
    }

    @Test
    void aSecretReKeyedBetweenTheCheckAndTheWriteRefusesTheKeyWhichIsWithdrawn() {
        harness.key(VICTIM, 120, true);
        harness.run();
        String current = currentKeyId();
        String valueBefore = aws.secretsManager().currentValue(harness.secretName(VICTIM)).orElseThrow();
        harness.advanceDays(100);
        aws.calls().reset();

        // The re-key lands right after the rotator confirmed ownership (its read of the value), before it writes.
        AtomicBoolean rekeyed = new AtomicBoolean();
        SecretStore real = new SecretsManagerStore(harness.clients().secretsManager());
        SecretStore rekeyedAfterRead = new SecretStore() {
            @Override public List<SecretSummary> listByNamePrefix(String prefix) { return real.listByNamePrefix(prefix); }
            @Override public Optional<SecretValue> readCurrent(String id) {
                Optional<SecretValue> read = real.readCurrent(id);
                if (id.contains(harness.secretName(VICTIM)) && rekeyed.compareAndSet(false, true)) {
                    attacker.updateSecret(r -> r.secretId(id).kmsKeyId(ATTACKER_KEY_ALIAS));
                }
                return read;
            }
            @Override public Optional<SecretSummary> describe(String id) { return real.describe(id); }
            @Override public String create(String name, String value, String kms, Map<String, String> tags,
                                           String token) { return real.create(name, value, kms, tags, token); }
            @Override public void putValue(String id, String value, String token) { real.putValue(id, value, token); }
            @Override public void putResourcePolicy(String id, String policy) { real.putResourcePolicy(id, policy); }
            @Override public void tag(String id, Map<String, String> tags) { real.tag(id, tags); }
        };
        RunReport report = serviceWithStore(rekeyedAfterRead).run(RotationService.RunRequest.normal());

        UserResult result = report.users().get(0);
        assertTrue(rekeyed.get());
        assertEquals(Outcome.FAILED, result.outcome(), result.toString());
        assertTrue(result.reason().contains("Access to KMS is not allowed"), result.reason());
        assertTrue(result.reason().contains("withdrawn"), result.reason());
        assertEquals(1, aws.calls().count("secretsmanager", "PutSecretValue"), "the write was tried and refused");
        assertEquals(1, aws.calls().count("iam", "CreateAccessKey"));
        List<KeySnapshot> keys = aws.iam().keys(VICTIM);
        assertEquals(1, keys.size(), "the new key is withdrawn: " + keys);
        assertEquals(current, keys.get(0).id());
        assertTrue(keys.get(0).active(), "the old key stays active");
        assertEquals(valueBefore, aws.secretsManager().currentValue(harness.secretName(VICTIM)).orElseThrow());
        SecretLeakCheck.assertNoSecretLeaked(aws, harness.logLines());
    }

    @Test
    void theRotatorsPolicyIsReappliedBeforeEveryWriteAndLetsOnlyTheRotatorChangeTheSecret() throws Exception {
        harness.key(VICTIM, 120, true);
        harness.run();
        harness.advanceDays(100);
        // Someone replaced the policy to read the next key.
        attacker.putResourcePolicy(r -> r.secretId(harness.secretName(VICTIM)).resourcePolicy("{\"Version\":"
                + "\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "\"arn:aws:iam::123456789012:user/mallory\"},\"Action\":\"secretsmanager:GetSecretValue\","
                + "\"Resource\":\"*\"}]}"));
        aws.calls().reset();

        UserResult result = harness.run().users().get(0);

        assertEquals(Outcome.ROTATED, result.outcome(), result.toString());
        List<String> order = aws.calls().forUser(VICTIM).stream().map(c -> c.operation()).toList();
        assertTrue(order.indexOf("PutResourcePolicy") < order.indexOf("CreateAccessKey"), order.toString());
        JsonNode policy = JsonLog.mapper().readTree(aws.secretsManager().secret(harness.secretName(VICTIM))
                .orElseThrow().resourcePolicy());
        JsonNode statements = policy.get("Statement");
        assertEquals(3, statements.size(), policy.toString());
        JsonNode ownerRead = statements.get(0);
        assertEquals("Allow", ownerRead.get("Effect").asText());
        assertEquals("arn:aws:iam::123456789012:user/" + VICTIM, ownerRead.get("Principal").get("AWS").asText());
        assertEquals(List.of("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret",
                        "secretsmanager:ListSecretVersionIds"),
                texts(ownerRead.get("Action")));
        JsonNode onlyRotator = statements.get(1);
        assertEquals("Deny", onlyRotator.get("Effect").asText());
        assertEquals("*", onlyRotator.get("Principal").get("AWS").asText());
        List<String> denied = texts(onlyRotator.get("Action"));
        for (String action : List.of("secretsmanager:PutSecretValue", "secretsmanager:UpdateSecret",
                "secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy",
                "secretsmanager:DeleteSecret", "secretsmanager:UpdateSecretVersionStage")) {
            assertTrue(denied.contains(action), action + " is denied to others: " + denied);
        }
        assertEquals(List.of(RotatorHarness.FUNCTION_ROLE_ARN, RotatorHarness.BREAK_GLASS_ARN),
                texts(onlyRotator.get("Condition").get("StringNotEquals").get("aws:PrincipalArn")));
        assertTrue(policy.toString().indexOf("mallory") < 0, "the replaced policy is gone");
        JsonNode noReplicas = statements.get(2);
        assertEquals("Deny", noReplicas.get("Effect").asText());
        assertEquals("*", noReplicas.get("Principal").get("AWS").asText());
        assertEquals("secretsmanager:ReplicateSecretToRegions", noReplicas.get("Action").asText());
        assertTrue(noReplicas.get("Condition") == null, "no one is spared, not even the function: " + noReplicas);
    }

    @Test
    void aSecretOfTheRotatorsOwnKeyIsRotatedAsUsual() {
        harness.key(VICTIM, 120, true);
        harness.run();
        harness.advanceDays(100);

        UserResult result = harness.run().users().get(0);

        assertEquals(Outcome.ROTATED, result.outcome(), result.toString());
        assertEquals(RotatorHarness.KMS_KEY, aws.secretsManager().secret(harness.secretName(VICTIM)).orElseThrow()
                .kmsKeyId());
    }

    /**
     * Someone who may create and tag secrets, but not encrypt with the stack's key, names the stack's key ARN on a
     * secret without a value (Secrets Manager asks KMS for nothing then) and forges the rotator's intent record just
     * before a key a person made. Taken as the rotator's reservation, that key would be deleted as a stray of a run
     * that died.
     */
    @Test
    void aForgedIntentOnASecretPreCreatedWithoutAValueNeverGetsAKeyDeleted() {
        KeySnapshot old = harness.key(VICTIM, 120, true);
        KeySnapshot madeByAPerson = harness.key(VICTIM, 1, true);
        attacker.createSecret(r -> r.name(harness.secretName(VICTIM)).kmsKeyId(RotatorHarness.KMS_KEY)
                .tags(t -> t.key(SecretTags.CREATING_SINCE).value(madeByAPerson.createDate().minusSeconds(30).toString()),
                        t -> t.key(SecretTags.MANAGED_BY).value(SecretTags.MANAGED_BY_VALUE)));

        UserResult result = runAndExpectAttention("holds no value");

        assertKeysUntouched(List.of(old, madeByAPerson));
        assertTrue(result.reason().contains("tags are not trusted"), result.reason());
        assertEquals(1, harness.noticesFor(VICTIM, "attention"), "the owner is told");
    }

    /**
     * The same forgery on a value: written under the AWS managed key with a document naming a person's inactive key
     * as the one the rotator replaced, then re-keyed to the stack's key. The re-key does not re-encrypt (the forger
     * may not encrypt with the stack's key), and the rotator may decrypt with no other key.
     */
    @Test
    void aForgedDocumentReKeyedToTheStackKeyWithoutReEncryptionIsNotTheRotators() {
        KeySnapshot inactive = harness.key(VICTIM, 200, false);
        KeySnapshot current = harness.key(VICTIM, 10, true);
        attacker.createSecret(r -> r.name(harness.secretName(VICTIM)).secretString(
                        "{\"Version\":1,\"AccessKeyId\":\"" + current.id() + "\",\"SecretAccessKey\":\"forged\","
                                + "\"UserName\":\"" + VICTIM + "\",\"PreviousAccessKeyId\":\"" + inactive.id() + "\"}")
                .tags(t -> t.key(SecretTags.PREVIOUS_DISABLED_AT).value("2020-01-01T00:00:00Z")));
        attacker.updateSecret(r -> r.secretId(harness.secretName(VICTIM)).kmsKeyId(RotatorHarness.KMS_KEY));
        aws.calls().reset();

        UserResult result = harness.run().users().get(0);

        assertEquals(Outcome.FAILED, result.outcome(), "the run's failure, for the alarm: " + result);
        assertTrue(result.reason().contains("Access to KMS is not allowed")
                && result.reason().contains("re-keyed to the stack's key"), result.reason());
        assertKeysUntouched(List.of(inactive, current));
        assertEquals(0, aws.calls().count("iam", "DeleteAccessKey"));
        assertEquals(List.of(), aws.calls().all().stream()
                .filter(c -> Set.of("PutSecretValue", "PutResourcePolicy", "TagResource").contains(c.operation()))
                .filter(c -> c.param("SecretId").filter(id -> id.contains("/" + VICTIM)).isPresent())
                .map(Calls.Call::operation).toList(), "nothing is written into the secret");
    }

    /**
     * The notice ledger says which attention causes each owner was told and when; a copy of the rotator's own records,
     * planted by someone else before the rotator made its ledger, would silence the next notices. Planted under the
     * AWS managed key, or under it and then re-keyed to the stack's key, it is not the rotator's: the cause is told.
     */
    @Test
    void aLedgerSomeoneElseCreatedNeverSilencesANotice() {
        harness.key(VICTIM, 120, true);
        attacker.createSecret(r -> r.name(harness.secretName(VICTIM)).secretString("{\"waiting\":true}"));
        String ledgerName = RotatorHarness.SECRET_PREFIX + "rotator/attention-notices";
        harness.run();
        assertEquals(1, harness.noticesFor(VICTIM, "attention"));
        String rotatorsRecords = aws.secretsManager().currentValue(ledgerName).orElseThrow();

        for (boolean reKeyed : List.of(false, true)) {
            attacker.deleteSecret(r -> r.secretId(ledgerName).forceDeleteWithoutRecovery(true));
            attacker.createSecret(r -> r.name(ledgerName).secretString(rotatorsRecords));
            if (reKeyed) {
                attacker.updateSecret(r -> r.secretId(ledgerName).kmsKeyId(RotatorHarness.KMS_KEY));
            }
            long before = harness.noticesFor(VICTIM, "attention");
            harness.advanceDays(1);

            harness.run();

            assertEquals(before + 1, harness.noticesFor(VICTIM, "attention"),
                    "the planted records silence nothing (re-keyed: " + reKeyed + ")");
            assertEquals(rotatorsRecords, aws.secretsManager().currentValue(ledgerName).orElseThrow(),
                    "the rotator writes nothing into a ledger that is not its own");
        }
        assertTrue(harness.logLines().stream().anyMatch(line -> line.contains("notice records secret is not the"
                + " rotator's")), "the run says why");
    }

    @Test
    void theRotatorsOwnLedgerStillSpacesOutNotices() {
        harness.key(VICTIM, 120, true);
        attacker.createSecret(r -> r.name(harness.secretName(VICTIM)).secretString("{\"waiting\":true}"));
        harness.run();
        harness.advanceDays(1);

        harness.run();

        assertEquals(1, harness.noticesFor(VICTIM, "attention"), "told once within attention-reminder-days");
    }

    @Test
    void aSecretTheRotatorReservesHoldsAValueWithoutAKey() {
        harness.parameter("reminder-days", "7");
        harness.key(VICTIM, 85, true);

        harness.run();

        String value = aws.secretsManager().currentValue(harness.secretName(VICTIM)).orElseThrow();
        assertTrue(SecretDocument.isReservation(value), value);
        assertTrue(SecretDocument.heldKey(value).isEmpty(), value);
        assertEquals(RotatorHarness.KMS_KEY, aws.secretsManager().secret(harness.secretName(VICTIM)).orElseThrow()
                .versions().get(0).kmsKeyArn(), "written with the stack's key");
        assertEquals(1, harness.noticesFor(VICTIM, "key-expiring"));

        harness.advanceDays(10);
        UserResult rotated = harness.run().users().get(0);
        assertEquals(Outcome.ROTATED, rotated.outcome(), rotated.toString());
        assertTrue(SecretDocument.heldKey(aws.secretsManager().currentValue(harness.secretName(VICTIM)).orElseThrow())
                .isPresent());
    }

    // ---------------------------------------------------------------- helpers

    private UserResult runAndExpectAttention(String why) {
        aws.calls().reset();
        RunReport report = harness.run();
        UserResult result = report.users().stream().filter(u -> u.user().equals(VICTIM)).findFirst().orElseThrow();
        assertEquals(Outcome.ATTENTION, result.outcome(), result.toString());
        assertTrue(result.reason().contains("is not the rotator's") && result.reason().contains(why),
                result.reason());
        assertEquals(0, aws.calls().count("iam", "CreateAccessKey"), "no key is created");
        assertEquals(0, aws.calls().count("iam", "UpdateAccessKey"), "no key is disabled");
        assertEquals(0, aws.calls().count("iam", "DeleteAccessKey"), "no key is deleted");
        // The victim's secret only: the run's own records live in a secret of the rotator's.
        assertEquals(List.of(), aws.calls().all().stream()
                .filter(c -> Set.of("PutSecretValue", "PutResourcePolicy", "GetSecretValue", "TagResource")
                        .contains(c.operation()))
                .filter(c -> c.param("SecretId").filter(id -> id.contains("/" + VICTIM)).isPresent())
                .map(Calls.Call::operation).toList(), "the secret is neither read nor written");
        SecretLeakCheck.assertNoSecretLeaked(aws, harness.logLines());
        return result;
    }

    private void assertKeysUntouched(List<KeySnapshot> before) {
        List<KeySnapshot> after = aws.iam().keys(VICTIM);
        assertEquals(before.stream().map(k -> k.id() + ":" + k.active()).toList(),
                after.stream().map(k -> k.id() + ":" + k.active()).toList());
    }

    private String currentKeyId() {
        try {
            return JsonLog.mapper().readTree(aws.secretsManager().currentValue(harness.secretName(VICTIM))
                    .orElseThrow()).get("AccessKeyId").asText();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String document(String keyId, String secret) {
        return "{\"Version\":1,\"AccessKeyId\":\"" + keyId + "\",\"SecretAccessKey\":\"" + secret
                + "\",\"UserName\":\"" + VICTIM + "\",\"CreateDate\":\"2025-09-01T00:00:00Z\"}";
    }

    private RotationService serviceWithStore(SecretStore store) {
        return new RotationService(harness.settings(), "us-east-1", new SsmParameterSource(harness.clients().ssm()),
                new IamDirectory(harness.clients().iam(), pause -> { }), store,
                new SnsNotifier(harness.clients().sns(), harness.topicArn()), aws.clock(), harness.log());
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.asText()));
        return values;
    }
}
