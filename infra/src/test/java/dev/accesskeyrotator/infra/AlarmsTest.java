package dev.accesskeyrotator.infra;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.util.List;
import java.util.Map;

import static dev.accesskeyrotator.infra.Stacks.getAtt;
import static dev.accesskeyrotator.infra.Stacks.ref;

class AlarmsTest {
    private final RotatorStack stack = Stacks.defaultStack();
    private final Template template = Stacks.defaultTemplate();

    private Map<String, Object> toAlarmTopic() {
        return Map.of("AlarmActions", List.of(ref(Stacks.logicalId(stack, stack.alarmTopic()))));
    }

    @Test
    void everyAlarmNotifiesTheAlarmTopic() {
        template.resourceCountIs("AWS::CloudWatch::Alarm", 6);
        template.allResourcesProperties("AWS::CloudWatch::Alarm", toAlarmTopic());
    }

    @Test
    void alarmsOnFunctionErrors() {
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "Namespace", "AWS/Lambda",
                "MetricName", "Errors",
                "Dimensions", List.of(Map.of(
                        "Name", "FunctionName", "Value", ref(Stacks.logicalId(stack, stack.rotationFunction())))),
                "Statistic", "Sum",
                "ComparisonOperator", "GreaterThanOrEqualToThreshold",
                "Threshold", 1,
                "TreatMissingData", "notBreaching"));
    }

    @Test
    void alarmsOnFailedUsersAndFailedRunsFromTheFunctionsOwnMetrics() {
        for (String metric : List.of("Failed", "RunFailed")) {
            template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                    "Namespace", "AccessKeyRotator",
                    "MetricName", metric,
                    // The function emits its metrics without dimensions.
                    "Dimensions", Match.absent(),
                    "Statistic", "Sum",
                    "Period", 300,
                    "ComparisonOperator", "GreaterThanOrEqualToThreshold",
                    "Threshold", 1,
                    "EvaluationPeriods", 1,
                    "TreatMissingData", "notBreaching"));
        }
    }

    @Test
    void alarmsOnMessagesInTheDeadLetterQueue() {
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "Namespace", "AWS/SQS",
                "MetricName", "ApproximateNumberOfMessagesVisible",
                "Dimensions", List.of(Map.of(
                        "Name", "QueueName",
                        "Value", getAtt(Stacks.logicalId(stack, stack.deadLetterQueue()), "QueueName"))),
                "Statistic", "Maximum",
                "ComparisonOperator", "GreaterThanOrEqualToThreshold",
                "Threshold", 1));
    }

    @Test
    void aDryRunPagesTheAdministratorsAndStaysInAlarmUntilTheNextRun() {
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "Namespace", "AccessKeyRotator",
                "MetricName", "DryRun",
                "Dimensions", Match.absent(),
                "Statistic", "Sum",
                "Period", 86400,
                "EvaluationPeriods", 1,
                "ComparisonOperator", "GreaterThanOrEqualToThreshold",
                "Threshold", 1,
                "TreatMissingData", "notBreaching",
                "AlarmDescription", Match.stringLikeRegexp(".*dry-run=true.*rotated nothing.*")));
    }

    @ParameterizedTest
    @CsvSource({
            "rate(6 hours), 21600",
            "rate(5 minutes), 300",
            "rate(3 days), 86400",
    })
    void theDryRunAlarmPeriodIsOneSchedulePeriodAtMostADay(String schedule, int period) {
        Stacks.template(RotatorStackProps.builder().schedule(schedule))
                .hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                        "MetricName", "DryRun",
                        "Period", period,
                        "EvaluationPeriods", 1));
    }

    @Test
    void dryRunsDoNotCountAsSuccessfulRuns() {
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "MetricName", "RunSucceeded",
                "AlarmDescription", Match.stringLikeRegexp(".*Dry runs do not count.*")));
    }

    @Test
    void alarmsWhenNoRunSucceedsWithinTwoDailyPeriods() {
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "Namespace", "AccessKeyRotator",
                "MetricName", "RunSucceeded",
                "Dimensions", Match.absent(),
                "Statistic", "Sum",
                "Period", 86400,
                "EvaluationPeriods", 2,
                "DatapointsToAlarm", 2,
                "ComparisonOperator", "LessThanThreshold",
                "Threshold", 1,
                "TreatMissingData", "breaching"));
    }

    /**
     * The window is two schedule periods, never shorter than two function timeouts, and within CloudWatch's limits
     * (periods over a day are evaluated as days, seven at most).
     */
    @ParameterizedTest
    @CsvSource({
            "rate(6 hours), 21600, 2",
            "rate(5 minutes), 900, 2",
            "rate(3 days), 86400, 6",
            "rate(7 days), 86400, 7",
    })
    void noSuccessfulRunWindowFollowsTheSchedule(String schedule, int period, int evaluationPeriods) {
        Stacks.template(RotatorStackProps.builder().schedule(schedule))
                .hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                        "MetricName", "RunSucceeded",
                        "Period", period,
                        "EvaluationPeriods", evaluationPeriods,
                        "DatapointsToAlarm", evaluationPeriods));
    }

    @Test
    void cronSchedulesUseTheGivenRunInterval() {
        Stacks.template(RotatorStackProps.builder().schedule("cron(0 6 ? * MON *)").runIntervalHours(168))
                .hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                        "MetricName", "RunSucceeded",
                        "Period", 86400,
                        "EvaluationPeriods", 7));
    }
}
