package dev.accesskeyrotator.service;

import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.contract.Parameter.Cutover;
import dev.accesskeyrotator.domain.RotationRules;
import dev.accesskeyrotator.port.SecretStore.SecretSummary;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides from bulk data alone (credential report and secret tags) whether a user certainly needs nothing this
 * run. Anything unusual or unknown sends the user to a full per-user look: correctness before call savings.
 */
final class Triage {
    private final RotationConfig config;

    Triage(RotationConfig config) {
        this.config = config;
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
            // Never rotated: only a single young active key outside its reminder window is certainly nothing to do.
            CredentialReport.KeySlot only = keys.get(0);
            return keys.size() > 1 || !only.active() || isDue(only, maxAgeDays.get(), now)
                    || (reminderDue(only, maxAgeDays.get(), now)
                    && !tags.containsKey(SecretTags.REMINDED_KEY_ID));
        }
        SecretSummary summary = secret.get();
        String currentCreated = tags.get(SecretTags.CURRENT_KEY_CREATED);
        String notified = tags.get(SecretTags.NOTIFIED_KEY_ID);
        if (summary.scheduledForDeletion() || notified == null) {
            return true;
        }
        Optional<CredentialReport.KeySlot> current = keys.stream()
                .filter(k -> SecretTags.seconds(k.lastRotated()).equals(currentCreated)).findFirst();
        if (current.isEmpty() || !current.get().active() || isDue(current.get(), maxAgeDays.get(), now)) {
            return true;
        }
        // The owner-facing records name the current key (its id is the notified tag's, after its notice).
        if (reminderDue(current.get(), maxAgeDays.get(), now)
                && !notified.equals(tags.get(SecretTags.REMINDED_KEY_ID))) {
            return true;
        }
        boolean graceReminded = notified.equals(tags.get(SecretTags.GRACE_REMINDED_KEY_ID));
        // The other key, if any, must be the previous one (older than the current key) with nothing due yet.
        return keys.stream().filter(k -> k != current.get())
                .anyMatch(other -> !other.lastRotated().isBefore(current.get().lastRotated())
                        || previousKeyWorkIsDue(other, current.get(), tags, graceReminded, now));
    }

    private boolean previousKeyWorkIsDue(CredentialReport.KeySlot previous, CredentialReport.KeySlot current,
                                         Map<String, String> tags, boolean graceReminded, Instant now) {
        Instant replaced = current.lastRotated();
        if (!previous.active()) {
            Instant disabledAt = SecretTags.instant(tags, SecretTags.PREVIOUS_DISABLED_AT)
                    .orElse(config.previousKeyDeadline(replaced));
            return !now.isBefore(config.previousKeyDeleteAt(disabledAt));
        }
        if (!now.isBefore(config.previousKeyDeadline(replaced))) {
            return true;
        }
        if (config.cutover() == Cutover.AFTER_GRACE) {
            return false;
        }
        if (!graceReminded && !now.isBefore(config.previousKeyDeadline(replaced).minus(RotationRules.GRACE_REMINDER_LEAD))) {
            return true;
        }
        if (now.isBefore(config.previousKeyDisableAt(replaced))) {
            return false;
        }
        // The report's last use is hours old at most: if it already shows the key idle long enough, look (and
        // confirm with GetAccessKeyLastUsed); if it shows recent use, the key cannot be idle yet.
        Instant idleSince = previous.lastUsed().filter(used -> used.isAfter(replaced)).orElse(replaced);
        return !now.isBefore(idleSince.plus(config.oldKeyIdle()));
    }

    private boolean reminderDue(CredentialReport.KeySlot key, int maxAgeDays, Instant now) {
        if (config.reminderDays() == 0) {
            return false;
        }
        Instant due = key.lastRotated().plus(Duration.ofDays(maxAgeDays));
        return !now.isBefore(due.minus(Duration.ofDays(config.reminderDays()))) && now.isBefore(due);
    }

    private static boolean isDue(CredentialReport.KeySlot key, int maxAgeDays, Instant now) {
        return RotationRules.reachedAge(key.lastRotated(), now, maxAgeDays);
    }
}
