package dev.accesskeyrotator.service;

import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.contract.OptInTag;
import dev.accesskeyrotator.contract.Parameter.Cutover;
import dev.accesskeyrotator.domain.AccessKey;
import dev.accesskeyrotator.domain.KeySchedule;
import dev.accesskeyrotator.domain.KeyUse;
import dev.accesskeyrotator.domain.NoticeRecord;
import dev.accesskeyrotator.domain.RotationRules;
import dev.accesskeyrotator.domain.SecretState;
import dev.accesskeyrotator.domain.Step;
import dev.accesskeyrotator.domain.UserPlan;
import dev.accesskeyrotator.domain.UserState;
import dev.accesskeyrotator.port.SecretStore.SecretSummary;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The three readers of the key schedule agree, for generated user states: whenever triage skips a user the rules plan
 * nothing for that user, and the next event the status view shows is what the rules do when the clock reaches it
 * (and nothing happens before). Each case has its own seeded {@link Random}, so a failure names a case that replays.
 */
class ScheduleAgreementTest {
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final int CASES_PER_CONFIGURATION = 1_500;
    private static final String USER = "alice";
    private static final String CURRENT = "AKIACURRENT000000001";
    private static final String PREVIOUS = "AKIAPREVIOUS00000001";
    private static final String STRAY = "AKIASTRAY00000000001";
    private static final OptInTag TAG = OptInTag.parse(OptInTag.DEFAULT);

    static Stream<RotationConfig> configurations() {
        return Stream.of(
                RotationConfig.defaults(),
                // after-grace with a grace period, reminders on
                new RotationConfig(90, TAG, 7, 30, false, 100, Cutover.AFTER_GRACE, 7, 24, 14, 7),
                // on-use where idleness can outlast max-grace-days, with a grace period first
                new RotationConfig(60, TAG, 2, 10, false, 100, Cutover.ON_USE, 10, 720, 5, 7),
                // on-use, short idle, no reminders, immediate deletion
                new RotationConfig(30, TAG, 0, 0, false, 100, Cutover.ON_USE, 3, 4, 0, 7),
                // the revision-1 timer
                new RotationConfig(90, TAG, 0, 30, false, 100));
    }

    /** One generated user: the state the rules see, and what triage sees of it in bulk. */
    record Case(long seed, UserState state, Optional<List<CredentialReport.KeySlot>> report,
                Optional<SecretSummary> summary) {}

    @ParameterizedTest
    @MethodSource("configurations")
    void whenTriageSkipsAUserTheRulesPlanNothing(RotationConfig config) {
        Triage triage = new Triage(config);
        RotationRules rules = new RotationRules(config);
        int skipped = 0;
        for (long seed = 0; seed < CASES_PER_CONFIGURATION; seed++) {
            Case generated = generate(seed, config);
            if (triage.needsLook(generated.report(), generated.summary(), Optional.of(config.maxKeyAgeDays()), NOW)) {
                continue;
            }
            skipped++;
            UserPlan plan = rules.decide(generated.state(), NOW);
            if (!plan.steps().isEmpty()) {
                fail("case " + seed + ": triage skipped the user, but the rules plan " + plan.steps() + " for "
                        + generated.state());
            }
        }
        // Most generated users are settled: if triage looked at all of them the property would say nothing.
        assertTrue(skipped > CASES_PER_CONFIGURATION / 5, "triage skipped only " + skipped + " users");
    }

    @ParameterizedTest
    @MethodSource("configurations")
    void theNextEventShownIsWhatTheRulesDoWhenItsTimeComes(RotationConfig config) {
        RotationRules rules = new RotationRules(config);
        KeySchedule schedule = new KeySchedule(config);
        int checked = 0;
        for (long seed = 0; seed < CASES_PER_CONFIGURATION; seed++) {
            Case generated = generate(seed, config);
            UserState state = generated.state();
            UserPlan plan = rules.decide(state, NOW);
            if (!plan.steps().isEmpty() || !plan.findings().isEmpty()) {
                continue; // the status view shows the plan itself, or the causes, not a schedule
            }
            Optional<KeySchedule.Event> next = schedule.next(state, config.maxKeyAgeDays(), NOW);
            if (next.isEmpty()) {
                assertTrue(state.keys().stream().noneMatch(AccessKey::active), "case " + seed
                        + ": an active key with no event on its schedule: " + state);
                continue;
            }
            checked++;
            Instant at = next.get().at();
            Random between = new Random(seed);
            for (Instant before : List.of(at.minusSeconds(1), randomBetween(between, NOW, at),
                    randomBetween(between, NOW, at))) {
                List<Step> early = rules.decide(state, before).steps();
                if (!early.isEmpty()) {
                    fail("case " + seed + ": the status view shows " + next.get() + " next, but at " + before
                            + " the rules already plan " + early + " for " + state);
                }
            }
            List<Step> then = rules.decide(state, at).steps();
            Class<? extends Step> expected = stepOf(next.get().kind());
            if (then.stream().noneMatch(expected::isInstance)) {
                fail("case " + seed + ": the status view shows " + next.get() + ", but at that moment the rules plan "
                        + then + " for " + state);
            }
        }
        assertTrue(checked > CASES_PER_CONFIGURATION / 5, "only " + checked + " settled users were generated");
    }

