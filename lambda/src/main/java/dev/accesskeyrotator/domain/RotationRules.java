package dev.accesskeyrotator.domain;

import dev.accesskeyrotator.contract.Parameter;
import dev.accesskeyrotator.contract.Parameter.Cutover;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.config.ConfigurationException;
import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.config.RotationConfigParser;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The per-user rules of the rotation contract, decided from observed state alone: keys, secret, clock and
 * configuration. No AWS types and no I/O, so every rule is tested without AWS.
 */
public final class RotationRules {

    /** Per-user override of the rotation threshold. */
    public static final String MAX_AGE_OVERRIDE_TAG = Parameter.MAX_KEY_AGE_DAYS.userOverrideTag();

    /** IAM user names may contain a comma; secret names may not, so such a user cannot have a user secret. */
    private static final java.util.regex.Pattern SECRET_NAME_CHARACTERS =
            java.util.regex.Pattern.compile("[A-Za-z0-9/_+=.@-]+");

    private final RotationConfig config;
    private final KeySchedule schedule;

    public RotationRules(RotationConfig config) {
        this.config = config;
        this.schedule = new KeySchedule(config);
    }

    public UserPlan decide(UserState user, Instant now) {
        int maxAgeDays;
        try {
            maxAgeDays = maxAgeDaysFor(user.tags());
        } catch (ConfigurationException e) {
            return new UserPlan(user.userName(), List.of(), List.of(Finding.attention("skipped: " + e.getMessage())),
                    config.maxKeyAgeDays());
        }
        if (!SECRET_NAME_CHARACTERS.matcher(user.userName()).matches()) {
            return findingOnly(user, maxAgeDays, Finding.blocked("user name has characters Secrets Manager does not"
                    + " allow in secret names (allowed: letters, digits and /_+=.@-); rotate this user by hand"));
        }
        SecretState secret = user.secret();
        if (secret instanceof SecretState.ScheduledForDeletion scheduled) {
            return findingOnly(user, maxAgeDays, Finding.attention("secret " + scheduled.arn() + " is scheduled for deletion;"
                    + " restore it (or let it go and retire the user's keys by hand) before the rotator continues"));
        }
        if (secret instanceof SecretState.NotOwned notOwned) {
            return findingOnly(user, maxAgeDays, Finding.attention("secret " + notOwned.arn() + " is not the"
                    + " rotator's (" + notOwned.why() + "); no key is written into it and nothing else is changed."
                    + " Find out who created it, then delete it so that the rotator creates its own"));
        }
        if (secret instanceof SecretState.Unreadable unreadable) {
            return findingOnly(user, maxAgeDays, Finding.attention("secret " + unreadable.arn()
                    + " does not hold a rotator key document (" + unreadable.problem() + "); fix or delete it by hand"));
        }
        if (secret instanceof SecretState.Stored stored) {
            return decideWithSecret(user, stored, now, maxAgeDays);
        }
        Optional<Instant> intentAt = secret instanceof SecretState.Reserved reserved ? reserved.intentAt()
                : Optional.empty();
        return decideWithoutKeyInSecret(user, intentAt, now, maxAgeDays);
    }

    /** The user's rotation threshold: the override tag if present, else the configured one. */
    public int maxAgeDaysFor(Map<String, String> userTags) {
        String override = userTags.get(MAX_AGE_OVERRIDE_TAG);
        if (override == null) {
            return config.maxKeyAgeDays();
        }
        return RotationConfigParser.parseDays("tag " + MAX_AGE_OVERRIDE_TAG, override, config.graceDays() + 1,
                Parameter.MAX_DAYS);
    }

