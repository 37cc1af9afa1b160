package dev.accesskeyrotator.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.contract.Notices;
import dev.accesskeyrotator.contract.SecretField;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.port.Notifier;
import dev.accesskeyrotator.testing.fakes.InMemoryAccount;
import dev.accesskeyrotator.testing.fakes.InMemoryIdentityDirectory.StoredKey;
import dev.accesskeyrotator.testing.fakes.InMemorySecretStore.StoredSecret;
import dev.accesskeyrotator.testing.fakes.PortFaults;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The rotation protocol against in-memory ports: every kind of step, and every call a run makes for it, goes
 * wrong in every way (AWS refuses it, it fails after taking effect, the process dies before it or after it). The
 * next scheduled run then starts from what it observes, and the user must end as the contract says.
 */
class RotationProtocolTest {
    private static final String USER = "alice";
    private static final AtomicInteger SCENARIOS = new AtomicInteger();

    /** A user in a state that makes the next run take one kind of step (and the steps that follow from it). */
    record Setup(String name, int graceDays, Consumer<InMemoryAccount> seed, Set<String> expectedSteps) {}

    static List<Setup> setups() {
        return List.of(
                new Setup("never rotated, due: rotate (create the secret)", 0, account -> {
                    account.optedInUser(USER);
                    account.key(USER, 120, true);
                }, Set.of("iam:CreateAccessKey", "secretsmanager:CreateSecret", "secretsmanager:PutResourcePolicy",
                        "iam:UpdateAccessKey", "sns:Publish", "secretsmanager:TagResource")),
                new Setup("rotated before, due: rotate (write the secret)", 0, account -> {
                    account.optedInUser(USER);
                    account.key(USER, 120, true);
                    account.run();
                    account.advance(Duration.ofDays(95));
                }, Set.of("secretsmanager:PutResourcePolicy",
                        "iam:CreateAccessKey", "secretsmanager:PutSecretValue", "iam:UpdateAccessKey",
                        "sns:Publish", "secretsmanager:TagResource")),
                new Setup("the disabled previous key in the way: delete it to make room, then rotate", 0, account -> {
                    account.parameters().set("delete-after-days", "200");
                    account.optedInUser(USER);
                    account.key(USER, 120, true);
                    account.run();
                    account.advance(Duration.ofDays(95));
                }, Set.of("iam:DeleteAccessKey", "iam:CreateAccessKey", "secretsmanager:PutSecretValue")),
                new Setup("owner never told: send the pending notice", 3, account -> {
                    account.optedInUser(USER);
                    account.key(USER, 120, true);
                    account.run();
                    account.secrets().removeTag(account.secretName(USER), SecretTags.NOTIFIED_KEY_ID);
                    account.advance(Duration.ofHours(1));
                }, Set.of("secretsmanager:PutResourcePolicy", "sns:Publish", "secretsmanager:TagResource")),
                new Setup("grace over: disable the previous key", 3, account -> {
                    account.optedInUser(USER);
                    account.key(USER, 120, true);
                    account.run();
                    account.advance(Duration.ofDays(4));
                }, Set.of("iam:UpdateAccessKey", "sns:Publish")),
                new Setup("disabled long enough: delete the previous key", 3, account -> {
                    account.optedInUser(USER);
                    account.key(USER, 120, true);
                    account.run();
                    account.advance(Duration.ofDays(4));
                    account.run();
                    account.advance(Duration.ofDays(31));
                }, Set.of("iam:DeleteAccessKey")),
                new Setup("within reminder-days: remind the owner, reserving the secret for the record", 0,
                        account -> {
                            account.parameters().set("reminder-days", "7");
                            account.optedInUser(USER);
                            account.key(USER, 85, true);
                        }, Set.of("secretsmanager:CreateSecret", "secretsmanager:PutResourcePolicy", "sns:Publish",
                        "secretsmanager:TagResource")),
                new Setup("on-use: the replaced key stayed unused: disable it", 0, account -> {
                    account.parameters().set("cutover", "on-use");
                    account.optedInUser(USER);
                    account.key(USER, 120, true);
                    account.run();
                    account.advance(Duration.ofDays(2));
                }, Set.of("iam:GetAccessKeyLastUsed", "iam:UpdateAccessKey", "secretsmanager:TagResource",
                        "sns:Publish")),
                new Setup("unused key left by a dead run: delete the stray", 0, account -> {
                    account.optedInUser(USER);
                    account.key(USER, 120, true);
                    account.run();
                    account.advance(Duration.ofDays(2));
                    // A run recorded its intent, created the key and died before storing it.
                    account.secrets().putTag(account.secretName(USER), SecretTags.CREATING_SINCE,
                            account.clock().instant().toString());
                    account.iam().addKeyLeftByADeadRun(USER, account.clock().instant());
                    account.advance(Duration.ofHours(1));
                }, Set.of("iam:DeleteAccessKey")));
    }

