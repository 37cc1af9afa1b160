package dev.accesskeyrotator.moto;

import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.localaws.SimulatedCrash;
import dev.accesskeyrotator.localstack.SqsQueues;
import dev.accesskeyrotator.moto.MotoAccount.Key;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.UserResult;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash and recover against moto: the rotator dies right after each of its mutating calls took effect in moto
 * ({@link ClientCrash}, the client-side twin of the crash-after-success fault of {@code FaultMatrixTest}), then the
 * next day's run, with nothing injected, finishes the work. After both, the contract's invariants hold in moto's
 * state: every user secret holds an active key of its user, the cut-over left one active key, every key is the
 * current one or the one the rotator replaced (no orphan), the user outside the rotator is untouched, and each
 * owner was told about their current key.
 *
 * <p>Two users are mid-life when the crash comes: {@code veteran}, rotated once before (its secret exists; this run
 * deletes its disabled previous key, stores a new key with PutSecretValue, disables the replaced one) and
 * {@code fresh}, rotated for the first time (CreateSecret), so every mutating call happens in the crashed run.
 *
 * <p>Tagged {@code slow} (left out of the default build, run by {@code -Pslow}): it drives moto's server, a Python
 * process, and pays for its start and a reset per test.
 */
@Tag("slow")
class CrashRecoveryMotoTest {
    private static final Instant START = Instant.parse("2031-03-01T06:00:00Z");

    @RegisterExtension
    final MotoExtension moto = new MotoExtension(START);

    @ParameterizedTest(name = "crash after {0}")
    @ValueSource(strings = {"iam:CreateAccessKey", "secretsmanager:CreateSecret", "secretsmanager:PutSecretValue",
            "secretsmanager:PutResourcePolicy", "iam:UpdateAccessKey", "iam:DeleteAccessKey", "sns:Publish",
            "secretsmanager:TagResource"})
    void theNextRunFinishesWhatACrashedRunLeftAndEveryInvariantHolds(String step) {
        MotoAccount aws = moto.account();
        aws.parameter("cutover", "after-grace");
        aws.parameter("grace-days", "0");
        aws.parameter("delete-after-days", "5");
        aws.parameter("reminder-days", "0");
        aws.optedInUser("veteran");
        aws.key("veteran", 100);
        aws.otherUser("outsider");
        Key outsiderKey = aws.key("outsider", 400);
        assertEquals(Outcome.ROTATED, result(aws.run(), "veteran").outcome());
        aws.clock().advance(Duration.ofDays(95));
        aws.optedInUser("fresh");
        aws.key("fresh", 100);
        SqsQueues.Queue owners = aws.subscribe("owners", "{\"user_name\":[\"veteran\",\"fresh\"]}");
        aws.notices(owners);

        ClientCrash crash = new ClientCrash(step);
        try (MotoAccount.Rotator crashing = aws.rotator(crash)) {
            assertThrows(SimulatedCrash.class, crashing::run, "the run dies after " + step);
        }
        assertTrue(crash.fired());
        // Even right after the crash, the key each secret holds works: it is never disabled before its replacement
        // is stored.
        assertSecretsHoldActiveKeys(aws);
        List<SqsQueues.Notification> notices = new ArrayList<>(aws.notices(owners));

        aws.clock().advance(Duration.ofDays(1));
        RunReport recovery = aws.run();
        notices.addAll(aws.notices(owners));

        assertEquals(0, recovery.count("failed"), recovery.users().toString());
        assertSecretsHoldActiveKeys(aws);
        for (String user : List.of("veteran", "fresh")) {
            Key current = aws.storedKey(user);
            Map<String, Boolean> keys = aws.keys(user);
            assertEquals(1, keys.values().stream().filter(active -> active).count(),
                    user + ": one active key after the cut-over: " + keys);
            // No orphan: the current key, and at most the key it replaced (disabled, awaiting delete-after-days).
            assertTrue(keys.size() <= 2, user + ": " + keys);
            keys.forEach((id, active) -> assertTrue(id.equals(current.id()) || !active, user + ": " + keys));
            assertTrue(aws.use(current).endsWith(":user/" + user), "the stored key is " + user + "'s");
            assertTrue(notices.stream().anyMatch(n -> n.attribute("user_name").orElse("").equals(user)
                            && n.attribute("event_type").orElse("").equals("key-rotated")
                            && n.message().contains(current.id())),
                    user + " was told about " + current.id() + ": " + notices.stream().map(n -> n.attributes()
                            .toString()).toList());
        }
        assertEquals(Map.of(outsiderKey.id(), true), aws.keys("outsider"), "the user outside the rotator");
        RunReport quiet = aws.run();
        assertTrue(quiet.users().stream().allMatch(u -> Set.of(Outcome.UNCHANGED).contains(u.outcome())),
                "a run after the recovery has nothing left to do: " + quiet.users());
    }

    private static void assertSecretsHoldActiveKeys(MotoAccount aws) {
        for (String user : List.of("veteran", "fresh")) {
            aws.storedKeyIfAny(user).ifPresent(stored -> assertEquals(Boolean.TRUE, aws.keys(user).get(stored.id()),
                    user + "'s secret holds " + stored.id() + ", which must be active: " + aws.keys(user)));
        }
    }

    private static UserResult result(RunReport report, String user) {
        return report.users().stream().filter(u -> u.user().equals(user)).findFirst()
                .orElseThrow(() -> new AssertionError(user + " not in " + report.users()));
    }
}
