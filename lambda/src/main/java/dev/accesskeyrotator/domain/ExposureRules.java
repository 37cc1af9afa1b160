package dev.accesskeyrotator.domain;

import dev.accesskeyrotator.contract.Outcome;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Emergency rotation (contract rev 3): what to do for one exposed key of one user, decided from observed state alone.
 * Exposure outranks the key's age, the grace settings and provenance, for the exposed key only: every other key is
 * treated by the usual rules, and a key is never re-enabled.
 */
public final class ExposureRules {

    /**
     * The rotator's records of an exposure on the user secret (tags): the key it was about to act on, and the key whose
     * key-exposed notice was sent. Together they tell whether a notice is still owed after a run died.
     */
    public record ExposureRecord(Optional<String> exposedKeyId, Optional<String> toldKeyId) {
        public static final ExposureRecord NONE = new ExposureRecord(Optional.empty(), Optional.empty());

        boolean noticeOwedFor(String keyId) {
            return exposedKeyId.filter(keyId::equals).isPresent() && toldKeyId.filter(keyId::equals).isEmpty();
        }
    }

    /** What the rules decided for one exposed key. */
    public sealed interface ExposurePlan {
        String exposedKeyId();

        /**
         * Replace the exposed key: make room, create and store a new key, then disable the exposed key at once.
         *
         * @param expectedCurrentKey what the secret held when the plan was made, checked again before the store
         * @param makeRoom           deletions the usual rules allow (an unused stray of a dead run, an inactive key
         *                           the rotator replaced)
         * @param madeByPeople       the exposed key was made outside the rotator (a never-rotated user's key)
         */
        record Rotate(String exposedKeyId, Optional<String> expectedCurrentKey, List<Step> makeRoom,
                      boolean madeByPeople) implements ExposurePlan {
            public Rotate {
                makeRoom = List.copyOf(makeRoom);
            }
        }

        /**
         * Disable the exposed key at once, no rotation: the key in the secret is another, unexposed one.
         *
         * @param previous     the exposed key is the previous key the rotator replaced (else a stray)
         * @param madeByPeople the exposed key was made outside the rotator
         */
        record Disable(String exposedKeyId, boolean previous, boolean madeByPeople) implements ExposurePlan {}

        /** The exposed key is already retired by a run that died before telling the owner: tell them now. */
        record SendOwedNotice(String exposedKeyId) implements ExposurePlan {}

        /** Nothing to do: the exposed key is already inactive or gone. */
        record Nothing(String exposedKeyId, String why) implements ExposurePlan {}

        /**
         * The rotator cannot act (user not opted in, secret not owned, two people-made keys, a rotation in flight):
         * admins are told, naming the key, and nothing changes.
         */
        record CannotAct(String exposedKeyId, Outcome outcome, String reason) implements ExposurePlan {}
    }

    private ExposureRules() {}

    /**
     * The key an admin's request naming only the user treats as exposed: the key in the user secret, or a
     * never-rotated user's only active key. Empty when there is none to name (the plan then says why).
     */
    public static Optional<String> keyInUse(UserState user) {
        if (user.secret() instanceof SecretState.Stored stored) {
            return Optional.of(stored.currentKeyId());
        }
        List<AccessKey> active = user.keys().stream().filter(AccessKey::active).toList();
        return active.size() == 1 ? Optional.of(active.get(0).id()) : Optional.empty();
    }

    /** The exposure of a user who is not opted in: the rotator never looks at or changes such a user. */
    public static ExposurePlan notOptedIn(String userName, String exposedKeyId) {
        return new ExposurePlan.CannotAct(exposedKeyId, Outcome.ATTENTION, "exposed key " + exposedKeyId
                + " belongs to IAM user " + userName + ", who is not opted in to rotation: nothing was changed;"
                + " disable or rotate the key by hand now");
    }

    public static ExposurePlan decide(UserState user, String exposedKeyId, ExposureRecord record, Instant now) {
        Optional<AccessKey> found = user.key(exposedKeyId);
        if (found.isEmpty() || !found.get().active()) {
            if (record.noticeOwedFor(exposedKeyId) && user.secret() instanceof SecretState.Stored) {
                return new ExposurePlan.SendOwedNotice(exposedKeyId);
            }
            return new ExposurePlan.Nothing(exposedKeyId, found.isEmpty() ? "exposed key " + exposedKeyId
                    + " no longer exists" : "exposed key " + exposedKeyId + " is already inactive");
        }
        AccessKey exposed = found.get();
        SecretState secret = user.secret();
        if (secret instanceof SecretState.NotOwned notOwned) {
            return cannotAct(exposedKeyId, "the user secret " + notOwned.arn() + " is not the rotator's ("
                    + notOwned.why() + "), so no new key can be stored");
        }
        if (secret instanceof SecretState.ScheduledForDeletion scheduled) {
            return cannotAct(exposedKeyId, "the user secret " + scheduled.arn() + " is scheduled for deletion, so no"
                    + " new key can be stored");
        }
        if (secret instanceof SecretState.Unreadable unreadable) {
            return cannotAct(exposedKeyId, "the user secret " + unreadable.arn() + " does not hold a rotator key"
                    + " document (" + unreadable.problem() + ")");
        }
        if (secret instanceof SecretState.Stored stored) {
            return withSecret(user, stored, exposed, now);
        }
        Optional<Instant> intentAt = secret instanceof SecretState.Reserved reserved ? reserved.intentAt()
                : Optional.empty();
        return neverRotated(user, exposed, intentAt, now);
    }

