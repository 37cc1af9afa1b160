package dev.accesskeyrotator.infra;

import dev.accesskeyrotator.contract.EnvironmentVariable;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.accesskeyrotator.infra.Stacks.join;
import static dev.accesskeyrotator.infra.Stacks.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Roles an administrator names per user at deploy time ({@code -c delegatedReaders=...}) may decrypt that user's
 * secret, through Secrets Manager, and nothing else; the function gets the same list for the secret's resource
 * policy. Anything but a role ARN fails the synth with a message naming it.
 */
class DelegatedReadersTest {
    private static final String CI = "arn:aws:iam::111122223333:role/ci";
    private static final String ESO = "arn:aws:iam::111122223333:role/eks/external-secrets";
    private static final String ALICE = "arn:aws:iam::444455556666:role/alice-sync";
    private static final Map<String, Object> PARTITION = ref("AWS::Partition");
    private static final Map<String, Object> REGION = ref("AWS::Region");
    private static final Map<String, Object> ACCOUNT = ref("AWS::AccountId");

    @Test
    void aDelegatedReaderDecryptsOnlyItsUsersSecretAndOnlyThroughSecretsManager() {
        RotatorStack stack = fromContext(Map.of("delegatedReaders",
                "{\"ci-bot\":[\"" + CI + "\",\"" + ESO + "\"],\"alice\":[\"" + ALICE + "\"]}"));
        Template template = Template.fromStack(stack);

        List<Map<String, Object>> delegated = keyStatements(template, stack).stream()
                .filter(statement -> String.valueOf(statement.get("Sid")).startsWith("DelegatedReaders")).toList();
        assertEquals(List.of(readerStatement(1, "alice", ALICE), readerStatement(2, "ci-bot", List.of(CI, ESO))),
                delegated);
        // Each role appears in its own user's statement and nowhere else in the template.
        for (String role : List.of(CI, ESO, ALICE)) {
            List<Map<String, Object>> naming = Stacks.allStatements(template).stream()
                    .filter(statement -> statement.toString().contains(role)).toList();
            assertEquals(1, naming.size(), role + " in " + naming);
        }
        assertEquals("alice " + ALICE + ";ci-bot " + CI + " " + ESO, functionEnvironment(template, stack)
                .get(EnvironmentVariable.DELEGATED_READERS.name()));
    }

    @Test
    void cdkJsonMayGiveTheReadersAsAnObject() {
        RotatorStack stack = fromContext(Map.of("delegatedReaders", Map.of("ci-bot", List.of(CI))));

        assertEquals("ci-bot " + CI, functionEnvironment(Template.fromStack(stack), stack)
                .get(EnvironmentVariable.DELEGATED_READERS.name()));
    }

    @Test
    void withoutDelegatedReadersNoRoleDecryptsAndTheFunctionGetsNone() {
        RotatorStack stack = Stacks.defaultStack();
        Template template = Stacks.defaultTemplate();

        assertTrue(keyStatements(template, stack).stream()
                .noneMatch(statement -> String.valueOf(statement.get("Sid")).startsWith("DelegatedReaders")));
        assertFalse(functionEnvironment(template, stack).containsKey(EnvironmentVariable.DELEGATED_READERS.name()));
    }

