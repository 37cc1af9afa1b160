package dev.accesskeyrotator.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.accesskeyrotator.contract.Parameter;
import dev.accesskeyrotator.contract.OptInTag;
import dev.accesskeyrotator.config.ConfigurationException;
import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.config.RotationConfigParser;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.domain.RotationRules;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.port.IdentityDirectory;
import dev.accesskeyrotator.port.IdentityDirectory.DirectoryUser;
import dev.accesskeyrotator.port.Notifier;
import dev.accesskeyrotator.port.ParameterSource;
import dev.accesskeyrotator.port.SecretStore;
import dev.accesskeyrotator.port.SecretStore.SecretSummary;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One rotation run: read the configuration, discover opted-in users, triage them with bulk data, apply the rules
 * to those that may need something (a few at a time), and report. The same path serves the Lambda handler and
 * the CLI.
 */
public final class RotationService {

    /** Tells whether the run should stop starting users; from the Lambda context, or never for the CLI. */
    @FunctionalInterface
    public interface Deadline {
        boolean nearlyOver();

        static Deadline none() {
            return () -> false;
        }
    }

    /** @param forceDryRun dry-run regardless of the parameter (the CLI's --dry-run) */
    public record RunRequest(boolean forceDryRun, Deadline deadline) {
        public static RunRequest normal() {
            return new RunRequest(false, Deadline.none());
        }
    }

    /** The error line of a run that changed nothing; a command line that explains the failure itself omits it. */
    public static final String STOPPED_BEFORE_ANY_CHANGE = "run stopped before any change";
    private final RotatorSettings settings;
    private final ParameterSource parameters;
    private final IdentityDirectory iam;
    private final SecretStore secrets;
    private final Notifier notifier;
    private final NoticeComposer notices;
    private final Clock clock;
    private final JsonLog log;
    private volatile Progress progress = (done, of, result) -> { };

    /** Told after each user, in the order the users were started: a command line shows a long run moving. */
    @FunctionalInterface
    public interface Progress {
        void userDone(int done, int of, UserResult result);
    }

    /** Reports each finished user to {@code listener} (the function's own log says how far it is every 200). */
    public RotationService onProgress(Progress listener) {
        this.progress = java.util.Objects.requireNonNull(listener);
        return this;
    }

    public RotationService(RotatorSettings settings, String region, ParameterSource parameters,
                           IdentityDirectory iam, SecretStore secrets, Notifier notifier, Clock clock, JsonLog log) {
        this.settings = settings;
        this.parameters = parameters;
        this.iam = iam;
        this.secrets = secrets;
        this.notifier = notifier;
        this.notices = new NoticeComposer(region, accountOf(settings.noticeTopicArn()), settings.adminContact());
        this.clock = clock;
        this.log = log;
    }

