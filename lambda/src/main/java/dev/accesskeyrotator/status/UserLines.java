package dev.accesskeyrotator.status;

import dev.accesskeyrotator.config.ConfigurationException;
import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.contract.Parameter;
import dev.accesskeyrotator.contract.Parameter.Cutover;
import dev.accesskeyrotator.domain.AccessKey;
import dev.accesskeyrotator.domain.Finding;
import dev.accesskeyrotator.domain.KeySchedule;
import dev.accesskeyrotator.domain.KeyUse;
import dev.accesskeyrotator.domain.NoticeRecord;
import dev.accesskeyrotator.domain.RotationRules;
import dev.accesskeyrotator.domain.SecretState;
import dev.accesskeyrotator.domain.Step;
import dev.accesskeyrotator.domain.UserPlan;
import dev.accesskeyrotator.domain.UserState;
import dev.accesskeyrotator.port.IdentityDirectory;
import dev.accesskeyrotator.port.IdentityDirectory.DirectoryUser;
import dev.accesskeyrotator.port.SecretStore.SecretSummary;
import dev.accesskeyrotator.service.CredentialReport;
import dev.accesskeyrotator.service.SecretOwnership;
import dev.accesskeyrotator.service.SecretTags;
import dev.accesskeyrotator.status.StatusView.KeyLine;
import dev.accesskeyrotator.status.StatusView.UserLine;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One opted-in user's line, from the metadata alone: the user's state rebuilt as the rules see it, the rules'
 * decision on it now, and otherwise the next event on the user's key schedule.
 */
final class UserLines {
    /** The credential report names no key ids: a key the secret's tags do not name is shown by its slot. */
    private static final String PLACEHOLDER_PREFIX = "slot-";

    private final IdentityDirectory iam;
    private final RotationConfig config;
    private final RotationRules rules;
    private final KeySchedule schedule;
    private final SecretOwnership ownership;
    private final Instant now;
    private final Instant reportAt;

    UserLines(IdentityDirectory iam, RotationConfig config, SecretOwnership ownership, Instant now, Instant reportAt) {
        this.iam = iam;
        this.config = config;
        this.rules = new RotationRules(config);
        this.schedule = new KeySchedule(config);
        this.ownership = ownership;
        this.now = now;
        this.reportAt = reportAt;
    }