    @Test
    void aReaderThatIsNotARoleArnFailsTheSynthNamingIt() {
        for (String notARole : List.of("arn:aws:iam::111122223333:user/bob", "arn:aws:iam::111122223333:root",
                "arn:aws:iam::111122223333:role/*", "arn:aws:sts::111122223333:assumed-role/ci/build-7", "*",
                "arn:aws:iam::111122223333:group/ci", "111122223333")) {
            App app = Stacks.newApp(Map.of("delegatedReaders",
                    "{\"ci-bot\":[\"" + CI + "\",\"" + notARole + "\"]}"));
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> RotatorStackProps.fromContext(app.getNode()).build(), notARole);
            assertEquals("delegatedReaders for user 'ci-bot': '" + notARole + "' is not an IAM role ARN"
                    + " (arn:aws:iam::111122223333:role/NAME, with an optional path); users, roots, wildcards and"
                    + " session ARNs cannot be readers", error.getMessage());
        }
    }

    @Test
    void malformedOrOversizedReadersFailTheSynth() {
        assertTrue(refused(Map.of("delegatedReaders", "ci-bot=" + CI)).startsWith("context value delegatedReaders"
                + " must be a JSON object of user name to a list of IAM role ARNs"));
        assertEquals("delegatedReaders names 'ci/bot', which is not an IAM user name (1-64 letters, digits and"
                + " +=,.@_-)", refused(Map.of("delegatedReaders", Map.of("ci/bot", List.of(CI)))));
        assertEquals("delegatedReaders for user 'ci-bot' names no role",
                refused(Map.of("delegatedReaders", Map.of("ci-bot", List.of()))));
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            many.add("arn:aws:iam::111122223333:role/reader-number-" + i);
        }
        assertTrue(refused(Map.of("delegatedReaders", Map.of("ci-bot", many))).contains("(Lambda allows 4 KB for"
                + " all variables); name one role per reading system"));
    }

    /**
     * KMS refuses a key policy over 32 KB, and each user with readers adds a statement: many short entries pass the
     * 4 KB environment bound yet would fail the deployment. The synth refuses them, naming the count and the limit.
     */
    @Test
    void readersThatWouldOverflowTheKeyPolicyFailTheSynthNamingTheLimit() {
        Map<String, List<String>> readers = new java.util.TreeMap<>();
        for (int i = 0; i < 83; i++) {
            // Two-character user names and a one-character role: as short as entries get.
            String user = (char) ('a' + i / 10) + String.valueOf(i % 10);
            readers.put(user, List.of("arn:aws:iam::111122223333:role/r"));
        }
        assertTrue(RotatorStackProps.delegatedReadersVariable(readers).length()
                <= RotatorStackProps.MAX_DELEGATED_READERS_LENGTH, "within the environment's bound");

        String refused = refused(Map.of("delegatedReaders", readers));

        assertTrue(refused.startsWith("delegatedReaders name 83 roles for 83 users, which makes the user secrets key"
                + " policy up to "), refused);
        assertTrue(refused.contains("KMS allows 32768 bytes per key policy"), refused);
        int bytes = KeyPolicies.userSecretsKeyPolicyBytes("access-key-rotation/", readers, List.of());
        assertTrue(bytes > KeyPolicies.MAX_KEY_POLICY_BYTES, bytes + " bytes");
    }

    @Test
    void theBoundGrowsWithEachReaderAndLeavesRoomForAFewDozenUsers() {
        int none = KeyPolicies.userSecretsKeyPolicyBytes("access-key-rotation/", Map.of(), List.of());
        int one = KeyPolicies.userSecretsKeyPolicyBytes("access-key-rotation/", Map.of("ci-bot", List.of(CI)),
                List.of());
        assertTrue(none > 1000 && one > none + 300, none + " then " + one);
        Map<String, List<String>> forty = new java.util.TreeMap<>();
        for (int i = 0; i < 40; i++) {
            forty.put("service-user-" + i, List.of(ESO));
        }
        fromContext(Map.of("delegatedReaders", forty));
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static RotatorStack fromContext(Map<String, Object> context) {
        App app = Stacks.newApp(context);
        return RotatorApp.createStack(app, Stacks.STACK_ID, RotatorStackProps.fromContext(app.getNode()).build());
    }

    private static String refused(Map<String, Object> context) {
        App app = Stacks.newApp(context);
        return assertThrows(IllegalArgumentException.class,
                () -> RotatorStackProps.fromContext(app.getNode()).build()).getMessage();
    }

    private static Map<String, Object> readerStatement(int number, String user, Object principal) {
        return Map.of(
                "Sid", "DelegatedReadersDecryptOneUsersSecret" + number,
                "Effect", "Allow",
                "Principal", Map.of("AWS", principal),
                "Action", "kms:Decrypt",
                "Resource", "*",
                "Condition", Map.of(
                        "StringEquals", Map.of("kms:ViaService", join("secretsmanager.", REGION, ".amazonaws.com")),
                        "StringLike", Map.of("kms:EncryptionContext:SecretARN", join("arn:", PARTITION,
                                ":secretsmanager:", REGION, ":", ACCOUNT, ":secret:access-key-rotation/" + user
                                        + "-??????"))));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> keyStatements(Template template, RotatorStack stack) {
        Map<String, Object> key = (Map<String, Object>) ((Map<String, Object>) template.toJSON().get("Resources"))
                .get(Stacks.logicalId(stack, stack.userSecretsKey()));
        Map<String, Object> policy = (Map<String, Object>) ((Map<String, Object>) key.get("Properties"))
                .get("KeyPolicy");
        return (List<Map<String, Object>>) policy.get("Statement");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> functionEnvironment(Template template, RotatorStack stack) {
        Map<String, Object> function = (Map<String, Object>) ((Map<String, Object>) template.toJSON()
                .get("Resources")).get(Stacks.logicalId(stack, stack.rotationFunction()));
        Map<String, Object> properties = (Map<String, Object>) function.get("Properties");
        return (Map<String, Object>) ((Map<String, Object>) properties.get("Environment")).get("Variables");
    }
}