    /** A user the rotator has stored no key for yet: no secret, or its reserved secret. */
    private UserPlan decideWithoutKeyInSecret(UserState user, Optional<Instant> intentAt, Instant now,
                                              int maxAgeDays) {
        List<AccessKey> active = user.keys().stream().filter(AccessKey::active).toList();
        if (active.isEmpty()) {
            return new UserPlan(user.userName(), List.of(), List.of(), maxAgeDays);
        }
        List<Step> steps = new ArrayList<>();
        if (active.size() > 1) {
            // Rule 3: the newer key may be what a run left behind between creating and storing it, which the
            // intent it recorded first proves. Without that proof both keys are people's, and people decide.
            AccessKey older = active.get(0).newerThan(active.get(1)) ? active.get(1) : active.get(0);
            AccessKey newer = older == active.get(0) ? active.get(1) : active.get(0);
            if (newer.newerThan(older) && createdByRotator(newer, intentAt) && !user.everUsed(newer.id())) {
                if (now.isBefore(KeySchedule.inFlightUntil(newer.createDate()))) {
                    return findingOnly(user, maxAgeDays, Finding.deferred("unused key " + newer.id() + " was created"
                            + " minutes ago by a rotation that may still be in progress; checked again next run"));
                }
                steps.add(new Step.DeleteStrayKey(newer.id()));
                active = List.of(older);
            } else {
                return findingOnly(user, maxAgeDays, Finding.blocked("two active keys (" + ids(active)
                        + ") made outside the rotator: it cannot tell which one is in use and never retires a key it"
                        + " did not make; disable one by hand"));
            }
        }
        AccessKey only = active.get(0);
        List<Finding> findings = new ArrayList<>();
        if (!isDue(only, now, maxAgeDays)) {
            remind(user, only, now, maxAgeDays).ifPresent(steps::add);
            return new UserPlan(user.userName(), steps, findings, maxAgeDays);
        }
        List<AccessKey> remaining = new ArrayList<>(user.keys().stream()
                .filter(k -> !steps.contains(new Step.DeleteStrayKey(k.id()))).toList());
        planRotation(only, Optional.empty(), remaining, Optional.empty(), steps, findings);
        return new UserPlan(user.userName(), steps, findings, maxAgeDays);
    }

    private UserPlan decideWithSecret(UserState user, SecretState.Stored secret, Instant now, int maxAgeDays) {
        if (!secret.ownerName().equals(user.userName())) {
            return findingOnly(user, maxAgeDays, Finding.attention("secret " + secret.arn() + " holds key "
                    + secret.currentKeyId() + " of user '" + secret.ownerName() + "', not of this user"));
        }
        Optional<AccessKey> currentKey = user.key(secret.currentKeyId());
        if (currentKey.isEmpty()) {
            return findingOnly(user, maxAgeDays, Finding.attention("current key " + secret.currentKeyId()
                    + " was deleted outside the rotator; the secret no longer holds a working key"));
        }
        AccessKey current = currentKey.get();
        if (!current.active()) {
            return findingOnly(user, maxAgeDays, Finding.attention("current key " + current.id()
                    + " was disabled outside the rotator (perhaps on purpose); it will not be re-enabled"));
        }

        List<Step> steps = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        // Keys that will still exist, with their status, once the cleanup steps below are applied.
        List<AccessKey> remaining = new ArrayList<>(List.of(current));
        Optional<String> previousId = secret.previousKeyId().filter(id -> !id.equals(current.id()));
        boolean due = isDue(current, now, maxAgeDays);
        boolean ownerKnowsCurrentKey = secret.notifiedKeyId().map(current.id()::equals).orElse(false);
        // A key minutes old may be another run's, which is about to send this very notice (two runs at once must
        // not tell the owner twice); a run that died owes it, and the next one sends it.
        boolean noticeOwed = !ownerKnowsCurrentKey && !now.isBefore(KeySchedule.inFlightUntil(current.createDate()));
        Optional<Step.SendPendingNotice> owedNotice = !noticeOwed ? Optional.empty()
                : Optional.of(new Step.SendPendingNotice(current.id(), previousId.filter(id -> user.key(id).isPresent())));
        if (!due) {
            // First, so that the owner can fetch the current key before the previous one is retired; when a rotation
            // is due, its own notice supersedes this one.
            owedNotice.ifPresent(steps::add);
        }

        for (AccessKey other : user.keys()) {
            if (other.id().equals(current.id())) {
                continue;
            }
            if (previousId.isPresent() && previousId.get().equals(other.id())) {
                retirePrevious(user, secret, other, current, now, steps).ifPresent(remaining::add);
            } else {
                classifyStray(user, secret.intentAt(), other, current, now, steps, findings)
                        .ifPresent(remaining::add);
            }
        }

        if (!due) {
            remind(user, current, now, maxAgeDays).ifPresent(steps::add);
        }
        if (due) {
            planRotation(current, Optional.of(current.id()), remaining, previousId, steps, findings);
            boolean rotating = steps.stream().anyMatch(Step.Rotate.class::isInstance);
            if (!rotating) {
                owedNotice.ifPresent(notice -> steps.add(0, notice));
            }
            return new UserPlan(user.userName(), steps, findings, maxAgeDays, rotating ? owedNotice : Optional.empty());
        }
        return new UserPlan(user.userName(), steps, findings, maxAgeDays);
    }

