package dev.accesskeyrotator.domain;

import java.time.Instant;
import java.util.Optional;

/** What the user's secret says about the key the user should be using, as observed this run. */
public sealed interface SecretState {

    /** No secret yet: the user has never been rotated. */
    record Missing() implements SecretState {}

    /**
     * The rotator's secret without a key yet: created, with its policy, right before the user's first key, so that
     * the intent to create that key is on record first.
     *
     * @param intentAt when the rotator recorded that it was about to create a key (provenance of a stray)
     */
    record Reserved(String arn, String name, Optional<Instant> intentAt) implements SecretState {}

    /** Someone scheduled the secret for deletion; the rotator cannot write it and must not guess. */
    record ScheduledForDeletion(String arn) implements SecretState {}

    /**
     * A secret with the user secret's name that is not the rotator's: not encrypted with the stack's KMS key, so
     * someone other than the rotator wrote it (or re-keyed it) and others may read what goes into it.
     */
    record NotOwned(String arn, String why) implements SecretState {}

    /** The secret exists but its value is not a key document the rotator wrote. */
    record Unreadable(String arn, String problem) implements SecretState {}

    /**
     * A key document.
     *
     * @param currentKeyId       AccessKeyId in the secret: the current key
     * @param ownerName          UserName in the secret, to catch a secret that holds another user's key
     * @param previousKeyId      the key this one replaced, if the rotator replaced one
     * @param notifiedKeyId      the key id the owner was last told about (a secret tag written after the notice)
     * @param intentAt           when the rotator last recorded that it was about to create a key (a secret tag)
     * @param previousDisabledAt when the rotator disabled the previous key (a secret tag)
     */
    record Stored(String arn, String name, String currentKeyId, String ownerName, Optional<String> previousKeyId,
                  Optional<String> notifiedKeyId, Optional<Instant> intentAt, Optional<Instant> previousDisabledAt)
            implements SecretState {

        public Stored(String arn, String name, String currentKeyId, String ownerName, Optional<String> previousKeyId,
                      Optional<String> notifiedKeyId) {
            this(arn, name, currentKeyId, ownerName, previousKeyId, notifiedKeyId, Optional.empty(), Optional.empty());
        }
    }

    static SecretState missing() {
        return new Missing();
    }
}