    UserLine of(DirectoryUser user, List<CredentialReport.KeySlot> slots, Optional<SecretSummary> secret,
                boolean inReport) {
        Map<String, String> tags = secret.map(SecretSummary::tags).orElse(Map.of());
        Optional<String> currentId = Optional.ofNullable(tags.get(SecretTags.NOTIFIED_KEY_ID))
                .filter(id -> tags.containsKey(SecretTags.CURRENT_KEY_CREATED));
        Optional<Instant> currentCreated = SecretTags.instant(tags, SecretTags.CURRENT_KEY_CREATED);
        // AWS regenerates the report at most every 4 hours: a rotation since is not in it yet. The user's keys are
        // then looked up (one ListAccessKeys), and last use comes from the report for the keys it has.
        boolean rotatedSinceReport = currentId.isPresent() && currentCreated
                .filter(created -> !created.isBefore(reportAt.truncatedTo(ChronoUnit.SECONDS))).isPresent()
                && slots.stream().noneMatch(k -> SecretTags.seconds(k.lastRotated())
                        .equals(tags.get(SecretTags.CURRENT_KEY_CREATED)));
        List<String> listedIds = List.of();
        if (rotatedSinceReport) {
            List<CredentialReport.KeySlot> reported = slots;
            List<AccessKey> listed = iam.listAccessKeys(user.userName()).stream()
                    .sorted(Comparator.comparing(AccessKey::createDate)).toList();
            listedIds = listed.stream().map(AccessKey::id).toList();
            slots = listed.stream().map(key -> new CredentialReport.KeySlot(key.active(), key.createDate(),
                    reported.stream().filter(r -> SecretTags.seconds(r.lastRotated())
                                    .equals(SecretTags.seconds(key.createDate())))
                            .findFirst().flatMap(CredentialReport.KeySlot::lastUsed))).toList();
        }
        List<CredentialReport.KeySlot> observed = slots;
        Optional<CredentialReport.KeySlot> currentSlot = currentId.flatMap(id -> observed.stream()
                .filter(k -> SecretTags.seconds(k.lastRotated()).equals(tags.get(SecretTags.CURRENT_KEY_CREATED)))
                .findFirst());
        List<AccessKey> keys = new ArrayList<>();
        Map<String, Optional<KeyUse>> lastUsed = new HashMap<>();
        Optional<String> previousId = Optional.empty();
        for (int i = 0; i < slots.size(); i++) {
            CredentialReport.KeySlot slot = slots.get(i);
            boolean current = currentSlot.filter(slot::equals).isPresent();
            String id = current ? currentId.orElseThrow()
                    : rotatedSinceReport ? listedIds.get(i) : PLACEHOLDER_PREFIX + (i + 1);
            if (!current && currentSlot.isPresent() && slot.lastRotated().isBefore(currentSlot.get().lastRotated())) {
                previousId = Optional.of(id);
            }
            keys.add(new AccessKey(id, slot.active(), slot.lastRotated()));
            lastUsed.put(id, slot.lastUsed().map(KeyUse::at));
        }
        int maxAgeDays;
        try {
            maxAgeDays = rules.maxAgeDaysFor(user.tags());
        } catch (ConfigurationException e) {
            maxAgeDays = config.maxKeyAgeDays();
        }
        List<String> causes = new ArrayList<>();
        if (!inReport) {
            causes.add("not in the credential report yet (created since it was generated)");
        }
        SecretState state = secretState(secret, tags, currentId, currentSlot, previousId, user.userName(), ownership);
        Optional<Instant> intentAt = SecretTags.instant(tags, SecretTags.CREATING_SINCE);
        Optional<AccessKey> inFlight = intentAt.flatMap(intent -> keys.stream()
                .filter(k -> currentSlot.map(c -> k.createDate().isAfter(c.lastRotated())).orElse(true))
                .filter(k -> RotationRules.createdByRotator(k, intentAt))
                .findFirst());
        List<KeyLine> keyLines = keyLines(keys, lastUsed, currentSlot.isPresent() ? currentId : Optional.empty(),
                previousId, now);
        if (inFlight.isPresent()) {
            // The value may already hold this key (its notice is owed) or a run died before storing it; only the
            // value tells, and the next run reads it.
            causes.add("key " + inFlight.get().id() + " was created by a rotation whose notice is not recorded yet;"
                    + " the next run completes or withdraws it");
            return new UserLine(user.userName(), maxAgeDays, keyLines, Outcome.DEFERRED.label(),
                    "complete or withdraw the rotation", Optional.empty(), causes);
        }
        // The report names no key ids: a never-rotated user's reminder record stands for its one active key.
        Optional<String> reminded = Optional.ofNullable(tags.get(SecretTags.REMINDED_KEY_ID))
                .map(id -> currentId.isEmpty() && keys.stream().filter(AccessKey::active).count() == 1
                        ? keys.stream().filter(AccessKey::active).findFirst().orElseThrow().id() : id);
        NoticeRecord notices = new NoticeRecord(reminded,
                Optional.ofNullable(tags.get(SecretTags.GRACE_REMINDED_KEY_ID)), Optional.empty(), Optional.empty());
        UserState userState = new UserState(user.userName(), user.arn(), user.tags(), keys, state, lastUsed, notices);
        UserPlan plan = rules.decide(userState, now);
        Outcome outcome = plan.changesNothing() ? Outcome.UNCHANGED : Outcome.PLANNED;
        for (Finding finding : plan.findings()) {
            outcome = outcome.mostUrgent(finding.outcome());
            causes.add(finding.reason());
        }
        String stateLabel = outcome == Outcome.UNCHANGED ? "ok" : outcome.label();
        if (!plan.changesNothing()) {
            return new UserLine(user.userName(), maxAgeDays, keyLines, stateLabel,
                    String.join("; ", plan.steps().stream().map(Step::describe).toList()), Optional.empty(), causes);
        }
        List<KeySchedule.Event> events = schedule.events(userState, maxAgeDays, KeySchedule.UseRecord.CURRENT);
        Optional<KeySchedule.Event> next = schedule.next(userState, maxAgeDays, now);
        return new UserLine(user.userName(), maxAgeDays, keyLines, stateLabel,
                next.map(event -> describe(event, events, config))
                        .orElse(causes.isEmpty() ? "none" : "none until resolved"),
                next.map(KeySchedule.Event::at), causes);
    }

