package dev.accesskeyrotator.security;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.wiring.RotatorFactory;
import dev.accesskeyrotator.config.ConfigurationException;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.contract.EnvironmentVariable;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.RotationService;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Readers an administrator names at deploy time for one user (the stack's {@code DELEGATED_READERS}) may read that
 * user's secret and no other: the function writes them into that secret's resource policy only. Nobody gains a
 * reader by tagging a user.
 */
class DelegatedReadersTest {
    private static final String CI_ROLE = "arn:aws:iam::123456789012:role/ci";
    private static final String ESO_ROLE = "arn:aws:iam::123456789012:role/eks/external-secrets";
    private static final String ALICE_ROLE = "arn:aws:iam::123456789012:role/alice-sync";

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();
    private LocalAws aws;
    private RotatorHarness harness;

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
    void aReaderNamedForAUserIsInThatUsersSecretPolicyOnly() throws IOException {
        harness.optedInUser("ci-bot");
        harness.key("ci-bot", 120, true);
        harness.optedInUser("alice");
        harness.key("alice", 120, true);
        // Whoever can tag a user must not gain a reader: a tag naming a role is not a deploy-time setting.
        harness.optedInUser("mallory", Map.of("access-key-rotation:delegated-readers", ALICE_ROLE,
                "delegated-readers", ALICE_ROLE));
        harness.key("mallory", 120, true);

        service(Map.of(EnvironmentVariable.DELEGATED_READERS.name(),
                "ci-bot " + CI_ROLE + " " + ESO_ROLE + "; alice  " + ALICE_ROLE + " ;")).run(
                RotationService.RunRequest.normal());

        assertEquals(List.of(CI_ROLE, ESO_ROLE), delegatedReaders("ci-bot"));
        assertEquals(List.of(ALICE_ROLE), delegatedReaders("alice"));
        assertEquals(List.of(), delegatedReaders("mallory"));
        for (String user : List.of("ci-bot", "alice", "mallory")) {
            JsonNode policy = policy(user);
            String owner = "arn:aws:iam::123456789012:user/" + user;
            assertEquals(owner, statement(policy, "OwnerReadsOwnAccessKey").get("Principal").get("AWS").asText());
            // The readers may read, never change: the Deny still exempts only the rotator and break-glass.
            assertEquals(List.of(RotatorHarness.FUNCTION_ROLE_ARN, RotatorHarness.BREAK_GLASS_ARN), texts(
                    statement(policy, "OnlyTheRotatorChangesTheSecret").get("Condition").get("StringNotEquals")
                            .get("aws:PrincipalArn")));
        }
        assertEquals(List.of("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret",
                        "secretsmanager:ListSecretVersionIds"),
                texts(statement(policy("ci-bot"), "DelegatedReadersReadAccessKey").get("Action")));
        assertFalse(policy("mallory").toString().contains(ALICE_ROLE), policy("mallory").toString());
    }

    @Test
    void withoutDelegatedReadersOnlyTheOwnerReads() throws IOException {
        harness.optedInUser("ci-bot");
        harness.key("ci-bot", 120, true);

        service(Map.of()).run(RotationService.RunRequest.normal());

        assertEquals(List.of("OwnerReadsOwnAccessKey", "OnlyTheRotatorChangesTheSecret", "NoOneReplicatesTheSecret"),
                sids(policy("ci-bot")));
    }

    @Test
    void onlyRoleArnsAreAcceptedAndTheRefusedOneIsNamed() {
        for (String notARole : List.of("arn:aws:iam::123456789012:user/bob", "arn:aws:iam::123456789012:root",
                "arn:aws:sts::123456789012:assumed-role/ci/session", "arn:aws:iam::123456789012:role/*", "*",
                "arn:aws:iam::123456789012:group/ci")) {
            ConfigurationException error = assertThrows(ConfigurationException.class,
                    () -> settings(Map.of(EnvironmentVariable.DELEGATED_READERS.name(),
                            "ci-bot " + CI_ROLE + " " + notARole)));
            assertEquals("environment variable DELEGATED_READERS names '" + notARole + "' as a reader of user ci-bot;"
                    + " allowed: an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)", error.getMessage());
        }
        ConfigurationException noRole = assertThrows(ConfigurationException.class,
                () -> settings(Map.of(EnvironmentVariable.DELEGATED_READERS.name(), "ci-bot")));
        assertTrue(noRole.getMessage().contains("names user 'ci-bot' without a role"), noRole.getMessage());
        ConfigurationException twice = assertThrows(ConfigurationException.class,
                () -> settings(Map.of(EnvironmentVariable.DELEGATED_READERS.name(),
                        "ci-bot " + CI_ROLE + ";ci-bot " + ESO_ROLE)));
        assertTrue(twice.getMessage().contains("names user 'ci-bot' twice"), twice.getMessage());
        ConfigurationException badUser = assertThrows(ConfigurationException.class,
                () -> settings(Map.of(EnvironmentVariable.DELEGATED_READERS.name(), "ci/bot " + CI_ROLE)));
        assertTrue(badUser.getMessage().contains("allowed: an IAM user name"), badUser.getMessage());
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /** Settings read from the environment as the deployed function reads them. */
    private RotatorSettings settings(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                EnvironmentVariable.PARAMETER_PREFIX.name(), RotatorHarness.PARAMETER_PREFIX,
                EnvironmentVariable.SECRET_NAME_PREFIX.name(), RotatorHarness.SECRET_PREFIX,
                EnvironmentVariable.NOTICE_TOPIC_ARN.name(), harness.topicArn(),
                EnvironmentVariable.SECRET_KMS_KEY_ID.name(), RotatorHarness.KMS_KEY,
                EnvironmentVariable.OPT_IN_TAG.name(), RotatorHarness.OPT_IN_TAG,
                EnvironmentVariable.FUNCTION_ROLE_ARN.name(), RotatorHarness.FUNCTION_ROLE_ARN,
                EnvironmentVariable.BREAK_GLASS_PRINCIPAL_ARN.name(), RotatorHarness.BREAK_GLASS_ARN));
        env.putAll(extra);
        return RotatorSettings.fromEnvironment(env);
    }

    private RotationService service(Map<String, String> extra) {
        return RotatorFactory.create(settings(extra), harness.clients(), aws.clock(), harness.log(), pause -> { });
    }

    private JsonNode policy(String user) throws IOException {
        String policy = aws.secretsManager().allSecrets().stream()
                .filter(secret -> secret.name().equals(harness.secretName(user))).findFirst().orElseThrow()
                .resourcePolicy();
        return JsonLog.mapper().readTree(policy);
    }

    private List<String> delegatedReaders(String user) throws IOException {
        JsonNode policy = policy(user);
        List<String> readers = new ArrayList<>();
        for (JsonNode statement : policy.get("Statement")) {
            if (statement.path("Sid").asText().equals("DelegatedReadersReadAccessKey")) {
                assertEquals("Allow", statement.get("Effect").asText());
                readers.addAll(texts(statement.get("Principal").get("AWS")));
            }
        }
        return readers;
    }

    private static JsonNode statement(JsonNode policy, String sid) {
        for (JsonNode statement : policy.get("Statement")) {
            if (statement.path("Sid").asText().equals(sid)) {
                return statement;
            }
        }
        throw new AssertionError("no statement " + sid + " in " + policy);
    }

    private static List<String> sids(JsonNode policy) {
        List<String> sids = new ArrayList<>();
        policy.get("Statement").forEach(statement -> sids.add(statement.path("Sid").asText()));
        return sids;
    }

    private static List<String> texts(JsonNode node) {
        List<String> texts = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(item -> texts.add(item.asText()));
        } else {
            texts.add(node.asText());
        }
        return texts;
    }
}
