package dev.accesskeyrotator.service;

import dev.accesskeyrotator.contract.Parameter;
import dev.accesskeyrotator.contract.OptInTag;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

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
    /** Runs over this many users to look at log how far they are, every this many users. */
    public static final int PROGRESS_EVERY = 200;

    /** Logged copies of the report stay under CloudWatch Logs' 256 KB event limit. */
    private static final int MAX_LOGGED_REPORT_CHARS = 200_000;

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
        Map<String, SecretSummary> secretsByUser;
        try {
            parsed = RotationConfigParser.parse(parameters.readUnder(settings.parameterPrefix()));
            requireDeployedTag(parsed.config().userTag());
            if (!parsed.config().withDryRun(request.forceDryRun()).dryRun()) {
                settings.requireWhatChangesNeed();
            }
            optedIn = iam.listUsersWithTags().stream().filter(u -> parsed.config().userTag().matches(u.tags()))
                    .sorted(Comparator.comparing(DirectoryUser::userName)).toList();
            secretsByUser = secretsByUser();
        } catch (RuntimeException e) {
            // Bad configuration, AWS refusing discovery, or a bug: nothing was changed, and the alarm must know.
            log.error(STOPPED_BEFORE_ANY_CHANGE, "runId", runId, "error",
                    e instanceof ConfigurationException || e instanceof AwsFailure ? e.getMessage() : e.toString());
            log.raw(RunMetrics.aborted(clock.instant()));
            throw e;
        }
        RotationConfig config = parsed.config().withDryRun(request.forceDryRun());
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
        NoticeLedger ledger = NoticeLedger.load(secrets, ledgerName(), log);
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
        results.addAll(processAll(toLook, secretsByUser, rotator, config, request.deadline()));
        results.sort(Comparator.comparing(UserResult::user));

        RunReport runReport = new RunReport(runId, config.dryRun(), startedAt.toString(), clock.instant().toString(),
                report.isPresent() ? "credential-report" : "per-user", describe(config), parsed.defaulted(),
                counts(optedIn.size(), results), results);
        logReport(runReport);
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

    private String ledgerName() {
        return settings.secretNamePrefix() + NoticeLedger.NAME_UNDER_PREFIX;
    }

    /** One write per run; a failure only means causes may be told again. */
    private void saveLedger(NoticeLedger ledger) {
        if (!ledger.changed()) {
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

    private Map<String, SecretSummary> secretsByUser() {
        Map<String, SecretSummary> byUser = new HashMap<>();
        for (SecretSummary summary : secrets.listByNamePrefix(settings.secretNamePrefix())) {
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

    private List<UserResult> processAll(List<DirectoryUser> users, Map<String, SecretSummary> secretsByUser,
                                        UserRotator rotator, RotationConfig config, Deadline deadline) {
        AtomicInteger rotationsLeft = new AtomicInteger(config.maxRotationsPerRun());
        UserRotator.RotationBudget budget = () -> rotationsLeft.getAndDecrement() > 0;
        AtomicReference<Error> fatal = new AtomicReference<>();
        ExecutorService workers = Executors.newFixedThreadPool(settings.maxConcurrency(), runnable -> {
            Thread thread = new Thread(runnable, "rotator-worker");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<UserResult>> futures = new ArrayList<>(users.size());
            for (DirectoryUser user : users) {
                futures.add(workers.submit(() -> {
                    if (fatal.get() != null) {
                        return null;
                    }
                    try {
                        return processOne(user, secretsByUser, rotator, budget, deadline);
                    } catch (Error error) {
                        // The process would be dead now: start no further user and stop the ones in flight.
                        fatal.compareAndSet(null, error);
                        workers.shutdownNow();
                        throw error;
                    }
                }));
            }
            List<UserResult> results = new ArrayList<>(users.size());
            int done = 0;
            for (Future<UserResult> future : futures) {
                UserResult result = await(future, fatal);
                if (result != null) {
                    results.add(result);
                }
                done++;
                if (result != null) {
                    progress.userDone(done, users.size(), result);
                }
                // A long run otherwise says nothing until its report; the person or the log reader sees it move.
                if (users.size() > PROGRESS_EVERY && (done % PROGRESS_EVERY == 0 || done == users.size())) {
                    log.info("progress", "done", done, "of", users.size());
                }
            }
            return results;
        } finally {
            workers.shutdownNow();
            awaitQuietly(workers);
        }
    }

    private UserResult processOne(DirectoryUser user, Map<String, SecretSummary> secretsByUser, UserRotator rotator,
                                  UserRotator.RotationBudget budget, Deadline deadline) {
        if (deadline.nearlyOver()) {
            return UserResult.of(user.userName(), Outcome.DEFERRED, "run reached its time limit; done next run");
        }
        try {
            return rotator.process(user, Optional.ofNullable(secretsByUser.get(user.userName())), budget);
        } catch (RuntimeException unexpected) {
            // A bug for one user must not stop the others; the message names only the exception.
            log.error("unexpected error for user", "user", user.userName(), "error", unexpected.toString());
            return UserResult.of(user.userName(), Outcome.FAILED, "unexpected error: " + unexpected);
        }
    }

    private static UserResult await(Future<UserResult> future, AtomicReference<Error> fatal) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("run interrupted", e);
        } catch (CancellationException e) {
            if (fatal.get() != null) {
                throw fatal.get();
            }
            throw e;
        } catch (ExecutionException e) {
            // Only JVM errors get here (processOne catches the rest): end the run as the process would end.
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void awaitQuietly(ExecutorService workers) {
        try {
            workers.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, Object> describe(RotationConfig config) {
        Map<String, Object> described = new LinkedHashMap<>();
        // An exhaustive switch: a parameter added to the catalogue does not compile until the run logs it.
        for (Parameter parameter : Parameter.values()) {
            described.put(parameter.parameterName(), switch (parameter) {
                case MAX_KEY_AGE_DAYS -> config.maxKeyAgeDays();
                case USER_TAG -> config.userTag().toString();
                case GRACE_DAYS -> config.graceDays();
                case DELETE_AFTER_DAYS -> config.deleteAfterDays();
                case DRY_RUN -> config.dryRun();
                case MAX_ROTATIONS_PER_RUN -> config.maxRotationsPerRun();
                case CUTOVER -> config.cutover().value();
                case MAX_GRACE_DAYS -> config.maxGraceDays();
                case OLD_KEY_IDLE_HOURS -> config.oldKeyIdleHours();
                case REMINDER_DAYS -> config.reminderDays();
                case ATTENTION_REMINDER_DAYS -> config.attentionReminderDays();
            });
        }
        return described;
    }

    private static Map<String, Integer> counts(int scanned, List<UserResult> results) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (ReportCount count : ReportCount.values()) {
            int value = switch (count) {
                case USERS_SCANNED -> scanned;
                case ROTATED -> results.stream().mapToInt(r -> r.effects().rotated()).sum();
                case DISABLED_OLD -> results.stream().mapToInt(r -> r.effects().disabled()).sum();
                case DELETED_OLD -> results.stream().mapToInt(r -> r.effects().deleted()).sum();
                case NOTIFIED, REMINDED, ATTENTION, BLOCKED, FAILED, DEFERRED, PLANNED, UNCHANGED ->
                        (int) results.stream().filter(r -> r.outcome() == count.outcome().orElseThrow()).count();
            };
            counts.put(count.key(), value);
        }
        return counts;
    }

    private void logReport(RunReport report) {
        ObjectNode line = JsonLog.mapper().createObjectNode();
        line.put("timestamp", clock.instant().toString());
        line.put("level", "INFO");
        line.put("message", "run report");
        line.set("report", JsonLog.mapper().valueToTree(report));
        String json = line.toString();
        if (json.length() > MAX_LOGGED_REPORT_CHARS) {
            List<UserResult> notable = report.users().stream().filter(u -> u.outcome() != Outcome.UNCHANGED).toList();
            line.set("report", JsonLog.mapper().valueToTree(new RunReport(report.runId(), report.dryRun(),
                    report.startedAt(), report.finishedAt(), report.discovery(), report.configuration(),
                    report.defaultedParameters(), report.counts(), notable)));
            line.put("unchangedUsersOmitted", report.count(ReportCount.UNCHANGED));
            json = line.toString();
        }
        log.raw(json);
    }
}
