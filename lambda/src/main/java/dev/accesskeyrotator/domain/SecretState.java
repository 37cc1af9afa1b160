package dev.accesskeyrotator.domain;

import java.util.Optional;

/** What the user's secret says about the key the user should be using, as observed this run. */
public sealed interface SecretState {

    /** No secret yet: the user has never been rotated. */
    record Missing() implements SecretState {}

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
     * @param currentKeyId  AccessKeyId in the secret: the current key
     * @param ownerName     UserName in the secret, to catch a secret that holds another user's key
     * @param previousKeyId the key this one replaced, if the rotator replaced one
     * @param notifiedKeyId the key id the owner was last told about (a secret tag written after the notice)
     */
    record Stored(String arn, String name, String currentKeyId, String ownerName, Optional<String> previousKeyId,
                  Optional<String> notifiedKeyId) implements SecretState {}

    static SecretState missing() {
        return new Missing();
    }
}
