package dev.accesskeyrotator.domain;

import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.contract.Parameter.Cutover;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Every date the rotator acts on, and the only place they are computed: when a key is due, when its owner is
 * reminded, when the key a rotation replaced may and must be disabled, when it is deleted, and how long a key may
 * belong to a run still in progress. The rules decide from these dates, triage asks whether any of them has come,
 * the status view prints the next one and the notices quote them, so the four cannot disagree.
 */
public final class KeySchedule {

    /**
     * A never-used key newer than the current one may be the new key of a run that is still going (the schedule
     * can deliver twice, or someone runs the CLI). Lambda runs last at most 15 minutes, so a stray only counts as
     * left behind once it is older than that.
     */
    public static final Duration IN_FLIGHT_GUARD = Duration.ofMinutes(15);

    /** The still-in-use reminder goes out this long before max-grace-days ends: one daily run ahead. */
    public static final Duration GRACE_REMINDER_LEAD = Duration.ofDays(1);

    /** CIS AWS Foundations 1.12 / Security Hub IAM.8: credentials unused for this long should be disabled. */
    public static final Duration UNUSED_LIMIT = Duration.ofDays(90);

    /** What happens at an event's date. */
    public enum Kind {
        /** The owner's notice for the current key, once no other run can still be sending it. */
        OWED_NOTICE,
        /** One key-expiring reminder, reminder-days before the rotation. */
        REMINDER,
        /** The key reaches the user's threshold. */
        ROTATION,
        /** The replaced key is disabled: grace over ({@code after-grace}) or idle long enough ({@code on-use}). */
        EARLIEST_CUTOVER,
        /** With {@code on-use}: one reminder while the replaced key is still in use, a day before the deadline. */
        GRACE_REMINDER,
        /** With {@code on-use}: the replaced key is disabled at max-grace-days whatever its use. */
        LATEST_CUTOVER,
        /** The disabled replaced key is deleted. */
        DELETION
    }

    /** One future (or overdue) event of one key. */
    public record Event(Kind kind, String keyId, Instant at) {}

    /**
     * How fresh the observed use of the replaced key is. The credential report may be hours behind: a key it shows
     * idle may have been used since, so whatever depends on use having happened must be assumed possible.
     */
    public enum UseRecord { CURRENT, MAY_BE_HOURS_OLD }

    private final RotationConfig config;

    public KeySchedule(RotationConfig config) {
        this.config = config;
    }

    /** A key is due on the day it turns the threshold's age, not the day after. */
    public Instant rotationAt(Instant keyCreated, int maxAgeDays) {
        return keyCreated.plus(Duration.ofDays(maxAgeDays));
    }

    /** When the key-expiring reminder may go out; empty when reminders are off. */
    public Optional<Instant> reminderAt(Instant keyCreated, int maxAgeDays) {
        return config.reminderDays() == 0 ? Optional.empty()
                : Optional.of(rotationAt(keyCreated, maxAgeDays).minus(Duration.ofDays(config.reminderDays())));
    }

    /** The earliest moment the key a rotation replaced may be disabled: grace-days after its replacement was made. */
    public Instant earliestCutoverAt(Instant replacementCreated) {
        return replacementCreated.plus(Duration.ofDays(config.graceDays()));
    }

    /**
     * The latest moment the replaced key is disabled: with {@code on-use} at max-grace-days, whatever its use; with
     * {@code after-grace} at the end of the grace period.
     */
    public Instant latestCutoverAt(Instant replacementCreated) {
        return replacementCreated.plus(Duration.ofDays(
                config.cutover() == Cutover.ON_USE ? config.maxGraceDays() : config.graceDays()));
    }

    /**
     * With {@code on-use}: when the replaced key counts as unused, given IAM's last use of it (a use before its
     * replacement was made does not count): old-key-idle-hours after that use or after the replacement.
     */
    public Instant idleAt(Instant replacementCreated, Optional<Instant> lastUse) {
        return lastUse.filter(used -> used.isAfter(replacementCreated)).orElse(replacementCreated)
                .plus(Duration.ofHours(config.oldKeyIdleHours()));
    }

    /** When the replaced key is disabled if nothing changes: the cut-over rule's first "yes". */
    public Instant cutoverAt(Instant replacementCreated, Optional<Instant> lastUse) {
        if (config.cutover() == Cutover.AFTER_GRACE) {
            return earliestCutoverAt(replacementCreated);
        }
        return earliestOf(latestOf(earliestCutoverAt(replacementCreated), idleAt(replacementCreated, lastUse)),
                latestCutoverAt(replacementCreated));
    }

    /** The still-in-use reminder's day (with {@code on-use}). */
    public Instant graceReminderAt(Instant replacementCreated) {
        return latestCutoverAt(replacementCreated).minus(GRACE_REMINDER_LEAD);
    }

    /**
     * When a disabled replaced key is deleted: delete-after-days after the rotator disabled it. A key disabled
     * before that record existed, or by a run that died before writing it, counts from the latest moment the
     * cut-over would have disabled it, so that it is never deleted early.
     */
    public Instant deletionAt(Instant replacementCreated, Optional<Instant> disabledAt) {
        return deletionAt(disabledAt.orElse(latestCutoverAt(replacementCreated)));
    }

    /** When a replaced key disabled at {@code disabledAt} is deleted. */
    public Instant deletionAt(Instant disabledAt) {
        return disabledAt.plus(Duration.ofDays(config.deleteAfterDays()));
    }

