package dev.accesskeyrotator.domain;

import dev.accesskeyrotator.contract.Parameter;
import java.time.Instant;
import java.util.Optional;

/**
 * One change the rules ask for, applied in plan order. Every consumer handles every kind through a {@link Visitor}:
 * a new kind of step adds a visitor method, so code that does not handle it does not compile.
 */
public sealed interface Step {

    /** A short human description for the run report, naming only key ids. */
    String describe();

    <R> R accept(Visitor<R> visitor);

    /** One method per kind of step. */
    interface Visitor<R> {
        R deleteStrayKey(DeleteStrayKey step);

        R disablePreviousKey(DisablePreviousKey step);

        R deletePreviousKey(DeletePreviousKey step);

        R deleteInactiveKeyForRoom(DeleteInactiveKeyForRoom step);

        R sendPendingNotice(SendPendingNotice step);

        R sendReminder(SendReminder step);

        R sendGraceReminder(SendGraceReminder step);

        R rotate(Rotate step);
    }

    /** Why a replaced key is disabled now; the notice tells the owner which. */
    enum CutoverReason {
        /** {@code after-grace}: the grace period is over. */
        GRACE_OVER,
        /** {@code on-use}: IAM has shown no use of it for {@code old-key-idle-hours} since the new key was stored. */
        IDLE,
        /** {@code on-use}: {@code max-grace-days} reached while it was still in use. */
        DEADLINE
    }

    /** Rule 3: a never-used key newer than the current one, left by a run that died before storing it. */
    record DeleteStrayKey(String keyId) implements Step {
        public String describe() { return "delete unused stray key " + keyId; }
        public <R> R accept(Visitor<R> visitor) { return visitor.deleteStrayKey(this); }
    }

    /** Rule 4: the cut-over says the previous key is to be disabled, for {@code reason}. */
    record DisablePreviousKey(String keyId, CutoverReason reason) implements Step {
        public String describe() {
            return "disable previous key " + keyId + switch (reason) {
                case GRACE_OVER -> " (grace period over)";
                case IDLE -> " (unused since the new key was stored)";
                case DEADLINE -> " (" + Parameter.MAX_GRACE_DAYS.parameterName() + " reached while still in use)";
            };
        }
        public <R> R accept(Visitor<R> visitor) { return visitor.disablePreviousKey(this); }
    }

    /** Rule 4: the previous key has been disabled for long enough. */
    record DeletePreviousKey(String keyId) implements Step {
        public String describe() { return "delete previous key " + keyId; }
        public <R> R accept(Visitor<R> visitor) { return visitor.deletePreviousKey(this); }
    }

    /** Rule 6, make room: IAM allows two keys per user. */
    record DeleteInactiveKeyForRoom(String keyId) implements Step {
        public String describe() { return "delete inactive key " + keyId + " to make room"; }
        public <R> R accept(Visitor<R> visitor) { return visitor.deleteInactiveKeyForRoom(this); }
    }

    /** Rule 4: the owner was never told about the current key. */
    record SendPendingNotice(String currentKeyId, Optional<String> previousKeyId) implements Step {
        public String describe() { return "send the notice for key " + currentKeyId; }
        public <R> R accept(Visitor<R> visitor) { return visitor.sendPendingNotice(this); }
    }

    /** Rule 5: the key is within reminder-days of its threshold; its owner is told once. */
    record SendReminder(String keyId, Instant rotationDue) implements Step {
        public String describe() { return "remind the owner that key " + keyId + " is rotated on " + rotationDue; }
        public <R> R accept(Visitor<R> visitor) { return visitor.sendReminder(this); }
    }

    /** Rule 5 with on-use: the replaced key is still in use shortly before max-grace-days; its owner is told once. */
    record SendGraceReminder(String previousKeyId, Instant deadline, KeyUse lastUse) implements Step {
        public String describe() {
            return "remind the owner that replaced key " + previousKeyId + " is still in use and is disabled on "
                    + deadline;
        }
        public <R> R accept(Visitor<R> visitor) { return visitor.sendGraceReminder(this); }
    }

    /**
     * Rule 6: create a key, store it, then retire the replaced key as far as the grace settings allow now.
     *
     * @param replacedKeyId      the key the new one replaces
     * @param expectedCurrentKey what the secret held when the plan was made (empty: no key yet); checked again
     *                           after the new key exists so that two runs cannot both rotate the user
     */
    record Rotate(String replacedKeyId, Optional<String> expectedCurrentKey, boolean disableReplacedNow,
                  boolean deleteReplacedNow) implements Step {
        public String describe() { return "rotate key " + replacedKeyId; }
        public <R> R accept(Visitor<R> visitor) { return visitor.rotate(this); }
    }
}
