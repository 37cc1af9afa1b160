package dev.accesskeyrotator.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.localaws.SnsEmulator.PublishedMessage;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.UserResult;
import dev.accesskeyrotator.testing.RotatorHarness;
import dev.accesskeyrotator.testing.SecretLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The notice routing the contract promises ("The notice (SNS)"): owners subscribe to the rotator's topic with a filter
 * policy on their own {@code user_name}, admins on {@code event_type}; each gets what is theirs and nothing else. Real
 * SDK v2 Subscribe calls and the real rotator against the local endpoint.
 */
class OwnerNotificationTest {

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();

    private RotatorHarness harness;
    private LocalAws aws;

    @BeforeEach
    void seed() {
        aws = endpoint.aws();
        harness = new RotatorHarness(aws);
        harness.optedInUser("alice");
        harness.key("alice", 120, true);
        harness.optedInUser("bob");
        harness.key("bob", 95, true);
        harness.optedInUser("carol"); // due, but nobody subscribed for her
        harness.key("carol", 200, true);
        // erin's per-user threshold is invalid: she is skipped and reported for attention.
        harness.optedInUser("erin", Map.of(RotatorHarness.overrideTag(), "ninety"));
        harness.key("erin", 100, true);
    }

    @AfterEach
    void close() {
        harness.close();
    }

    private String subscribe(String email, String filterPolicy) {
        return endpoint.snsClient().subscribe(r -> r.topicArn(harness.topicArn()).protocol("email").endpoint(email)
                .attributes(Map.of("FilterPolicy", filterPolicy)).returnSubscriptionArn(true)).subscriptionArn();
    }

    @Test
    void eachOwnerGetsOnlyTheirOwnNoticeAndAdminsGetTheSummaryAndAttention() throws Exception {
        String aliceSub = subscribe("alice@example.com", "{\"user_name\":[\"alice\"]}");
        String bobSub = subscribe("bob@example.com", "{\"user_name\":[\"bob\"]}");
        String adminSub = subscribe("security@example.com", "{\"event_type\":[\"run-summary\",\"attention\"]}");
        String aliceOldKey = aws.iam().keys("alice").get(0).id();

        RunReport report = harness.run();

        Map<String, Outcome> outcomes = report.users().stream()
                .collect(Collectors.toMap(UserResult::user, UserResult::outcome));
        assertEquals(Map.of("alice", Outcome.ROTATED, "bob", Outcome.ROTATED, "carol", Outcome.ROTATED,
                "erin", Outcome.ATTENTION), outcomes);
        assertEquals(1, harness.noticesFor("carol", "key-rotated"), "carol's notice was published all the same");

        // alice: exactly her key-rotated notice.
        List<PublishedMessage> toAlice = aws.sns().deliveredTo(aliceSub);
        assertEquals(1, toAlice.size(), describe(toAlice));
        PublishedMessage aliceNotice = toAlice.get(0);
        assertEquals("alice", aliceNotice.attribute("user_name").orElseThrow());
        assertEquals("key-rotated", aliceNotice.attribute("event_type").orElseThrow());
        assertAbout(aliceNotice, "alice", "bob", "carol", "erin");

        // bob: exactly his.
        List<PublishedMessage> toBob = aws.sns().deliveredTo(bobSub);
        assertEquals(1, toBob.size(), describe(toBob));
        assertEquals("bob", toBob.get(0).attribute("user_name").orElseThrow());
        assertEquals("key-rotated", toBob.get(0).attribute("event_type").orElseThrow());
        assertAbout(toBob.get(0), "bob", "alice", "carol", "erin");

        // admins: the run summary and erin's attention notice, no key-rotated notices.
        List<PublishedMessage> toAdmin = aws.sns().deliveredTo(adminSub);
        List<String> adminTypes = toAdmin.stream().map(m -> m.attribute("event_type").orElse("?")).sorted().toList();
        assertEquals(List.of("attention", "run-summary"), adminTypes, describe(toAdmin));
        PublishedMessage attention = toAdmin.stream()
                .filter(m -> m.attribute("event_type").orElse("").equals("attention")).findFirst().orElseThrow();
        assertEquals("erin", attention.attribute("user_name").orElseThrow());
        assertTrue(attention.message().contains("ninety"), attention.message());
        PublishedMessage summary = toAdmin.stream()
                .filter(m -> m.attribute("event_type").orElse("").equals("run-summary")).findFirst().orElseThrow();
        assertTrue(summary.message().contains("rotated: 3"), summary.message());
        assertTrue(summary.message().contains("erin [attention]"), summary.message());
        assertTrue(summary.attribute("user_name").isEmpty(), "owners' filters never match the summary");

        // alice's notice points at her real secret: the ARN, its region, the command, and the keys.
        var aliceSecret = aws.secretsManager().secret(harness.secretName("alice")).orElseThrow();
        JsonNode stored = JsonLog.mapper().readTree(aws.secretsManager().currentValue(harness.secretName("alice"))
                .orElseThrow());
        String region = aws.region().id();
        String expectedCommand = "aws secretsmanager get-secret-value --secret-id " + aliceSecret.arn()
                + " --region " + region + " --query SecretString --output text";
        List<String> commands = aliceNotice.message().lines().map(String::strip).filter(l -> l.startsWith("aws "))
                .toList();
        assertEquals(List.of(expectedCommand), commands, aliceNotice.message());
        assertEquals(region, aliceSecret.arn().split(":")[3], "the command's region is where the secret is");
        assertTrue(aliceNotice.message().contains(harness.secretName("alice")), aliceNotice.message());
        assertTrue(aliceNotice.message().contains(stored.get("AccessKeyId").asText()), "names the new key id");
        assertTrue(aliceNotice.message().contains(aliceOldKey), "names the replaced key id");
        assertTrue(aliceNotice.message().contains("disabled now"), "grace-days 0: " + aliceNotice.message());

        // No secret access key in anything delivered to anyone, or published, or logged.
        List<String> secrets = aws.iam().allSecretAccessKeys();
        assertEquals(7, secrets.size(), "4 seeded keys and 3 new ones");
        List<PublishedMessage> delivered = new ArrayList<>();
        for (String subscription : List.of(aliceSub, bobSub, adminSub)) {
            delivered.addAll(aws.sns().deliveredTo(subscription));
        }
        for (PublishedMessage message : delivered) {
            String all = message.subject() + "\n" + message.message() + "\n" + message.attributes();
            for (String secret : secrets) {
                assertFalse(all.contains(secret), "a secret access key was delivered: " + message.subject());
            }
        }
        List<String> captured = new ArrayList<>(harness.logLines());
        captured.add(JsonLog.toJson(report));
        SecretLeakCheck.assertNoSecretLeaked(aws, captured);
    }

    /** The message is about {@code owner} and mentions none of the {@code others}. */
    private static void assertAbout(PublishedMessage message, String owner, String... others) {
        String all = message.subject() + "\n" + message.message();
        assertTrue(all.contains("IAM user " + owner), all);
        for (String other : others) {
            assertFalse(all.matches("(?s).*\\b" + other + "\\b.*"), owner + "'s notice mentions " + other + ": " + all);
        }
    }

    private static String describe(List<PublishedMessage> messages) {
        return messages.stream().map(m -> m.attributes() + " " + m.subject()).toList().toString();
    }
}
