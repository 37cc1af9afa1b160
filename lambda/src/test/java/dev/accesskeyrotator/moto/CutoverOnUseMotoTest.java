package dev.accesskeyrotator.moto;

import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.localstack.SqsQueues;
import dev.accesskeyrotator.moto.MotoAccount.Key;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.UserResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cut-over on use against moto, as {@code CutoverOnUseTest} runs it on the project's endpoint, with one difference
 * that makes it stronger: there the test writes a key's last use into the emulator; here the consumer really signs
 * calls with its keys, and moto records each one as the key's last use (date, service, region) the way IAM does,
 * which the rotator reads back with GetAccessKeyLastUsed. moto records use at once, where IAM may lag by hours; the
 * rotator decides at hour scale either way.
 *
 * <p>moto's credential report lists the last-used date but answers {@code not_supported} for the last-used region and
 * service ({@code access_key_N_last_used_region}/{@code _service}), which AWS documents as the region and service
 * of that last use, or {@code N/A} when unused (IAM User Guide, "Getting credential reports", report format). With
 * moto's report also dated 2015 (see {@link RotationMotoTest}) the rotator does not use the report here anyway.
 *
 * <p>Tagged {@code slow} (left out of the default build, run by {@code -Pslow}): it drives moto's server, a Python
 * process, and pays for its start and a reset per test.
 */
@Tag("slow")
class CutoverOnUseMotoTest {
    private static final Instant START = Instant.parse("2031-03-01T06:00:00Z");

    @RegisterExtension
    final MotoExtension moto = new MotoExtension(START);
    private MotoAccount aws;
    private SqsQueues.Queue inbox;
    /** The owners' notices, event types in order, read from their queue after each run. */
    private final List<String> events = new ArrayList<>();

    @BeforeEach
    void contractDefaults() {
        aws = moto.account();
        // The contract's defaults, stated: on-use, no fixed grace, 24 idle hours, 7 max-grace days.
        aws.parameter("cutover", "on-use");
        aws.parameter("grace-days", "0");
        aws.parameter("old-key-idle-hours", "24");
        aws.parameter("max-grace-days", "7");
        aws.parameter("reminder-days", "7");
        inbox = aws.subscribe("owner-inbox", "{\"user_name\":[\"good-ci\",\"stuck-ci\"]}");
    }

    @Test
    void aConsumerThatSwitchesSeesItsOldKeyDisabledOneIdlePeriodAfterItsLastUse() {
        aws.optedInUser("good-ci");
        Key old = aws.key("good-ci", 90);
        useAt(old, START.minus(Duration.ofHours(1)));

        UserResult rotated = run().get("good-ci");
        assertEquals(Outcome.ROTATED, rotated.outcome(), rotated.toString());
        Key current = aws.storedKey("good-ci");
        assertEquals(Map.of(old.id(), true, current.id(), true), aws.keys("good-ci"),
                "the old key stays for the cut-over");

        // Three hours later the consumer makes its last call with the old key and switches to the new one.
        aws.clock().advance(Duration.ofHours(3));
        aws.use(old);
        aws.use(current);

        // 23 hours after that last use the old key has not been idle long enough; at 24 hours it has.
        aws.clock().advance(Duration.ofHours(23));
        assertEquals(Outcome.UNCHANGED, run().get("good-ci").outcome());
        assertTrue(aws.keys("good-ci").get(old.id()), "in use 23 hours ago: still active");
        aws.clock().advance(Duration.ofHours(1));
        UserResult disabled = run().get("good-ci");
        assertEquals(Outcome.DISABLED_OLD, disabled.outcome(), disabled.toString());
        assertTrue(disabled.action().contains("unused since the new key was stored"), disabled.action());
        assertEquals(Map.of(old.id(), false, current.id(), true), aws.keys("good-ci"));
        assertEquals(List.of("key-rotated", "key-disabled"), events());
    }

    @Test
    void aConsumerThatKeepsUsingTheOldKeyKeepsItUntilMaxGraceDaysAndIsRemindedTheDayBefore() {
        aws.optedInUser("stuck-ci");
        Key old = aws.key("stuck-ci", 90);

        Map<Integer, Outcome> days = new LinkedHashMap<>();
        for (int day = 0; day <= 7; day++) {
            // The consumer never switches: two hours before each run it calls with the old key, while it is active.
            if (aws.keys("stuck-ci").getOrDefault(old.id(), false)) {
                useAt(old, aws.clock().instant().minus(Duration.ofHours(2)));
            }
            days.put(day, run().get("stuck-ci").outcome());
            aws.clock().advance(Duration.ofDays(1));
        }

        assertEquals(Outcome.ROTATED, days.get(0), days.toString());
        for (int day = 1; day < 6; day++) {
            assertEquals(Outcome.UNCHANGED, days.get(day), "still in use on day " + day + ": " + days);
        }
        assertEquals(Outcome.REMINDED, days.get(6), "one day before max-grace-days: " + days);
        assertEquals(Outcome.DISABLED_OLD, days.get(7), "at max-grace-days, in use or not: " + days);
        assertEquals(List.of("key-rotated", "key-expiring", "key-disabled"), events());
    }

    /** A signed call with {@code key} at {@code at}; the clock then goes back to where it was. */
    private void useAt(Key key, Instant at) {
        Instant now = aws.clock().instant();
        aws.clock().set(at);
        try {
            aws.use(key);
        } finally {
            aws.clock().set(now);
        }
    }

    private Map<String, UserResult> run() {
        RunReport report = aws.run();
        // Read at once, as moto's SQS applies its retention period (4 days) on the simulated clock.
        aws.notices(inbox).forEach(n -> events.add(n.attribute("event_type").orElse("?")));
        Map<String, UserResult> results = new LinkedHashMap<>();
        report.users().forEach(result -> results.put(result.user(), result));
        return results;
    }

    private List<String> events() {
        return List.copyOf(events);
    }
}