    @TestFactory
    Stream<DynamicTest> everyCallOfEveryStepTimesEveryFault() {
        List<DynamicTest> scenarios = new ArrayList<>();
        for (Setup setup : setups()) {
            List<String> calls = callsOfTheRunAfter(setup);
            assertTrue(calls.containsAll(setup.expectedSteps()), setup.name() + " makes " + calls);
            for (int call = 1; call <= calls.size(); call++) {
                for (PortFaults.Mode mode : PortFaults.Mode.values()) {
                    int callNumber = call;
                    scenarios.add(DynamicTest.dynamicTest(setup.name() + " / call " + call + " "
                            + calls.get(call - 1) + " / " + mode, () -> runScenario(setup, callNumber, mode)));
                }
            }
        }
        return scenarios.stream();
    }

    @AfterAll
    static void summary() {
        System.out.println("rotation protocol: " + SCENARIOS.get() + " fault scenarios on in-memory ports");
    }

    @Test
    void aCleanRunOfEachSetupTakesItsStepAndEndsCorrect() {
        for (Setup setup : setups()) {
            InMemoryAccount account = seeded(setup);
            account.faults().resetCalls();
            int noticesBefore = account.notifier().published().size();
            account.run();
            assertTrue(account.faults().calls().containsAll(setup.expectedSteps()), setup.name());
            assertCorrect(account, setup, noticesBefore, List.of());
        }
    }

    private static void runScenario(Setup setup, int callNumber, PortFaults.Mode mode) {
        InMemoryAccount account = seeded(setup);
        account.faults().resetCalls();
        int noticesBefore = account.notifier().published().size();
        account.faults().arm(callNumber, mode);
        List<String> captured = new ArrayList<>();
        try {
            captured.add(JsonLog.toJson(account.run()));
            assertFalse(mode == PortFaults.Mode.CRASH_BEFORE || mode == PortFaults.Mode.CRASH_AFTER,
                    "the crash should have ended the run");
        } catch (PortFaults.Crash crash) {
            captured.add(crash.getMessage());
        } catch (AwsFailure failure) {
            // Discovery failed: the run stops before any change, as with bad configuration.
            captured.add(failure.getMessage());
            assertTrue(account.faults().calls().stream().noneMatch(RotationProtocolTest::changes),
                    "a run that stops must stop before any change: " + account.faults().calls());
        }
        assertTrue(account.faults().calls().size() >= callNumber, "the run never reached call " + callNumber);
        // One user's work stays within the call budget the deadline margin is sized for.
        long perUser = account.faults().calls().stream().filter(RotationProtocolTest::perUser).count();
        assertTrue(perUser <= AwsClients.MAX_CALLS_PER_USER, perUser + " calls: " + account.faults().calls());
        assertCurrentKeyWorks(account);

        account.faults().disarm();
        account.advance(Duration.ofDays(1));
        RunReport clean = account.run();
        captured.add(JsonLog.toJson(clean));
        assertEquals(0, clean.count(ReportCount.FAILED), clean.users().toString());
        assertCorrect(account, setup, noticesBefore, captured);
        SCENARIOS.incrementAndGet();
    }

    private static InMemoryAccount seeded(Setup setup) {
        InMemoryAccount account = new InMemoryAccount();
        account.parameters().set("grace-days", String.valueOf(setup.graceDays())).set("delete-after-days", "30");
        setup.seed().accept(account);
        return account;
    }

    private static List<String> callsOfTheRunAfter(Setup setup) {
        InMemoryAccount probe = seeded(setup);
        probe.faults().resetCalls();
        probe.run();
        return probe.faults().calls();
    }

    /** The secret, if there is one, holds a key that is active in IAM, with IAM's secret. */
    private static void assertCurrentKeyWorks(InMemoryAccount account) {
        // A reservation (before the first key is stored) holds no key, like no secret.
        account.secrets().secret(account.secretName(USER)).flatMap(StoredSecret::current)
                .filter(value -> !SecretDocument.isReservation(value)).ifPresentOrElse(value -> {
            JsonNode document = json(value);
            StoredKey key = account.iam().key(document.get(SecretField.ACCESS_KEY_ID.field()).asText())
                    .orElseThrow(() -> new AssertionError("the key in the secret is gone: " + value.length()));
            assertTrue(key.active(), "the key in the secret is disabled");
            assertEquals(key.secret(), document.get(SecretField.SECRET_ACCESS_KEY.field()).asText());
        }, () -> assertTrue(account.iam().keys(USER).stream().anyMatch(StoredKey::active),
                "no secret and no active key"));
    }

