package dev.accesskeyrotator.domain;

import dev.accesskeyrotator.contract.Parameter;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.config.ConfigurationException;
import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.config.RotationConfigParser;

import java.time.Duration;
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

    /**
     * A never-used key newer than the current one may be the new key of a run that is still going (the schedule
     * can deliver twice, or someone runs the CLI). Lambda runs last at most 15 minutes, so a stray only counts as
     * left behind once it is older than that.
     */
    public static final Duration IN_FLIGHT_GUARD = Duration.ofMinutes(15);

    /** IAM user names may contain a comma; secret names may not, so such a user cannot have a user secret. */
    private static final java.util.regex.Pattern SECRET_NAME_CHARACTERS =
            java.util.regex.Pattern.compile("[A-Za-z0-9/_+=.@-]+");

    private final RotationConfig config;

    public RotationRules(RotationConfig config) {
        this.config = config;
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
        return decideWithoutSecret(user, now, maxAgeDays);
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

    private UserPlan decideWithoutSecret(UserState user, Instant now, int maxAgeDays) {
        List<AccessKey> active = user.keys().stream().filter(AccessKey::active).toList();
        if (active.isEmpty()) {
            return new UserPlan(user.userName(), List.of(), List.of(), maxAgeDays);
        }
        List<Step> steps = new ArrayList<>();
        if (active.size() > 1) {
            // Rule 2 without a secret: the newer key may be what a run left behind between creating and storing.
            // Keys created in the same second are ambiguous: neither is treated as a stray.
            AccessKey older = active.get(0).newerThan(active.get(1)) ? active.get(1) : active.get(0);
            AccessKey newer = older == active.get(0) ? active.get(1) : active.get(0);
            if (newer.newerThan(older) && !user.everUsed(newer.id())) {
                if (newer.age(now).compareTo(IN_FLIGHT_GUARD) < 0) {
                    return findingOnly(user, maxAgeDays, Finding.deferred("unused key " + newer.id() + " was created minutes ago,"
                            + " possibly by a rotation still in progress; checked again next run"));
                }
                steps.add(new Step.DeleteStrayKey(newer.id()));
                active = List.of(older);
            }
        }
        boolean anyDue = active.stream().anyMatch(k -> isDue(k, now, maxAgeDays));
        if (active.size() > 1) {
            return anyDue
                    ? findingOnly(user, maxAgeDays, Finding.blocked("two active keys (" + ids(active)
                    + ") and no rotator secret yet: cannot tell which one is in use; disable one by hand"))
                    : findingOnly(user, maxAgeDays, Finding.attention("two active keys (" + ids(active)
                    + "); CIS 1.13 expects one. The rotator takes over once only one is active"));
        }
        AccessKey only = active.get(0);
        if (!anyDue) {
            return new UserPlan(user.userName(), steps, List.of(), maxAgeDays);
        }
        user.keys().stream().filter(k -> !k.active())
                .forEach(k -> steps.add(new Step.DeleteInactiveKeyForRoom(k.id())));
        steps.add(rotate(only.id(), Optional.empty()));
        return new UserPlan(user.userName(), steps, List.of(), maxAgeDays);
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
        if (!due && !ownerKnowsCurrentKey) {
            // First, so that the owner can fetch the current key before the previous one is retired; when a rotation
            // is due, its own notice supersedes this one.
            steps.add(new Step.SendPendingNotice(current.id(), previousId.filter(id -> user.key(id).isPresent())));
        }

        for (AccessKey other : user.keys()) {
            if (other.id().equals(current.id())) {
                continue;
            }
            if (previousId.isPresent() && previousId.get().equals(other.id())) {
                retirePrevious(other, current, now, steps).ifPresent(remaining::add);
            } else {
                classifyStray(user, other, current, now, steps, findings).ifPresent(remaining::add);
            }
        }

        Optional<Step.SendPendingNotice> owedNotice = ownerKnowsCurrentKey ? Optional.empty()
                : Optional.of(new Step.SendPendingNotice(current.id(), previousId.filter(id -> user.key(id).isPresent())));
        if (due) {
            planRotation(current, Optional.of(current.id()), remaining, steps, findings);
            boolean rotating = steps.stream().anyMatch(Step.Rotate.class::isInstance);
            if (!rotating) {
                owedNotice.ifPresent(notice -> steps.add(0, notice));
            }
            return new UserPlan(user.userName(), steps, findings, maxAgeDays, rotating ? owedNotice : Optional.empty());
        }
        return new UserPlan(user.userName(), steps, findings, maxAgeDays);
    }

    /** Rule 3 for the previous key; returns it (with its status after the steps) if it stays. */
    private Optional<AccessKey> retirePrevious(AccessKey previous, AccessKey current, Instant now, List<Step> steps) {
        Instant disableAt = config.previousKeyDisableAt(current.createDate());
        Instant deleteAt = config.previousKeyDeleteAt(current.createDate());
        boolean active = previous.active();
        if (active && !now.isBefore(disableAt)) {
            steps.add(new Step.DisablePreviousKey(previous.id()));
            active = false;
        }
        if (!active && !now.isBefore(deleteAt)) {
            steps.add(new Step.DeletePreviousKey(previous.id()));
            return Optional.empty();
        }
        return Optional.of(new AccessKey(previous.id(), active, previous.createDate()));
    }

    /** Rule 2 for any key that is neither current nor previous; returns it if it stays. */
    private Optional<AccessKey> classifyStray(UserState user, AccessKey stray, AccessKey current, Instant now,
                                              List<Step> steps, List<Finding> findings) {
        if (user.everUsed(stray.id())) {
            findings.add(Finding.attention("stray key " + stray.id() + " (" + (stray.active() ? "active" : "inactive")
                    + ") is not the key in the secret and has been used; left alone for its owner to retire"));
            return Optional.of(stray);
        }
        if (!stray.newerThan(current)) {
            findings.add(Finding.attention("stray key " + stray.id()
                    + " is older than the current key and is not a key the rotator replaced; left alone"));
            return Optional.of(stray);
        }
        if (stray.age(now).compareTo(IN_FLIGHT_GUARD) < 0) {
            findings.add(Finding.deferred("unused key " + stray.id()
                    + " was created minutes ago, possibly by a rotation still in progress; checked again next run"));
            return Optional.of(stray);
        }
        steps.add(new Step.DeleteStrayKey(stray.id()));
        return Optional.empty();
    }

    /** Rule 4: make room, or report why the rotation cannot happen. */
    private void planRotation(AccessKey current, Optional<String> expectedCurrent, List<AccessKey> remaining,
                              List<Step> steps, List<Finding> findings) {
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
        others.forEach(k -> steps.add(new Step.DeleteInactiveKeyForRoom(k.id())));
        steps.add(rotate(current.id(), expectedCurrent));
    }

    private Step.Rotate rotate(String replacedKeyId, Optional<String> expectedCurrent) {
        return new Step.Rotate(replacedKeyId, expectedCurrent, config.graceDays() == 0,
                config.graceDays() == 0 && config.deleteAfterDays() == 0);
    }

    private static boolean isDue(AccessKey key, Instant now, int maxAgeDays) {
        return key.active() && reachedAge(key.createDate(), now, maxAgeDays);
    }

    /** A key is due on the day it turns the threshold's age, not the day after. */
    public static boolean reachedAge(Instant createDate, Instant now, int maxAgeDays) {
        return Duration.between(createDate, now).compareTo(Duration.ofDays(maxAgeDays)) >= 0;
    }

    private static UserPlan findingOnly(UserState user, int maxAgeDays, Finding finding) {
        return new UserPlan(user.userName(), List.of(), List.of(finding), maxAgeDays);
    }

    private static String ids(List<AccessKey> keys) {
        return String.join(", ", keys.stream().sorted(Comparator.comparing(AccessKey::createDate))
                .map(AccessKey::id).toList());
    }
}