    public RunReport run(RunRequest request) {
        Instant startedAt = clock.instant();
        String runId = UUID.randomUUID().toString();
        RotationConfigParser.Parsed parsed;
        List<DirectoryUser> optedIn;
        List<SecretSummary> listedSecrets;
        try {
            parsed = RotationConfigParser.parse(parameters.readUnder(settings.parameterPrefix()));
            requireDeployedTag(parsed.config().userTag());
            if (!parsed.config().withDryRun(request.forceDryRun()).dryRun()) {
                settings.requireWhatChangesNeed();
            }
            optedIn = iam.listUsersWithTags().stream().filter(u -> parsed.config().userTag().matches(u.tags()))
                    .sorted(Comparator.comparing(DirectoryUser::userName)).toList();
            listedSecrets = secrets.listByNamePrefix(settings.secretNamePrefix());
        } catch (RuntimeException e) {
            // Bad configuration, AWS refusing discovery, or a bug: nothing was changed, and the alarm must know.
            log.error(STOPPED_BEFORE_ANY_CHANGE, "runId", runId, "error",
                    e instanceof ConfigurationException || e instanceof AwsFailure ? e.getMessage() : e.toString());
            log.raw(RunMetrics.aborted(clock.instant()));
            throw e;
        }
        RotationConfig config = parsed.config().withDryRun(request.forceDryRun());
        Map<String, SecretSummary> secretsByUser = secretsByUser(listedSecrets);
        if (optedIn.isEmpty()) {
            // A typo in the tag looks exactly like a quiet account; say so rather than report zero users as success.
            log.warn("no IAM user carries the opt-in tag; check the " + Parameter.USER_TAG.parameterName()
                    + " parameter and the users' tags",
                    "runId", runId, "userTag", parsed.config().userTag().toString());
        }
        if (!parsed.defaulted().isEmpty()) {
            log.info("parameters not set, using defaults", "runId", runId, "parameters", parsed.defaulted());
        }

        Optional<CredentialReport> report = credentialReport();
        List<UserResult> results = new ArrayList<>();
        List<DirectoryUser> toLook = new ArrayList<>();
        RotationRules rules = new RotationRules(config);
        Triage triage = new Triage(config);
        SecretOwnership ownership = new SecretOwnership(settings.secretKmsKeyArn());
        if (!ownership.canTell()) {
            log.warn("no KMS key ARN given: this dry run cannot tell whether user secrets are the rotator's own",
                    "runId", runId);
        }
        NoticeLedger ledger = NoticeLedger.load(secrets,
                listedSecrets.stream().filter(s -> s.name().equals(ledgerName())).findFirst(), ownership, log);
        for (DirectoryUser user : optedIn) {
            Optional<SecretSummary> secret = Optional.ofNullable(secretsByUser.get(user.userName()));
            // A secret that is not the rotator's is reported every run, whatever its tags claim.
            boolean look = report.isEmpty() || secret.flatMap(ownership::whyNotOwned).isPresent()
                    || triage.needsLook(report.get().keysOf(user.userName()), secret, thresholdOf(rules, user),
                    startedAt);
            if (look) {
                toLook.add(user);
            } else {
                results.add(UserResult.of(user.userName(), Outcome.UNCHANGED, null));
            }
        }
        if (report.isPresent()) {
            // Past max-rotations-per-run the oldest keys go first: users are started oldest key first.
            toLook.sort(Comparator.comparing(user -> oldestKey(report.get(), user)));
        }
        UserRotator rotator = new UserRotator(settings, config, iam, secrets, notifier, notices, ownership, ledger,
                clock, log);
        AtomicInteger rotationsLeft = new AtomicInteger(config.maxRotationsPerRun());
        UserRotator.RotationBudget budget = () -> rotationsLeft.getAndDecrement() > 0;
        results.addAll(new UserFanOut(settings.maxConcurrency(), log).processAll(toLook, request.deadline(),
                user -> rotator.process(user, Optional.ofNullable(secretsByUser.get(user.userName())), budget),
                progress));
        results.sort(Comparator.comparing(UserResult::user));

        RunReport runReport = new RunReport(runId, config.dryRun(), startedAt.toString(), clock.instant().toString(),
                report.isPresent() ? "credential-report" : "per-user", RunReporting.describe(config),
                parsed.defaulted(), RunReporting.counts(optedIn.size(), results), results);
        RunReporting.log(runReport, clock, log);
        log.raw(RunMetrics.completed(runReport, clock.instant()));
        if (!config.dryRun()) {
            saveLedger(ledger);
            if (NoticeComposer.summaryWorthSending(runReport)) {
                try {
                    notifier.publish(notices.runSummary(runReport));
                } catch (AwsFailure failure) {
                    log.warn("run summary not sent", "runId", runId, "errorCode", failure.errorCode());
                }
            }
        }
        return runReport;
    }

    /**
     * Rev 3, emergency rotation: the named exposed keys (or named users' keys in use) are replaced and disabled now,
     * reading and changing those users alone. The configuration is checked as for a run, before any change.
     */
    public EmergencyReport runEmergency(EmergencyRequest request) {
        Instant startedAt = clock.instant();
        String runId = UUID.randomUUID().toString();
        RotationConfig config;
        try {
            RotationConfigParser.Parsed parsed = RotationConfigParser.parse(
                    parameters.readUnder(settings.parameterPrefix()));
            requireDeployedTag(parsed.config().userTag());
            config = parsed.config().withDryRun(request.forceDryRun());
            if (!config.dryRun()) {
                settings.requireWhatChangesNeed();
            }
        } catch (RuntimeException e) {
            log.error(STOPPED_BEFORE_ANY_CHANGE, "runId", runId, "trigger", request.trigger(), "error",
                    e instanceof ConfigurationException || e instanceof AwsFailure ? e.getMessage() : e.toString());
            throw e;
        }
        log.info("emergency rotation started", "runId", runId, "trigger", request.trigger(), "accessKeyIds",
                request.accessKeyIds(), "users", request.userNames());
        // The ledger is trusted only if it is the rotator's own secret, as in a scheduled run (one DescribeSecret:
        // an emergency lists nothing).
        NoticeLedger ledger = NoticeLedger.load(secrets, secrets.describe(ledgerName()),
                new SecretOwnership(settings.secretKmsKeyArn()), log);
        List<UserResult> results = new EmergencyRotation(settings, config, iam, secrets, notifier, notices, ledger,
                clock, log).run(request);
        EmergencyReport report = new EmergencyReport(runId, request.trigger(), config.dryRun(), request.reason(),
                startedAt.toString(), clock.instant().toString(), results);
        ObjectNode line = JsonLog.mapper().createObjectNode();
        line.put("timestamp", clock.instant().toString());
        line.put("level", report.unfinished() ? "ERROR" : "INFO");
        line.put("message", "emergency report");
        line.set("report", JsonLog.mapper().valueToTree(report));
        log.raw(line.toString());
        if (!config.dryRun()) {
            saveLedger(ledger);
        }
        return report;
    }

