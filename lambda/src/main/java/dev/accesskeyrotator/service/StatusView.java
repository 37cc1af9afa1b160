package dev.accesskeyrotator.service;

import dev.accesskeyrotator.config.ConfigurationException;
import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.config.RotationConfigParser;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.contract.Outcome;
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
import dev.accesskeyrotator.port.ParameterSource;
import dev.accesskeyrotator.port.SecretStore;
import dev.accesskeyrotator.port.SecretStore.SecretSummary;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A read-only view of every key for admins and auditors, built from bulk metadata alone: the parameters, one
 * account-wide user listing, the credential report and the secret listing with its tags. No secret value is read
 * and no key is looked up per user, so it needs only read permissions and costs the same few calls at any size.
 *
 * <p>What the rotator would do is the rules' own decision on the state the metadata shows; the credential report
 * has no key ids, so a key the secret's tags do not name is shown by its slot in the report.
 */
public final class StatusView {

    /** One key as the credential report shows it. */
    public record KeyLine(String key, String role, boolean active, Instant created, long ageDays,
                          Optional<Instant> lastUsed) {}

    /**
     * One opted-in user.
     *
     * @param state     what the rules make of it now: ok, planned (something is done next run), or a finding's outcome
     * @param nextEvent the next thing the rotator does for the user, and when ({@code nextEventAt} empty: next run)
     * @param causes    attention, blocked and deferred causes, and what the metadata alone cannot tell
     */
    public record UserLine(String user, int maxKeyAgeDays, List<KeyLine> keys, String state, String nextEvent,
                           Optional<Instant> nextEventAt, List<String> causes) {}

    /** Compliance finding kinds, outside what the rotator manages. */
    public enum FindingKind {
        KEY_OVER_THRESHOLD, KEY_UNUSED_90_DAYS, TWO_ACTIVE_KEYS, SECRET_WITHOUT_USER;

        /** As printed: {@code key-over-threshold}, {@code key-unused-90-days}, ... */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public record ComplianceFinding(FindingKind kind, String subject, String detail) {}

    public record Status(Instant generatedAt, Instant credentialReportAt, int maxKeyAgeDays, String optInTag,
                         List<UserLine> users, List<ComplianceFinding> compliance) {}

    /** The credential report could not be had: without key ages there is nothing true to show. */
    public static final class ReportUnavailable extends RuntimeException {
        ReportUnavailable(String message) {
            super(message);
        }
    }

    private static final String PLACEHOLDER_PREFIX = "slot-";

    private final RotatorSettings settings;
    private final ParameterSource parameters;
    private final IdentityDirectory iam;
    private final SecretStore secrets;
    private final Clock clock;

    public StatusView(RotatorSettings settings, ParameterSource parameters, IdentityDirectory iam,
                      SecretStore secrets, Clock clock) {
        this.settings = settings;
        this.parameters = parameters;
        this.iam = iam;
        this.secrets = secrets;
        this.clock = clock;
    }

