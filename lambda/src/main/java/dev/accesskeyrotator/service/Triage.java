package dev.accesskeyrotator.service;

import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.domain.RotationRules;
import dev.accesskeyrotator.port.SecretStore.SecretSummary;

import java.time.Instant;
import java.util.List;
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
        if (secret.isEmpty()) {
            // Never rotated: only a single young active key is certainly nothing to do.
            return keys.size() > 1 || !keys.get(0).active() || isDue(keys.get(0), maxAgeDays.get(), now);
        }
        SecretSummary summary = secret.get();
        String currentCreated = summary.tags().get(SecretTags.CURRENT_KEY_CREATED);
        if (summary.scheduledForDeletion() || currentCreated == null
                || !summary.tags().containsKey(SecretTags.NOTIFIED_KEY_ID)) {
            return true;
        }
        Optional<CredentialReport.KeySlot> current = keys.stream()
                .filter(k -> SecretTags.seconds(k.lastRotated()).equals(currentCreated)).findFirst();
        if (current.isEmpty() || !current.get().active() || isDue(current.get(), maxAgeDays.get(), now)) {
            return true;
        }
        // The other key, if any, must be the previous one (older than the current key) with nothing due yet.
        return keys.stream().filter(k -> k != current.get())
                .anyMatch(other -> !other.lastRotated().isBefore(current.get().lastRotated())
                        || previousKeyWorkIsDue(other, current.get(), now));
    }

    private boolean previousKeyWorkIsDue(CredentialReport.KeySlot previous, CredentialReport.KeySlot current,
                                         Instant now) {
        Instant due = previous.active() ? config.previousKeyDisableAt(current.lastRotated())
                : config.previousKeyDeleteAt(current.lastRotated());
        return !now.isBefore(due);
    }

    private static boolean isDue(CredentialReport.KeySlot key, int maxAgeDays, Instant now) {
        return RotationRules.reachedAge(key.lastRotated(), now, maxAgeDays);
    }
}
