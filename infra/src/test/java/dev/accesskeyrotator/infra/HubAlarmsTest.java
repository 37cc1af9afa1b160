package dev.accesskeyrotator.infra;

import org.junit.jupiter.api.Test;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.constructs.IConstruct;

import java.util.List;
import java.util.Map;

import static dev.accesskeyrotator.infra.Stacks.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Organization mode is not silent: the hub's alarms, the alarm e-mail subscription and the notice key's policy. */
class HubAlarmsTest {
    // One synthesis for the class (and OrganizationStacksTest), not one per test.
    private final OrganizationHubStack hub = OrganizationStacksTest.defaultHub();
    private final Template template = OrganizationStacksTest.defaultHubTemplate();

    private String id(IConstruct construct) {
        return hub.getLogicalId((CfnElement) construct.getNode().getDefaultChild());
    }

    @Test
    void everyHubAlarmNotifiesTheAlarmTopic() {
        template.resourceCountIs("AWS::CloudWatch::Alarm", 5);
        template.allResourcesProperties("AWS::CloudWatch::Alarm",
                Map.of("AlarmActions", List.of(ref(id(hub.alarmTopic())))));
    }

    @Test
    void alarmsOnFailedAndTimedOutExecutionsOfTheStateMachine() {
        for (String metric : List.of("ExecutionsFailed", "ExecutionsTimedOut")) {
            template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                    "Namespace", "AWS/States",
                    "MetricName", metric,
                    "Dimensions", List.of(Map.of("Name", "StateMachineArn", "Value", ref(id(hub.stateMachine())))),
                    "Statistic", "Sum",
                    "ComparisonOperator", "GreaterThanOrEqualToThreshold",
                    "Threshold", 1,
                    "TreatMissingData", "notBreaching"));
        }
    }

    @Test
    void alarmsOnFailedAccountsAndOnAnyAccountLeftInDryRunFromTheAggregatorsMetrics() {
        for (String metric : List.of("AccountsFailed", "AccountsInDryRun")) {
            template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                    "Namespace", "AccessKeyRotator",
                    "MetricName", metric,
                    // The organization's line has no dimension; the per-account lines name the account.
                    "Dimensions", Match.absent(),
                    "Statistic", "Sum",
                    "ComparisonOperator", "GreaterThanOrEqualToThreshold",
                    "Threshold", 1,
                    "EvaluationPeriods", 1,
                    "TreatMissingData", "notBreaching"));
        }
    }

    @Test
    void alarmsWhenNoRunSucceedsForTwoDays() {
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "Namespace", "AWS/States",
                "MetricName", "ExecutionsSucceeded",
                "Period", 86_400,
                "EvaluationPeriods", 2,
                "DatapointsToAlarm", 2,
                "ComparisonOperator", "LessThanThreshold",
                "Threshold", 1,
                "TreatMissingData", "breaching"));
    }

    @Test
    void theAlarmEmailSubscribesToAlarmsAndToTheAdministratorsNoticesInOrganizationModeAsInSingleAccountMode() {
        template.resourceCountIs("AWS::SNS::Subscription", 0);
        OrganizationHubStack withEmail = OrganizationStacksTest.hub(Map.of("alarmEmail", "ops@example.com"));
        Template subscribed = Template.fromStack(withEmail);
        String alarmTopic = withEmail.getLogicalId((CfnElement) withEmail.alarmTopic().getNode().getDefaultChild());
        String noticeTopic = withEmail.getLogicalId((CfnElement) withEmail.noticeTopic().getNode()
                .getDefaultChild());
        subscribed.resourceCountIs("AWS::SNS::Subscription", 2);
        subscribed.hasResourceProperties("AWS::SNS::Subscription", Map.of("Protocol", "email",
                "Endpoint", "ops@example.com", "TopicArn", ref(alarmTopic), "FilterPolicy", Match.absent()));
        // The administrators get the same notices as in single-account mode (whose filter policy
        // DocsMatchTheStackTest holds to docs/deploy.md): a member account's blocked user or exposed key included.
        Object singleAccountPolicy = Template.fromStack(Stacks.create(RotatorStackProps.builder()
                .alarmEmail("ops@example.com"))).findResources("AWS::SNS::Subscription").values().stream()
                .map(resource -> ((Map<?, ?>) resource.get("Properties")).get("FilterPolicy"))
                .filter(java.util.Objects::nonNull).findFirst().orElseThrow();
        subscribed.hasResourceProperties("AWS::SNS::Subscription", Map.of("Protocol", "email",
                "Endpoint", "ops@example.com", "TopicArn", ref(noticeTopic),
                "FilterPolicy", singleAccountPolicy));
        assertTrue(singleAccountPolicy.toString().contains("blocked"), singleAccountPolicy.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void onlyTheHubsPublishersMayHaveSnsEncryptWithTheNoticeKey() {
        Map<String, Object> key = template.findResources("AWS::KMS::Key").values().iterator().next();
        List<Map<String, Object>> statements = (List<Map<String, Object>>) ((Map<String, Object>)
                ((Map<String, Object>) key.get("Properties")).get("KeyPolicy")).get("Statement");
        Map<String, Object> publishers = statements.stream()
                .filter(s -> "RotatorPublishesNoticesThroughSns".equals(s.get("Sid"))).findFirst().orElseThrow();
        assertEquals(Map.of("AWS", List.of(Stacks.getAtt(id(hub.workerRole()), "Arn"),
                Stacks.getAtt(id(hub.aggregatorRole()), "Arn"))), publishers.get("Principal"));
        // The account root administers the key but cannot use it: no hub principal gets GenerateDataKey from IAM.
        for (Map<String, Object> statement : statements) {
            if (statement.get("Principal") instanceof Map<?, ?> principal && principal.toString().contains(":root")) {
                assertFalse(Stacks.actionsOf(statement).contains("kms:GenerateDataKey"), statement.toString());
            }
        }
    }
}