    private static Class<? extends Step> stepOf(KeySchedule.Kind kind) {
        return switch (kind) {
            case OWED_NOTICE -> Step.SendPendingNotice.class;
            case REMINDER -> Step.SendReminder.class;
            case ROTATION -> Step.Rotate.class;
            case EARLIEST_CUTOVER, LATEST_CUTOVER -> Step.DisablePreviousKey.class;
            case GRACE_REMINDER -> Step.SendGraceReminder.class;
            case DELETION -> Step.DeletePreviousKey.class;
        };
    }

    private static Instant randomBetween(Random random, Instant from, Instant to) {
        long seconds = Duration.between(from, to).toSeconds();
        return seconds <= 1 ? from : from.plusSeconds(1 + (long) (random.nextDouble() * (seconds - 1)));
    }

    /**
     * A user as the rotator leaves one: never rotated (perhaps reminded), rotated with or without the replaced key
     * still active or already disabled, with or without the notice recorded, sometimes with a stray. Dates are whole
     * seconds, as IAM and the credential report keep them.
     */
    static Case generate(long seed, RotationConfig config) {
        Random random = new Random(seed);
        int maxAge = config.maxKeyAgeDays();
        // Ages cluster where events are: minutes (a notice still in flight), the cut-over's days, the threshold.
        long ageBound = switch (random.nextInt(3)) {
            case 0 -> Duration.ofMinutes(30).toSeconds();
            case 1 -> Duration.ofDays(config.maxGraceDays() + config.deleteAfterDays() + 2L).toSeconds();
            default -> Duration.ofDays(maxAge + 3L).toSeconds();
        };
        Instant currentCreated = NOW.minusSeconds(anyUpTo(random, ageBound));
        int shape = random.nextInt(7);
        Map<String, Optional<KeyUse>> lastUsed = new HashMap<>();
        Map<String, String> tags = new HashMap<>();
        List<AccessKey> keys = new ArrayList<>();
        String arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:access-key-rotation/" + USER;
        String name = "access-key-rotation/" + USER;
        if (shape <= 1) {
            // Never rotated: no secret, or a secret reserved to record a reminder.
            AccessKey only = new AccessKey(CURRENT, true, currentCreated);
            keys.add(only);
            boolean reserved = shape == 1;
            NoticeRecord notices = NoticeRecord.NONE;
            SecretState secret = SecretState.missing();
            if (reserved) {
                tags.put(SecretTags.REMINDED_KEY_ID, CURRENT);
                notices = notices.withReminded(CURRENT);
                secret = new SecretState.Reserved(arn, name, Optional.empty());
            }
            UserState state = new UserState(USER, "arn:aws:iam::123456789012:user/" + USER, Map.of(), keys, secret,
                    lastUsed, notices);
            return new Case(seed, state, Optional.of(slots(keys, lastUsed)),
                    reserved ? Optional.of(summary(arn, name, tags)) : Optional.empty());
        }
        AccessKey current = new AccessKey(CURRENT, true, currentCreated);
        keys.add(current);
        // The intent recorded before the current key was created stays on the secret.
        Instant intentAt = currentCreated.minusSeconds(random.nextInt(5));
        tags.put(SecretTags.CREATING_SINCE, intentAt.toString());
        Optional<String> previousId = Optional.empty();
        Optional<Instant> disabledAt = Optional.empty();
        boolean hasPrevious = shape >= 3 && shape <= 5;
        if (hasPrevious) {
            Instant previousCreated = currentCreated.minusSeconds(Duration.ofDays(1).toSeconds()
                    + anyUpTo(random, Duration.ofDays(200).toSeconds()));
            boolean active = shape != 4;
            keys.add(0, new AccessKey(PREVIOUS, active, previousCreated));
            previousId = Optional.of(PREVIOUS);
            int use = random.nextInt(3);
            long sinceReplacement = Duration.between(currentCreated, NOW).toSeconds();
            if (use == 1) {
                lastUsed.put(PREVIOUS, Optional.of(KeyUse.at(currentCreated.plusSeconds(anyUpTo(random,
                        sinceReplacement)))));
            } else if (use == 2) {
                lastUsed.put(PREVIOUS, Optional.of(KeyUse.at(currentCreated.minusSeconds(1 + anyUpTo(random,
                        Duration.ofDays(30).toSeconds())))));
            }
            if (!active && random.nextBoolean()) {
                disabledAt = Optional.of(currentCreated.plusSeconds(anyUpTo(random, sinceReplacement)));
                tags.put(SecretTags.PREVIOUS_DISABLED_AT, disabledAt.get().toString());
            }
            if (random.nextInt(4) == 0) {
                tags.put(SecretTags.GRACE_REMINDED_KEY_ID, CURRENT);
            }
        }
        if (shape == 6) {
            // A stray newer than the current key, used or not.
            keys.add(new AccessKey(STRAY, random.nextBoolean(), currentCreated.plusSeconds(1 + anyUpTo(random,
                    Math.max(1, Duration.between(currentCreated, NOW).toSeconds())))));
            if (random.nextBoolean()) {
                lastUsed.put(STRAY, Optional.of(KeyUse.at(NOW.minusSeconds(60))));
            }
        }
        boolean noticeOwed = shape == 2 && random.nextInt(3) == 0;
        Optional<String> notified = Optional.empty();
        if (!noticeOwed) {
            tags.putAll(SecretTags.afterNotice(CURRENT, currentCreated));
            notified = Optional.of(CURRENT);
        } else if (random.nextBoolean()) {
            // The records of the rotation before: they name the key this one replaced.
            tags.putAll(SecretTags.afterNotice(PREVIOUS, currentCreated.minus(Duration.ofDays(maxAge))));
            notified = Optional.of(PREVIOUS);
        }
        int reminded = random.nextInt(3);
        if (reminded == 1) {
            tags.put(SecretTags.REMINDED_KEY_ID, CURRENT);
        } else if (reminded == 2) {
            tags.put(SecretTags.REMINDED_KEY_ID, PREVIOUS);
        }
        NoticeRecord notices = new NoticeRecord(Optional.ofNullable(tags.get(SecretTags.REMINDED_KEY_ID)),
                Optional.ofNullable(tags.get(SecretTags.GRACE_REMINDED_KEY_ID)), Optional.empty(), Optional.empty());
        SecretState secret = new SecretState.Stored(arn, name, CURRENT, USER, previousId, notified,
                Optional.of(intentAt), disabledAt);
        UserState state = new UserState(USER, "arn:aws:iam::123456789012:user/" + USER, Map.of(), keys, secret,
                lastUsed, notices);
        return new Case(seed, state, Optional.of(slots(keys, lastUsed)), Optional.of(summary(arn, name, tags)));
    }

