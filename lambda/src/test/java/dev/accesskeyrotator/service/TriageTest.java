package dev.accesskeyrotator.service;

import dev.accesskeyrotator.contract.OptInTag;
import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.port.SecretStore.SecretSummary;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TriageTest {
    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    private static final Triage GRACE_7_DELETE_30 = new Triage(new RotationConfig(90,
            OptInTag.parse("access-key-rotation"), 7, 30, false, 100));

    private static CredentialReport.KeySlot key(boolean active, long ageDays) {
        return new CredentialReport.KeySlot(active, NOW.minus(Duration.ofDays(ageDays)));
    }

    private static Optional<SecretSummary> secret(long currentAgeDays, boolean notified) {
        Map<String, String> tags = new HashMap<>();
        tags.put(SecretTags.CURRENT_KEY_CREATED, SecretTags.seconds(NOW.minus(Duration.ofDays(currentAgeDays))));
        if (notified) {
            tags.put(SecretTags.NOTIFIED_KEY_ID, "AKIACURRENT");
        }
        return Optional.of(new SecretSummary("arn", "access-key-rotation/u", tags, false, Optional.empty(), true));
    }

    private static boolean look(List<CredentialReport.KeySlot> keys, Optional<SecretSummary> secret) {
        return GRACE_7_DELETE_30.needsLook(Optional.of(keys), secret, Optional.of(90), NOW);
    }

    @Test
    void settledUserWithOneYoungNotifiedKeyNeedsNothing() {
        assertFalse(look(List.of(key(true, 10)), secret(10, true)));
    }

    @Test
    void settledUserWhosePreviousKeyWaitsForDeletionNeedsNothing() {
        assertFalse(look(List.of(key(false, 100), key(true, 10)), secret(10, true)));
    }

    @Test
    void previousKeyDueForDisablingOrDeletionIsLookedAt() {
        assertTrue(look(List.of(key(true, 100), key(true, 7)), secret(7, true)), "grace over");
        assertFalse(look(List.of(key(true, 100), key(true, 6)), secret(6, true)), "still in grace");
        assertTrue(look(List.of(key(false, 100), key(true, 37)), secret(37, true)), "grace + delete-after over");
    }

    @Test
    void anythingUnusualIsLookedAt() {
        assertTrue(look(List.of(key(true, 90)), secret(90, true)), "due");
        assertTrue(look(List.of(key(true, 10)), secret(10, false)), "notice owed");
        assertTrue(look(List.of(key(true, 10)), secret(20, true)), "current key is not the one in the secret");
        assertTrue(look(List.of(key(false, 10)), secret(10, true)), "current key disabled");
        assertTrue(look(List.of(key(true, 10), key(true, 2)), secret(10, true)), "newer stray");
        assertTrue(look(List.of(), secret(10, true)), "secret but no keys");
        assertTrue(GRACE_7_DELETE_30.needsLook(Optional.empty(), secret(10, true), Optional.of(90), NOW),
                "not in the report");
        assertTrue(GRACE_7_DELETE_30.needsLook(Optional.of(List.of(key(true, 10))), secret(10, true),
                Optional.empty(), NOW), "invalid override");
        assertTrue(look(List.of(key(true, 10)), Optional.of(new SecretSummary("arn", "n",
                secret(10, true).orElseThrow().tags(), true, Optional.empty(), true))), "secret scheduled for deletion");
    }

    @Test
    void neverRotatedUsersAreLookedAtOnlyWhenSomethingCouldBeDue() {
        assertFalse(look(List.of(key(true, 10)), Optional.empty()));
        assertFalse(look(List.of(), Optional.empty()));
        assertTrue(look(List.of(key(true, 90)), Optional.empty()));
        assertTrue(look(List.of(key(true, 10), key(false, 200)), Optional.empty()));
        assertTrue(look(List.of(key(false, 10)), Optional.empty()));
    }
}
