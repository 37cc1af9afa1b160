package dev.accesskeyrotator.service;

import dev.accesskeyrotator.port.SecretStore.SecretSummary;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Decides from bulk data alone (credential report and secret tags) whether a user certainly needs nothing this
 * run. Anything unusual or unknown sends the user to a full per-user look: correctness before call savings.
 */
final class Triage {
    private Triage() {}

    /**
     * @param reportKeys the user's keys in the credential report; empty if the user is not in it
     * @param secret     the user's secret from ListSecrets, if any
     * @param maxAgeDays the user's threshold, or empty when the override tag is invalid (the rules report that)
     */
    static boolean needsLook(Optional<List<CredentialReport.KeySlot>> reportKeys, Optional<SecretSummary> secret,
                             Optional<Integer> maxAgeDays, Instant now) {
        if (reportKeys.isEmpty() || maxAgeDays.isEmpty()) {
            return true;
        }
        List<CredentialReport.KeySlot> keys = reportKeys.get();
        if (keys.isEmpty()) {
            // A secret without keys means someone deleted the current key: report it.
            return secret.isPresent();
        }
        if (keys.size() > 1) {
            return true;
        }
        CredentialReport.KeySlot only = keys.get(0);
        if (!only.active()) {
            return true;
        }
        if (Duration.between(only.lastRotated(), now).compareTo(Duration.ofDays(maxAgeDays.get())) >= 0) {
            return true;
        }
        if (secret.isEmpty()) {
            return false;
        }
        SecretSummary summary = secret.get();
        if (summary.scheduledForDeletion()) {
            return true;
        }
        String created = summary.tags().get(SecretTags.CURRENT_KEY_CREATED);
        boolean notified = summary.tags().containsKey(SecretTags.NOTIFIED_KEY_ID);
        return !notified || created == null || !created.equals(SecretTags.seconds(only.lastRotated()));
    }
}
