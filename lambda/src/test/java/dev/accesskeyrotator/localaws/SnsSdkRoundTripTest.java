package dev.accesskeyrotator.localaws;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.InvalidParameterException;
import software.amazon.awssdk.services.sns.model.InvalidParameterValueException;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;
import software.amazon.awssdk.services.sns.model.NotFoundException;
import software.amazon.awssdk.services.sns.model.Subscription;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The SNS emulator through a real SDK v2 client: Query-protocol requests in, XML answers and errors out. */
class SnsSdkRoundTripTest {

    @RegisterExtension
    final LocalAwsExtension local = new LocalAwsExtension();

    private static MessageAttributeValue string(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }

    private static void publishFor(SnsClient sns, String topicArn, String userName) {
        sns.publish(r -> r.topicArn(topicArn).subject("Access key rotated").message("rotated for " + userName)
                .messageAttributes(Map.of("user_name", string(userName))));
    }

    @Test
    void publishCarriesMessageAttributes() {
        SnsClient sns = local.snsClient();
        String topicArn = sns.createTopic(r -> r.name("key-rotation")).topicArn();

        String messageId = sns.publish(r -> r.topicArn(topicArn).subject("Rotated").message("done")
                .messageAttributes(Map.of(
                        "user_name", string("alice"),
                        "age_days", MessageAttributeValue.builder().dataType("Number").stringValue("91").build())))
                .messageId();

        SnsEmulator.PublishedMessage published = local.aws().sns().published().get(0);
        assertEquals(messageId, published.messageId());
        assertEquals("Rotated", published.subject());
        assertEquals("done", published.message());
        assertEquals(Map.of("user_name", new SnsEmulator.MessageAttribute("String", "alice"),
                "age_days", new SnsEmulator.MessageAttribute("Number", "91")), published.attributes());
        assertEquals(topicArn, sns.createTopic(r -> r.name("key-rotation")).topicArn());
    }

    @Test
    void errorsBecomeTheModeledExceptions() {
        SnsClient sns = local.snsClient();
        String missingTopic = "arn:aws:sns:us-east-1:123456789012:missing";
        NotFoundException notFound =
                assertThrows(NotFoundException.class, () -> sns.publish(r -> r.topicArn(missingTopic).message("m")));
        assertEquals(404, notFound.statusCode());

        String topicArn = sns.createTopic(r -> r.name("key-rotation")).topicArn();
        InvalidParameterException badSubject = assertThrows(InvalidParameterException.class,
                () -> sns.publish(r -> r.topicArn(topicArn).message("m").subject("two\nlines")));
        assertEquals(400, badSubject.statusCode());
        assertThrows(InvalidParameterException.class,
                () -> sns.publish(r -> r.topicArn(topicArn).message("m").subject("s".repeat(101))));
        assertThrows(InvalidParameterValueException.class, () -> sns.publish(r -> r.topicArn(topicArn).message("m")
                .messageAttributes(Map.of("n", MessageAttributeValue.builder().dataType("Number")
                        .stringValue("ninety").build()))));
    }

    @Test
    void filterPolicyDeliversOnlyMatchingMessages() {
        SnsClient sns = local.snsClient();
        String topicArn = sns.createTopic(r -> r.name("key-rotation")).topicArn();
        String aliceOnly = sns.subscribe(r -> r.topicArn(topicArn).protocol("sqs")
                .endpoint("arn:aws:sqs:us-east-1:123456789012:alice")
                .attributes(Map.of("FilterPolicy", "{\"user_name\":[\"alice\"]}",
                        "FilterPolicyScope", "MessageAttributes"))
                .returnSubscriptionArn(true)).subscriptionArn();

        publishFor(sns, topicArn, "alice");
        publishFor(sns, topicArn, "bob");
        publishFor(sns, topicArn, "alice");

        assertEquals(List.of("rotated for alice", "rotated for alice"),
                local.aws().sns().deliveredTo(aliceOnly).stream().map(SnsEmulator.PublishedMessage::message).toList());

        sns.setSubscriptionAttributes(r -> r.subscriptionArn(aliceOnly).attributeName("FilterPolicy")
                .attributeValue("{\"user_name\":[\"bob\"]}"));
        publishFor(sns, topicArn, "bob");
        assertEquals("rotated for bob", local.aws().sns().deliveredTo(aliceOnly).get(2).message());
    }

    @Test
    void emailSubscriptionIsPendingUntilConfirmed() {
        SnsClient sns = local.snsClient();
        String topicArn = sns.createTopic(r -> r.name("key-rotation")).topicArn();

        String shown = sns.subscribe(r -> r.topicArn(topicArn).protocol("email").endpoint("ops@example.com"))
                .subscriptionArn();
        List<Subscription> listed = sns.listSubscriptionsByTopic(r -> r.topicArn(topicArn)).subscriptions();

        assertEquals("pending confirmation", shown);
        assertEquals(1, listed.size());
        assertEquals("PendingConfirmation", listed.get(0).subscriptionArn());
        assertEquals("email", listed.get(0).protocol());
        assertEquals("ops@example.com", listed.get(0).endpoint());
        assertEquals("123456789012", listed.get(0).owner());

        local.aws().sns().confirmAll();
        String confirmedArn = sns.listSubscriptionsByTopic(r -> r.topicArn(topicArn)).subscriptions().get(0)
                .subscriptionArn();
        sns.unsubscribe(r -> r.subscriptionArn(confirmedArn));
        assertEquals(List.of(), sns.listSubscriptionsByTopic(r -> r.topicArn(topicArn)).subscriptions());
    }

    @Test
    void subscriptionPaginatorFollowsNextToken() {
        SnsClient sns = local.snsClient();
        String topicArn = sns.createTopic(r -> r.name("key-rotation")).topicArn();
        for (int i = 0; i < 103; i++) {
            String queue = "arn:aws:sqs:us-east-1:123456789012:q" + i;
            sns.subscribe(r -> r.topicArn(topicArn).protocol("sqs").endpoint(queue));
        }

        assertEquals(103, sns.listSubscriptionsByTopicPaginator(r -> r.topicArn(topicArn)).subscriptions()
                .stream().count());
    }
}