    public Status read() {
        RotationConfig config = RotationConfigParser.parse(parameters.readUnder(settings.parameterPrefix())).config();
        List<DirectoryUser> users = iam.listUsersWithTags().stream()
                .sorted(Comparator.comparing(DirectoryUser::userName)).toList();
        Instant now = clock.instant();
        CredentialReport report = iam.credentialReport()
                .map(raw -> CredentialReport.parse(raw.csv(), raw.generatedAt()))
                .orElseThrow(() -> new ReportUnavailable("the IAM credential report is not ready yet; run status"
                        + " again in a minute"));
        String prefix = settings.secretNamePrefix();
        Map<String, SecretSummary> secretsByName = new HashMap<>();
        secrets.listByNamePrefix(prefix).stream().filter(s -> s.name().startsWith(prefix))
                .forEach(s -> secretsByName.put(s.name(), s));

        RotationRules rules = new RotationRules(config);
        SecretOwnership ownership = new SecretOwnership(settings.secretKmsKeyArn());
        List<UserLine> lines = new ArrayList<>();
        List<ComplianceFinding> compliance = new ArrayList<>();
        Set<String> userNames = new HashSet<>();
        for (DirectoryUser user : users) {
            userNames.add(user.userName());
            List<CredentialReport.KeySlot> slots = report.keysOf(user.userName()).orElse(List.of());
            boolean optedIn = config.userTag().matches(user.tags());
            boolean inGrace = false;
            if (optedIn) {
                UserLine line = userLine(user, slots, Optional.ofNullable(secretsByName.get(prefix + user.userName())),
                        report.keysOf(user.userName()).isPresent(), config, rules, ownership, now,
                        report.generatedAt());
                lines.add(line);
                // A replaced key still active in its grace period is the rotator's plan, not a finding.
                inGrace = line.keys().stream().anyMatch(k -> k.active() && k.role().equals("previous"));
            } else {
                outsideRotator(user.userName(), slots, config.maxKeyAgeDays(), new KeySchedule(config), now,
                        compliance);
            }
            List<CredentialReport.KeySlot> active = slots.stream().filter(CredentialReport.KeySlot::active).toList();
            if (active.size() > 1 && !inGrace) {
                compliance.add(new ComplianceFinding(FindingKind.TWO_ACTIVE_KEYS, user.userName(),
                        "two active keys, created " + day(active.get(0).lastRotated()) + " and "
                                + day(active.get(1).lastRotated()) + (optedIn ? " (opted in)" : "")));
            }
        }
        String ledger = prefix + NoticeLedger.NAME_UNDER_PREFIX;
        secretsByName.values().stream().filter(s -> !s.name().equals(ledger))
                .filter(s -> !userNames.contains(s.name().substring(prefix.length())))
                .sorted(Comparator.comparing(SecretSummary::name))
                .forEach(s -> compliance.add(new ComplianceFinding(FindingKind.SECRET_WITHOUT_USER, s.name(),
                        "no IAM user '" + s.name().substring(prefix.length()) + "'"
                                + (s.scheduledForDeletion() ? " (secret already scheduled for deletion)" : ""))));
        return new Status(now, report.generatedAt(), config.maxKeyAgeDays(), config.userTag().toString(),
                List.copyOf(lines), List.copyOf(compliance));
    }

    private static void outsideRotator(String userName, List<CredentialReport.KeySlot> slots, int maxKeyAgeDays,
                                       KeySchedule schedule, Instant now, List<ComplianceFinding> compliance) {
        for (CredentialReport.KeySlot slot : slots) {
            if (!slot.active()) {
                continue;
            }
            if (!now.isBefore(schedule.rotationAt(slot.lastRotated(), maxKeyAgeDays))) {
                compliance.add(new ComplianceFinding(FindingKind.KEY_OVER_THRESHOLD, userName, "active key created "
                        + day(slot.lastRotated()) + " is " + days(slot.lastRotated(), now) + " days old (threshold "
                        + maxKeyAgeDays + "); the user is not opted in"));
            }
            Instant since = slot.lastUsed().orElse(slot.lastRotated());
            if (!now.isBefore(KeySchedule.unusedLimitAt(since))) {
                compliance.add(new ComplianceFinding(FindingKind.KEY_UNUSED_90_DAYS, userName, "active key created "
                        + day(slot.lastRotated()) + (slot.lastUsed().isPresent() ? " last used " + day(since)
                        : " never used") + "; the user is not opted in"));
            }
        }
    }

    private UserLine userLine(DirectoryUser user, List<CredentialReport.KeySlot> slots,
                              Optional<SecretSummary> secret, boolean inReport, RotationConfig config,
                              RotationRules rules, SecretOwnership ownership, Instant now, Instant reportAt) {
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
        List<KeySchedule.Event> schedule = new KeySchedule(config).events(userState, maxAgeDays,
                KeySchedule.UseRecord.CURRENT);
        Optional<KeySchedule.Event> next = schedule.stream().filter(event -> event.at().isAfter(now)).findFirst();
        return new UserLine(user.userName(), maxAgeDays, keyLines, stateLabel,
                next.map(event -> describe(event, schedule, config))
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
            case LATEST_CUTOVER -> "disable previous key " + event.keyId() + " (max-grace-days reached)";
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

    private static String day(Instant instant) {
        return instant.toString().substring(0, 10);
    }
}
