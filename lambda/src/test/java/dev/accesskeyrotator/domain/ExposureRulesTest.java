package dev.accesskeyrotator.domain;

import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.domain.ExposureRules.ExposurePlan;
import dev.accesskeyrotator.domain.ExposureRules.ExposureRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExposureRulesTest {
    private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");
    private static final String ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:access-key-rotation/alice-x";
    private static final String CURRENT = "AKIACURRENT000000001";
    private static final String PREVIOUS = "AKIAPREVIOUS00000001";
    private static final String OTHER = "AKIAOTHER00000000001";

    private static AccessKey key(String id, boolean active, Duration age) {
        return new AccessKey(id, active, NOW.minus(age));
    }

    private static SecretState.Stored stored(Optional<String> previous, Optional<Instant> intentAt) {
        return new SecretState.Stored(ARN, "access-key-rotation/alice", CURRENT, "alice", previous,
                Optional.of(CURRENT), intentAt, Optional.empty());
    }

    private static UserState user(SecretState secret, AccessKey... keys) {
        return new UserState("alice", "arn:aws:iam::123456789012:user/alice", Map.of(), List.of(keys), secret,
                Map.of());
    }

    private static ExposurePlan decide(UserState user, String keyId) {
        return ExposureRules.decide(user, keyId, ExposureRecord.NONE, NOW);
    }

    @Test
    void anExposedCurrentKeyIsReplacedWhateverItsAge() {
        // One day old: the schedule would not touch it for months.
        UserState alice = user(stored(Optional.empty(), Optional.empty()), key(CURRENT, true, Duration.ofDays(1)));
        var rotate = assertInstanceOf(ExposurePlan.Rotate.class, decide(alice, CURRENT));
        assertEquals(Optional.of(CURRENT), rotate.expectedCurrentKey());
        assertTrue(rotate.makeRoom().isEmpty());
        assertEquals(false, rotate.madeByPeople());
    }

    @Test
    void anInactivePreviousKeyIsDeletedToMakeRoom() {
        UserState alice = user(stored(Optional.of(PREVIOUS), Optional.empty()),
                key(PREVIOUS, false, Duration.ofDays(40)), key(CURRENT, true, Duration.ofDays(10)));
        var rotate = assertInstanceOf(ExposurePlan.Rotate.class, decide(alice, CURRENT));
        assertEquals(List.of(new Step.DeleteInactiveKeyForRoom(PREVIOUS)), rotate.makeRoom());
    }

    @Test
    void aNeverRotatedUsersOnlyKeyIsReplacedEvenThoughAPersonMadeIt() {
        UserState bob = user(SecretState.missing(), key(CURRENT, true, Duration.ofDays(3)));
        var rotate = assertInstanceOf(ExposurePlan.Rotate.class, decide(bob, CURRENT));
        assertEquals(Optional.empty(), rotate.expectedCurrentKey());
        assertTrue(rotate.madeByPeople());
    }

    @Test
    void anExposedPreviousKeyStillInGraceIsDisabledWithoutANewRotation() {
        UserState alice = user(stored(Optional.of(PREVIOUS), Optional.empty()),
                key(PREVIOUS, true, Duration.ofDays(91)), key(CURRENT, true, Duration.ofDays(1)));
        var disable = assertInstanceOf(ExposurePlan.Disable.class, decide(alice, PREVIOUS));
        assertTrue(disable.previous());
        assertEquals(false, disable.madeByPeople());
    }

    @Test
    void anExposedStrayMadeByAPersonIsDisabledAnyway() {
        UserState alice = user(stored(Optional.empty(), Optional.empty()),
                key(CURRENT, true, Duration.ofDays(5)), key(OTHER, true, Duration.ofDays(2)));
        var disable = assertInstanceOf(ExposurePlan.Disable.class, decide(alice, OTHER));
        assertEquals(false, disable.previous());
        assertTrue(disable.madeByPeople());
    }

    @Test
    void anAlreadyInactiveOrDeletedKeyNeedsNothing() {
        UserState alice = user(stored(Optional.of(PREVIOUS), Optional.empty()),
                key(PREVIOUS, false, Duration.ofDays(91)), key(CURRENT, true, Duration.ofDays(1)));
        assertInstanceOf(ExposurePlan.Nothing.class, decide(alice, PREVIOUS));
        assertInstanceOf(ExposurePlan.Nothing.class, decide(alice, OTHER));
    }

    @Test
    void aRetiredKeyWhoseNoticeARunDidNotSendGetsItsNotice() {
        UserState alice = user(stored(Optional.of(PREVIOUS), Optional.empty()),
                key(PREVIOUS, false, Duration.ofDays(91)), key(CURRENT, true, Duration.ofMinutes(2)));
        ExposureRecord owed = new ExposureRecord(Optional.of(PREVIOUS), Optional.empty());
        assertInstanceOf(ExposurePlan.SendOwedNotice.class, ExposureRules.decide(alice, PREVIOUS, owed, NOW));
        ExposureRecord told = new ExposureRecord(Optional.of(PREVIOUS), Optional.of(PREVIOUS));
        assertInstanceOf(ExposurePlan.Nothing.class, ExposureRules.decide(alice, PREVIOUS, told, NOW));
    }

    @Test
    void anActivePreviousKeyInTheWayBlocksTheRotationAndChangesNothing() {
        UserState alice = user(stored(Optional.of(PREVIOUS), Optional.empty()),
                key(PREVIOUS, true, Duration.ofDays(91)), key(CURRENT, true, Duration.ofDays(1)));
        var cannot = assertInstanceOf(ExposurePlan.CannotAct.class, decide(alice, CURRENT));
        assertEquals(Outcome.ATTENTION, cannot.outcome());
        assertTrue(cannot.reason().contains(CURRENT) && cannot.reason().contains(PREVIOUS), cannot.reason());
    }

    @Test
    void twoPeopleMadeActiveKeysOfANeverRotatedUserAreAttentionNamingTheKey() {
        UserState bob = user(SecretState.missing(), key(CURRENT, true, Duration.ofDays(30)),
                key(OTHER, true, Duration.ofDays(3)));
        var cannot = assertInstanceOf(ExposurePlan.CannotAct.class, decide(bob, CURRENT));
        assertEquals(Outcome.ATTENTION, cannot.outcome());
        assertTrue(cannot.reason().contains(CURRENT), cannot.reason());
        assertEquals(Optional.empty(), ExposureRules.keyInUse(bob), "a user request cannot tell which one");
    }

    @Test
    void aSecretThatIsNotTheRotatorsIsAttentionAndNothingChanges() {
        UserState carol = user(new SecretState.NotOwned(ARN, "encrypted with another KMS key"),
                key(CURRENT, true, Duration.ofDays(3)));
        var cannot = assertInstanceOf(ExposurePlan.CannotAct.class, decide(carol, CURRENT));
        assertEquals(Outcome.ATTENTION, cannot.outcome());
        assertTrue(cannot.reason().contains(CURRENT) && cannot.reason().contains("not the rotator's"));
    }

    @Test
    void aUserWhoIsNotOptedInIsAttentionNamingTheKey() {
        var cannot = assertInstanceOf(ExposurePlan.CannotAct.class, ExposureRules.notOptedIn("dave", CURRENT));
        assertEquals(Outcome.ATTENTION, cannot.outcome());
        assertTrue(cannot.reason().contains(CURRENT) && cannot.reason().contains("dave"));
    }

    @Test
    void anUnusedKeyOfADeadRunIsDeletedFirstButOneStillInFlightDefers() {
        Instant intent = NOW.minus(Duration.ofHours(2));
        UserState dead = user(stored(Optional.empty(), Optional.of(intent)), key(CURRENT, true, Duration.ofDays(4)),
                new AccessKey(OTHER, true, intent.plusSeconds(1)));
        var rotate = assertInstanceOf(ExposurePlan.Rotate.class, decide(dead, CURRENT));
        assertEquals(List.of(new Step.DeleteStrayKey(OTHER)), rotate.makeRoom());

        Instant recent = NOW.minus(Duration.ofMinutes(1));
        UserState inFlight = user(stored(Optional.empty(), Optional.of(recent)), key(CURRENT, true,
                Duration.ofDays(4)), new AccessKey(OTHER, true, recent));
        var cannot = assertInstanceOf(ExposurePlan.CannotAct.class, decide(inFlight, CURRENT));
        assertEquals(Outcome.DEFERRED, cannot.outcome());
    }

    @Test
    void aCurrentKeyDisabledByAPersonIsNotOverruledForAnExposedPreviousKey() {
        UserState alice = user(stored(Optional.of(PREVIOUS), Optional.empty()),
                key(PREVIOUS, true, Duration.ofDays(91)), key(CURRENT, false, Duration.ofDays(1)));
        assertInstanceOf(ExposurePlan.CannotAct.class, decide(alice, PREVIOUS));
    }

    @Test
    void aUserRequestTreatsTheKeyInTheSecretAsExposed() {
        UserState alice = user(stored(Optional.of(PREVIOUS), Optional.empty()),
                key(PREVIOUS, false, Duration.ofDays(91)), key(CURRENT, true, Duration.ofDays(1)));
        assertEquals(Optional.of(CURRENT), ExposureRules.keyInUse(alice));
        UserState bob = user(SecretState.missing(), key(OTHER, false, Duration.ofDays(200)),
                key(CURRENT, true, Duration.ofDays(30)));
        assertEquals(Optional.of(CURRENT), ExposureRules.keyInUse(bob));
    }
}
