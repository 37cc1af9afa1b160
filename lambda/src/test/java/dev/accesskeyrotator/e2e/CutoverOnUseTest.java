package dev.accesskeyrotator.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.localaws.IamEmulator.KeySnapshot;
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

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cut-over on use, end to end over simulated days with daily runs and the contract's defaults (cutover=on-use,
 * grace-days 0, max-grace-days 7, old-key-idle-hours 24, reminder-days 7, attention-reminder-days 7): the old key
 * stays while something uses it, goes one idle period after the consumer switched, and owners hear exactly what
 * matters.
 */
class CutoverOnUseTest {
    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();
    private LocalAws aws;
    private RotatorHarness harness;
    private final List<String> captured = new ArrayList<>();

    @BeforeEach
    void start() {
        aws = endpoint.aws();
        harness = new RotatorHarness(aws);
        // The contract's defaults, which the harness replaces with the timer for the older suites.
        harness.parameter("cutover", "on-use");
        harness.parameter("reminder-days", "7");
    }

    @AfterEach
    void close() {
        SecretLeakCheck.assertNoSecretLeaked(aws, captured.isEmpty() ? List.of("nothing ran") : captured);
        harness.close();
    }

    @Test
    void aConsumerThatKeepsUsingTheOldKeyKeepsItUntilMaxGraceDaysAndIsRemindedFirst() {
        harness.optedInUser("stuck-ci");
        KeySnapshot old = harness.key("stuck-ci", 80, true);

        Map<Integer, Outcome> days = new LinkedHashMap<>();
        for (int day = 0; day <= 20; day++) {
            // The consumer never switches: it uses the old key every day while the key works.
            if (aws.iam().accessKey(old.id()).map(KeySnapshot::active).orElse(false)) {
                aws.iam().markKeyUsed(old.id(), aws.clock().instant().minus(Duration.ofHours(2)), "s3", "eu-west-1");
            }
            days.put(day, run().get("stuck-ci").outcome());
            harness.advanceDays(1);
        }
        // Day 3: 83 days old, within reminder-days: one reminder. Day 10: due, rotated. Day 16: one day before
        // max-grace-days, still in use: one reminder naming where. Day 17: disabled at max-grace-days.
        assertEquals(Outcome.REMINDED, days.get(3), days.toString());
        assertEquals(Outcome.ROTATED, days.get(10), days.toString());
        for (int day = 11; day < 16; day++) {
            assertEquals(Outcome.UNCHANGED, days.get(day), "still in use on day " + day + ": " + days);
        }
        assertEquals(Outcome.REMINDED, days.get(16), days.toString());
        assertEquals(Outcome.DISABLED_OLD, days.get(17), days.toString());
        assertEquals(List.of("key-expiring", "key-rotated", "key-expiring", "key-disabled"), eventsFor("stuck-ci"));
        PublishedMessage graceReminder = noticesFor("stuck-ci").get(2);
        assertTrue(graceReminder.message().contains("in eu-west-1 by s3"), graceReminder.message());
        PublishedMessage disabled = noticesFor("stuck-ci").get(3);
        assertTrue(disabled.message().contains("still in use, but max-grace-days (7) is reached"), disabled.message());
    }

    @Test
    void aConsumerThatSwitchesSeesItsOldKeyDisabledOneIdlePeriodLater() {
        harness.optedInUser("good-ci");
        KeySnapshot old = harness.key("good-ci", 90, true);
        aws.iam().markKeyUsed(old.id(), aws.clock().instant().minus(Duration.ofHours(1)), "sts", "eu-west-1");

        assertEquals(Outcome.ROTATED, run().get("good-ci").outcome());
        String newKey = currentKey("good-ci");
        assertTrue(aws.iam().accessKey(old.id()).orElseThrow().active(), "the old key stays for the cut-over");

        // The consumer switches three hours after the rotation: its last use of the old key is then.
        aws.clock().advance(Duration.ofHours(3));
        aws.iam().markKeyUsed(old.id(), aws.clock().instant(), "sts", "eu-west-1");
        aws.iam().markKeyUsed(newKey, aws.clock().instant(), "sts", "eu-west-1");

        // 23 hours after its last use the old key is not yet idle long enough; at 24 hours it is.
        aws.clock().advance(Duration.ofHours(23));
        assertEquals(Outcome.UNCHANGED, run().get("good-ci").outcome());
        assertTrue(aws.iam().accessKey(old.id()).orElseThrow().active());
        aws.clock().advance(Duration.ofHours(1));
        UserResult disabled = run().get("good-ci");
        assertEquals(Outcome.DISABLED_OLD, disabled.outcome(), disabled.toString());
        assertTrue(disabled.action().contains("unused since the new key was stored"), disabled.action());
        assertFalse(aws.iam().accessKey(old.id()).orElseThrow().active());
        assertEquals(List.of("key-rotated", "key-disabled"), eventsFor("good-ci"));
    }

