package dev.accesskeyrotator.service;

import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.domain.AccessKey;
import dev.accesskeyrotator.domain.KeySchedule;
import dev.accesskeyrotator.domain.KeyUse;
import dev.accesskeyrotator.domain.NoticeRecord;
import dev.accesskeyrotator.domain.SecretState;
import dev.accesskeyrotator.domain.UserState;
import dev.accesskeyrotator.port.SecretStore.SecretSummary;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides from bulk data alone (credential report and secret tags) whether a user certainly needs nothing this
 * run. Anything unusual or unknown sends the user to a full per-user look: correctness before call savings.
 */
final class Triage {
    /** Stand-ins for what the credential report does not name. */
    private static final String USER = "triaged-user";
    private static final String ONLY = "only-key";
    private static final String PREVIOUS = "previous-key";

    private final KeySchedule schedule;

    Triage(RotationConfig config) {
        this.schedule = new KeySchedule(config);
    }

    /**
     * @param reportKeys the user's keys in the credential report; empty if the user is not in it
     * @param secret     the user's secret from ListSecrets, if any
     * @param maxAgeDays the user's threshold, or empty when the override tag is invalid (the rules report that)
     */
    boolean needsLook(Optional<List<CredentialReport.KeySlot>> reportKeys, Optional<SecretSummary> secret,
                      Optional<Integer> maxAgeDays, Instant now) {
        if (reportKeys.isEmpty() || maxAgeDays.isEmpty()) {
            return true;
        }
        List<CredentialReport.KeySlot> keys = reportKeys.get();
        if (keys.isEmpty()) {
            // A secret without keys means someone deleted the current key: report it.
            return secret.isPresent();
        }
        Map<String, String> tags = secret.map(SecretSummary::tags).orElse(Map.of());
        // A secret reserved only to record a reminder (no rotation started: no intent, no key) is a never-rotated
        // user's; anything else with a secret but without the current key's record needs a look.
        boolean reservedForReminder = secret.isPresent() && !secret.get().scheduledForDeletion()
                && tags.containsKey(SecretTags.REMINDED_KEY_ID) && !tags.containsKey(SecretTags.CREATING_SINCE)
                && !tags.containsKey(SecretTags.CURRENT_KEY_CREATED);
        if (secret.isPresent() && !reservedForReminder && !tags.containsKey(SecretTags.CURRENT_KEY_CREATED)) {
            return true;
        }
        if (secret.isEmpty() || reservedForReminder) {
            // Never rotated: only a single active key with nothing on its schedule yet is certainly nothing to do.
            if (keys.size() > 1 || !keys.get(0).active()) {
                return true;
            }
            List<AccessKey> only = List.of(asKey(ONLY, keys.get(0)));
            NoticeRecord notices = reservedForReminder ? NoticeRecord.NONE.withReminded(ONLY) : NoticeRecord.NONE;
            return anythingDue(new UserState(USER, USER, Map.of(), only, SecretState.missing(), Map.of(), notices),
                    maxAgeDays.get(), now);
        }
        SecretSummary summary = secret.get();
        String currentCreated = tags.get(SecretTags.CURRENT_KEY_CREATED);
        String notified = tags.get(SecretTags.NOTIFIED_KEY_ID);
        if (summary.scheduledForDeletion() || notified == null) {
            return true;
        }
        Optional<CredentialReport.KeySlot> current = keys.stream()
                .filter(k -> SecretTags.seconds(k.lastRotated()).equals(currentCreated)).findFirst();
        if (current.isEmpty() || !current.get().active()) {
            return true;
        }
        // The other key, if any, must be the previous one (older than the current key); anything else is looked at.
        List<CredentialReport.KeySlot> others = keys.stream().filter(k -> k != current.get()).toList();
        if (others.size() > 1 || others.stream().anyMatch(k -> !k.lastRotated().isBefore(current.get().lastRotated()))) {
            return true;
        }
        // The report names no key ids; the secret's records name the current key (the notified tag's, after its
        // notice), and the rules' state is rebuilt with a stand-in id for the previous key.
        List<AccessKey> userKeys = new ArrayList<>(List.of(asKey(notified, current.get())));
        Map<String, Optional<KeyUse>> lastUsed = new HashMap<>();
        Optional<String> previousId = Optional.empty();
        if (!others.isEmpty()) {
            userKeys.add(asKey(PREVIOUS, others.get(0)));
            lastUsed.put(PREVIOUS, others.get(0).lastUsed().map(KeyUse::at));
            previousId = Optional.of(PREVIOUS);
        }
        SecretState stored = new SecretState.Stored(summary.arn(), summary.name(), notified, USER, previousId,
                Optional.of(notified), SecretTags.instant(tags, SecretTags.CREATING_SINCE),
                SecretTags.instant(tags, SecretTags.PREVIOUS_DISABLED_AT));
        NoticeRecord notices = new NoticeRecord(Optional.ofNullable(tags.get(SecretTags.REMINDED_KEY_ID)),
                Optional.ofNullable(tags.get(SecretTags.GRACE_REMINDED_KEY_ID)), Optional.empty(), Optional.empty());
        return anythingDue(new UserState(USER, USER, Map.of(), userKeys, stored, lastUsed, notices),
                maxAgeDays.get(), now);
    }

    /**
     * Whether any event on the user's schedule has come. The report's last use may be hours old, so the schedule
     * assumes a use it cannot see yet may have happened.
     */
    private boolean anythingDue(UserState user, int maxAgeDays, Instant now) {
        return schedule.events(user, maxAgeDays, KeySchedule.UseRecord.MAY_BE_HOURS_OLD).stream()
                .anyMatch(event -> !event.at().isAfter(now));
    }

    private static AccessKey asKey(String id, CredentialReport.KeySlot slot) {
        return new AccessKey(id, slot.active(), slot.lastRotated());
    }
}
