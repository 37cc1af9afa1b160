package dev.accesskeyrotator.service;

import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.contract.OptInTag;
import dev.accesskeyrotator.contract.Parameter.Cutover;
import dev.accesskeyrotator.port.SecretStore.SecretSummary;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Triage under the default configuration (threshold 90 days, {@code on-use} cut-over with max-grace-days 7 and
 * old-key-idle-hours 24, reminders 7 days ahead, deletion 30 days after disabling), and under {@code after-grace}.
 */
class TriageTest {
    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    private static final String CURRENT_ID = "AKIACURRENT";
    private static final RotationConfig DEFAULTS = RotationConfig.defaults();
    private static final Triage TRIAGE = new Triage(DEFAULTS);

    private static Instant ago(Duration duration) {
        return NOW.minus(duration);
    }

    private static CredentialReport.KeySlot key(boolean active, Duration age) {
        return new CredentialReport.KeySlot(active, ago(age));
    }

    private static CredentialReport.KeySlot key(boolean active, long ageDays) {
        return key(active, Duration.ofDays(ageDays));
    }

    private static CredentialReport.KeySlot usedKey(long ageDays, Duration lastUsedAgo) {
        return new CredentialReport.KeySlot(true, ago(Duration.ofDays(ageDays)), Optional.of(ago(lastUsedAgo)));
    }

    private static Map<String, String> settled(Duration currentAge) {
        Map<String, String> tags = new HashMap<>();
        tags.put(SecretTags.CURRENT_KEY_CREATED, SecretTags.seconds(ago(currentAge)));
        tags.put(SecretTags.NOTIFIED_KEY_ID, CURRENT_ID);
        return tags;
    }

    private static Optional<SecretSummary> secret(Map<String, String> tags) {
        return Optional.of(new SecretSummary("arn", "access-key-rotation/u", tags, false, Optional.empty(), true));
    }

    private static Optional<SecretSummary> secret(long currentAgeDays) {
        return secret(settled(Duration.ofDays(currentAgeDays)));
    }

    private static Optional<SecretSummary> secretWith(Duration currentAge, String tag, String value) {
        Map<String, String> tags = settled(currentAge);
        tags.put(tag, value);
        return secret(tags);
    }

    private static boolean look(List<CredentialReport.KeySlot> keys, Optional<SecretSummary> secret) {
        return TRIAGE.needsLook(Optional.of(keys), secret, Optional.of(90), NOW);
    }

    @Test
    void theTestsRunUnderTheDefaultConfiguration() {
        assertEquals(Cutover.ON_USE, DEFAULTS.cutover());
        assertEquals(7, DEFAULTS.reminderDays());
    }

    @Test
    void settledUserWithOneYoungNotifiedKeyNeedsNothing() {
        assertFalse(look(List.of(key(true, 10)), secret(10)));
    }

    @Test
    void reminderWindowIsLookedAtUntilTheReminderIsRecorded() {
        assertFalse(look(List.of(key(true, 82)), secret(82)), "a day before the window");
        assertTrue(look(List.of(key(true, 83)), secret(83)), "reminder-days before the threshold");
        assertFalse(look(List.of(key(true, 85)), secretWith(Duration.ofDays(85), SecretTags.REMINDED_KEY_ID,
                CURRENT_ID)), "already reminded of this key");
        assertTrue(look(List.of(key(true, 85)), secretWith(Duration.ofDays(85), SecretTags.REMINDED_KEY_ID,
                "AKIAOLDERKEY")), "reminded of an earlier key");
        assertTrue(look(List.of(key(true, 90)), secretWith(Duration.ofDays(90), SecretTags.REMINDED_KEY_ID,
                CURRENT_ID)), "due, reminded or not");
    }

    @Test
    void neverRotatedUserInTheReminderWindowIsLookedAtOnce() {
        assertTrue(look(List.of(key(true, 84)), Optional.empty()));
        Map<String, String> reserved = new HashMap<>(Map.of(SecretTags.REMINDED_KEY_ID, "AKIAONLY"));
        assertFalse(look(List.of(key(true, 84)), secret(reserved)), "its reminder is on the reserved secret");
        assertTrue(look(List.of(key(true, 90)), secret(reserved)), "due");
    }

    @Test
    void replacedKeyIsLookedAtOnceTheReportShowsItIdleLongEnough() {
        assertFalse(look(List.of(key(true, 100), key(true, Duration.ofHours(12))), secret(settled(Duration.ofHours(12)))),
                "unused, but not for old-key-idle-hours yet");
        assertTrue(look(List.of(key(true, 100), key(true, Duration.ofHours(30))), secret(settled(Duration.ofHours(30)))),
                "unused since its replacement for 30 hours");
        assertFalse(look(List.of(usedKey(100, Duration.ofHours(2)), key(true, 3)), secret(3)),
                "used two hours ago: cannot be idle yet");
        assertTrue(look(List.of(usedKey(100, Duration.ofHours(25)), key(true, 3)), secret(3)),
                "last used 25 hours ago");
        assertFalse(look(List.of(usedKey(100, Duration.ofDays(4)), key(true, Duration.ofHours(12))),
                secret(settled(Duration.ofHours(12)))), "a use before the replacement does not count");
    }

