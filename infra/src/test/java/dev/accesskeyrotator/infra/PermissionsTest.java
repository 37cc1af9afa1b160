package dev.accesskeyrotator.infra;

import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.accesskeyrotator.infra.Stacks.getAtt;
import static dev.accesskeyrotator.infra.Stacks.join;
import static dev.accesskeyrotator.infra.Stacks.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PermissionsTest {
    private static final Map<String, Object> PARTITION = ref("AWS::Partition");
    private static final Map<String, Object> REGION = ref("AWS::Region");
    private static final Map<String, Object> ACCOUNT = ref("AWS::AccountId");
    private static final Map<String, Object> ANY_USER = join("arn:", PARTITION, ":iam::", ACCOUNT, ":user/*");
    private static final Map<String, Object> USER_SECRETS =
            join("arn:", PARTITION, ":secretsmanager:", REGION, ":", ACCOUNT, ":secret:access-key-rotation/*");

    private final RotatorStack stack = Stacks.defaultStack();
    private final Template template = Stacks.defaultTemplate();

    /** Asserts that the function role's identity policy has a statement like {@code statement}. */
    private static void assertRotatorStatement(Template template, RotatorStack stack, Map<String, Object> statement) {
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "Roles", List.of(ref(Stacks.logicalId(stack, stack.functionRole()))),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectEquals(statement))))));
    }

    @Test
    void everyAccessKeyActionCarriesTheOptInTagCondition() {
        List<Map<String, Object>> keyStatements = Stacks.allStatements(template).stream()
                .filter(s -> Stacks.actionsOf(s).stream().anyMatch(RotatorStack.KEY_ACTIONS::contains))
                .toList();
        assertFalse(keyStatements.isEmpty());
        for (Map<String, Object> statement : keyStatements) {
            assertEquals(Map.of("StringEquals", Map.of("iam:ResourceTag/access-key-rotation", "enabled")),
                    statement.get("Condition"), "key actions without the opt-in condition: " + statement);
        }
        assertRotatorStatement(template, stack, Map.of(
                "Sid", "ManageKeysOfOptedInUsersOnly",
                "Effect", "Allow",
                "Action", RotatorStack.KEY_ACTIONS,
                "Resource", ANY_USER,
                "Condition", Map.of("StringEquals", Map.of("iam:ResourceTag/access-key-rotation", "enabled"))));
    }

    @Test
    void aKeyOnlyOptInTagRequiresTheTagWithAnyValue() {
        RotatorStack keyOnly = Stacks.create(RotatorStackProps.builder().optInTag("rotate-me"));
        Template keyOnlyTemplate = Template.fromStack(keyOnly);
        for (Map<String, Object> statement : Stacks.allStatements(keyOnlyTemplate)) {
            if (Stacks.actionsOf(statement).stream().anyMatch(RotatorStack.KEY_ACTIONS::contains)) {
                assertEquals(Map.of("Null", Map.of("iam:ResourceTag/rotate-me", "false")), statement.get("Condition"));
            }
        }
        assertRotatorStatement(keyOnlyTemplate, keyOnly, Map.of(
                "Sid", "ManageKeysOfOptedInUsersOnly",
                "Effect", "Allow",
                "Action", RotatorStack.KEY_ACTIONS,
                "Resource", ANY_USER,
                "Condition", Map.of("Null", Map.of("iam:ResourceTag/rotate-me", "false"))));
    }

    @Test
    void noAllowStatementAnywhereHasAWildcardAction() {
        int wildcardDenies = 0;
        for (Map<String, Object> statement : Stacks.allStatements(template)) {
            List<String> wildcards = Stacks.actionsOf(statement).stream().filter(a -> a.contains("*")).toList();
            if (wildcards.isEmpty()) {
                continue;
            }
            // Wildcards only take away: cdk's TLS guard on the queue and the function's Deny of other KMS keys.
            assertEquals("Deny", statement.get("Effect"), "wildcard action in " + statement);
            assertTrue(Map.of("Bool", Map.of("aws:SecureTransport", "false")).equals(statement.get("Condition"))
                    || "NeverEncryptWithAnotherKey".equals(statement.get("Sid")), "unexpected wildcard " + statement);
            wildcardDenies++;
        }
        assertEquals(2, wildcardDenies);
    }

    /**
     * A value the function can read was then encrypted with a key only the function may encrypt with: the proof a
     * secret is the rotator's, which a secret re-keyed after a value was written under another key cannot fake.
     */
    @Test
    void theFunctionCannotDecryptWithAnyKeyButTheStacksTwo() {
        assertRotatorStatement(template, stack, Map.of(
                "Sid", "NeverDecryptWithAnotherKey",
                "Effect", "Deny",
                "Action", "kms:Decrypt",
                "NotResource", List.of(
                        getAtt(Stacks.logicalId(stack, stack.userSecretsKey()), "Arn"),
                        getAtt(Stacks.logicalId(stack, stack.topicsKey()), "Arn"))));
    }

    @Test
    void theFunctionCannotEncryptWithAnyKeyButTheStacksTwo() {
        assertRotatorStatement(template, stack, Map.of(
                "Sid", "NeverEncryptWithAnotherKey",
                "Effect", "Deny",
                "Action", List.of("kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"),
                "NotResource", List.of(
                        getAtt(Stacks.logicalId(stack, stack.userSecretsKey()), "Arn"),
                        getAtt(Stacks.logicalId(stack, stack.topicsKey()), "Arn"))));
        // The wildcards reach every form of encryption a service could perform with the caller's permissions.
        List<String> denied = functionRoleStatements(template, stack).stream()
                .filter(s -> "Deny".equals(s.get("Effect"))).flatMap(s -> Stacks.actionsOf(s).stream()).toList();
        for (String action : List.of("kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
                "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext", "kms:ReEncryptFrom",
                "kms:ReEncryptTo")) {
            assertTrue(denied.stream().anyMatch(pattern -> action.matches(pattern.replace("*", ".*"))), action);
        }
    }

    @Test
    void theFunctionCannotGrantItselfOrOthersPrivileges() {
        Set<String> escalation = Set.of("iam:TagUser", "iam:UntagUser", "iam:PutUserPolicy", "iam:AttachUserPolicy",
                "iam:CreateUser", "iam:AddUserToGroup", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
                "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PassRole", "iam:CreatePolicyVersion",
                "kms:PutKeyPolicy", "kms:CreateGrant", "secretsmanager:DeleteSecret",
                "secretsmanager:DeleteResourcePolicy");
        for (Map<String, Object> statement : Stacks.allStatements(template)) {
            if ("Allow".equals(statement.get("Effect")) && !(statement.get("Principal") instanceof Map<?, ?>)) {
                for (String action : Stacks.actionsOf(statement)) {
                    assertFalse(escalation.contains(action), action + " granted in " + statement);
                }
            }
        }
    }

    @Test
    void discoveryIsReadOnly() {
        assertRotatorStatement(template, stack, Map.of(
                "Sid", "DiscoverUsersReadOnly",
                "Effect", "Allow",
                "Action", List.of("iam:GetAccountAuthorizationDetails", "iam:GenerateCredentialReport",
                        "iam:GetCredentialReport", "iam:GetUser"),
                "Resource", "*"));
        // Users and their tags come with the account authorization details; only an emergency rotation reads one
        // named user (GetUser), and that read-only call is part of discovery's statement.
        assertTrue(Stacks.allStatements(template).stream().noneMatch(s -> "ReadUsersAndTheirTags".equals(s.get("Sid"))));
    }

    @Test
    void userSecretsAreManagedOnlyUnderThePrefixWithTheStackKeyAndNoPublicPolicy() {
        assertRotatorStatement(template, stack, Map.of(
                "Sid", "CreateUserSecretsOnlyWithTheStackKey",
                "Effect", "Allow",
                "Action", "secretsmanager:CreateSecret",
                "Resource", USER_SECRETS,
                "Condition", Map.of(
                        "StringEquals", Map.of("secretsmanager:KmsKeyId",
                                getAtt(Stacks.logicalId(stack, stack.userSecretsKey()), "Arn")),
                        "Null", Map.of("secretsmanager:AddReplicaRegions", "true"))));
        assertRotatorStatement(template, stack, Map.of(
                "Sid", "ShareUserSecretsOnlyWithPublicPolicyBlocked",
                "Effect", "Allow",
                "Action", "secretsmanager:PutResourcePolicy",
                "Resource", USER_SECRETS,
                "Condition", Map.of("Bool", Map.of("secretsmanager:BlockPublicPolicy", "true"))));
        assertRotatorStatement(template, stack, Map.of(
                "Sid", "MaintainUserSecrets",
                "Effect", "Allow",
                "Action", List.of("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
                        "secretsmanager:PutSecretValue", "secretsmanager:TagResource"),
                "Resource", USER_SECRETS));
        assertRotatorStatement(template, stack, Map.of(
                "Sid", "ListSecrets",
                "Effect", "Allow",
                "Action", "secretsmanager:ListSecrets",
                "Resource", "*"));
    }

    @Test
    void keysAreUsedOnlyThroughSecretsManagerAndSns() {
        assertRotatorStatement(template, stack, Map.of(
                "Sid", "UseUserSecretsKeyThroughSecretsManager",
                "Effect", "Allow",
                "Action", List.of("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"),
                "Resource", getAtt(Stacks.logicalId(stack, stack.userSecretsKey()), "Arn"),
                "Condition", Map.of("StringEquals", Map.of("kms:ViaService",
                        join("secretsmanager.", REGION, ".amazonaws.com")))));
        assertRotatorStatement(template, stack, Map.of(
                "Sid", "EncryptNoticesThroughSns",
                "Effect", "Allow",
                "Action", List.of("kms:Decrypt", "kms:GenerateDataKey"),
                "Resource", getAtt(Stacks.logicalId(stack, stack.topicsKey()), "Arn"),
                "Condition", Map.of("StringEquals", Map.of("kms:ViaService",
                        join("sns.", REGION, ".amazonaws.com")))));
    }

    @Test
    void publishesOnlyToTheNoticeTopic() {
        assertRotatorStatement(template, stack, Map.of(
                "Sid", "PublishNotices",
                "Effect", "Allow",
                "Action", "sns:Publish",
                "Resource", ref(Stacks.logicalId(stack, stack.noticeTopic()))));
    }

    @Test
    void readsOnlyItsOwnParameters() {
        // The function reads its parameters in one GetParametersByPath call, never one by one.
        assertTrue(Stacks.allStatements(template).stream()
                .noneMatch(s -> "ReadConfigurationParameters".equals(s.get("Sid"))));
        assertRotatorStatement(template, stack, Map.of(
                "Sid", "ReadConfigurationPath",
                "Effect", "Allow",
                "Action", "ssm:GetParametersByPath",
                "Resource", join("arn:", PARTITION, ":ssm:", REGION, ":", ACCOUNT,
                        ":parameter/access-key-rotation")));
    }

    @Test
    void writesLogsOnlyToItsOwnLogGroup() {
        String logGroup = template.getResourceId("AWS::Logs::LogGroup",
                Map.of("Properties", Map.of("RetentionInDays", 365)));
        assertRotatorStatement(template, stack, Map.of(
                "Sid", "WriteOwnLogs",
                "Effect", "Allow",
                "Action", List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                "Resource", getAtt(logGroup, "Arn")));
    }

    @Test
    void grantsNothingBeyondTheListedCalls() {
        Set<String> expected = Set.of(
                "logs:CreateLogStream", "logs:PutLogEvents",
                "iam:GetAccountAuthorizationDetails", "iam:GenerateCredentialReport", "iam:GetCredentialReport",
                "iam:GetUser",
                "iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys",
                "iam:GetAccessKeyLastUsed",
                "secretsmanager:CreateSecret", "secretsmanager:PutResourcePolicy", "secretsmanager:DescribeSecret",
                "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:TagResource",
                "secretsmanager:ListSecrets",
                "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey",
                "sns:Publish",
                "ssm:GetParametersByPath",
                // Failed asynchronous runs go to the dead-letter queue; Lambda needs nothing else for that.
                "sqs:SendMessage");
        Set<String> granted = new java.util.TreeSet<>();
        functionRoleStatements(template, stack).stream().filter(s -> "Allow".equals(s.get("Effect")))
                .forEach(s -> granted.addAll(Stacks.actionsOf(s)));
        assertEquals(new java.util.TreeSet<>(expected), granted);
        assertTrue(granted.stream().noneMatch(a -> a.contains("*")));
    }

    @Test
    void theDeadLetterQueueDestinationGrantsOnlySendMessage() {
        assertRotatorStatement(template, stack, Map.of(
                "Effect", "Allow",
                "Action", "sqs:SendMessage",
                "Resource", getAtt(Stacks.logicalId(stack, stack.deadLetterQueue()), "Arn")));
    }

    /** The statements of the identity policy attached to the function role (there is exactly one). */
    static List<Map<String, Object>> functionRoleStatements(Template template, RotatorStack stack) {
        String role = Stacks.logicalId(stack, stack.functionRole());
        Map<String, Map<String, Object>> rolePolicies = template.findResources("AWS::IAM::Policy",
                Map.of("Properties", Map.of("Roles", List.of(ref(role)))));
        assertEquals(1, rolePolicies.size());
        return Stacks.allStatements(Template.fromJSON(Map.of("Resources", rolePolicies)));
    }
}
