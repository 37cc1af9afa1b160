package dev.accesskeyrotator.domain;

import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.contract.OptInTag;
import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.contract.Parameter.Cutover;
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
        private final Map<String, Optional<KeyUse>> lastUsed = new HashMap<>();
        private SecretState secret = SecretState.missing();
        private NoticeRecord notices = NoticeRecord.NONE;

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

        /** The rotator recorded, at {@code intentAt}, that it was about to create a key (provenance). */
        State intent(Instant intentAt) {
            if (secret instanceof SecretState.Stored stored) {
                secret = new SecretState.Stored(stored.arn(), stored.name(), stored.currentKeyId(), stored.ownerName(),
                        stored.previousKeyId(), stored.notifiedKeyId(), Optional.of(intentAt),
                        stored.previousDisabledAt());
            } else {
                secret = new SecretState.Reserved(ARN, "access-key-rotation/alice", Optional.of(intentAt));
            }
            return this;
        }

        State previousDisabledAt(Instant disabledAt) {
            SecretState.Stored stored = (SecretState.Stored) secret;
            secret = new SecretState.Stored(stored.arn(), stored.name(), stored.currentKeyId(), stored.ownerName(),
                    stored.previousKeyId(), stored.notifiedKeyId(), stored.intentAt(), Optional.of(disabledAt));
            return this;
        }

        State usedAt(String keyId, Instant when) {
            lastUsed.put(keyId, Optional.of(new KeyUse(when, Optional.of("eu-west-1"), Optional.of("s3"))));
            return this;
        }

        State notices(NoticeRecord record) {
            this.notices = record;
            return this;
        }

        State used(String keyId) {
            lastUsed.put(keyId, Optional.of(KeyUse.at(NOW.minus(days(1)))));
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
            return new UserState(USER, "arn:aws:iam::123456789012:user/alice", tags, keys, secret, lastUsed, notices);
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
        void anInactiveKeyMadeByPeopleBlocksADueRotationAndStays() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIAONLY", true, days(120)))
                    .key(key("AKIAOFF", false, days(300))));
            assertTrue(plan.changesNothing(), plan.toString());
            assertEquals(List.of(Outcome.BLOCKED), outcomes(plan));
            assertTrue(plan.findings().get(0).reason().contains("AKIAOFF"), plan.toString());
        }

        @Test
        void theRotatorsInactivePreviousKeyIsDeletedToMakeRoom() {
            UserPlan plan = decide(config(90, 0, 200), new State().key(key("AKIAPREV", false, days(200)))
                    .key(key("AKIACUR", true, days(100))).secret("AKIACUR", "AKIAPREV", "AKIACUR"));
            assertEquals(List.of(new Step.DeleteInactiveKeyForRoom("AKIAPREV"),
                    new Step.Rotate("AKIACUR", Optional.of("AKIACUR"), true, false)), steps(plan));
        }

        @Test
        void twoActiveKeysWithoutSecretAreBlockedWhenDue() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIAONE", true, days(120)))
                    .key(key("AKIATWO", true, days(10))).used("AKIATWO"));
            assertTrue(plan.changesNothing());
            assertEquals(List.of(Outcome.BLOCKED), outcomes(plan));
        }

        @Test
        void twoActiveKeysMadeByPeopleAreBlockedEvenWhenNotDue() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIAONE", true, days(20)))
                    .key(key("AKIATWO", true, days(10))).used("AKIATWO"));
            assertTrue(plan.changesNothing());
            assertEquals(List.of(Outcome.BLOCKED), outcomes(plan));
        }

        @Test
        void twoPeopleMadeKeysWithoutSecretAreBlockedAndTheUnusedOneSurvives() {
            // The case found by trying it: a 95-day-old never-used key was deleted as an "unused stray".
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIAOLD", true, days(120)))
                    .key(key("AKIANEVER", true, days(95))).neverUsed("AKIANEVER").used("AKIAOLD"));
            assertTrue(plan.changesNothing(), plan.toString());
            assertEquals(List.of(Outcome.BLOCKED), outcomes(plan));
        }

        @Test
        void withoutAKeyInTheSecretAnUnusedNewerKeyLeftByADeadRunIsDeletedAndTheOlderKeyRotated() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIAOLD", true, days(120)))
                    .key(key("AKIAORPHAN", true, days(1))).neverUsed("AKIAORPHAN").intent(NOW.minus(days(1))));
            assertEquals(List.of(new Step.DeleteStrayKey("AKIAORPHAN"),
                    new Step.Rotate("AKIAOLD", Optional.empty(), true, false)), steps(plan));
        }

        @Test
        void aKeyCreatedOutsideTheIntentWindowIsNotTheRotatorsStray() {
            // Intent recorded 20 minutes before the key: longer than any run, so someone else made it.
            Instant intent = NOW.minus(days(1)).minus(Duration.ofMinutes(20));
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIAOLD", true, days(120)))
                    .key(key("AKIAOTHER", true, days(1))).neverUsed("AKIAOTHER").intent(intent));
            assertEquals(List.of(Outcome.BLOCKED), outcomes(plan));
            plan = decide(config(90, 0, 30), new State().key(key("AKIAOLD", true, days(120)))
                    .key(key("AKIAOTHER", true, days(1))).neverUsed("AKIAOTHER")
                    .intent(NOW.minus(days(1)).minus(KeySchedule.IN_FLIGHT_GUARD)));
            assertEquals(new Step.DeleteStrayKey("AKIAOTHER"), steps(plan).get(0), "the window's edge is inside");
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
        void withoutAKeyInTheSecretAnUnusedNewerKeyMinutesOldIsLeftForTheRunThatMayOwnIt() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIAOLD", true, days(120)))
                    .key(key("AKIAFRESH", true, Duration.ofMinutes(2))).intent(NOW.minus(Duration.ofMinutes(2))));
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
        void unusedStrayTheRotatorProvablyCreatedIsDeleted() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIACUR", true, days(10)))
                    .key(key("AKIASTRAY", true, days(1))).secret("AKIACUR", null, "AKIACUR").neverUsed("AKIASTRAY")
                    .intent(NOW.minus(days(1))));
            assertEquals(List.of(new Step.DeleteStrayKey("AKIASTRAY")), steps(plan));
        }

        @Test
        void unusedStrayMadeByPeopleIsLeftAloneAndReported() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIACUR", true, days(10)))
                    .key(key("AKIASTRAY", true, days(1))).secret("AKIACUR", null, "AKIACUR").neverUsed("AKIASTRAY"));
            assertTrue(plan.changesNothing(), plan.toString());
            assertEquals(List.of(Outcome.ATTENTION), outcomes(plan));
            assertTrue(plan.findings().get(0).reason().contains("made outside the rotator"), plan.toString());
        }

        @Test
        void unusedStrayYoungerThanTheInFlightGuardIsDeferredNotDeleted() {
            UserPlan plan = decide(config(90, 0, 30), new State().key(key("AKIACUR", true, days(100)))
                    .key(key("AKIASTRAY", true, Duration.ofMinutes(3))).secret("AKIACUR", null, "AKIACUR")
                    .intent(NOW.minus(Duration.ofMinutes(3))));
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
                    .key(key("AKIASTRAY", true, days(2))).secret("AKIACUR", null, "AKIACUR")
                    .intent(NOW.minus(days(2))));
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
            assertEquals(disables, steps(plan).contains(new Step.DisablePreviousKey("AKIAPREV", Step.CutoverReason.GRACE_OVER)), plan.toString());
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
        void activePreviousKeyPastBothPeriodsIsDisabledAndItsDeletionCountsFromThen() {
            UserPlan plan = decide(config(90, 5, 5), new State().key(key("AKIAPREV", true, days(100)))
                    .key(key("AKIACUR", true, days(20))).secret("AKIACUR", "AKIAPREV", "AKIACUR"));
            assertEquals(List.of(new Step.DisablePreviousKey("AKIAPREV", Step.CutoverReason.GRACE_OVER)),
                    steps(plan));
        }

        @ParameterizedTest(name = "disabled {0} h ago, delete-after-days 5: deleted = {1}")
        @CsvSource({"119, false", "120, true"})
        void aDisabledPreviousKeyIsDeletedDeleteAfterDaysAfterTheRotatorDisabledIt(int hoursAgo, boolean deletes) {
            UserPlan plan = decide(config(90, 5, 5), new State().key(key("AKIAPREV", false, days(100)))
                    .key(key("AKIACUR", true, days(40))).secret("AKIACUR", "AKIAPREV", "AKIACUR")
                    .previousDisabledAt(NOW.minus(Duration.ofHours(hoursAgo))));
            assertEquals(deletes ? List.of(new Step.DeletePreviousKey("AKIAPREV")) : List.of(), steps(plan));
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
            assertTrue(capped.steps().contains(new Step.DisablePreviousKey("AKIAPREV", Step.CutoverReason.GRACE_OVER)));
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

    /** With {@code cutover=on-use}, grace 2 days, max-grace 7 days, idle 24 hours. */
    @Nested
    class CutoverOnUse {
        private final RotationConfig onUse = new RotationConfig(90, OptInTag.parse(OptInTag.DEFAULT), 2, 30, false,
                100, Cutover.ON_USE, 7, 24, 7, 7);

        private State rotatedDaysAgo(Duration currentAge) {
            return new State().key(key("AKIAPREV", true, days(100))).key(key("AKIACUR", true, currentAge))
                    .secret("AKIACUR", "AKIAPREV", "AKIACUR");
        }

        private List<Step> stepsOf(State state) {
            return steps(new RotationRules(onUse).decide(state.build(), NOW));
        }

        private static Step disable(Step.CutoverReason reason) {
            return new Step.DisablePreviousKey("AKIAPREV", reason);
        }

        @ParameterizedTest(name = "unused since the new key, new key {0} h old: disabled = {1}")
        @CsvSource({"47, false", "48, true"})
        void anUnusedOldKeyIsDisabledOnceGraceHasPassed(int hours, boolean disables) {
            List<Step> steps = stepsOf(rotatedDaysAgo(Duration.ofHours(hours)).neverUsed("AKIAPREV"));
            assertEquals(disables ? List.of(disable(Step.CutoverReason.IDLE)) : List.of(), steps);
        }

        @ParameterizedTest(name = "last used {0} h ago: disabled = {1}")
        @CsvSource({"23, false", "24, true"})
        void anOldKeyIsDisabledOneIdlePeriodAfterItsLastUse(int hoursSinceUse, boolean disables) {
            List<Step> steps = stepsOf(rotatedDaysAgo(days(4)).usedAt("AKIAPREV",
                    NOW.minus(Duration.ofHours(hoursSinceUse))));
            assertEquals(disables ? List.of(disable(Step.CutoverReason.IDLE)) : List.of(), steps);
        }

        @Test
        void useBeforeTheNewKeyWasStoredDoesNotKeepTheOldKeyAlive() {
            // IAM's last use from before the rotation says nothing about whether a consumer switched.
            List<Step> steps = stepsOf(rotatedDaysAgo(days(3)).usedAt("AKIAPREV", NOW.minus(days(10))));
            assertEquals(List.of(disable(Step.CutoverReason.IDLE)), steps);
        }

        @ParameterizedTest(name = "still in use, new key {0} h old: disabled = {1}")
        @CsvSource({"167, false", "168, true"})
        void anOldKeyStillInUseIsDisabledAtMaxGraceDays(int hours, boolean disables) {
            List<Step> steps = stepsOf(rotatedDaysAgo(Duration.ofHours(hours))
                    .usedAt("AKIAPREV", NOW.minus(Duration.ofHours(1)))
                    .notices(NoticeRecord.NONE.withGraceReminded("AKIACUR")));
            assertEquals(disables ? List.of(disable(Step.CutoverReason.DEADLINE)) : List.of(), steps);
        }

        @ParameterizedTest(name = "still in use, new key {0} h old: reminded = {1}")
        @CsvSource({"143, false", "144, true", "167, true"})
        void anOwnerWhoseOldKeyIsStillInUseIsRemindedADayBeforeTheDeadline(int hours, boolean reminds) {
            Instant used = NOW.minus(Duration.ofHours(1));
            List<Step> steps = stepsOf(rotatedDaysAgo(Duration.ofHours(hours)).usedAt("AKIAPREV", used));
            Instant deadline = NOW.minus(Duration.ofHours(hours)).plus(days(7));
            assertEquals(reminds ? List.of(new Step.SendGraceReminder("AKIAPREV", deadline,
                    new KeyUse(used, Optional.of("eu-west-1"), Optional.of("s3")))) : List.of(), steps);
        }

        @Test
        void theStillInUseReminderIsSentOncePerRotation() {
            State reminded = rotatedDaysAgo(Duration.ofHours(150)).usedAt("AKIAPREV", NOW.minus(Duration.ofHours(1)))
                    .notices(NoticeRecord.NONE.withGraceReminded("AKIACUR"));
            assertEquals(List.of(), stepsOf(reminded));
        }

        @Test
        void afterGraceKeepsTheTimerWhateverTheUse() {
            RotationConfig timer = new RotationConfig(90, OptInTag.parse(OptInTag.DEFAULT), 2, 30, false, 100,
                    Cutover.AFTER_GRACE, 7, 24, 7, 7);
            State inUse = rotatedDaysAgo(Duration.ofHours(48)).usedAt("AKIAPREV", NOW.minus(Duration.ofHours(1)));
            assertEquals(List.of(new Step.DisablePreviousKey("AKIAPREV", Step.CutoverReason.GRACE_OVER)),
                    steps(new RotationRules(timer).decide(inUse.build(), NOW)));
            State early = rotatedDaysAgo(Duration.ofHours(47)).neverUsed("AKIAPREV");
            assertEquals(List.of(), steps(new RotationRules(timer).decide(early.build(), NOW)));
        }

        @Test
        void aRotationUnderOnUseLeavesTheOldKeyActiveForTheCutOver() {
            State due = new State().key(key("AKIACUR", true, days(90))).secret("AKIACUR", null, "AKIACUR");
            assertEquals(List.of(new Step.Rotate("AKIACUR", Optional.of("AKIACUR"), false, false)), stepsOf(due));
        }
    }

    /** Reminders with reminder-days 7 and a 90-day threshold. */
    @Nested
    class Reminders {
        private final RotationConfig reminding = new RotationConfig(90, OptInTag.parse(OptInTag.DEFAULT), 0, 30,
                false, 100, Cutover.ON_USE, 7, 24, 7, 7);

        private List<Step> stepsOf(State state) {
            return steps(new RotationRules(reminding).decide(state.build(), NOW));
        }

        @ParameterizedTest(name = "key {0} h old: reminded = {1}")
        @CsvSource({"1991, false", "1992, true", "2159, true", "2160, false"})
        void theOwnerIsRemindedWithinReminderDaysOfTheThreshold(int hours, boolean reminds) {
            Duration age = Duration.ofHours(hours);
            List<Step> steps = stepsOf(new State().key(key("AKIACUR", true, age)).secret("AKIACUR", null, "AKIACUR"));
            Instant due = NOW.minus(age).plus(days(90));
            if (hours >= 2160) {
                assertTrue(steps.get(0) instanceof Step.Rotate, "due: rotated, not reminded " + steps);
            } else {
                assertEquals(reminds ? List.of(new Step.SendReminder("AKIACUR", due)) : List.of(), steps);
            }
        }

        @Test
        void aNeverRotatedUsersOnlyKeyGetsItsReminderToo() {
            List<Step> steps = stepsOf(new State().key(key("AKIAONLY", true, days(85))));
            assertEquals(List.of(new Step.SendReminder("AKIAONLY", NOW.minus(days(85)).plus(days(90)))), steps);
        }

        @Test
        void aReminderIsSentOncePerKey() {
            State reminded = new State().key(key("AKIACUR", true, days(85))).secret("AKIACUR", null, "AKIACUR")
                    .notices(NoticeRecord.NONE.withReminded("AKIACUR"));
            assertEquals(List.of(), stepsOf(reminded));
            State nextKey = new State().key(key("AKIANEXT", true, days(85))).secret("AKIANEXT", null, "AKIANEXT")
                    .notices(NoticeRecord.NONE.withReminded("AKIACUR"));
            assertEquals(1, stepsOf(nextKey).size(), "a record of an earlier key does not silence the next one");
        }

        @Test
        void reminderDaysZeroSendsNone() {
            RotationConfig none = new RotationConfig(90, OptInTag.parse(OptInTag.DEFAULT), 0, 30, false, 100,
                    Cutover.ON_USE, 7, 24, 0, 7);
            State state = new State().key(key("AKIACUR", true, days(89))).secret("AKIACUR", null, "AKIACUR");
            assertEquals(List.of(), steps(new RotationRules(none).decide(state.build(), NOW)));
        }
    }
}