    @Test
    void twoPeopleMadeActiveKeysWithoutSecretAreBlockedAndBothSurvive() {
        harness.optedInUser("two-keys");
        KeySnapshot older = harness.key("two-keys", 120, true);
        KeySnapshot never = harness.key("two-keys", 95, true);

        UserResult result = run().get("two-keys");

        assertEquals(Outcome.BLOCKED, result.outcome(), result.toString());
        assertTrue(aws.iam().accessKey(older.id()).orElseThrow().active());
        assertTrue(aws.iam().accessKey(never.id()).orElseThrow().active(), "the never-used key is not a stray");
        assertEquals(List.of("blocked"), eventsFor("two-keys"));
    }

    @Test
    void aSecondRunWithNothingNewSendsNothingToAnyone() {
        harness.optedInUser("alice");
        harness.key("alice", 120, true);
        harness.optedInUser("two-keys");
        harness.key("two-keys", 120, true);
        harness.key("two-keys", 95, true);
        run();
        int sent = aws.sns().published().size();

        harness.advanceDays(1);
        run();

        // alice's old key was never used after the rotation, so the first run a day later disables it: that is news.
        assertEquals(List.of("key-rotated", "key-disabled"), eventsFor("alice"));
        int afterCutover = aws.sns().published().size();
        assertTrue(afterCutover > sent);
        harness.advanceDays(1);
        Map<String, UserResult> quiet = run();
        assertEquals(afterCutover, aws.sns().published().size(), "nothing new, nothing sent: " + quiet);
        assertEquals(Outcome.BLOCKED, quiet.get("two-keys").outcome(), "still blocked, but not told again yet");
    }

    @Test
    void aSteadyAccountOver120DaysSendsOneReminderOneRotationAndOneDisableNoticePerUserPerRotation() {
        List<String> users = List.of("u1", "u2", "u3", "u4", "u5", "u6");
        for (int i = 0; i < users.size(); i++) {
            harness.optedInUser(users.get(i));
            harness.key(users.get(i), 15 * i, true);
        }
        Map<String, Integer> rotations = new LinkedHashMap<>();
        for (int day = 0; day < 120; day++) {
            Map<String, UserResult> results = run();
            results.forEach((user, result) -> {
                if (result.outcome() == Outcome.ROTATED) {
                    rotations.merge(user, 1, Integer::sum);
                }
            });
            harness.advanceDays(1);
        }
        for (String user : users) {
            List<String> events = eventsFor(user);
            int rotated = rotations.getOrDefault(user, 0);
            assertTrue(rotated >= 1, user + " was rotated: " + events);
            assertEquals(rotated, events.stream().filter("key-rotated"::equals).count(), user + ": " + events);
            assertEquals(rotated, events.stream().filter("key-disabled"::equals).count(), user + ": " + events);
            long reminders = events.stream().filter("key-expiring"::equals).count();
            assertTrue(reminders == rotated || reminders == rotated + 1, user + ": one reminder per rotation, and"
                    + " one for the key due after the window: " + events);
            assertEquals(List.of(), events.stream().filter(e -> !List.of("key-rotated", "key-disabled",
                    "key-expiring").contains(e)).toList(), user + ": nothing else");
        }
    }

    private Map<String, UserResult> run() {
        RunReport report = harness.run();
        captured.add(JsonLog.toJson(report));
        return report.users().stream().collect(Collectors.toMap(UserResult::user, u -> u));
    }

    private List<PublishedMessage> noticesFor(String user) {
        return aws.sns().published().stream().filter(m -> m.attribute("user_name").filter(user::equals).isPresent())
                .toList();
    }

    private List<String> eventsFor(String user) {
        return noticesFor(user).stream().map(m -> m.attribute("event_type").orElse("?")).toList();
    }

    private String currentKey(String user) {
        try {
            JsonNode document = JsonLog.mapper().readTree(aws.secretsManager().currentValue(harness.secretName(user))
                    .orElseThrow());
            return document.get("AccessKeyId").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
