package dev.accesskeyrotator.docs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.aws.SnsNotifier;
import dev.accesskeyrotator.contract.Notices;
import dev.accesskeyrotator.contract.Notices.EventType;
import dev.accesskeyrotator.docs.MarkdownPages.CodeBlock;
import dev.accesskeyrotator.docs.MarkdownPages.Page;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.localaws.SnsEmulator.PublishedMessage;
import dev.accesskeyrotator.log.JsonLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@code aws sns subscribe} to the notice topic that the docs show, with its filter policy parsed from the doc,
 * subscribed on the local SNS endpoint (whose filter-policy matching is SNS's, {@code SnsFilterPolicyTest}); then
 * the function's own {@link SnsNotifier} publishes one notice of every event type about alice and one about bob, as
 * the composer writes them. An admin subscribed as documented must get every {@code attention}, {@code blocked} and
 * {@code run-summary} notice; an owner every notice about their own user and nothing else.
 */
class DocumentedSubscriptionsTest {
    private static final Pattern ATTRIBUTES = Pattern.compile("--attributes\\s+'([^']*)'");
    private static final Set<EventType> FOR_ADMINS = Set.of(EventType.ATTENTION, EventType.BLOCKED,
            EventType.RUN_SUMMARY, EventType.KEY_EXPOSED);

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();

    record Documented(String where, String endpoint, String filterPolicy) {}

    /** The notice-topic subscriptions of every shell block of README.md and docs/*.md. */
    static List<Documented> documentedNoticeSubscriptions(List<Page> pages) throws Exception {
        List<Documented> found = new ArrayList<>();
        for (Page page : pages) {
            for (CodeBlock block : page.codeBlocks()) {
                for (String command : block.commands()) {
                    if (!command.startsWith("aws sns subscribe") || !command.contains("NoticeTopic")) {
                        continue;
                    }
                    Matcher attributes = ATTRIBUTES.matcher(command);
                    assertTrue(attributes.find(), block.where() + ": a notice-topic subscription without a filter"
                            + " policy gets every user's notices: " + command);
                    // Inside single quotes the shell passes the text as written: it is the JSON the CLI reads.
                    JsonNode json = JsonLog.mapper().readTree(attributes.group(1));
                    Matcher email = Pattern.compile("--notification-endpoint\\s+(\\S+)").matcher(command);
                    assertTrue(email.find(), command);
                    found.add(new Documented(block.where(), email.group(1), json.get("FilterPolicy").asText()));
                }
            }
        }
        return found;
    }

    private void publishEveryNoticeAbout(String topicArn, List<String> users) {
        SnsNotifier notifier = new SnsNotifier(endpoint.snsClient(), topicArn);
        for (EventType type : EventType.values()) {
            for (String user : users) {
                notifier.publish(ComposedNotices.of(type, user));
                if (type == EventType.RUN_SUMMARY) {
                    break; // one summary per run, about nobody
                }
            }
        }
    }

    private static String describe(PublishedMessage message) {
        return message.attribute(Notices.EVENT_TYPE).orElse("?") + "/" + message.attribute(Notices.USER_NAME)
                .orElse("-");
    }

    @Test
    void adminsGetWhatNeedsAPersonAndOwnersGetTheirOwnNoticesOnly() throws Exception {
        List<Documented> documented = documentedNoticeSubscriptions(MarkdownPages.all());
        String topicArn = endpoint.snsClient().createTopic(r -> r.name("AccessKeyRotator-NoticeTopic")).topicArn();
        List<String> subscriptions = new ArrayList<>();
        for (Documented subscription : documented) {
            subscriptions.add(endpoint.snsClient().subscribe(r -> r.topicArn(topicArn).protocol("email")
                    .endpoint(subscription.endpoint()).returnSubscriptionArn(true)
                    .attributes(Map.of("FilterPolicy", subscription.filterPolicy()))).subscriptionArn());
        }
        publishEveryNoticeAbout(topicArn, List.of("alice", "bob"));
        List<PublishedMessage> published = endpoint.aws().sns().published();

        int admins = 0;
        int owners = 0;
        for (int i = 0; i < documented.size(); i++) {
            Documented subscription = documented.get(i);
            JsonNode policy = JsonLog.mapper().readTree(subscription.filterPolicy());
            Set<String> received = new TreeSet<>(endpoint.aws().sns().deliveredTo(subscriptions.get(i)).stream()
                    .map(DocumentedSubscriptionsTest::describe).toList());
            if (policy.has(Notices.USER_NAME)) {
                owners++;
                String user = policy.get(Notices.USER_NAME).get(0).asText();
                Set<String> own = new TreeSet<>(published.stream()
                        .filter(m -> m.attribute(Notices.USER_NAME).filter(user::equals).isPresent())
                        .map(DocumentedSubscriptionsTest::describe).toList());
                assertFalse(own.isEmpty(), "the sample notices are about alice and bob; " + subscription.where()
                        + " subscribes " + user);
                assertEquals(own, received, subscription.where() + ": the owner's policy "
                        + subscription.filterPolicy() + " must deliver every notice about " + user
                        + " and nothing else");
            } else {
                admins++;
                Set<String> wanted = new TreeSet<>(published.stream()
                        .filter(m -> FOR_ADMINS.stream().anyMatch(t -> m.attribute(Notices.EVENT_TYPE)
                                .filter(t.value()::equals).isPresent()))
                        .map(DocumentedSubscriptionsTest::describe).toList());
                Set<String> missed = new TreeSet<>(wanted);
                missed.removeAll(received);
                assertTrue(missed.isEmpty(), subscription.where() + ": the admin policy "
                        + subscription.filterPolicy() + " drops " + missed);
                Set<String> routine = new TreeSet<>(received);
                routine.removeIf(type -> FOR_ADMINS.stream().anyMatch(t -> type.startsWith(t.value() + "/")));
                assertTrue(routine.stream().noneMatch(t -> t.startsWith(EventType.KEY_ROTATED.value() + "/")
                                || t.startsWith(EventType.KEY_DISABLED.value() + "/")
                                || t.startsWith(EventType.KEY_EXPIRING.value() + "/")),
                        subscription.where() + ": admins would get every owner's routine notices: " + routine);
            }
        }
        assertTrue(admins >= 1 && owners >= 1, "the docs show an admin's and an owner's subscription: " + documented);
    }

    /**
     * The parameter-change notices (rule {@code ParameterChangeNotice}, in the single-account stack and the hub alike)
     * reach the alarm topic from EventBridge as plain text without message attributes: a filter policy on an
     * admin's alarm-topic subscription would drop them. Every documented alarm-topic subscription gets one.
     */
    @Test
    void everyDocumentedAlarmTopicSubscriptionGetsTheParameterChangeNotices() throws Exception {
        String topicArn = endpoint.snsClient().createTopic(r -> r.name("AccessKeyRotator-AlarmTopic")).topicArn();
        List<String> subscriptions = new ArrayList<>();
        for (Page page : MarkdownPages.all()) {
            for (CodeBlock block : page.codeBlocks()) {
                for (String command : block.commands()) {
                    if (!command.startsWith("aws sns subscribe") || !command.contains("AlarmTopic")) {
                        continue;
                    }
                    Matcher attributes = ATTRIBUTES.matcher(command);
                    Map<String, String> filter = attributes.find() ? Map.of("FilterPolicy", JsonLog.mapper()
                            .readTree(attributes.group(1)).get("FilterPolicy").asText()) : Map.of();
                    Matcher email = Pattern.compile("--notification-endpoint\\s+(\\S+)").matcher(command);
                    assertTrue(email.find(), block.where() + ": " + command);
                    subscriptions.add(block.where() + " " + endpoint.snsClient().subscribe(r -> r.topicArn(topicArn)
                            .protocol("email").endpoint(email.group(1)).returnSubscriptionArn(true)
                            .attributes(filter)).subscriptionArn());
                }
            }
        }
        assertFalse(subscriptions.isEmpty(), "the docs show how admins subscribe to the alarm topic");
        // As EventBridge delivers the rule's input: the text alone, no message attributes.
        endpoint.snsClient().publish(r -> r.topicArn(topicArn).message("Access Key Rotator: parameter"
                + " /access-key-rotation/accounts/111122223333/dry-run changed (Update) at 2026-12-05T10:00:00Z"));
        for (String subscription : subscriptions) {
            String arn = subscription.substring(subscription.lastIndexOf(' ') + 1);
            assertEquals(1, endpoint.aws().sns().deliveredTo(arn).size(), subscription
                    + " must receive the parameter-change notice");
        }
    }

    @Test
    void thePreviouslyDocumentedAdminPolicyIsCaughtDroppingBlockedNotices() throws Exception {
        Page page = MarkdownPages.of("docs/planted.md", """
                ## Subscribing

                ```sh
                aws sns subscribe --topic-arn <NoticeTopicArn> --protocol email --notification-endpoint ops@example.com \\
                  --attributes '{"FilterPolicy":"{\\"event_type\\":[\\"run-summary\\",\\"attention\\"]}"}'
                ```
                """);
        List<Documented> documented = documentedNoticeSubscriptions(List.of(page));
        assertEquals(List.of(new Documented("docs/planted.md:3 (```sh block under \"Subscribing\")",
                "ops@example.com", "{\"event_type\":[\"run-summary\",\"attention\"]}")), documented);

        String topicArn = endpoint.snsClient().createTopic(r -> r.name("notices")).topicArn();
        String admin = endpoint.snsClient().subscribe(r -> r.topicArn(topicArn).protocol("email")
                .endpoint("ops@example.com").returnSubscriptionArn(true)
                .attributes(Map.of("FilterPolicy", documented.get(0).filterPolicy()))).subscriptionArn();
        publishEveryNoticeAbout(topicArn, List.of("alice"));
        Set<String> received = new TreeSet<>(endpoint.aws().sns().deliveredTo(admin).stream()
                .map(DocumentedSubscriptionsTest::describe).toList());
        assertEquals(Set.of("attention/alice", "run-summary/-"), received, "blocked/alice is dropped");
    }
}
