package dev.accesskeyrotator.status;

import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.domain.KeySchedule;
import dev.accesskeyrotator.port.SecretStore.SecretSummary;
import dev.accesskeyrotator.service.CredentialReport;
import dev.accesskeyrotator.service.NoticeLedger;
import dev.accesskeyrotator.status.StatusView.ComplianceFinding;
import dev.accesskeyrotator.status.StatusView.FindingKind;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * What the account shows outside what the rotator manages, as CIS AWS Foundations and Security Hub count it: keys
 * of users who are not opted in past the threshold or unused for 90 days, users with two active keys (a replaced key
 * in its grace period excepted), and user secrets whose user is gone.
 */
final class ComplianceFindings {
    private final RotationConfig config;
    private final KeySchedule schedule;
    private final Instant now;
    private final List<ComplianceFinding> found = new ArrayList<>();

    ComplianceFindings(RotationConfig config, Instant now) {
        this.config = config;
        this.schedule = new KeySchedule(config);
        this.now = now;
    }

    List<ComplianceFinding> found() {
        return List.copyOf(found);
    }

    void outsideRotator(String userName, List<CredentialReport.KeySlot> slots) {
        int maxKeyAgeDays = config.maxKeyAgeDays();
        for (CredentialReport.KeySlot slot : slots) {
            if (!slot.active()) {
                continue;
            }
            if (!now.isBefore(schedule.rotationAt(slot.lastRotated(), maxKeyAgeDays))) {
                found.add(new ComplianceFinding(FindingKind.KEY_OVER_THRESHOLD, userName, "active key created "
                        + day(slot.lastRotated()) + " is " + KeySchedule.ageInDays(slot.lastRotated(), now)
                        + " days old (threshold " + maxKeyAgeDays + "); the user is not opted in"));
            }
            Instant since = slot.lastUsed().orElse(slot.lastRotated());
            if (!now.isBefore(KeySchedule.unusedLimitAt(since))) {
                found.add(new ComplianceFinding(FindingKind.KEY_UNUSED_90_DAYS, userName, "active key created "
                        + day(slot.lastRotated()) + (slot.lastUsed().isPresent() ? " last used " + day(since)
                        : " never used") + "; the user is not opted in"));
            }
        }
    }

    /** @param inGrace a replaced key still active in its grace period is the rotator's plan, not a finding */
    void twoActiveKeys(String userName, List<CredentialReport.KeySlot> slots, boolean optedIn, boolean inGrace) {
        List<CredentialReport.KeySlot> active = slots.stream().filter(CredentialReport.KeySlot::active).toList();
        if (active.size() > 1 && !inGrace) {
            found.add(new ComplianceFinding(FindingKind.TWO_ACTIVE_KEYS, userName,
                    "two active keys, created " + day(active.get(0).lastRotated()) + " and "
                            + day(active.get(1).lastRotated()) + (optedIn ? " (opted in)" : "")));
        }
    }

    void secretsWithoutUser(Collection<SecretSummary> secrets, String prefix, Set<String> userNames) {
        String ledger = prefix + NoticeLedger.NAME_UNDER_PREFIX;
        secrets.stream().filter(s -> !s.name().equals(ledger))
                .filter(s -> !userNames.contains(s.name().substring(prefix.length())))
                .sorted(Comparator.comparing(SecretSummary::name))
                .forEach(s -> found.add(new ComplianceFinding(FindingKind.SECRET_WITHOUT_USER, s.name(),
                        "no IAM user '" + s.name().substring(prefix.length()) + "'"
                                + (s.scheduledForDeletion() ? " (secret already scheduled for deletion)" : ""))));
    }

    private static String day(Instant instant) {
        return instant.toString().substring(0, 10);
    }
}
