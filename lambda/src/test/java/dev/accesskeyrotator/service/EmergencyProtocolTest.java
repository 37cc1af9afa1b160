package dev.accesskeyrotator.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.contract.Notices;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.contract.SecretField;
import dev.accesskeyrotator.domain.RotationRules;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.AwsFailure;
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
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The emergency path against in-memory ports, crashed and failed at every call it makes: each call x AWS refusing
 * it, failing after taking effect, the process dying before it or after it. The next run is the same request again
 * (Lambda's retry, or the admin), started after the longest possible run; after it the exposed key is disabled, the
 * key in the secret works, the owner heard of it once or twice (never not at all), and then a scheduled run finds
 * every contract invariant true.
 */
class EmergencyProtocolTest {
    private static final String USER = "alice";
    private static final AtomicInteger SCENARIOS = new AtomicInteger();
    /** Past the longest possible run, as the contract's invariants are stated. */
    private static final Duration NEXT_RUN = dev.accesskeyrotator.domain.KeySchedule.IN_FLIGHT_GUARD.plusMinutes(1);

    /** A user, the exposed key (chosen from the seeded state) and the calls the emergency must make for it. */
    record Setup(String name, int graceDays, java.util.function.Consumer<InMemoryAccount> seed,
                 Function<InMemoryAccount, String> exposedKey, boolean rotates, Set<String> expectedCalls) {}

    static List<Setup> setups() {
        return List.of(
                new Setup("exposed current key, rotated before: make room, rotate, disable at once", 0, account -> {
                    account.optedInUser(USER);
                    account.key(USER, 120, true);
                    account.run();
                    account.advance(Duration.ofDays(3));
                }, EmergencyProtocolTest::keyInSecret, true, Set.of("iam:GetAccessKeyLastUsed", "iam:GetUser",
                        "iam:DeleteAccessKey", "iam:CreateAccessKey", "secretsmanager:PutSecretValue",
                        "iam:UpdateAccessKey", "sns:Publish", "secretsmanager:TagResource")),
                new Setup("exposed only key of a never-rotated user: reserve the secret, rotate, disable", 0,
                        account -> {
                            account.optedInUser(USER);
                            account.key(USER, 5, true);
                        }, account -> account.iam().keys(USER).get(0).id(), true,
                        Set.of("secretsmanager:CreateSecret", "iam:CreateAccessKey",
                                "secretsmanager:PutSecretValue", "iam:UpdateAccessKey", "sns:Publish")),
                new Setup("exposed previous key in grace: disable at once, no rotation", 5, account -> {
                    account.optedInUser(USER);
                    account.key(USER, 120, true);
                    account.run();
                    account.advance(Duration.ofDays(1));
                }, account -> previousInSecret(account).orElseThrow(), false,
                        Set.of("secretsmanager:TagResource", "iam:UpdateAccessKey", "sns:Publish")));
    }

    private static EmergencyRequest request(String keyId) {
        return new EmergencyRequest(EmergencyRequest.TRIGGER_HEALTH, List.of(keyId), List.of(), "test event", false);
    }

    @TestFactory
    Stream<DynamicTest> everyCallOfTheEmergencyTimesEveryFault() {
        List<DynamicTest> scenarios = new ArrayList<>();
        for (Setup setup : setups()) {
            InMemoryAccount probe = seeded(setup);
            String exposed = setup.exposedKey().apply(probe);
            probe.faults().resetCalls();
            probe.emergency(request(exposed));
            List<String> calls = probe.faults().calls();
            assertTrue(calls.containsAll(setup.expectedCalls()), setup.name() + " makes " + calls);
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
        System.out.println("emergency protocol: " + SCENARIOS.get() + " fault scenarios on in-memory ports");
    }

    @Test
    void aCleanEmergencyOfEachSetupEndsCorrectAtOnce() {
        for (Setup setup : setups()) {
            InMemoryAccount account = seeded(setup);
            String exposed = setup.exposedKey().apply(account);
            int noticesBefore = account.notifier().published().size();
            EmergencyReport report = account.emergency(request(exposed));
            assertFalse(report.unfinished(), report.toString());
            assertEnded(account, setup, exposed, noticesBefore, List.of(JsonLog.toJson(report)));
        }
    }

    private static void runScenario(Setup setup, int callNumber, PortFaults.Mode mode) {
        InMemoryAccount account = seeded(setup);
        String exposed = setup.exposedKey().apply(account);
        int noticesBefore = account.notifier().published().size();
        account.faults().resetCalls();
        account.faults().arm(callNumber, mode);
        List<String> captured = new ArrayList<>();
        try {
            captured.add(JsonLog.toJson(account.emergency(request(exposed))));
            assertFalse(mode == PortFaults.Mode.CRASH_BEFORE || mode == PortFaults.Mode.CRASH_AFTER,
                    "the crash should have ended the run");
        } catch (PortFaults.Crash crash) {
            captured.add(crash.getMessage());
        } catch (AwsFailure failure) {
            // The configuration could not be read: the run stops before any change.
            captured.add(failure.getMessage());
            assertTrue(account.faults().calls().stream().noneMatch(EmergencyProtocolTest::changes),
                    "a run that stops must stop before any change: " + account.faults().calls());
        }
        assertTrue(account.faults().calls().size() >= callNumber, "the run never reached call " + callNumber);
        assertKeyInSecretWorks(account);

        account.faults().disarm();
        account.advance(NEXT_RUN);
        EmergencyReport retry = account.emergency(request(exposed));
        captured.add(JsonLog.toJson(retry));
        assertFalse(retry.unfinished(), retry.users().toString());
        assertEnded(account, setup, exposed, noticesBefore, captured);
        SCENARIOS.incrementAndGet();
    }

    private static InMemoryAccount seeded(Setup setup) {
        InMemoryAccount account = new InMemoryAccount();
        account.parameters().set("grace-days", String.valueOf(setup.graceDays())).set("delete-after-days", "30")
                .set("cutover", "after-grace").set("reminder-days", "0");
        setup.seed().accept(account);
        return account;
    }

    private static void assertEnded(InMemoryAccount account, Setup setup, String exposed, int noticesBefore,
                                    List<String> captured) {
        assertKeyInSecretWorks(account);
        String current = keyInSecret(account);
        assertFalse(current.equals(exposed), "the exposed key is not the key in the secret");
        assertTrue(account.iam().key(exposed).map(k -> !k.active()).orElse(true), "the exposed key is disabled");
        List<StoredKey> keys = account.iam().keys(USER);
        assertTrue(keys.size() <= 2, "IAM's quota: " + keys.size());
        if (!setup.rotates()) {
            assertEquals(previousOf(current, account), Optional.of(exposed), "no new rotation");
        }
        long told = account.notifier().published().stream().skip(noticesBefore)
                .filter(n -> "key-exposed".equals(n.attributes().get(Notices.EVENT_TYPE)))
                .filter(n -> n.message().contains(exposed)).count();
        assertTrue(told >= 1 && told <= 2, "told at least once, normally once: " + told + " after "
                + account.faults().calls());

        // Then the schedule: nothing fails, and every contract invariant holds.
        account.advance(Duration.ofDays(1));
        RunReport scheduled = account.run();
        captured = new ArrayList<>(captured);
        captured.add(JsonLog.toJson(scheduled));
        assertEquals(0, scheduled.count(ReportCount.FAILED), scheduled.users().toString());
        assertKeyInSecretWorks(account);
        StoredSecret secret = account.secrets().secret(account.secretName(USER)).orElseThrow();
        assertTrue(secret.policy().isPresent(), "the owner can read the secret");
        String after = keyInSecret(account);
        assertTrue(account.notifier().published().stream()
                .filter(n -> Set.of("key-rotated", "key-exposed").contains(n.attributes().get(Notices.EVENT_TYPE)))
                .anyMatch(n -> n.message().contains(after)), "the owner was told about the key in the secret");
        Set<String> known = new HashSet<>(Set.of(after));
        previousOf(after, account).ifPresent(known::add);
        String reasons = Optional.ofNullable(scheduled.users().get(0).reason()).orElse("");
        for (StoredKey key : account.iam().keys(USER)) {
            assertTrue(known.contains(key.id()) || reasons.contains(key.id()), "orphaned key " + key.id());
        }
        // Provenance, with the one exception: the exposed key may be retired though a person made it.
        Set<String> replaced = new HashSet<>();
        secret.allValues().forEach(value -> Optional.ofNullable(json(value)
                .get(SecretField.PREVIOUS_ACCESS_KEY_ID.field())).ifPresent(id -> replaced.add(id.asText())));
        for (String retired : account.iam().retiredKeys()) {
            assertTrue(!account.iam().madeByPeople(retired) || replaced.contains(retired) || retired.equals(exposed),
                    "key " + retired + " was made by a person, never replaced nor exposed, yet retired");
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
        assertTrue(scheduled.users().stream().noneMatch(u -> u.outcome() == Outcome.ROTATED),
                "the schedule does not rotate again: " + scheduled.users());
    }

    private static void assertKeyInSecretWorks(InMemoryAccount account) {
        // A reservation (the rotator's secret before its first key) holds no key: as if there were no secret yet.
        account.secrets().secret(account.secretName(USER)).flatMap(StoredSecret::current)
                .filter(value -> !SecretDocument.isReservation(value)).ifPresentOrElse(value -> {
            JsonNode document = json(value);
            StoredKey key = account.iam().key(document.get(SecretField.ACCESS_KEY_ID.field()).asText())
                    .orElseThrow(() -> new AssertionError("the key in the secret is gone"));
            assertTrue(key.active(), "the key in the secret is disabled");
            assertEquals(key.secret(), document.get(SecretField.SECRET_ACCESS_KEY.field()).asText());
        }, () -> assertTrue(account.iam().keys(USER).stream().anyMatch(StoredKey::active),
                "no secret and no active key"));
    }

    private static String keyInSecret(InMemoryAccount account) {
        return json(account.secrets().secret(account.secretName(USER)).flatMap(StoredSecret::current).orElseThrow())
                .get(SecretField.ACCESS_KEY_ID.field()).asText();
    }

    private static Optional<String> previousInSecret(InMemoryAccount account) {
        return Optional.ofNullable(json(account.secrets().secret(account.secretName(USER))
                .flatMap(StoredSecret::current).orElseThrow()).get(SecretField.PREVIOUS_ACCESS_KEY_ID.field()))
                .map(JsonNode::asText);
    }

    private static Optional<String> previousOf(String current, InMemoryAccount account) {
        return keyInSecret(account).equals(current) ? previousInSecret(account) : Optional.empty();
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
