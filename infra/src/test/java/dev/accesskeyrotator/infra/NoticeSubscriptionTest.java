package dev.accesskeyrotator.infra;

import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.util.List;
import java.util.Map;

import static dev.accesskeyrotator.infra.Stacks.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Who may subscribe to the notice topic: nobody outside the account, inside it whoever holds the managed policy. */
class NoticeSubscriptionTest {
    private final RotatorStack stack = Stacks.defaultStack();
    private final Template template = Stacks.defaultTemplate();

    @Test
    void principalsOfOtherAccountsCannotSubscribeToNotices() {
        String noticeTopic = Stacks.logicalId(stack, stack.noticeTopic());
        template.hasResourceProperties("AWS::SNS::TopicPolicy", Map.of(
                "Topics", List.of(ref(noticeTopic)),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectEquals(Map.of(
                        "Sid", "NoSubscriptionsFromOtherAccounts",
                        "Effect", "Deny",
                        "Principal", Map.of("AWS", "*"),
                        // Subscribe only, so no delivery or service publish is touched by the Deny.
                        "Action", "sns:Subscribe",
                        "Resource", ref(noticeTopic),
                        "Condition", Map.of("StringNotEquals", Map.of("aws:PrincipalAccount", ref("AWS::AccountId"))))))))));
    }

    @Test
    void theTopicPoliciesAllowNobodyToSubscribe() {
        // Subscribing takes an identity policy in this account, such as the managed policy below.
        for (Map<String, Object> statement : Stacks.allStatements(template)) {
            if ("Allow".equals(statement.get("Effect")) && statement.get("Principal") != null) {
                assertFalse(Stacks.actionsOf(statement).contains("sns:Subscribe"), "subscription allowed: " + statement);
            }
        }
    }

    @Test
    void ownersSubscribeThroughACustomerManagedPolicyLimitedToPersonAndQueueProtocols() {
        String noticeTopic = Stacks.logicalId(stack, stack.noticeTopic());
        Map<String, Map<String, Object>> policies = template.findResources("AWS::IAM::ManagedPolicy");
        assertEquals(1, policies.size());
        template.hasResourceProperties("AWS::IAM::ManagedPolicy", Map.of(
                "PolicyDocument", Map.of("Statement", List.of(Match.objectEquals(Map.of(
                        "Sid", "SubscribeToRotationNotices",
                        "Effect", "Allow",
                        "Action", "sns:Subscribe",
                        "Resource", ref(noticeTopic),
                        "Condition", Map.of("StringEquals", Map.of("sns:Protocol",
                                List.of("email", "email-json", "https", "sqs")))))))));
        // Administrators attach it themselves: it is attached to nothing the stack creates.
        template.hasResourceProperties("AWS::IAM::ManagedPolicy", Map.of(
                "Roles", Match.absent(), "Users", Match.absent(), "Groups", Match.absent()));
        template.hasOutput("NoticeSubscriberPolicyArn", Map.of(
                "Value", ref(Stacks.logicalId(stack, stack.noticeSubscriberPolicy()))));
    }
}