    /** Rule 4 for the previous key; returns it (with its status after the steps) if it stays. */
    private Optional<AccessKey> retirePrevious(UserState user, SecretState.Stored secret, AccessKey previous,
                                               AccessKey current, Instant now, List<Step> steps) {
        boolean active = previous.active();
        if (active) {
            Optional<Step.CutoverReason> reason = cutover(user, previous, current, now);
            if (reason.isPresent()) {
                steps.add(new Step.DisablePreviousKey(previous.id(), reason.get()));
                return Optional.of(new AccessKey(previous.id(), false, previous.createDate()));
            }
            graceReminder(user, previous, current, now).ifPresent(steps::add);
            return Optional.of(previous);
        }
        if (!now.isBefore(schedule.deletionAt(current.createDate(), secret.previousDisabledAt()))) {
            steps.add(new Step.DeletePreviousKey(previous.id()));
            return Optional.empty();
        }
        return Optional.of(previous);
    }

    /**
     * Rule 4's cut-over: whether, and why, the replaced key is disabled now. With {@code on-use} a replaced key
     * that IAM shows in use is never disabled before max-grace-days.
     */
    public Optional<Step.CutoverReason> cutover(UserState user, AccessKey previous, AccessKey current, Instant now) {
        Instant replaced = current.createDate();
        if (now.isBefore(schedule.earliestCutoverAt(replaced))) {
            return Optional.empty();
        }
        if (config.cutover() == Cutover.AFTER_GRACE) {
            return Optional.of(Step.CutoverReason.GRACE_OVER);
        }
        if (!now.isBefore(schedule.latestCutoverAt(replaced))) {
            return Optional.of(Step.CutoverReason.DEADLINE);
        }
        return now.isBefore(schedule.idleAt(replaced, user.lastUse(previous.id()).map(KeyUse::when)))
                ? Optional.empty() : Optional.of(Step.CutoverReason.IDLE);
    }

    /** Rule 5 with on-use: one reminder, a day before max-grace-days, while the replaced key is still in use. */
    private Optional<Step> graceReminder(UserState user, AccessKey previous, AccessKey current, Instant now) {
        // The record names the rotation by its new key, which is what the secret's tags can be matched against.
        if (config.cutover() != Cutover.ON_USE || user.notices().graceRemindedKeyId().map(current.id()::equals)
                .orElse(false)) {
            return Optional.empty();
        }
        Instant deadline = schedule.latestCutoverAt(current.createDate());
        Instant remindFrom = schedule.graceReminderAt(current.createDate());
        Optional<KeyUse> lastUse = user.lastUse(previous.id()).filter(use -> use.when().isAfter(current.createDate()));
        if (now.isBefore(remindFrom) || !now.isBefore(deadline) || lastUse.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Step.SendGraceReminder(previous.id(), deadline, lastUse.get()));
    }

    /** Rule 5: one key-expiring notice within reminder-days of the key's threshold. */
    private Optional<Step> remind(UserState user, AccessKey key, Instant now, int maxAgeDays) {
        Optional<Instant> remindFrom = schedule.reminderAt(key.createDate(), maxAgeDays);
        if (remindFrom.isEmpty() || user.notices().remindedKeyId().map(key.id()::equals).orElse(false)) {
            return Optional.empty();
        }
        Instant due = schedule.rotationAt(key.createDate(), maxAgeDays);
        return now.isBefore(remindFrom.get()) || !now.isBefore(due) ? Optional.empty()
                : Optional.of(new Step.SendReminder(key.id(), due));
    }

