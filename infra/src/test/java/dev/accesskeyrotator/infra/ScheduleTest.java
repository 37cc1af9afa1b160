package dev.accesskeyrotator.infra;

import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.util.List;
import java.util.Map;

import static dev.accesskeyrotator.infra.Stacks.getAtt;
import static dev.accesskeyrotator.infra.Stacks.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ScheduleTest {
    private final RotatorStack stack = Stacks.defaultStack();
    private final Template template = Stacks.defaultTemplate();

    @Test
    void runsDailyByDefault() {
        // The schedule, the parameter-change notice (ParametersTest) and the exposure event (ExposureTriggerTest).
        template.resourceCountIs("AWS::Events::Rule", 3);
        assertEquals(1, template.findResources("AWS::Events::Rule",
                Map.of("Properties", Map.of("ScheduleExpression", Match.anyValue()))).size());
        template.hasResourceProperties("AWS::Events::Rule", Map.of(
                "ScheduleExpression", "rate(1 day)",
                "State", "ENABLED"));
    }

    @Test
    void invokesTheLiveAliasWithRetriesAndADeadLetterQueue() {
        template.hasResourceProperties("AWS::Events::Rule", Map.of(
                "Targets", List.of(Match.objectLike(Map.of(
                        "Arn", ref(Stacks.logicalId(stack, stack.liveAlias())),
                        "RetryPolicy", Map.of("MaximumRetryAttempts", 8, "MaximumEventAgeInSeconds", 86400),
                        "DeadLetterConfig", Map.of(
                                "Arn", getAtt(Stacks.logicalId(stack, stack.deadLetterQueue()), "Arn")))))));
    }

    @Test
    void onlyTheRuleMayInvokeTheAlias() {
        // This rule's permission, and the exposure rule's (ExposureTriggerTest).
        template.resourceCountIs("AWS::Lambda::Permission", 2);
        template.hasResourceProperties("AWS::Lambda::Permission", Map.of(
                "Action", "lambda:InvokeFunction",
                "FunctionName", ref(Stacks.logicalId(stack, stack.liveAlias())),
                "Principal", "events.amazonaws.com",
                "SourceArn", getAtt(template.getResourceId("AWS::Events::Rule",
                        Map.of("Properties", Map.of("ScheduleExpression", "rate(1 day)"))), "Arn")));
    }

    @Test
    void deadLetterQueueIsEncryptedAndRequiresTls() {
        template.hasResourceProperties("AWS::SQS::Queue", Map.of(
                "SqsManagedSseEnabled", true,
                "MessageRetentionPeriod", 14 * 24 * 3600));
        template.hasResourceProperties("AWS::SQS::QueuePolicy", Map.of(
                "Queues", List.of(ref(Stacks.logicalId(stack, stack.deadLetterQueue()))),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Effect", "Deny",
                        "Principal", Map.of("AWS", "*"),
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))));
    }

    @Test
    void aLateRunIsNeverDeliveredAfterTheNextOneIsDue() {
        Template hourly = Stacks.template(RotatorStackProps.builder().schedule("rate(2 hours)"));
        hourly.hasResourceProperties("AWS::Events::Rule", Map.of(
                "ScheduleExpression", "rate(2 hours)",
                "Targets", List.of(Match.objectLike(Map.of(
                        "RetryPolicy", Map.of("MaximumRetryAttempts", 8, "MaximumEventAgeInSeconds", 7200))))));
        hourly.hasResourceProperties("AWS::Lambda::EventInvokeConfig", Map.of("MaximumEventAgeInSeconds", 7200));
    }

    @Test
    void acceptsCronExpressions() {
        Stacks.template(RotatorStackProps.builder().schedule("cron(0 6 ? * MON-FRI *)"))
                .hasResourceProperties("AWS::Events::Rule", Map.of("ScheduleExpression", "cron(0 6 ? * MON-FRI *)"));
    }
}
