package dev.accesskeyrotator.infra;

import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.util.List;
import java.util.Map;

import static dev.accesskeyrotator.infra.Stacks.getAtt;
import static dev.accesskeyrotator.infra.Stacks.join;
import static dev.accesskeyrotator.infra.Stacks.ref;

class FunctionTest {
    private final RotatorStack stack = Stacks.defaultStack();
    private final Template template = Stacks.defaultTemplate();

    @Test
    void runsTheRotationHandlerOnJava25OnArm64() {
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", "dev.accesskeyrotator.lambda.RotationHandler::handleRequest",
                "Runtime", "java25",
                "Architectures", List.of("arm64")));
    }

    @Test
    void usesSnapStartOnPublishedVersions() {
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", RotatorStack.HANDLER,
                "SnapStart", Map.of("ApplyOn", "PublishedVersions")));
    }

    @Test
    void hasTheDocumentedMemoryTimeoutAndASingleConcurrentRun() {
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", RotatorStack.HANDLER,
                "MemorySize", 1024,
                "Timeout", 900,
                "ReservedConcurrentExecutions", 1));
    }

    @Test
    void passesTheSettingsTheFunctionReadsAsEnvironment() {
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", RotatorStack.HANDLER,
                "Environment", Map.of("Variables", Map.ofEntries(
                        Map.entry("PARAMETER_PREFIX", "/access-key-rotation/"),
                        Map.entry("SECRET_NAME_PREFIX", "access-key-rotation/"),
                        Map.entry("NOTICE_TOPIC_ARN", ref(Stacks.logicalId(stack, stack.noticeTopic()))),
                        Map.entry("SECRET_KMS_KEY_ID", getAtt(Stacks.logicalId(stack, stack.userSecretsKey()), "Arn")),
                        Map.entry("ADMIN_CONTACT", "your platform team"),
                        Map.entry("MAX_CONCURRENCY", "4"),
                        Map.entry("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1"),
                        Map.entry("OPT_IN_TAG", "access-key-rotation=enabled"),
                        Map.entry("FUNCTION_ROLE_ARN", getAtt(Stacks.logicalId(stack, stack.functionRole()), "Arn")),
                        // By default the account root is the break-glass principal.
                        Map.entry("BREAK_GLASS_PRINCIPAL_ARN", join("arn:", ref("AWS::Partition"), ":iam::",
                                ref("AWS::AccountId"), ":root"))))));
        template.hasOutput("BreakGlassPrincipalArn", Map.of("Value",
                join("arn:", ref("AWS::Partition"), ":iam::", ref("AWS::AccountId"), ":root")));
    }

    @Test
    void passesAKeyOnlyOptInTagAndAGivenBreakGlassPrincipal() {
        String admin = "arn:aws:iam::111122223333:role/admin/BreakGlass";
        Template custom = Stacks.template(RotatorStackProps.builder().optInTag("rotate-me")
                .breakGlassPrincipalArn(admin));
        custom.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", RotatorStack.HANDLER,
                "Environment", Map.of("Variables", Match.objectLike(Map.of(
                        "OPT_IN_TAG", "rotate-me",
                        "BREAK_GLASS_PRINCIPAL_ARN", admin)))));
        custom.hasOutput("BreakGlassPrincipalArn", Map.of("Value", admin));
    }

    @Test
    void logsJsonToItsOwnLogGroupWithOneYearRetentionKeptOnDestroy() {
        String logGroup = template.getResourceId("AWS::Logs::LogGroup", Map.of(
                "Properties", Map.of("RetentionInDays", 365),
                "DeletionPolicy", "Retain"));
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", RotatorStack.HANDLER,
                "LoggingConfig", Map.of(
                        "LogFormat", "JSON",
                        "ApplicationLogLevel", "INFO",
                        "SystemLogLevel", "INFO",
                        "LogGroup", ref(logGroup))));
    }

    @Test
    void liveAliasPointsAtAPublishedVersionOfTheFunction() {
        String function = Stacks.logicalId(stack, stack.rotationFunction());
        String version = template.getResourceId("AWS::Lambda::Version",
                Map.of("Properties", Map.of("FunctionName", ref(function))));
        template.hasResourceProperties("AWS::Lambda::Alias", Map.of(
                "Name", "live",
                "FunctionName", ref(function),
                "FunctionVersion", getAtt(version, "Version")));
    }

    @Test
    void failedAsynchronousRunsAreRetriedOnceThenSentToTheDeadLetterQueue() {
        template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", Map.of(
                "FunctionName", ref(Stacks.logicalId(stack, stack.rotationFunction())),
                "MaximumRetryAttempts", 1,
                "MaximumEventAgeInSeconds", 6 * 3600,
                "DestinationConfig", Map.of("OnFailure", Map.of(
                        "Destination", getAtt(Stacks.logicalId(stack, stack.deadLetterQueue()), "Arn")))));
    }

    @Test
    void roleHasNoManagedPolicies() {
        template.hasResourceProperties("AWS::IAM::Role", Map.of(
                "AssumeRolePolicyDocument", Match.objectLike(Map.of("Statement", List.of(Match.objectLike(Map.of(
                        "Principal", Map.of("Service", "lambda.amazonaws.com")))))),
                "ManagedPolicyArns", Match.absent()));
        template.allResourcesProperties("AWS::IAM::Role", Map.of("ManagedPolicyArns", Match.absent()));
    }

    @Test
    void contactDefaultsToTheAlarmEmail() {
        Template withEmail = Stacks.template(RotatorStackProps.builder().alarmEmail("security@example.com"));
        withEmail.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", RotatorStack.HANDLER,
                "Environment", Map.of("Variables", Map.of("ADMIN_CONTACT", "security@example.com"))));
    }
}
