package dev.accesskeyrotator.service;

import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.testing.fakes.InMemorySecretStore;
import dev.accesskeyrotator.testing.fakes.PortFaults;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The attention cadence: a cause is told when new, then at most every attention-reminder-days while unchanged. */
class NoticeLedgerTest {
    private static final Instant T0 = Instant.parse("2026-03-01T06:00:00Z");
    private static final String CAUSE = "stray key AKIA123 was made outside the rotator; left alone";

    @Test
    void aNewCauseIsToldAtOnceAndAgainOnlyAfterTheCadence() {
        NoticeLedger ledger = NoticeLedger.empty();
        assertTrue(ledger.due("alice", CAUSE, T0, 7));
        ledger.told("alice", CAUSE, T0);
        assertFalse(ledger.due("alice", CAUSE, T0.plus(Duration.ofDays(7)).minusSeconds(1), 7));
        assertTrue(ledger.due("alice", CAUSE, T0.plus(Duration.ofDays(7)), 7));
        assertTrue(ledger.due("alice", "another cause", T0.plusSeconds(60), 7), "a changed cause is news");
        assertTrue(ledger.due("bob", CAUSE, T0, 7), "per user");
    }

    @Test
    void cadenceZeroTellsACauseOnce() {
        NoticeLedger ledger = NoticeLedger.empty();
        ledger.told("alice", CAUSE, T0);
        assertFalse(ledger.due("alice", CAUSE, T0.plus(Duration.ofDays(3650)), 0));
    }

    @Test
    void aResolvedCauseIsToldAtOnceWhenItComesBack() {
        NoticeLedger ledger = NoticeLedger.empty();
        ledger.told("alice", CAUSE, T0);
        ledger.resolved("alice");
        assertTrue(ledger.due("alice", CAUSE, T0.plusSeconds(60), 7));
    }

    @Test
    void aFullLedgerKeepsTheNewestRecordsWithinTheSecretSizeLimit() throws Exception {
        NoticeLedger ledger = NoticeLedger.empty();
        int users = 5_000;
        for (int i = 0; i < users; i++) {
            ledger.told("user-" + i + "-é", CAUSE + i, T0.plusSeconds(i));
        }
        String rendered = ledger.render();
        int bytes = rendered.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        var kept = JsonLog.mapper().readTree(rendered).path("users");

        assertTrue(bytes >= NoticeLedger.MAX_BYTES && bytes < NoticeLedger.MAX_BYTES + 100, bytes + " bytes");
        assertTrue(kept.has("user-" + (users - 1) + "-é"), "the newest record stays");
        assertFalse(kept.has("user-0-é"), "the oldest record gives way");
        // Exactly the newest records until the limit: removing the last one kept brings the document under it.
        int oldestKept = users - kept.size();
        assertTrue(kept.has("user-" + oldestKept + "-é") && !kept.has("user-" + (oldestKept - 1) + "-é"));
        ((com.fasterxml.jackson.databind.node.ObjectNode) kept).remove("user-" + oldestKept + "-é");
        String withoutOldest = JsonLog.mapper().writeValueAsString(JsonLog.mapper().createObjectNode()
                .set("users", kept));
        assertTrue(withoutOldest.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < NoticeLedger.MAX_BYTES);
    }

    @Test
    void theRecordsSurviveARoundTripThroughTheirSecret() {
        PortFaults faults = new PortFaults();
        InMemorySecretStore secrets = new InMemorySecretStore(faults);
        NoticeLedger ledger = NoticeLedger.empty();
        ledger.told("alice", CAUSE, T0);
        assertTrue(ledger.changed());
        secrets.create("access-key-rotation/rotator/attention-notices", ledger.render(), "key", Map.of(),
                "00000000-0000-0000-0000-000000000001");
        List<String> logs = new ArrayList<>();
        NoticeLedger loaded = NoticeLedger.load(secrets,
                secrets.describe("access-key-rotation/rotator/attention-notices"),
                new SecretOwnership(Optional.of("key")), new JsonLog(logs::add, Clock.fixed(T0, ZoneOffset.UTC)));
        assertFalse(loaded.due("alice", CAUSE, T0.plus(Duration.ofDays(1)), 7));
        assertTrue(loaded.due("alice", CAUSE, T0.plus(Duration.ofDays(7)), 7));
        assertFalse(loaded.changed());
        assertFalse(loaded.render().contains("stray key"), "causes are kept as digests: " + loaded.render());
        assertEquals(List.of(), logs);
    }

    @Test
    void recordsInASecretThatIsNotTheRotatorsAreIgnoredAndNeverReplaced() {
        PortFaults faults = new PortFaults();
        InMemorySecretStore secrets = new InMemorySecretStore(faults);
        NoticeLedger planted = NoticeLedger.empty();
        planted.told("alice", CAUSE, T0);
        secrets.create("under-another-key", planted.render(), "another-key", Map.of(),
                "00000000-0000-0000-0000-000000000001");
        secrets.create("without-a-value", null, "key", Map.of(), "00000000-0000-0000-0000-000000000002");
        SecretOwnership ownership = new SecretOwnership(Optional.of("key"));

        for (String name : List.of("under-another-key", "without-a-value")) {
            List<String> logs = new ArrayList<>();
            NoticeLedger loaded = NoticeLedger.load(secrets, secrets.describe(name), ownership,
                    new JsonLog(logs::add, Clock.fixed(T0, ZoneOffset.UTC)));

            assertTrue(loaded.due("alice", CAUSE, T0.plusSeconds(60), 7), name + ": the planted record silences nothing");
            assertFalse(loaded.saveable(), name);
            assertEquals(1, logs.size(), logs.toString());
            assertTrue(logs.get(0).contains("not the rotator's"), logs.get(0));
        }
        assertTrue(NoticeLedger.load(secrets, Optional.empty(), ownership,
                new JsonLog(line -> { }, Clock.fixed(T0, ZoneOffset.UTC))).saveable(), "none yet: the run creates it");
    }

    @Test
    void anUnreadableRecordMeansCausesAreToldAgainNotAFailedRun() {
        PortFaults faults = new PortFaults();
        InMemorySecretStore secrets = new InMemorySecretStore(faults);
        secrets.create("records", "not json", "key", Map.of(), "00000000-0000-0000-0000-000000000001");
        List<String> logs = new ArrayList<>();
        NoticeLedger loaded = NoticeLedger.load(secrets, secrets.describe("records"),
                new SecretOwnership(Optional.of("key")), new JsonLog(logs::add, Clock.fixed(T0,
                ZoneOffset.UTC)));
        assertTrue(loaded.due("alice", CAUSE, T0, 7));
        assertEquals(1, logs.size(), logs.toString());
    }

    @Test
    void theRecordStaysWithinWhatASecretCanHold() {
        NoticeLedger ledger = NoticeLedger.empty();
        for (int i = 0; i < 5_000; i++) {
            ledger.told("user-" + i, CAUSE + i, T0.plusSeconds(i));
        }
        String rendered = ledger.render();
        assertTrue(rendered.length() < 65_536, "Secrets Manager's limit: " + rendered.length());
        assertTrue(rendered.contains("user-4999"), "the newest records are kept");
    }
}
