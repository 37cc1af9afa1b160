package dev.accesskeyrotator.infra;

import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.sns.Topic;

import java.util.List;
import java.util.Map;

import static dev.accesskeyrotator.infra.Stacks.getAtt;
import static dev.accesskeyrotator.infra.Stacks.join;
import static dev.accesskeyrotator.infra.Stacks.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EncryptionTest {
    private static final Map<String, Object> PARTITION = ref("AWS::Partition");
    private static final Map<String, Object> REGION = ref("AWS::Region");
    private static final Map<String, Object> ACCOUNT = ref("AWS::AccountId");
    private static final Map<String, Object> SECRETS_MANAGER = join("secretsmanager.", REGION, ".amazonaws.com");

    private final RotatorStack stack = Stacks.defaultStack();
    private final Template template = Stacks.defaultTemplate();

    /** Asserts that the key {@code keyLogicalId}, and no other, has exactly this statement in its key policy. */
    private void assertKeyStatement(String keyLogicalId, Map<String, Object> statement) {
        Map<String, Map<String, Object>> keys = template.findResources("AWS::KMS::Key", Map.of(
                "Properties", Map.of("KeyPolicy", Map.of("Statement", Match.arrayWith(List.of(
                        Match.objectEquals(statement)))))));
        assertEquals(List.of(keyLogicalId), List.copyOf(keys.keySet()), "keys with " + statement.get("Sid"));
    }

    @Test
    void bothKeysRotate() {
        template.resourceCountIs("AWS::KMS::Key", 2);
        template.allResourcesProperties("AWS::KMS::Key", Map.of("EnableKeyRotation", true));
    }

    @Test
    void userSecretsKeyIsKeptWhenTheStackIsDestroyed() {
        template.hasResource("AWS::KMS::Key", Map.of(
                "Properties", Map.of("Description", "Access Key Rotator: encrypts each user's access key secret"),
                "DeletionPolicy", "Retain",
                "UpdateReplacePolicy", "Retain"));
    }

    @Test
    void usersDecryptOnlyTheirOwnSecretAndOnlyThroughSecretsManager() {
        assertKeyStatement(Stacks.logicalId(stack, stack.userSecretsKey()), Map.of(
                "Sid", "UsersDecryptOnlyTheirOwnSecretThroughSecretsManager",
                "Effect", "Allow",
                "Principal", Map.of("AWS", "*"),
                "Action", "kms:Decrypt",
                "Resource", "*",
                "Condition", Map.of(
                        "StringEquals", Map.of(
                                "kms:ViaService", SECRETS_MANAGER,
                                "aws:PrincipalAccount", ACCOUNT,
                                "aws:PrincipalType", "User"),
                        "StringLike", Map.of("kms:EncryptionContext:SecretARN", join("arn:", PARTITION,
                                ":secretsmanager:", REGION, ":", ACCOUNT,
                                ":secret:access-key-rotation/${aws:username}-??????")))));
    }

    @Test
    void theRotatorUsesTheSecretsKeyOnlyForSecretsUnderThePrefix() {
        assertKeyStatement(Stacks.logicalId(stack, stack.userSecretsKey()), Map.of(
                "Sid", "RotatorEncryptsUserSecretsThroughSecretsManager",
                "Effect", "Allow",
                "Principal", Map.of("AWS", getAtt(Stacks.logicalId(stack, stack.functionRole()), "Arn")),
                "Action", List.of("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"),
                "Resource", "*",
                "Condition", Map.of(
                        "StringEquals", Map.of("kms:ViaService", SECRETS_MANAGER),
                        "StringLike", Map.of("kms:EncryptionContext:SecretARN", join("arn:", PARTITION,
                                ":secretsmanager:", REGION, ":", ACCOUNT, ":secret:access-key-rotation/*")))));
    }

    @Test
    void theAccountAdministersTheKeysButCannotUseThem() {
        Map<String, Object> administration = Map.of(
                "Sid", "AccountAdministersKeyWithoutUsingIt",
                "Effect", "Allow",
                "Principal", Map.of("AWS", join("arn:", PARTITION, ":iam::", ACCOUNT, ":root")),
                "Action", KeyPolicies.KEY_ADMINISTRATION_ACTIONS,
                "Resource", "*");
        template.allResourcesProperties("AWS::KMS::Key", Map.of(
                "KeyPolicy", Map.of("Statement", Match.arrayWith(List.of(Match.objectEquals(administration))))));
        // Cryptographic use is granted to named principals only, never to the account as a whole.
        for (Map<String, Object> statement : Stacks.allStatements(template)) {
            if (administration.get("Principal").equals(statement.get("Principal"))) {
                assertTrue(Stacks.actionsOf(statement).stream().noneMatch(a -> List.of(
                        "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:CreateGrant")
                        .contains(a)), "account-wide use of a key: " + statement);
            }
        }
    }

    @Test
    void theSecretKeyPolicyFollowsTheSecretNamePrefix() {
        Template custom = Stacks.template(RotatorStackProps.builder().secretNamePrefix("iam-keys/"));
        custom.hasResourceProperties("AWS::KMS::Key", Map.of(
                "KeyPolicy", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Sid", "UsersDecryptOnlyTheirOwnSecretThroughSecretsManager",
                        "Condition", Match.objectLike(Map.of("StringLike", Map.of(
                                "kms:EncryptionContext:SecretARN", join("arn:", PARTITION, ":secretsmanager:",
                                        REGION, ":", ACCOUNT, ":secret:iam-keys/${aws:username}-??????")))))))))));
    }

    @Test
    void topicsAreEncryptedWithTheTopicsKeyAndRequireTls() {
        String topicsKey = Stacks.logicalId(stack, stack.topicsKey());
        template.resourceCountIs("AWS::SNS::Topic", 2);
        template.allResourcesProperties("AWS::SNS::Topic", Map.of("KmsMasterKeyId", getAtt(topicsKey, "Arn")));
        for (Topic topic : List.of(stack.noticeTopic(), stack.alarmTopic())) {
            template.hasResourceProperties("AWS::SNS::TopicPolicy", Map.of(
                    "Topics", List.of(ref(Stacks.logicalId(stack, topic))),
                    "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                            "Effect", "Deny",
                            "Action", "sns:Publish",
                            "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))));
        }
    }

    @Test
    void onlyTheRotatorCloudWatchAndEventBridgeMayPublishToTheEncryptedTopics() {
        String topicsKey = Stacks.logicalId(stack, stack.topicsKey());
        assertKeyStatement(topicsKey, Map.of(
                "Sid", "RotatorPublishesNoticesThroughSns",
                "Effect", "Allow",
                "Principal", Map.of("AWS", getAtt(Stacks.logicalId(stack, stack.functionRole()), "Arn")),
                "Action", List.of("kms:Decrypt", "kms:GenerateDataKey"),
                "Resource", "*",
                "Condition", Map.of("StringEquals", Map.of("kms:ViaService",
                        join("sns.", REGION, ".amazonaws.com")))));
        assertKeyStatement(topicsKey, Map.of(
                "Sid", "CloudWatchPublishesAlarms",
                "Effect", "Allow",
                "Principal", Map.of("Service", "cloudwatch.amazonaws.com"),
                "Action", List.of("kms:Decrypt", "kms:GenerateDataKey"),
                "Resource", "*",
                // Only for this account's alarms in this region.
                "Condition", Map.of(
                        "StringEquals", Map.of("aws:SourceAccount", ACCOUNT),
                        "ArnLike", Map.of("aws:SourceArn",
                                join("arn:", PARTITION, ":cloudwatch:", REGION, ":", ACCOUNT, ":alarm:*")))));
        // Without conditions: SNS does not support aws:SourceArn/aws:SourceAccount in a key policy for
        // EventBridge deliveries; the alarm topic's policy names the rule instead (ParametersTest).
        assertKeyStatement(topicsKey, Map.of(
                "Sid", "EventBridgePublishesParameterChanges",
                "Effect", "Allow",
                "Principal", Map.of("Service", "events.amazonaws.com"),
                "Action", List.of("kms:Decrypt", "kms:GenerateDataKey"),
                "Resource", "*"));
        template.hasResourceProperties("AWS::KMS::Key", Map.of(
                "KeyPolicy", Map.of("Statement", Match.exact(List.of(
                        Match.objectLike(Map.of("Sid", "AccountAdministersKeyWithoutUsingIt")),
                        Match.objectLike(Map.of("Sid", "RotatorPublishesNoticesThroughSns")),
                        Match.objectLike(Map.of("Sid", "CloudWatchPublishesAlarms")),
                        Match.objectLike(Map.of("Sid", "EventBridgePublishesParameterChanges")))))));
    }

    @Test
    void adminEmailGetsAlarmsAndOnlyRunSummariesAttentionAndBlockedNotices() {
        RotatorStack withEmail = Stacks.create(RotatorStackProps.builder().alarmEmail("ops@example.com"));
        Template emailTemplate = Template.fromStack(withEmail);
        emailTemplate.resourceCountIs("AWS::SNS::Subscription", 2);
        emailTemplate.hasResourceProperties("AWS::SNS::Subscription", Map.of(
                "Protocol", "email",
                "Endpoint", "ops@example.com",
                "TopicArn", ref(Stacks.logicalId(withEmail, withEmail.noticeTopic())),
                "FilterPolicy", Map.of("event_type", List.of("run-summary", "attention", "blocked", "key-exposed"))));
        emailTemplate.hasResourceProperties("AWS::SNS::Subscription", Map.of(
                "Protocol", "email",
                "Endpoint", "ops@example.com",
                "TopicArn", ref(Stacks.logicalId(withEmail, withEmail.alarmTopic())),
                "FilterPolicy", Match.absent()));
    }

    @Test
    void noSubscriptionWithoutAnAlarmEmail() {
        template.resourceCountIs("AWS::SNS::Subscription", 0);
    }
}