    private static long anyUpTo(Random random, long bound) {
        return (long) (random.nextDouble() * bound);
    }

    private static List<CredentialReport.KeySlot> slots(List<AccessKey> keys, Map<String, Optional<KeyUse>> used) {
        return keys.stream().map(k -> new CredentialReport.KeySlot(k.active(), k.createDate(),
                used.getOrDefault(k.id(), Optional.empty()).map(KeyUse::when))).toList();
    }

    private static SecretSummary summary(String arn, String name, Map<String, String> tags) {
        return new SecretSummary(arn, name, Map.copyOf(tags), false, Optional.empty(), true);
    }

    @org.junit.jupiter.api.Test
    void theGeneratorCoversEveryEventKind() {
        Map<KeySchedule.Kind, Integer> seen = new HashMap<>();
        for (RotationConfig config : configurations().toList()) {
            KeySchedule schedule = new KeySchedule(config);
            for (long seed = 0; seed < CASES_PER_CONFIGURATION; seed++) {
                schedule.next(generate(seed, config).state(), config.maxKeyAgeDays(), NOW)
                        .ifPresent(e -> seen.merge(e.kind(), 1, Integer::sum));
            }
        }
        assertEquals(List.of(KeySchedule.Kind.values()), seen.keySet().stream().sorted().toList(), seen.toString());
    }
}