    /** @param noticesBefore notices the seeding already published, which the scenario does not answer for */
    private static void assertCorrect(InMemoryAccount account, Setup setup, int noticesBefore,
                                      List<String> captured) {
        assertCurrentKeyWorks(account);
        StoredSecret secret = account.secrets().secret(account.secretName(USER)).orElseThrow();
        if (secret.current().filter(value -> !SecretDocument.isReservation(value)).isEmpty()) {
            // Reserved for a reminder: the key is not due yet, so nothing is retired and the owner was reminded.
            assertTrue(account.iam().retiredKeys().isEmpty(), account.iam().retiredKeys().toString());
            long reminders = account.notifier().published().stream().skip(noticesBefore)
                    .filter(n -> "key-expiring".equals(n.attributes().get(Notices.EVENT_TYPE))).count();
            assertTrue(reminders >= 1 && reminders <= 2, "reminded at least once, normally once: " + reminders);
            assertEquals(account.iam().keys(USER).get(0).id(), secret.tags().get(SecretTags.REMINDED_KEY_ID));
            return;
        }
        String current = json(secret.current().orElseThrow()).get(SecretField.ACCESS_KEY_ID.field()).asText();
        List<StoredKey> keys = account.iam().keys(USER);
        assertTrue(keys.size() <= 2, "IAM's quota: " + keys.size());
        if (setup.graceDays() == 0) {
            assertEquals(List.of(current), keys.stream().filter(StoredKey::active).map(StoredKey::id).toList(),
                    "after the cut-over only the current key is active");
        }
        List<Notifier.Notice> rotationNotices = account.notifier().published().stream().skip(noticesBefore)
                .filter(n -> "key-rotated".equals(n.attributes().get(Notices.EVENT_TYPE)))
                .filter(n -> n.message().contains(current)).toList();
        boolean notifiedBefore = account.notifier().published().stream().limit(noticesBefore)
                .anyMatch(n -> n.message().contains(current));
        assertTrue(rotationNotices.size() >= 1 || notifiedBefore, "the owner was told about the current key " + current);
        assertTrue(rotationNotices.size() <= 2, "at least once, normally once: " + rotationNotices.size() + " in "
                + account.faults().calls());
        assertEquals(current, secret.tags().get(SecretTags.NOTIFIED_KEY_ID), "the notice is recorded");
        assertTrue(secret.policy().isPresent(), "the owner can read the secret");
        // Provenance: a key a person made is retired only once the rotator has replaced it.
        Set<String> replaced = new java.util.HashSet<>();
        secret.allValues().forEach(value -> Optional.ofNullable(json(value)
                .get(SecretField.PREVIOUS_ACCESS_KEY_ID.field())).ifPresent(id -> replaced.add(id.asText())));
        for (String retired : account.iam().retiredKeys()) {
            assertTrue(!account.iam().madeByPeople(retired) || replaced.contains(retired),
                    "key " + retired + " was made by a person and never replaced, yet retired");
        }
        List<String> texts = new ArrayList<>(captured);
        texts.addAll(account.logLines());
        account.notifier().published().forEach(n -> texts.add(n.subject() + n.message() + n.attributes()));
        for (String issued : account.iam().everIssuedSecrets()) {
            for (String text : texts) {
                if (text.contains(issued)) {
                    fail("a secret access key leaked into: " + text.substring(0, Math.min(100, text.length())));
                }
            }
        }
    }

    /** Calls a run makes once per run (discovery, the notice records, the summary) are not one user's. */
    private static boolean perUser(String call) {
        return !Set.of("iam:GetAccountAuthorizationDetails", "secretsmanager:ListSecrets", "iam:GetCredentialReport")
                .contains(call);
    }

    private static boolean changes(String call) {
        return Set.of("iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:DeleteAccessKey",
                "secretsmanager:CreateSecret", "secretsmanager:PutSecretValue", "secretsmanager:PutResourcePolicy",
                "secretsmanager:TagResource", "sns:Publish").contains(call);
    }

    private static JsonNode json(String text) {
        try {
            return JsonLog.mapper().readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON", e);
        }
    }
}
