package dev.accesskeyrotator.domain;

import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.contract.OptInTag;
import dev.accesskeyrotator.config.RotationConfig;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RotationRulesTest {
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final String USER = "alice";
    private static final String ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:access-key-rotation/alice-AbCdEf";

    private static RotationConfig config(int maxAge, int grace, int deleteAfter) {
        return new RotationConfig(maxAge, OptInTag.parse("access-key-rotation=enabled"), grace,
                deleteAfter, false, 100);
    }

    private static AccessKey key(String id, boolean active, Duration age) {
        return new AccessKey(id, active, NOW.minus(age));
    }

    private static Duration days(long days) {
        return Duration.ofDays(days);
    }

    /** Builds observed state the way the reader would. */
    private static final class State {
        private final List<AccessKey> keys = new ArrayList<>();
        private final Map<String, String> tags = new HashMap<>(Map.of("access-key-rotation", "enabled"));
        private final Map<String, Optional<Instant>> lastUsed = new HashMap<>();
        private SecretState secret = SecretState.missing();

        State key(AccessKey key) {
            keys.add(key);
            return this;
        }

        State secret(String currentKeyId, String previousKeyId, String notifiedKeyId) {
            secret = new SecretState.Stored(ARN, "access-key-rotation/alice", currentKeyId, USER,
                    Optional.ofNullable(previousKeyId), Optional.ofNullable(notifiedKeyId));
            return this;
        }

        State secret(SecretState state) {
            secret = state;
            return this;
        }

        State used(String keyId) {
            lastUsed.put(keyId, Optional.of(NOW.minus(days(1))));
            return this;
        }

        State neverUsed(String keyId) {
            lastUsed.put(keyId, Optional.empty());
            return this;
        }

        State tag(String key, String value) {
            tags.put(key, value);
            return this;
        }

        UserState build() {
            return new UserState(USER, "arn:aws:iam::123456789012:user/alice", tags, keys, secret, lastUsed);
        }
    }

    private static UserPlan decide(RotationConfig config, State state) {
        return new RotationRules(config).decide(state.build(), NOW);
    }

    private static List<Step> steps(UserPlan plan) {
        return plan.steps();
    }

    private static List<Outcome> outcomes(UserPlan plan) {
        return plan.findings().stream().map(Finding::outcome).toList();
    }

    @Nested
    class RotateWhenDue {
        @ParameterizedTest(name = "age {0}d vs threshold 90d rotates: {1}")
        @CsvSource({"89, false", "90, true", "91, true", "400, true"})
        void currentKeyAtOrPastThresholdRotates(long ageDays, boolean rotates) {
            UserPlan plan = decide(config(90, 0, 30),
                    new State().key(key("AKIACURRENT", true, days(ageDays))).secret("AKIACURRENT", null, "AKIACURRENT"));
            assertEquals(rotates, plan.rotation().isPresent(), plan.toString());
            if (!rotates) {
                assertTrue(plan.changesNothing());
                assertTrue(plan.findings().isEmpty());
            }
        }

        @Test
        void oneSecondBeforeThresholdIsNotDue() {
            UserPlan plan = decide(config(90, 0, 30), new State()
                    .key(key("AKIACURRENT", true, days(90).minusSeconds(1))).secret("AKIACURRENT", null, "AKIACURRENT"));
            assertTrue(plan.changesNothing());
        }

        @Test
        void graceZeroDisablesAndGracePlusDeleteZeroAlsoDeletesInTheSameRun() {
            Step.Rotate withDelete = decide(config(90, 0, 0), new State().key(key("AKIAOLD", true, days(95)))
                    .secret("AKIAOLD", null, "AKIAOLD")).rotation().orElseThrow();
            assertEquals(new Step.Rotate("AKIAOLD", Optional.of("AKIAOLD"), true, true), withDelete);

            Step.Rotate graceZero = decide(config(90, 0, 30), new State().key(key("AKIAOLD", true, days(95)))
                    .secret("AKIAOLD", null, "AKIAOLD")).rotation().orElseThrow();
            assertTrue(graceZero.disableReplacedNow());
            assertTrue(!graceZero.deleteReplacedNow());
        }

        @Test
        void gracePositiveKeepsTheOldKeyActiveAfterRotation() {
            Step.Rotate rotate = decide(config(90, 7, 30), new State().key(key("AKIAOLD", true, days(95)))
                    .secret("AKIAOLD", null, "AKIAOLD")).rotation().orElseThrow();
            assertTrue(!rotate.disableReplacedNow() && !rotate.deleteReplacedNow());
        }

        @Test
        void userWithoutSecretRotatesTheirOnlyActiveKeyWhenDue() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIAONLY", true, days(120))));
            assertEquals(List.of(new Step.Rotate("AKIAONLY", Optional.empty(), true, false)), steps(plan));
        }

        @Test
        void userWithoutSecretAndYoungKeyNeedsNothing() {
            assertTrue(decide(config(90, 0, 30), new State().key(key("AKIAONLY", true, days(10)))).changesNothing());
        }

        @Test
        void userWithoutAnyActiveKeyNeedsNothing() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIAOFF", false, days(300))));
            assertTrue(plan.changesNothing());
            assertTrue(plan.findings().isEmpty());
        }

        @Test
        void inactiveSecondKeyIsDeletedToMakeRoom() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIAONLY", true, days(120)))
                    .key(key("AKIAOFF", false, days(300))));
            assertEquals(List.of(new Step.DeleteInactiveKeyForRoom("AKIAOFF"),
                    new Step.Rotate("AKIAONLY", Optional.empty(), true, false)), steps(plan));
        }

        @Test
        void twoActiveKeysWithoutSecretAreBlockedWhenDue() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIAONE", true, days(120)))
                    .key(key("AKIATWO", true, days(10))).used("AKIATWO"));
            assertTrue(plan.changesNothing());
            assertEquals(List.of(Outcome.BLOCKED), outcomes(plan));
        }

        @Test
        void twoActiveKeysWithoutSecretNeedAttentionWhenNotDue() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIAONE", true, days(20)))
                    .key(key("AKIATWO", true, days(10))).used("AKIATWO"));
            assertTrue(plan.changesNothing());
            assertEquals(List.of(Outcome.ATTENTION), outcomes(plan));
        }

        @Test
        void withoutSecretAnUnusedNewerKeyLeftByADeadRunIsDeletedAndTheOlderKeyRotated() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIAOLD", true, days(120)))
                    .key(key("AKIAORPHAN", true, days(1))).neverUsed("AKIAORPHAN"));
            assertEquals(List.of(new Step.DeleteStrayKey("AKIAORPHAN"),
                    new Step.Rotate("AKIAOLD", Optional.empty(), true, false)), steps(plan));
        }

        @Test
        void withoutSecretTwoKeysCreatedInTheSameSecondAreAmbiguousAndNeitherIsDeleted() {
            AccessKey first = new AccessKey("AKIAFIRST", true, NOW.minus(days(120)));
            AccessKey twin = new AccessKey("AKIATWIN", true, NOW.minus(days(120)));
            UserPlan plan = decide(config(90, 0, 30), new State().key(first).key(twin).neverUsed("AKIAFIRST")
                    .used("AKIATWIN"));
            assertTrue(plan.changesNothing(), plan.toString());
            assertEquals(List.of(Outcome.BLOCKED), outcomes(plan));
            plan = decide(config(90, 0, 30), new State().key(twin).key(first).neverUsed("AKIAFIRST").used("AKIATWIN"));
            assertTrue(plan.changesNothing(), "the order keys are listed in does not matter: " + plan);
        }

        @Test
        void userNameThatCannotNameASecretIsBlockedBeforeAnyChange() {
            UserState user = new UserState("ops,team", "arn:aws:iam::123456789012:user/ops,team",
                    Map.of("access-key-rotation", "enabled"), List.of(key("AKIAOLD", true, days(200))),
                    SecretState.missing(), Map.of());
            UserPlan plan = new RotationRules(config(90, 0, 30)).decide(user, NOW);
            assertTrue(plan.changesNothing());
            assertEquals(List.of(Outcome.BLOCKED), outcomes(plan));
        }

        @Test
        void withoutSecretAnUnusedNewerKeyMinutesOldIsLeftForTheRunThatMayOwnIt() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIAOLD", true, days(120)))
                    .key(key("AKIAFRESH", true, Duration.ofMinutes(2))));
            assertTrue(plan.changesNothing());
            assertEquals(List.of(Outcome.DEFERRED), outcomes(plan));
        }

        @Test
        void dueWithAUsedActiveStrayIsBlockedAndChangesNothing() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIACUR", true, days(100)))
                    .key(key("AKIAHAND", true, days(5))).secret("AKIACUR", null, "AKIACUR").used("AKIAHAND"));
            assertTrue(plan.changesNothing(), plan.toString());
            assertTrue(outcomes(plan).contains(Outcome.BLOCKED));
            assertTrue(outcomes(plan).contains(Outcome.ATTENTION));
        }
    }

    @Nested
    class PerUserOverride {
        @Test
        void overrideTagLowersTheThreshold() {
            UserPlan plan = decide(config(90, 0, 30), new State().tag(RotationRules.MAX_AGE_OVERRIDE_TAG, "30")
                    .key(key("AKIACUR", true, days(31))).secret("AKIACUR", null, "AKIACUR"));
            assertTrue(plan.rotation().isPresent());
        }

        @Test
        void overrideTagRaisesTheThreshold() {
            UserPlan plan = decide(config(90, 0, 30), new State().tag(RotationRules.MAX_AGE_OVERRIDE_TAG, "180")
                    .key(key("AKIACUR", true, days(120))).secret("AKIACUR", null, "AKIACUR"));
            assertTrue(plan.changesNothing());
        }

        @ParameterizedTest
        @CsvSource({"0", "3651", "abc", "''", "-5", "9.5", "99999999999"})
        void invalidOverrideSkipsTheUserWithAReason(String override) {
            UserPlan plan = decide(config(90, 0, 30), new State().tag(RotationRules.MAX_AGE_OVERRIDE_TAG, override)
                    .key(key("AKIACUR", true, days(400))).secret("AKIACUR", null, "AKIACUR"));
            assertTrue(plan.changesNothing());
            assertEquals(List.of(Outcome.ATTENTION), outcomes(plan));
            assertTrue(plan.findings().get(0).reason().contains(RotationRules.MAX_AGE_OVERRIDE_TAG));
        }

        @Test
        void overrideNotAboveGraceIsInvalid() {
            UserPlan plan = decide(config(90, 10, 30), new State().tag(RotationRules.MAX_AGE_OVERRIDE_TAG, "10")
                    .key(key("AKIACUR", true, days(400))).secret("AKIACUR", null, "AKIACUR"));
            assertEquals(List.of(Outcome.ATTENTION), outcomes(plan));
        }
    }

    @Nested
    class RespectPeople {
        @Test
        void currentKeyDisabledBysomeoneElseIsLeftAloneAndReported() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIACUR", false, days(400)))
                    .secret("AKIACUR", null, "AKIACUR"));
            assertTrue(plan.changesNothing());
            assertEquals(List.of(Outcome.ATTENTION), outcomes(plan));
        }

        @Test
        void currentKeyDeletedBySomeoneElseIsReported() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIAOTHER", true, days(400)))
                    .secret("AKIAGONE", null, "AKIAGONE"));
            assertTrue(plan.changesNothing());
            assertEquals(List.of(Outcome.ATTENTION), outcomes(plan));
        }

        @Test
        void secretHoldingAnotherUsersKeyIsReported() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIACUR", true, days(400)))
                    .secret(new SecretState.Stored(ARN, "n", "AKIABOB", "bob", Optional.empty(), Optional.empty())));
            assertTrue(plan.changesNothing());
            assertTrue(plan.findings().get(0).reason().contains("bob"));
        }

        @Test
        void secretScheduledForDeletionOrUnreadableIsReported() {
            for (SecretState secret : List.of(new SecretState.ScheduledForDeletion(ARN),
                    new SecretState.Unreadable(ARN, "value is not JSON"))) {
                UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIACUR", true, days(400))).secret(secret));
                assertTrue(plan.changesNothing());
                assertEquals(List.of(Outcome.ATTENTION), outcomes(plan));
            }
        }
    }

    @Nested
    class Strays {
        @Test
        void unusedStrayNewerThanCurrentIsDeleted() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIACUR", true, days(10)))
                    .key(key("AKIASTRAY", true, days(1))).secret("AKIACUR", null, "AKIACUR").neverUsed("AKIASTRAY"));
            assertEquals(List.of(new Step.DeleteStrayKey("AKIASTRAY")), steps(plan));
        }

        @Test
        void unusedStrayYoungerThanTheInFlightGuardIsDeferredNotDeleted() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIACUR", true, days(100)))
                    .key(key("AKIASTRAY", true, Duration.ofMinutes(3))).secret("AKIACUR", null, "AKIACUR"));
            assertTrue(plan.changesNothing(), plan.toString());
            assertEquals(List.of(Outcome.DEFERRED), outcomes(plan));
        }

        @Test
        void usedStrayIsLeftAloneAndReported() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIACUR", true, days(10)))
                    .key(key("AKIASTRAY", true, days(1))).secret("AKIACUR", null, "AKIACUR").used("AKIASTRAY"));
            assertTrue(plan.changesNothing());
            assertEquals(List.of(Outcome.ATTENTION), outcomes(plan));
        }

        @Test
        void unusedStrayOlderThanCurrentIsLeftAloneAndReported() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIACUR", true, days(10)))
                    .key(key("AKIAOLDER", false, days(50))).secret("AKIACUR", null, "AKIACUR"));
            assertTrue(plan.changesNothing());
            assertEquals(List.of(Outcome.ATTENTION), outcomes(plan));
        }

        @Test
        void deletedStrayMakesRoomForADueRotation() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIACUR", true, days(100)))
                    .key(key("AKIASTRAY", true, days(2))).secret("AKIACUR", null, "AKIACUR"));
            assertEquals(List.of(new Step.DeleteStrayKey("AKIASTRAY"),
                    new Step.Rotate("AKIACUR", Optional.of("AKIACUR"), true, false)), steps(plan));
        }
    }

    @Nested
    class FinishEarlierWork {
        @ParameterizedTest(name = "grace {0}d, current key {1}d old: disable previous = {2}")
        @CsvSource({"0, 0, true", "7, 6, false", "7, 7, true", "7, 8, true"})
        void previousKeyIsDisabledOnceGraceHasPassed(int grace, int currentAgeDays, boolean disables) {
            UserPlan plan = decide(config(90, grace, 30), new State().key(key("AKIAPREV", true, days(100)))
                    .key(key("AKIACUR", true, days(currentAgeDays))).secret("AKIACUR", "AKIAPREV", "AKIACUR"));
            assertEquals(disables, steps(plan).contains(new Step.DisablePreviousKey("AKIAPREV")), plan.toString());
            assertTrue(plan.findings().isEmpty());
        }

        @ParameterizedTest(name = "grace {0}d + delete-after {1}d, current key {2}d old: delete previous = {3}")
        @CsvSource({"0, 30, 29, false", "0, 30, 30, true", "7, 30, 36, false", "7, 30, 37, true", "0, 0, 0, true"})
        void inactivePreviousKeyIsDeletedAfterGracePlusDeleteAfter(int grace, int deleteAfter, int currentAgeDays,
                                                                   boolean deletes) {
            UserPlan plan = decide(config(90, grace, deleteAfter), new State().key(key("AKIAPREV", false, days(100)))
                    .key(key("AKIACUR", true, days(currentAgeDays))).secret("AKIACUR", "AKIAPREV", "AKIACUR"));
            assertEquals(deletes ? List.of(new Step.DeletePreviousKey("AKIAPREV")) : List.of(), steps(plan));
        }

        @Test
        void activePreviousKeyPastBothPeriodsIsDisabledThenDeleted() {
            UserPlan plan = decide(config(90, 5, 5), new State().key(key("AKIAPREV", true, days(100)))
                    .key(key("AKIACUR", true, days(20))).secret("AKIACUR", "AKIAPREV", "AKIACUR"));
            assertEquals(List.of(new Step.DisablePreviousKey("AKIAPREV"), new Step.DeletePreviousKey("AKIAPREV")),
                    steps(plan));
        }

        @Test
        void missingNoticeIsSentForTheCurrentKey() {
            UserPlan plan = decide(config(90, 7, 30), new State().key(key("AKIAPREV", true, days(100)))
                    .key(key("AKIACUR", true, days(1))).secret("AKIACUR", "AKIAPREV", "AKIAPREV"));
            assertEquals(List.of(new Step.SendPendingNotice("AKIACUR", Optional.of("AKIAPREV"))), steps(plan));
        }

        @Test
        void noticeOwedIsSentEvenWhenTheRotationIsBlocked() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIACUR", true, days(100)))
                    .key(key("AKIAHAND", true, days(5))).secret("AKIACUR", null, null).used("AKIAHAND"));
            assertEquals(List.of(new Step.SendPendingNotice("AKIACUR", Optional.empty())), steps(plan));
        }

        @Test
        void dueRotationSupersedesAnOwedNotice() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIACUR", true, days(100)))
                    .secret("AKIACUR", null, null));
            assertEquals(List.of(new Step.Rotate("AKIACUR", Optional.of("AKIACUR"), true, false)), steps(plan));
        }

        @Test
        void anOwedNoticeComesBackWhenTheRotationIsCappedAway() {
            UserPlan plan = decide(config(90, 7, 30), new State().key(key("AKIAPREV", true, days(200)))
                    .key(key("AKIACUR", true, days(100))).secret("AKIACUR", "AKIAPREV", "AKIAPREV"));
            UserPlan capped = plan.withoutRotation(Finding.deferred("cap"));
            assertEquals(new Step.SendPendingNotice("AKIACUR", Optional.of("AKIAPREV")), capped.steps().get(0),
                    "the owner hears about the current key before the previous one is retired");
            assertTrue(capped.steps().contains(new Step.DisablePreviousKey("AKIAPREV")));
            assertTrue(capped.rotation().isEmpty());
        }

        @Test
        void previousKeyStillInGraceBlocksADueRotationUnderAShortOverride() {
            UserPlan plan = decide(config(90, 20, 30), new State().tag(RotationRules.MAX_AGE_OVERRIDE_TAG, "21")
                    .key(key("AKIAPREV", true, days(200))).key(key("AKIACUR", true, days(19)))
                    .secret("AKIACUR", "AKIAPREV", "AKIACUR"));
            assertTrue(plan.rotation().isEmpty());
            assertTrue(steps(plan).isEmpty());
        }

        @Test
        void disabledPreviousKeyIsDeletedToMakeRoomWhenTheCurrentKeyIsDue() {
            UserPlan plan = decide(config(90, 0, 365), new State().key(key("AKIAPREV", false, days(200)))
                    .key(key("AKIACUR", true, days(100))).secret("AKIACUR", "AKIAPREV", "AKIACUR"));
            assertEquals(List.of(new Step.DeleteInactiveKeyForRoom("AKIAPREV"),
                    new Step.Rotate("AKIACUR", Optional.of("AKIACUR"), true, false)), steps(plan));
        }
    }
}
