package dev.accesskeyrotator.domain;

import java.time.Instant;
import java.util.Optional;

/**
 * What the owner of one user was already told, as the rotator recorded it: so that a reminder goes out once and an
 * unchanged attention or blocked cause is not repeated more often than its setting allows.
 *
 * @param remindedKeyId      the key a key-expiring reminder was sent for
 * @param graceRemindedKeyId the new key of the rotation whose replaced key a still-in-use reminder was sent for
 * @param attentionCause     the attention or blocked cause last told
 * @param attentionSentAt    when it was last told
 */
public record NoticeRecord(Optional<String> remindedKeyId, Optional<String> graceRemindedKeyId,
                           Optional<String> attentionCause, Optional<Instant> attentionSentAt) {

    public static final NoticeRecord NONE =
            new NoticeRecord(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    public NoticeRecord withReminded(String keyId) {
        return new NoticeRecord(Optional.of(keyId), graceRemindedKeyId, attentionCause, attentionSentAt);
    }

    public NoticeRecord withGraceReminded(String keyId) {
        return new NoticeRecord(remindedKeyId, Optional.of(keyId), attentionCause, attentionSentAt);
    }

    public NoticeRecord withAttention(String cause, Instant sentAt) {
        return new NoticeRecord(remindedKeyId, graceRemindedKeyId, Optional.of(cause), Optional.of(sentAt));
    }

    public NoticeRecord withoutAttention() {
        return new NoticeRecord(remindedKeyId, graceRemindedKeyId, Optional.empty(), Optional.empty());
    }
}