    @Test
    void replacedKeyStillInUseGetsItsReminderAndItsDeadline() {
        List<CredentialReport.KeySlot> inUse = List.of(usedKey(100, Duration.ofHours(1)), key(true, Duration.ofHours(150)));
        assertTrue(look(inUse, secret(settled(Duration.ofHours(150)))), "a day before max-grace-days");
        assertFalse(look(inUse, secretWith(Duration.ofHours(150), SecretTags.GRACE_REMINDED_KEY_ID, CURRENT_ID)),
                "reminded already");
        assertFalse(look(List.of(usedKey(100, Duration.ofHours(1)), key(true, Duration.ofHours(100))),
                secret(settled(Duration.ofHours(100)))), "before the reminder's day");
        assertTrue(look(List.of(usedKey(100, Duration.ofHours(1)), key(true, 7)),
                secretWith(Duration.ofDays(7), SecretTags.GRACE_REMINDED_KEY_ID, CURRENT_ID)), "max-grace-days");
    }

    @Test
    void aUseTheReportDoesNotShowYetCouldMakeTheStillInUseReminderDue() {
        // Idle hours longer than max-grace-days: only the deadline disables the key, and the reminder comes first.
        Triage slowIdle = new Triage(new RotationConfig(90, OptInTag.parse(OptInTag.DEFAULT), 0, 30, false, 100,
                Cutover.ON_USE, 7, 720, 7, 7));
        List<CredentialReport.KeySlot> noUseShown = List.of(key(true, 100), key(true, Duration.ofHours(150)));
        assertTrue(slowIdle.needsLook(Optional.of(noUseShown), secret(settled(Duration.ofHours(150))), Optional.of(90),
                NOW), "the report may be hours behind a use");
        assertFalse(slowIdle.needsLook(Optional.of(noUseShown), secretWith(Duration.ofHours(150),
                SecretTags.GRACE_REMINDED_KEY_ID, CURRENT_ID), Optional.of(90), NOW), "reminded already");
    }

    @Test
    void disabledPreviousKeyIsLookedAtWhenItsDeletionComes() {
        assertFalse(look(List.of(key(false, 100), key(true, 36)), secret(36)), "counted from the deadline (day 7)");
        assertTrue(look(List.of(key(false, 100), key(true, 37)), secret(37)), "max-grace-days + delete-after-days");
        assertTrue(look(List.of(key(false, 100), key(true, 20)), secretWith(Duration.ofDays(20),
                SecretTags.PREVIOUS_DISABLED_AT, ago(Duration.ofDays(30)).toString())), "recorded disabling date");
        assertFalse(look(List.of(key(false, 100), key(true, 20)), secretWith(Duration.ofDays(20),
                SecretTags.PREVIOUS_DISABLED_AT, ago(Duration.ofDays(29)).toString())), "a day before");
    }

    @Test
    void anythingUnusualIsLookedAt() {
        assertTrue(look(List.of(key(true, 10)), secret(Map.of(SecretTags.CURRENT_KEY_CREATED,
                SecretTags.seconds(ago(Duration.ofDays(10)))))), "notice owed");
        assertTrue(look(List.of(key(true, 10)), secret(20)), "current key is not the one in the secret");
        assertTrue(look(List.of(key(false, 10)), secret(10)), "current key disabled");
        assertTrue(look(List.of(key(true, 10), key(true, 2)), secret(10)), "newer stray");
        assertTrue(look(List.of(), secret(10)), "secret but no keys");
        assertTrue(TRIAGE.needsLook(Optional.empty(), secret(10), Optional.of(90), NOW), "not in the report");
        assertTrue(TRIAGE.needsLook(Optional.of(List.of(key(true, 10))), secret(10), Optional.empty(), NOW),
                "invalid override");
        assertTrue(look(List.of(key(true, 10)), Optional.of(new SecretSummary("arn", "n",
                secret(10).orElseThrow().tags(), true, Optional.empty(), true))), "secret scheduled for deletion");
    }

    @Test
    void neverRotatedUsersAreLookedAtOnlyWhenSomethingCouldBeDue() {
        assertFalse(look(List.of(key(true, 10)), Optional.empty()));
        assertFalse(look(List.of(), Optional.empty()));
        assertTrue(look(List.of(key(true, 90)), Optional.empty()));
        assertTrue(look(List.of(key(true, 10), key(false, 200)), Optional.empty()));
        assertTrue(look(List.of(key(false, 10)), Optional.empty()));
    }

    @Nested
    class AfterGrace {
        private final Triage afterGrace = new Triage(new RotationConfig(90, OptInTag.parse(OptInTag.DEFAULT), 7, 30,
                false, 100, Cutover.AFTER_GRACE, 7, 24, 7, 7));

        private boolean look(List<CredentialReport.KeySlot> keys, Optional<SecretSummary> secret) {
            return afterGrace.needsLook(Optional.of(keys), secret, Optional.of(90), NOW);
        }

        @Test
        void previousKeyIsDisabledOnTheTimerWhateverItsUse() {
            assertFalse(look(List.of(key(true, 100), key(true, 6)), secret(6)), "still in grace");
            assertTrue(look(List.of(key(true, 100), key(true, 7)), secret(7)), "grace over");
            assertFalse(look(List.of(usedKey(100, Duration.ofDays(5)), key(true, 6)), secret(6)),
                    "idle for days, but the timer decides");
            assertFalse(look(List.of(key(false, 100), key(true, 36)), secret(36)), "deletion not yet");
            assertTrue(look(List.of(key(false, 100), key(true, 37)), secret(37)), "grace + delete-after over");
        }
    }
}