    private static ExposurePlan withSecret(UserState user, SecretState.Stored secret, AccessKey exposed,
                                           Instant now) {
        if (!secret.ownerName().equals(user.userName())) {
            return cannotAct(exposed.id(), "the user secret " + secret.arn() + " holds a key of user '"
                    + secret.ownerName() + "', not of this user");
        }
        boolean isPrevious = secret.previousKeyId().filter(exposed.id()::equals).isPresent();
        if (!exposed.id().equals(secret.currentKeyId())) {
            if (user.key(secret.currentKeyId()).filter(AccessKey::active).isEmpty()) {
                // Rule 1: someone retired the key in the secret, perhaps on purpose; the exposed key may be the only
                // one that works, and what replaces it is for that person to decide.
                return cannotAct(exposed.id(), "the key in the secret, " + secret.currentKeyId() + ", was disabled or"
                        + " deleted outside the rotator");
            }
            if (!isPrevious && inFlight(exposed, user, secret.intentAt(), now)) {
                return new ExposurePlan.CannotAct(exposed.id(), Outcome.DEFERRED, "exposed key " + exposed.id()
                        + " was created minutes ago, possibly by a rotation still in progress; try again in "
                        + KeySchedule.IN_FLIGHT_GUARD.toMinutes() + " minutes");
            }
            // The key in the secret is another one, unexposed: retiring the exposed key breaks nobody who follows it.
            return new ExposurePlan.Disable(exposed.id(), isPrevious, !isPrevious);
        }
        List<Step> makeRoom = new ArrayList<>();
        for (AccessKey other : user.keys()) {
            if (other.id().equals(exposed.id())) {
                continue;
            }
            boolean previous = secret.previousKeyId().filter(other.id()::equals).isPresent();
            if (previous && !other.active()) {
                makeRoom.add(new Step.DeleteInactiveKeyForRoom(other.id()));
            } else if (previous) {
                return cannotAct(exposed.id(), "the previous key " + other.id() + " is still active (its grace"
                        + " period or cut-over is not over), and IAM allows no third key; disable " + other.id()
                        + " by hand once nothing uses it, then run the emergency rotation again");
            } else {
                Optional<ExposurePlan> blocked = clearStray(user, exposed, other, secret.intentAt(), now, makeRoom);
                if (blocked.isPresent()) {
                    return blocked.get();
                }
            }
        }
        return new ExposurePlan.Rotate(exposed.id(), Optional.of(exposed.id()), makeRoom, false);
    }

    private static ExposurePlan neverRotated(UserState user, AccessKey exposed, Optional<Instant> intentAt,
                                             Instant now) {
        List<Step> makeRoom = new ArrayList<>();
        for (AccessKey other : user.keys()) {
            if (other.id().equals(exposed.id())) {
                continue;
            }
            Optional<ExposurePlan> blocked = clearStray(user, exposed, other, intentAt, now, makeRoom);
            if (blocked.isPresent()) {
                return blocked.get();
            }
        }
        return new ExposurePlan.Rotate(exposed.id(), Optional.empty(), makeRoom, true);
    }

    /**
     * The second key slot, taken by a key that is neither current nor previous: deleted if the usual rules say it is
     * an unused key a dead run left (rule 3), otherwise it is a person's and blocks the rotation.
     */
    private static Optional<ExposurePlan> clearStray(UserState user, AccessKey exposed, AccessKey other,
                                                     Optional<Instant> intentAt, Instant now, List<Step> makeRoom) {
        boolean rotators = other.newerThan(exposed) && RotationRules.createdByRotator(other, intentAt)
                && !user.everUsed(other.id());
        if (!rotators) {
            return Optional.of(cannotAct(exposed.id(), "key " + other.id() + " (" + (other.active() ? "active"
                    : "inactive") + "), made outside the rotator, takes the second key slot: two people-made keys,"
                    + " and the rotator never retires a key it did not make; delete one by hand, then run the"
                    + " emergency rotation again"));
        }
        if (now.isBefore(KeySchedule.inFlightUntil(other.createDate()))) {
            return Optional.of(new ExposurePlan.CannotAct(exposed.id(), Outcome.DEFERRED, "unused key " + other.id()
                    + " was created minutes ago by a rotation that may still be in progress; try again in "
                    + KeySchedule.IN_FLIGHT_GUARD.toMinutes() + " minutes"));
        }
        makeRoom.add(new Step.DeleteStrayKey(other.id()));
        return Optional.empty();
    }

    private static boolean inFlight(AccessKey key, UserState user, Optional<Instant> intentAt, Instant now) {
        return RotationRules.createdByRotator(key, intentAt) && !user.everUsed(key.id())
                && now.isBefore(KeySchedule.inFlightUntil(key.createDate()));
    }

    private static ExposurePlan cannotAct(String exposedKeyId, String why) {
        return new ExposurePlan.CannotAct(exposedKeyId, Outcome.ATTENTION, "exposed key " + exposedKeyId
                + " is still active, and the rotator cannot replace it: " + why + ". Nothing was changed; disable"
                + " or rotate the key by hand now");
    }
}