    /** The next event on the user's schedule, in words. */
    private static String describe(KeySchedule.Event event, List<KeySchedule.Event> schedule, RotationConfig config) {
        return switch (event.kind()) {
            case OWED_NOTICE -> "send the owner the notice for key " + event.keyId();
            case REMINDER -> "remind the owner of key " + event.keyId() + "'s rotation";
            case ROTATION -> "rotate key " + event.keyId();
            case EARLIEST_CUTOVER -> config.cutover() == Cutover.AFTER_GRACE
                    ? "disable previous key " + event.keyId()
                    : "disable previous key " + event.keyId() + " once unused for " + config.oldKeyIdleHours() + " h"
                    + schedule.stream().filter(e -> e.kind() == KeySchedule.Kind.LATEST_CUTOVER)
                            .map(e -> " (deadline " + e.at() + ")").findFirst().orElse("");
            case GRACE_REMINDER -> "remind the owner that previous key " + event.keyId() + " is still in use";
            case LATEST_CUTOVER -> "disable previous key " + event.keyId() + " (" + Parameter.MAX_GRACE_DAYS.parameterName() + " reached)";
            case DELETION -> "delete previous key " + event.keyId();
        };
    }

    private static SecretState secretState(Optional<SecretSummary> secret, Map<String, String> tags,
                                           Optional<String> currentId,
                                           Optional<CredentialReport.KeySlot> currentSlot,
                                           Optional<String> previousId, String userName, SecretOwnership ownership) {
        if (secret.isEmpty()) {
            return new SecretState.Missing();
        }
        SecretSummary found = secret.get();
        if (found.scheduledForDeletion()) {
            return new SecretState.ScheduledForDeletion(found.arn());
        }
        Optional<String> notOwned = ownership.whyNotOwned(found);
        if (notOwned.isPresent()) {
            return new SecretState.NotOwned(found.arn(), notOwned.get());
        }
        Optional<Instant> intentAt = SecretTags.instant(tags, SecretTags.CREATING_SINCE);
        if (currentId.isEmpty()) {
            return new SecretState.Reserved(found.arn(), found.name(), intentAt);
        }
        // A current key the report does not show was deleted: the rules report it by the id the tags name.
        return new SecretState.Stored(found.arn(), found.name(), currentId.get(),
                tags.getOrDefault(SecretTags.USER, userName), currentSlot.isPresent() ? previousId : Optional.empty(),
                currentId, intentAt, SecretTags.instant(tags, SecretTags.PREVIOUS_DISABLED_AT));
    }

    private static List<KeyLine> keyLines(List<AccessKey> keys, Map<String, Optional<KeyUse>> lastUsed,
                                          Optional<String> currentId, Optional<String> previousId, Instant now) {
        List<KeyLine> lines = new ArrayList<>();
        for (AccessKey key : keys) {
            String role = currentId.filter(key.id()::equals).isPresent() ? "current"
                    : previousId.filter(key.id()::equals).isPresent() ? "previous"
                    : currentId.isPresent() ? "other" : "only";
            if (role.equals("only") && keys.size() > 1) {
                role = "unrecorded";
            }
            lines.add(new KeyLine(key.id(), role, key.active(), key.createDate(), days(key.createDate(), now),
                    lastUsed.getOrDefault(key.id(), Optional.empty()).map(KeyUse::when)));
        }
        return lines;
    }

    private static long days(Instant from, Instant now) {
        return KeySchedule.ageInDays(from, now);
    }
}
