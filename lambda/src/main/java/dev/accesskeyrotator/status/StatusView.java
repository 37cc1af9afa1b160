package dev.accesskeyrotator.status;

import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.config.RotationConfigParser;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.port.IdentityDirectory;
import dev.accesskeyrotator.port.IdentityDirectory.DirectoryUser;
import dev.accesskeyrotator.port.ParameterSource;
import dev.accesskeyrotator.port.SecretStore;
import dev.accesskeyrotator.port.SecretStore.SecretSummary;
import dev.accesskeyrotator.service.CredentialReport;
import dev.accesskeyrotator.service.SecretOwnership;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A read-only view of every key for admins and auditors, built from bulk metadata alone: the parameters, one
 * account-wide user listing, the credential report and the secret listing with its tags. No secret value is read
 * and no key is looked up per user, so it needs only read permissions and costs the same few calls at any size.
 *
 * <p>What the rotator would do is the rules' own decision on the state the metadata shows, and what it does next
 * is the next event on the user's {@link dev.accesskeyrotator.domain.KeySchedule} ({@link UserLines}); keys and
 * secrets outside the rotator are checked against CIS and Security Hub ({@link ComplianceFindings}).
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

        UserLines userLines = new UserLines(iam, config, new SecretOwnership(settings.secretKmsKeyArn()), now,
                report.generatedAt());
        ComplianceFindings compliance = new ComplianceFindings(config, now);
        List<UserLine> lines = new ArrayList<>();
        for (DirectoryUser user : users) {
            List<CredentialReport.KeySlot> slots = report.keysOf(user.userName()).orElse(List.of());
            boolean optedIn = config.userTag().matches(user.tags());
            boolean inGrace = false;
            if (optedIn) {
                UserLine line = userLines.of(user, slots, Optional.ofNullable(secretsByName.get(prefix + user.userName())),
                        report.keysOf(user.userName()).isPresent());
                lines.add(line);
                // A replaced key still active in its grace period is the rotator's plan, not a finding.
                inGrace = line.keys().stream().anyMatch(k -> k.active() && k.role().equals("previous"));
            } else {
                compliance.outsideRotator(user.userName(), slots);
            }
            compliance.twoActiveKeys(user.userName(), slots, optedIn, inGrace);
        }
        compliance.secretsWithoutUser(secretsByName.values(), prefix,
                users.stream().map(DirectoryUser::userName).collect(Collectors.toSet()));
        return new Status(now, report.generatedAt(), config.maxKeyAgeDays(), config.userTag().toString(),
                List.copyOf(lines), compliance.found());
    }

}
