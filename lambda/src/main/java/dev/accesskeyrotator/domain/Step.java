package dev.accesskeyrotator.domain;

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

        R rotate(Rotate step);
    }

    /** Rule 3: a never-used key newer than the current one, left by a run that died before storing it. */
    record DeleteStrayKey(String keyId) implements Step {
        public String describe() { return "delete unused stray key " + keyId; }
        public <R> R accept(Visitor<R> visitor) { return visitor.deleteStrayKey(this); }
    }

    /** Rule 4: the grace period of the previous key is over. */
    record DisablePreviousKey(String keyId) implements Step {
        public String describe() { return "disable previous key " + keyId; }
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

    /**
     * Rule 6: create a key, store it, then retire the replaced key as far as the grace settings allow now.
     *
     * @param replacedKeyId      the key the new one replaces
     * @param expectedCurrentKey what the secret held when the plan was made (empty: no secret); checked again
     *                           after the new key exists so that two runs cannot both rotate the user
     */
    record Rotate(String replacedKeyId, Optional<String> expectedCurrentKey, boolean disableReplacedNow,
                  boolean deleteReplacedNow) implements Step {
        public String describe() { return "rotate key " + replacedKeyId; }
        public <R> R accept(Visitor<R> visitor) { return visitor.rotate(this); }
    }
}