    private String ledgerName() {
        return settings.secretNamePrefix() + NoticeLedger.NAME_UNDER_PREFIX;
    }

    /** One write per run; a failure only means causes may be told again. */
    private void saveLedger(NoticeLedger ledger) {
        if (!ledger.changed() || !ledger.saveable()) {
            return;
        }
        String value = ledger.render();
        String token = UUID.randomUUID().toString();
        try {
            try {
                secrets.putValue(ledgerName(), value, token);
            } catch (AwsFailure failure) {
                if (!failure.is(AwsFailure.Kind.NOT_FOUND)) {
                    throw failure;
                }
                String arn = secrets.create(ledgerName(), value, settings.secretKmsKeyArn().orElseThrow(),
                        Map.of(SecretTags.MANAGED_BY, SecretTags.MANAGED_BY_VALUE), token);
                secrets.putResourcePolicy(arn, SecretPolicy.forRotatorOnly(settings.secretPrincipals().writers()));
            }
        } catch (AwsFailure failure) {
            log.warn("attention notice records not saved; causes may be told again", "errorCode",
                    failure.errorCode());
        }
    }

    private static Instant oldestKey(CredentialReport report, DirectoryUser user) {
        return report.keysOf(user.userName()).orElse(List.of()).stream().filter(CredentialReport.KeySlot::active)
                .map(CredentialReport.KeySlot::lastRotated).min(Comparator.naturalOrder()).orElse(Instant.MAX);
    }

    /** The account the notices speak of: the one the notice topic is in (arn:aws:sns:REGION:ACCOUNT:NAME). */
    private static String accountOf(String topicArn) {
        String[] parts = topicArn.split(":");
        return parts.length >= 6 ? parts[4] : "unknown";
    }

    private void requireDeployedTag(OptInTag userTag) {
        settings.deployedOptInTag().filter(deployed -> !userTag.equalsOrNarrows(deployed)).ifPresent(deployed -> {
            String parameter = Parameter.USER_TAG.parameterName();
            throw new ConfigurationException(parameter, "parameter '" + parameter + "' has value '" + userTag
                    + "', which is neither the stack's opt-in tag '" + deployed + "' nor a narrowing of it; allowed: '"
                    + deployed + "'" + (deployed.value().isEmpty() ? " or '" + deployed.key() + "=VALUE'" : "")
                    + " (the stack's IAM permissions allow no other tag; redeploy with -c optInTag=... to change it)");
        });
    }

    private Map<String, SecretSummary> secretsByUser(List<SecretSummary> listed) {
        Map<String, SecretSummary> byUser = new HashMap<>();
        for (SecretSummary summary : listed) {
            // IAM user names cannot contain '/': such a name under the prefix is the rotator's own record.
            if (summary.name().startsWith(settings.secretNamePrefix())
                    && summary.name().indexOf('/', settings.secretNamePrefix().length()) < 0) {
                byUser.put(summary.name().substring(settings.secretNamePrefix().length()), summary);
            }
        }
        return byUser;
    }

    /** The credential report if it is usable; otherwise every opted-in user gets a per-user look. */
    private Optional<CredentialReport> credentialReport() {
        try {
            Optional<IdentityDirectory.RawCredentialReport> raw = iam.credentialReport();
            if (raw.isEmpty()) {
                log.warn("credential report unavailable; looking at every opted-in user");
                return Optional.empty();
            }
            CredentialReport parsed = CredentialReport.parse(raw.get().csv(), raw.get().generatedAt());
            if (parsed.isStale(clock.instant())) {
                log.warn("credential report is stale; looking at every opted-in user",
                        "generatedAt", parsed.generatedAt().toString());
                return Optional.empty();
            }
            return Optional.of(parsed);
        } catch (IllegalArgumentException e) {
            log.warn("credential report unreadable; looking at every opted-in user", "problem", e.getMessage());
        } catch (AwsFailure failure) {
            log.warn("credential report unavailable; looking at every opted-in user", "errorCode",
                    failure.errorCode());
        }
        return Optional.empty();
    }

    private static Optional<Integer> thresholdOf(RotationRules rules, DirectoryUser user) {
        try {
            return Optional.of(rules.maxAgeDaysFor(user.tags()));
        } catch (ConfigurationException e) {
            return Optional.empty();
        }
    }

}
