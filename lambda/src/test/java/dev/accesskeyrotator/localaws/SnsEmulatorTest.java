package dev.accesskeyrotator.localaws;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.accesskeyrotator.localaws.DirectRequests.assertAwsError;
import static dev.accesskeyrotator.localaws.DirectRequests.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnsEmulatorTest {
    private static final String TOPIC = "arn:aws:sns:us-east-1:123456789012:key-rotation";

    private final SnsEmulator sns = new SnsEmulator(new LocalAwsContext("123456789012", "us-east-1",
            MutableClock.startingAt("2026-01-01T00:00:00Z")));

    private String call(String operation, String... params) {
        return (String) sns.handle(query("sns", operation, params));
    }

    private static String element(String xml, String name) {
        Matcher matcher = Pattern.compile("<" + name + ">([^<]*)</" + name + ">").matcher(xml);
        assertTrue(matcher.find(), () -> name + " not in " + xml);
        return matcher.group(1);
    }

    private String createTopic() {
        return element(call("CreateTopic", "Name", "key-rotation"), "TopicArn");
    }

    private String subscribeSqs(String queue, String... attributes) {
        List<String> params = new ArrayList<>(List.of("TopicArn", TOPIC, "Protocol", "sqs",
                "Endpoint", "arn:aws:sqs:us-east-1:123456789012:" + queue));
        for (int i = 0; i < attributes.length; i += 2) {
            int n = i / 2 + 1;
            params.addAll(List.of("Attributes.entry." + n + ".key", attributes[i],
                    "Attributes.entry." + n + ".value", attributes[i + 1]));
        }
        return element(call("Subscribe", params.toArray(String[]::new)), "SubscriptionArn");
    }

    private String publishAs(String userName, String message) {
        return element(call("Publish", "TopicArn", TOPIC, "Message", message,
                "MessageAttributes.entry.1.Name", "user_name",
                "MessageAttributes.entry.1.Value.DataType", "String",
                "MessageAttributes.entry.1.Value.StringValue", userName), "MessageId");
    }

    @Test
    void createTopicIsIdempotent() {
        assertEquals(TOPIC, createTopic());
        assertEquals(TOPIC, createTopic());
        assertAwsError(400, "InvalidParameter", () -> call("CreateTopic", "Name", "has space"));
        assertAwsError(400, "InvalidParameter", () -> call("CreateTopic", "Name", "x".repeat(257)));
    }

    @Test
    void createTopicRefusesConflictingAttributes() {
        call("CreateTopic", "Name", "key-rotation", "Attributes.entry.1.key", "DisplayName",
                "Attributes.entry.1.value", "Rotation");
        assertAwsError(400, "InvalidParameter", () -> call("CreateTopic", "Name", "key-rotation",
                "Attributes.entry.1.key", "DisplayName", "Attributes.entry.1.value", "Other"));
    }

    @Test
    void publishRecordsTheMessageWithItsAttributes() {
        createTopic();
        String messageId = element(call("Publish", "TopicArn", TOPIC, "Subject", "Key rotated",
                "Message", "alice's key was rotated",
                "MessageAttributes.entry.1.Name", "user_name",
                "MessageAttributes.entry.1.Value.DataType", "String",
                "MessageAttributes.entry.1.Value.StringValue", "alice",
                "MessageAttributes.entry.2.Name", "age_days",
                "MessageAttributes.entry.2.Value.DataType", "Number",
                "MessageAttributes.entry.2.Value.StringValue", "91"), "MessageId");

        SnsEmulator.PublishedMessage published = sns.published().get(0);
        assertEquals(messageId, published.messageId());
        assertEquals(TOPIC, published.topicArn());
        assertEquals("Key rotated", published.subject());
        assertEquals("alice's key was rotated", published.message());
        assertEquals(Map.of("user_name", new SnsEmulator.MessageAttribute("String", "alice"),
                "age_days", new SnsEmulator.MessageAttribute("Number", "91")), published.attributes());
    }

    @Test
    void publishToAMissingTopicIsNotFound() {
        assertAwsError(404, "NotFound", () -> call("Publish", "TopicArn", TOPIC, "Message", "m"));
        assertAwsError(400, "InvalidParameter", () -> call("Publish", "TopicArn", "not-an-arn", "Message", "m"));
    }

    @Test
    void subjectOfExactlyOneHundredCharactersIsAccepted() {
        createTopic();
        call("Publish", "TopicArn", TOPIC, "Message", "m", "Subject", "s".repeat(100));
        call("Publish", "TopicArn", TOPIC, "Message", "m", "Subject", "[rotator] key rotated: ok");
        assertEquals(2, sns.published().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " leading space", "line\nbreak", "carriage\rreturn", "tab\tinside", "bell\u0007"})
    void subjectWithBadStartOrControlCharactersIsInvalid(String subject) {
        createTopic();
        assertAwsError(400, "InvalidParameter",
                () -> call("Publish", "TopicArn", TOPIC, "Message", "m", "Subject", subject));
        assertTrue(sns.published().isEmpty());
    }

    @Test
    void subjectOverOneHundredCharactersIsInvalid() {
        createTopic();
        assertAwsError(400, "InvalidParameter",
                () -> call("Publish", "TopicArn", TOPIC, "Message", "m", "Subject", "s".repeat(101)));
    }

    @Test
    void messageIsLimitedTo256KibibytesIncludingAttributes() {
        createTopic();
        call("Publish", "TopicArn", TOPIC, "Message", "m".repeat(256 * 1024));
        assertAwsError(400, "InvalidParameter",
                () -> call("Publish", "TopicArn", TOPIC, "Message", "m".repeat(256 * 1024 + 1)));
        assertAwsError(400, "InvalidParameter", () -> call("Publish", "TopicArn", TOPIC,
                "Message", "m".repeat(256 * 1024 - 10),
                "MessageAttributes.entry.1.Name", "user_name",
                "MessageAttributes.entry.1.Value.DataType", "String",
                "MessageAttributes.entry.1.Value.StringValue", "alice"));
        assertAwsError(400, "InvalidParameter", () -> call("Publish", "TopicArn", TOPIC, "Message", ""));
        assertAwsError(400, "ValidationError", () -> call("Publish", "TopicArn", TOPIC));
    }

    @Test
    void malformedMessageAttributesAreParameterValueInvalid() {
        createTopic();
        assertAwsError(400, "ParameterValueInvalid", () -> call("Publish", "TopicArn", TOPIC, "Message", "m",
                "MessageAttributes.entry.1.Name", "n",
                "MessageAttributes.entry.1.Value.DataType", "Integer",
                "MessageAttributes.entry.1.Value.StringValue", "1"));
        assertAwsError(400, "ParameterValueInvalid", () -> call("Publish", "TopicArn", TOPIC, "Message", "m",
                "MessageAttributes.entry.1.Name", "n",
                "MessageAttributes.entry.1.Value.DataType", "Number",
                "MessageAttributes.entry.1.Value.StringValue", "ninety"));
        assertAwsError(400, "ParameterValueInvalid", () -> call("Publish", "TopicArn", TOPIC, "Message", "m",
                "MessageAttributes.entry.1.Name", "n",
                "MessageAttributes.entry.1.Value.DataType", "String"));
    }

    @Test
    void emailSubscriptionStartsPendingConfirmation() {
        createTopic();
        String shown = element(call("Subscribe", "TopicArn", TOPIC, "Protocol", "email",
                "Endpoint", "ops@example.com"), "SubscriptionArn");
        assertEquals("pending confirmation", shown);

        String arn = element(call("Subscribe", "TopicArn", TOPIC, "Protocol", "email",
                "Endpoint", "ops@example.com", "ReturnSubscriptionArn", "true"), "SubscriptionArn");
        assertTrue(arn.startsWith(TOPIC + ":"), arn);
        assertEquals("PendingConfirmation", element(call("ListSubscriptionsByTopic", "TopicArn", TOPIC),
                "SubscriptionArn"));
        assertTrue(sns.subscriptions(TOPIC).get(0).pendingConfirmation());

        sns.confirmAll();
        assertEquals(arn, element(call("ListSubscriptionsByTopic", "TopicArn", TOPIC), "SubscriptionArn"));
        assertFalse(sns.subscriptions(TOPIC).get(0).pendingConfirmation());
    }

    @Test
    void subscribeValidatesProtocolEndpointAndTopic() {
        assertAwsError(404, "NotFound",
                () -> call("Subscribe", "TopicArn", TOPIC, "Protocol", "email", "Endpoint", "ops@example.com"));
        createTopic();
        assertAwsError(400, "InvalidParameter",
                () -> call("Subscribe", "TopicArn", TOPIC, "Protocol", "pigeon", "Endpoint", "roof"));
        assertAwsError(400, "InvalidParameter",
                () -> call("Subscribe", "TopicArn", TOPIC, "Protocol", "email", "Endpoint", "not-an-address"));
        assertAwsError(400, "InvalidParameter",
                () -> call("Subscribe", "TopicArn", TOPIC, "Protocol", "https", "Endpoint", "http://insecure"));
        assertAwsError(400, "InvalidParameter", () -> subscribeSqs("q", "FilterPolicy", "{not json"));
        assertAwsError(400, "InvalidParameter", () -> subscribeSqs("q", "FilterPolicyScope", "Everything"));
        assertAwsError(400, "InvalidParameter", () -> subscribeSqs("q", "Colour", "blue"));
        assertTrue(sns.subscriptions(TOPIC).isEmpty());
    }

    @Test
    void subscribingTwiceReturnsTheSameSubscriptionUnlessAttributesDiffer() {
        createTopic();
        String first = subscribeSqs("q", "FilterPolicy", "{\"user_name\":[\"alice\"]}");
        assertEquals(first, subscribeSqs("q", "FilterPolicy", "{\"user_name\":[\"alice\"]}"));
        assertAwsError(400, "InvalidParameter", () -> subscribeSqs("q", "FilterPolicy", "{\"user_name\":[\"bob\"]}"));
        assertEquals(1, sns.subscriptions(TOPIC).size());
    }

    @Test
    void filterPolicyRoutesMessagesByAttribute() {
        createTopic();
        String alice = subscribeSqs("alice", "FilterPolicy", "{\"user_name\":[\"alice\"]}",
                "FilterPolicyScope", "MessageAttributes");
        String everyone = subscribeSqs("everyone");

        publishAs("alice", "for alice");
        publishAs("bob", "for bob");

        assertEquals(List.of("for alice"), messages(sns.deliveredTo(alice)));
        assertEquals(List.of("for alice", "for bob"), messages(sns.deliveredTo(everyone)));
    }

    @Test
    void deliveryIgnoresConfirmationSoRoutingCanBeChecked() {
        createTopic();
        String pending = element(call("Subscribe", "TopicArn", TOPIC, "Protocol", "email", "Endpoint", "a@example.com",
                "ReturnSubscriptionArn", "true"), "SubscriptionArn");
        publishAs("alice", "hello");
        assertEquals(List.of("hello"), messages(sns.deliveredTo(pending)));
    }

    @Test
    void setSubscriptionAttributesChangesRouting() {
        createTopic();
        String subscription = subscribeSqs("q");
        call("SetSubscriptionAttributes", "SubscriptionArn", subscription, "AttributeName", "FilterPolicy",
                "AttributeValue", "{\"user_name\":[\"bob\"]}");
        publishAs("alice", "a1");
        publishAs("bob", "b1");

        call("SetSubscriptionAttributes", "SubscriptionArn", subscription, "AttributeName", "FilterPolicy",
                "AttributeValue", "");
        publishAs("alice", "a2");

        assertEquals(List.of("b1", "a2"), messages(sns.deliveredTo(subscription)));
        assertAwsError(400, "InvalidParameter", () -> call("SetSubscriptionAttributes", "SubscriptionArn",
                subscription, "AttributeName", "FilterPolicy", "AttributeValue", "{\"a\":[{\"bogus\":1}]}"));
        assertAwsError(400, "InvalidParameter", () -> call("SetSubscriptionAttributes", "SubscriptionArn",
                subscription, "AttributeName", "Colour", "AttributeValue", "blue"));
        assertAwsError(404, "NotFound", () -> call("SetSubscriptionAttributes", "SubscriptionArn", TOPIC + ":gone",
                "AttributeName", "FilterPolicy", "AttributeValue", "{}"));
    }

    @Test
    void messageBodyScopeFiltersOnTheJsonMessage() {
        createTopic();
        String subscription = subscribeSqs("q", "FilterPolicyScope", "MessageBody",
                "FilterPolicy", "{\"user\":[\"alice\"]}");
        call("Publish", "TopicArn", TOPIC, "Message", "{\"user\":\"alice\"}");
        call("Publish", "TopicArn", TOPIC, "Message", "{\"user\":\"bob\"}");
        assertEquals(List.of("{\"user\":\"alice\"}"), messages(sns.deliveredTo(subscription)));
    }

    @Test
    void jsonMessageStructureDeliversThePerProtocolText() {
        createTopic();
        String queue = subscribeSqs("q");
        String mail = element(call("Subscribe", "TopicArn", TOPIC, "Protocol", "email", "Endpoint", "a@example.com",
                "ReturnSubscriptionArn", "true"), "SubscriptionArn");
        call("Publish", "TopicArn", TOPIC, "MessageStructure", "json",
                "Message", "{\"default\":\"plain\",\"email\":\"for mail\"}");

        assertEquals(List.of("plain"), messages(sns.deliveredTo(queue)));
        assertEquals(List.of("for mail"), messages(sns.deliveredTo(mail)));
        assertAwsError(400, "InvalidParameter", () -> call("Publish", "TopicArn", TOPIC, "MessageStructure", "json",
                "Message", "{\"email\":\"no default\"}"));
    }

    @Test
    void unsubscribeRemovesTheSubscriptionButKeepsItsDeliveries() {
        createTopic();
        String subscription = subscribeSqs("q");
        publishAs("alice", "before");
        call("Unsubscribe", "SubscriptionArn", subscription);
        publishAs("alice", "after");

        assertTrue(sns.subscriptions(TOPIC).isEmpty());
        assertEquals(List.of("before"), messages(sns.deliveredTo(subscription)));
        call("Unsubscribe", "SubscriptionArn", subscription);
        assertAwsError(400, "InvalidParameter",
                () -> call("Unsubscribe", "SubscriptionArn", "pending confirmation"));
    }

    @Test
    void subscriptionListPagesByOneHundred() {
        createTopic();
        for (int i = 0; i < 105; i++) {
            subscribeSqs("q" + i);
        }
        String first = call("ListSubscriptionsByTopic", "TopicArn", TOPIC);
        String token = element(first, "NextToken");
        String second = call("ListSubscriptionsByTopic", "TopicArn", TOPIC, "NextToken", token);

        assertEquals(100, count(first, "<member>"));
        assertEquals(5, count(second, "<member>"));
        assertFalse(second.contains("<NextToken>"));
        assertTrue(second.contains("<Endpoint>arn:aws:sqs:us-east-1:123456789012:q104</Endpoint>"));
        assertAwsError(400, "InvalidParameter",
                () -> call("ListSubscriptionsByTopic", "TopicArn", TOPIC, "NextToken", "bogus"));
    }

    private static List<String> messages(List<SnsEmulator.PublishedMessage> delivered) {
        return delivered.stream().map(SnsEmulator.PublishedMessage::message).toList();
    }

    private static int count(String text, String needle) {
        return text.split(Pattern.quote(needle), -1).length - 1;
    }
}
