package dev.accesskeyrotator.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * Tags the rotator keeps on each user secret. They are hints for triage and for the notice rule; the secret
 * value stays the authority on which key is current.
 */
public final class SecretTags {
    public static final String USER = "access-key-rotation:user";
    public static final String MANAGED_BY = "access-key-rotation:managed-by";
    public static final String MANAGED_BY_VALUE = "access-key-rotator";
    /** Key id the owner was last notified about; a mismatch with the current key means a notice is owed. */
    public static final String NOTIFIED_KEY_ID = "access-key-rotation:notified-key-id";
    /** Creation time of the current key, so triage can match it against the credential report. */
    public static final String CURRENT_KEY_CREATED = "access-key-rotation:current-key-created";

    private SecretTags() {}

    public static Map<String, String> atCreation(String userName) {
        return Map.of(USER, userName, MANAGED_BY, MANAGED_BY_VALUE);
    }

    public static Map<String, String> afterNotice(String keyId, Instant keyCreated) {
        return Map.of(NOTIFIED_KEY_ID, keyId, CURRENT_KEY_CREATED, seconds(keyCreated));
    }

    /** The credential report has second precision; compare at that precision. */
    public static String seconds(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