    /** Until when a key may belong to a run still in progress (see {@link #IN_FLIGHT_GUARD}). */
    public static Instant inFlightUntil(Instant keyCreated) {
        return keyCreated.plus(IN_FLIGHT_GUARD);
    }

    /** When a key unused since {@code lastUseOrCreated} fails the CIS unused-credentials check. */
    public static Instant unusedLimitAt(Instant lastUseOrCreated) {
        return lastUseOrCreated.plus(UNUSED_LIMIT);
    }

    /** A key's age in whole days, as the compliance checks count it. */
    public static long ageInDays(Instant keyCreated, Instant now) {
        return Duration.between(keyCreated, now).toDays();
    }

    /**
     * Provenance: the rotator made a key only if it recorded its intent to create one just before the key's creation
     * (IAM keeps creation times to the second, hence the second of slack).
     */
    public static boolean createdDuringIntent(Instant keyCreated, Optional<Instant> intentAt) {
        return intentAt.filter(intent -> !keyCreated.isBefore(intent.minusSeconds(1))
                && !keyCreated.isAfter(inFlightUntil(intent))).isPresent();
    }

    /**
     * Whether the previous key's last use can decide anything at {@code now}: from the grace period's end (or the
     * still-in-use reminder's day, if earlier) until the deadline. Outside that window a lookup is wasted.
     */
    public boolean useMatters(Instant replacementCreated, Instant now) {
        if (config.cutover() != Cutover.ON_USE) {
            return false;
        }
        Instant from = earliestOf(earliestCutoverAt(replacementCreated), graceReminderAt(replacementCreated));
        return !now.isBefore(from) && now.isBefore(latestCutoverAt(replacementCreated));
    }

    /**
     * Every timed event of a user whose state the rules can settle (a stored current key, or no key stored yet and
     * one active key), earliest first; events that have already passed are included. Users with anything else
     * (several unrecorded keys, a secret that is not the rotator's) have no schedule: a person acts first.
     */
    public List<Event> events(UserState user, int maxAgeDays, UseRecord useRecord) {
        List<Event> events = new ArrayList<>();
        SecretState secret = user.secret();
        Optional<AccessKey> timed;
        if (secret instanceof SecretState.Stored stored) {
            timed = user.key(stored.currentKeyId());
        } else if (secret instanceof SecretState.Missing || secret instanceof SecretState.Reserved) {
            List<AccessKey> active = user.keys().stream().filter(AccessKey::active).toList();
            timed = active.size() == 1 ? Optional.of(active.get(0)) : Optional.empty();
        } else {
            timed = Optional.empty();
        }
        if (timed.isEmpty() || !timed.get().active()) {
            return List.of();
        }
        AccessKey key = timed.get();
        if (secret instanceof SecretState.Stored stored
                && stored.notifiedKeyId().filter(key.id()::equals).isEmpty()) {
            events.add(new Event(Kind.OWED_NOTICE, key.id(), inFlightUntil(key.createDate())));
        }
        if (user.notices().remindedKeyId().filter(key.id()::equals).isEmpty()) {
            reminderAt(key.createDate(), maxAgeDays)
                    .ifPresent(at -> events.add(new Event(Kind.REMINDER, key.id(), at)));
        }
        events.add(new Event(Kind.ROTATION, key.id(), rotationAt(key.createDate(), maxAgeDays)));
        if (secret instanceof SecretState.Stored stored) {
            stored.previousKeyId().filter(id -> !id.equals(key.id())).flatMap(user::key)
                    .ifPresent(previous -> previousKeyEvents(user, stored, previous, key, useRecord, events));
        }
        events.sort(Comparator.comparing(Event::at).thenComparing(Event::kind));
        return List.copyOf(events);
    }

    /** The first event after {@code now}, if any: what a settled user's status shows next. */
    public Optional<Event> next(UserState user, int maxAgeDays, Instant now) {
        return events(user, maxAgeDays, UseRecord.CURRENT).stream().filter(e -> e.at().isAfter(now)).findFirst();
    }

    private void previousKeyEvents(UserState user, SecretState.Stored stored, AccessKey previous, AccessKey current,
                                   UseRecord useRecord, List<Event> events) {
        Instant replaced = current.createDate();
        if (!previous.active()) {
            events.add(new Event(Kind.DELETION, previous.id(), deletionAt(replaced, stored.previousDisabledAt())));
            return;
        }
        Optional<Instant> lastUse = user.lastUse(previous.id()).map(KeyUse::when);
        Instant cutover = cutoverAt(replaced, lastUse);
        if (config.cutover() == Cutover.AFTER_GRACE || cutover.isBefore(latestCutoverAt(replaced))) {
            events.add(new Event(Kind.EARLIEST_CUTOVER, previous.id(), cutover));
        }
        if (config.cutover() == Cutover.ON_USE) {
            events.add(new Event(Kind.LATEST_CUTOVER, previous.id(), latestCutoverAt(replaced)));
        }
        boolean inUse = lastUse.filter(used -> used.isAfter(replaced)).isPresent()
                || useRecord == UseRecord.MAY_BE_HOURS_OLD;
        boolean graceReminded = user.notices().graceRemindedKeyId().filter(current.id()::equals).isPresent();
        Instant graceReminder = graceReminderAt(replaced);
        if (config.cutover() == Cutover.ON_USE && inUse && !graceReminded && graceReminder.isBefore(cutover)) {
            events.add(new Event(Kind.GRACE_REMINDER, previous.id(), graceReminder));
        }
    }

    private static Instant earliestOf(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant latestOf(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
