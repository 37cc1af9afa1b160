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

    /**
     * When the rotator was about to create a key for the user, written before {@code CreateAccessKey}: a stray
     * created in the minutes after it is provably the rotator's (provenance).
     */
    public static final String CREATING_SINCE = "access-key-rotation:creating-since";
    /** When the rotator disabled the previous key; delete-after-days counts from here. */
    public static final String PREVIOUS_DISABLED_AT = "access-key-rotation:previous-disabled-at";
    /** The key a key-expiring reminder was sent for. */
    public static final String REMINDED_KEY_ID = "access-key-rotation:reminded-key-id";
    /** The current key of the rotation whose replaced key a still-in-use reminder was sent for. */
    public static final String GRACE_REMINDED_KEY_ID = "access-key-rotation:grace-reminded-key-id";

    /**
     * Rev 3: the exposed key an emergency rotation was about to retire, written before it acts: until
     * {@link #EXPOSURE_TOLD_KEY_ID} names the same key, a key-exposed notice is owed for it.
     */
    public static final String EXPOSED_KEY_ID = "access-key-rotation:exposed-key-id";
    /** Rev 3: the exposed key whose key-exposed notice was sent. */
    public static final String EXPOSURE_TOLD_KEY_ID = "access-key-rotation:exposure-told-key-id";

    private SecretTags() {}

    /** An instant written by this class, or empty when absent or not an instant (a hand-edited tag). */
    public static java.util.Optional<Instant> instant(Map<String, String> tags, String key) {
        try {
            return java.util.Optional.ofNullable(tags.get(key)).map(Instant::parse);
        } catch (java.time.format.DateTimeParseException e) {
            return java.util.Optional.empty();
        }
    }

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
