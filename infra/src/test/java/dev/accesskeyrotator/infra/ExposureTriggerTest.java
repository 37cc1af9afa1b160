package dev.accesskeyrotator.infra;

import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.util.List;
import java.util.Map;

import static dev.accesskeyrotator.infra.Stacks.getAtt;
import static dev.accesskeyrotator.infra.Stacks.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Rev 3: AWS Health's exposure event reaches the function as the schedule's does, with its DLQ and alarms. */
class ExposureTriggerTest {
    private final RotatorStack stack = Stacks.defaultStack();
    private final Template template = Stacks.defaultTemplate();

    @Test
    void matchesOnlyTheExposedKeyEventAsAwsDocumentsIt() {
        template.hasResource("AWS::Events::Rule", Map.of("Properties", Map.of(
                "State", "ENABLED",
                "EventPattern", Map.of(
                        "source", List.of("aws.health"),
                        "detail-type", List.of("AWS Health Event"),
                        "detail", Map.of("service", List.of("RISK"),
                                "eventTypeCode", List.of("AWS_RISK_CREDENTIALS_EXPOSED"))))));
        assertEquals(Stacks.logicalId(stack, stack.exposureRule()), template.getResourceId("AWS::Events::Rule",
                Map.of("Properties", Map.of("EventPattern", Match.objectLike(Map.of("source",
                        List.of("aws.health")))))));
    }

    @Test
    void deliversToTheLiveAliasWithRetriesAndTheSameDeadLetterQueueAsTheSchedule() {
        String rule = Stacks.logicalId(stack, stack.exposureRule());
        Map<String, Object> deadLetter = Map.of("Arn", getAtt(Stacks.logicalId(stack, stack.deadLetterQueue()),
                "Arn"));
        template.hasResource("AWS::Events::Rule", Map.of("Properties", Match.objectLike(Map.of(
                "EventPattern", Match.objectLike(Map.of("source", List.of("aws.health"))),
                "Targets", List.of(Match.objectLike(Map.of(
                        "Arn", ref(Stacks.logicalId(stack, stack.liveAlias())),
                        "RetryPolicy", Map.of("MaximumRetryAttempts", 8, "MaximumEventAgeInSeconds", 86400),
                        "DeadLetterConfig", deadLetter)))))));
        // The schedule's rule uses the very same queue, so the dead-letter alarm covers both.
        template.hasResourceProperties("AWS::Events::Rule", Map.of("ScheduleExpression", "rate(1 day)",
                "Targets", List.of(Match.objectLike(Map.of("DeadLetterConfig", deadLetter)))));
        template.hasResourceProperties("AWS::Lambda::Permission", Map.of(
                "Action", "lambda:InvokeFunction",
                "FunctionName", ref(Stacks.logicalId(stack, stack.liveAlias())),
                "Principal", "events.amazonaws.com",
                "SourceArn", getAtt(rule, "Arn")));
    }

    @Test
    void aFailedEmergencyInvocationEndsInTheAlarmedDeadLetterQueue() {
        // The alias's asynchronous invocations (both rules') retry once, then go to the dead-letter queue.
        template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", Map.of(
                "Qualifier", Match.anyValue(),
                "MaximumRetryAttempts", 1,
                "DestinationConfig", Map.of("OnFailure", Map.of("Destination",
                        getAtt(Stacks.logicalId(stack, stack.deadLetterQueue()), "Arn")))));
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "MetricName", "ApproximateNumberOfMessagesVisible",
                "Dimensions", List.of(Map.of("Name", "QueueName", "Value",
                        getAtt(Stacks.logicalId(stack, stack.deadLetterQueue()), "QueueName")))));
        assertFalse(template.findResources("AWS::CloudWatch::Alarm", Map.of("Properties",
                Map.of("MetricName", "Errors"))).isEmpty(), "the function's errors alarm");
    }
}
