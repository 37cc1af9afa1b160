package dev.accesskeyrotator.infra;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.util.List;
import java.util.Map;

import static dev.accesskeyrotator.infra.Stacks.join;
import static dev.accesskeyrotator.infra.Stacks.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every setting read from CDK context, the way {@code cdk deploy -c key=value} passes them (as strings). */
class ContextOverridesTest {
    private static RotatorStack stack;
    private static Template template;

    @BeforeAll
    static void synthesizeWithContext() {
        App app = Stacks.newApp(Map.of(
                "optInTag", "team=platform",
                "schedule", "cron(30 4 * * ? *)",
                "parameterPrefix", "/platform/rotation/",
                "secretNamePrefix", "platform/keys/",
                "alarmEmail", "ops@example.com",
                "contact", "#platform-help on Slack",
                "memorySize", "2048",
                "logRetentionDays", "90",
                "runIntervalHours", "24",
                "breakGlassPrincipalArn", "arn:aws:iam::111122223333:role/BreakGlass"));
        stack = RotatorApp.createStack(app, "FromContext", RotatorStackProps.fromContext(app.getNode()).build());
        template = Template.fromStack(stack);
    }

    @Test
    void optInTagChangesTheIamConditionAndTheParameterDefault() {
        for (Map<String, Object> statement : Stacks.allStatements(template)) {
            if (Stacks.actionsOf(statement).stream().anyMatch(RotatorStack.KEY_ACTIONS::contains)) {
                assertEquals(Map.of("StringEquals", Map.of("iam:ResourceTag/team", "platform")),
                        statement.get("Condition"));
            }
        }
        template.hasResourceProperties("Custom::RotationParameter", Map.of(
                "Create", Match.serializedJson(Match.objectLike(Map.of("parameters", Match.objectLike(Map.of(
                        "Name", "/platform/rotation/user-tag", "Value", "team=platform")))))));
    }

    @Test
    void scheduleChangesTheRule() {
        template.hasResourceProperties("AWS::Events::Rule", Map.of("ScheduleExpression", "cron(30 4 * * ? *)"));
    }

    @Test
    void prefixesReachTheFunctionItsPermissionsAndTheKeyPolicy() {
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", RotatorStack.HANDLER,
                "MemorySize", 2048,
                "Environment", Map.of("Variables", Match.objectLike(Map.of(
                        "PARAMETER_PREFIX", "/platform/rotation/",
                        "SECRET_NAME_PREFIX", "platform/keys/",
                        "ADMIN_CONTACT", "#platform-help on Slack",
                        "OPT_IN_TAG", "team=platform",
                        "BREAK_GLASS_PRINCIPAL_ARN", "arn:aws:iam::111122223333:role/BreakGlass")))));
        template.hasOutput("BreakGlassPrincipalArn", Map.of("Value", "arn:aws:iam::111122223333:role/BreakGlass"));
        Map<String, Object> partition = ref("AWS::Partition");
        Map<String, Object> region = ref("AWS::Region");
        Map<String, Object> account = ref("AWS::AccountId");
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of(
                                "Sid", "MaintainUserSecrets",
                                "Resource", join("arn:", partition, ":secretsmanager:", region, ":", account,
                                        ":secret:platform/keys/*"))),
                        Match.objectLike(Map.of(
                                "Sid", "ReadConfigurationPath",
                                "Resource", join("arn:", partition, ":ssm:", region, ":", account,
                                        ":parameter/platform/rotation"))))))));
        template.hasResourceProperties("AWS::KMS::Key", Map.of(
                "KeyPolicy", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Sid", "UsersDecryptOnlyTheirOwnSecretThroughSecretsManager",
                        "Condition", Match.objectLike(Map.of("StringLike", Map.of(
                                "kms:EncryptionContext:SecretARN", join("arn:", partition, ":secretsmanager:",
                                        region, ":", account, ":secret:platform/keys/${aws:username}-??????")))))))))));
    }

    @Test
    void logRetentionAndAlarmEmailComeFromContext() {
        template.hasResourceProperties("AWS::Logs::LogGroup", Map.of("RetentionInDays", 90));
        template.resourceCountIs("AWS::SNS::Subscription", 2);
    }

    @Test
    void numbersFromCdkJsonAreAcceptedToo() {
        App app = Stacks.newApp(Map.of("memorySize", 1536, "logRetentionDays", 30));
        RotatorStackProps props = RotatorStackProps.fromContext(app.getNode()).build();
        assertEquals(1536, props.memorySize());
        assertEquals(30, props.logRetentionDays());
    }

    @Test
    void aBreakGlassPrincipalWithAWildcardFailsTheSynth() {
        App app = Stacks.newApp(Map.of("breakGlassPrincipalArn", "arn:aws:iam::111122223333:role/*"));
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> RotatorStackProps.fromContext(app.getNode()).build());
        org.junit.jupiter.api.Assertions.assertTrue(error.getMessage().startsWith("breakGlassPrincipalArn '"));
    }

    @Test
    void invalidContextFailsTheSynthWithTheSettingsName() {
        App app = Stacks.newApp(Map.of("schedule", "every day"));
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> RotatorStackProps.fromContext(app.getNode()).build());
        org.junit.jupiter.api.Assertions.assertTrue(error.getMessage().startsWith("schedule 'every day'"));
    }
}