    /** Rule 3 for any key that is neither current nor previous; returns it if it stays. */
    private Optional<AccessKey> classifyStray(UserState user, Optional<Instant> intentAt, AccessKey stray,
                                              AccessKey current, Instant now, List<Step> steps,
                                              List<Finding> findings) {
        if (user.everUsed(stray.id())) {
            findings.add(Finding.attention("stray key " + stray.id() + " (" + (stray.active() ? "active" : "inactive")
                    + ") is not the key in the secret and has been used; left alone for its owner to retire"));
            return Optional.of(stray);
        }
        if (!stray.newerThan(current) || !createdByRotator(stray, intentAt)) {
            findings.add(Finding.attention("stray key " + stray.id() + " (" + (stray.active() ? "active" : "inactive")
                    + ") was made outside the rotator; left alone for its owner to retire"));
            return Optional.of(stray);
        }
        if (now.isBefore(KeySchedule.inFlightUntil(stray.createDate()))) {
            findings.add(Finding.deferred("unused key " + stray.id()
                    + " was created minutes ago, possibly by a rotation still in progress; checked again next run"));
            return Optional.of(stray);
        }
        steps.add(new Step.DeleteStrayKey(stray.id()));
        return Optional.empty();
    }

    /** Provenance: the rotator made a key only if it recorded its intent to create one just before. */
    public static boolean createdByRotator(AccessKey key, Optional<Instant> intentAt) {
        return KeySchedule.createdDuringIntent(key.createDate(), intentAt);
    }

    /**
     * Rule 6: make room, or report why the rotation cannot happen. Only a key the rotator replaced may be deleted to
     * make room; a key made outside it stays, and the rotation waits for a person.
     */
    private void planRotation(AccessKey current, Optional<String> expectedCurrent, List<AccessKey> remaining,
                              Optional<String> previousId, List<Step> steps, List<Finding> findings) {
        if (findings.stream().anyMatch(f -> f.outcome() == Outcome.DEFERRED)) {
            // A possibly in-flight key occupies the second slot; rotating now would race that run.
            return;
        }
        List<AccessKey> others = remaining.stream().filter(k -> !k.id().equals(current.id())).toList();
        if (others.stream().anyMatch(AccessKey::active)) {
            findings.add(Finding.blocked("rotation due but the user has two active keys ("
                    + ids(remaining) + "); retire one by hand"));
            return;
        }
        List<AccessKey> peoples = others.stream().filter(k -> previousId.filter(k.id()::equals).isEmpty()).toList();
        if (!peoples.isEmpty()) {
            findings.add(Finding.blocked("rotation due but inactive key " + ids(peoples) + ", made outside the"
                    + " rotator, takes the second key slot; delete it by hand if it is no longer needed"));
            return;
        }
        others.forEach(k -> steps.add(new Step.DeleteInactiveKeyForRoom(k.id())));
        steps.add(rotate(current.id(), expectedCurrent));
    }

    private Step.Rotate rotate(String replacedKeyId, Optional<String> expectedCurrent) {
        // The cut-over can only say "now" at rotation time when its earliest and latest moments are both now.
        boolean disableNow = config.cutover() == Cutover.AFTER_GRACE ? config.graceDays() == 0
                : config.maxGraceDays() == 0;
        return new Step.Rotate(replacedKeyId, expectedCurrent, disableNow,
                disableNow && config.deleteAfterDays() == 0);
    }

    private boolean isDue(AccessKey key, Instant now, int maxAgeDays) {
        return key.active() && !now.isBefore(schedule.rotationAt(key.createDate(), maxAgeDays));
    }

    private static UserPlan findingOnly(UserState user, int maxAgeDays, Finding finding) {
        return new UserPlan(user.userName(), List.of(), List.of(finding), maxAgeDays);
    }

    private static String ids(List<AccessKey> keys) {
        return String.join(", ", keys.stream().sorted(Comparator.comparing(AccessKey::createDate))
                .map(AccessKey::id).toList());
    }
}
