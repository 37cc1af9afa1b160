package dev.accesskeyrotator.localaws;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.accesskeyrotator.cli.Main;
import dev.accesskeyrotator.localaws.IamEmulator.KeySnapshot;
import dev.accesskeyrotator.localaws.SnsEmulator.PublishedMessage;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.SecretTags;
import software.amazon.awssdk.services.sns.SnsClient;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * "Try it locally": the real command line ({@code run}) against the in-process local endpoint, over a small sample
 * account with a story, so that someone without an AWS account sees what the rotator does. Nothing leaves the
 * machine: the endpoint listens on the loopback address and every call goes there.
 *
 * <pre>
 * ./mvnw -B -q -pl lambda -am verify -DskipTests -Ptry-it
 * </pre>
 *
 * Pass {@code --show-logs} (add {@code -Dexec.args=--show-logs}) to see the structured log lines the run wrote to
 * standard error; they are summarized otherwise.
 */
public final class TryItLocally {
    static final String TAG_KEY = "access-key-rotation";
    static final String PARAMETER_PREFIX = "/access-key-rotation/";
    static final String SECRET_PREFIX = "access-key-rotation/";
    static final String KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";
    static final String FUNCTION_ROLE_ARN = "arn:aws:iam::123456789012:role/AccessKeyRotator-FunctionRole";
    static final int MAX_AGE_DAYS = 90;
    static final int GRACE_DAYS = 2;
    static final int MAX_GRACE_DAYS = 14;
    /** The default old-key-idle-hours. */
    static final int IDLE_HOURS = 24;
    /** When the second run of the story happens. */
    static final int DAYS_LATER = 3;
    static final int DELETE_AFTER_DAYS = 30;

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    private static final String RULE = "-".repeat(100);
    /** The admins' subscription, as docs/deploy.md documents it: what needs a person, and each run's outcome. */
    static final String ADMIN_FILTER_POLICY = "{\"event_type\":[\"run-summary\",\"attention\",\"blocked\",\"key-exposed\"]}";

    /** The "delivered to" line of a notice no demo subscription receives: whose owner would, and how. */
    static String noRecipient(PublishedMessage message) {
        return message.attribute("user_name")
                .map(user -> "(no subscriber's filter matches in this demo: " + user + "'s owner would subscribe"
                        + " with user_name=" + user + ")")
                .orElse("(no subscriber's filter matches in this demo)");
    }

    private TryItLocally() {}

    public static void main(String[] args) {
        boolean showLogs = Arrays.asList(args).contains("--show-logs");
        int code = run(System.out, showLogs);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs the whole scenario and returns what it printed; for tests. */
    public static Result capture() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            code = run(out, false);
        }
        return new Result(code, buffer.toString(StandardCharsets.UTF_8));
    }

    public record Result(int exitCode, String output) { }

    /** @return 0 when the run went as the story says, 1 otherwise (the output says what differed) */
    public static int run(PrintStream out, boolean showLogs) {
        // The CLI computes key ages with the real clock; the endpoint stamps what it creates with its own clock.
        // Starting that clock at the real time keeps both stories in agreement.
        MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        // Everything shown is also kept, so the run can check that no secret access key was ever printed.
        ByteArrayOutputStream shown = new ByteArrayOutputStream();
        PrintStream tee = new PrintStream(new Tee(out, shown), true, StandardCharsets.UTF_8);
        try (LocalAws aws = LocalAws.start(clock)) {
            return new Scenario(aws, clock, tee, shown, showLogs).play();
        } finally {
            tee.flush();
        }
    }

    private static final class Scenario {
        private final LocalAws aws;
        private final MutableClock clock;
        private final PrintStream out;
        private final ByteArrayOutputStream shown;
        private final boolean showLogs;
        private final List<String> logLines = new ArrayList<>();
        private final List<String> surprises = new ArrayList<>();
        private final Map<String, List<KeySnapshot>> keysBefore = new LinkedHashMap<>();
        private String topicArn;
        private String ownerSubscription;
        private String adminSubscription;

        Scenario(LocalAws aws, MutableClock clock, PrintStream out, ByteArrayOutputStream shown, boolean showLogs) {
            this.aws = aws;
            this.clock = clock;
            this.out = out;
            this.shown = shown;
            this.showLogs = showLogs;
        }

        int play() {
            out.println("Access Key Rotator: try it locally");
            out.println("==================================");
            out.println("No AWS account needed. A local stand-in for IAM, Parameter Store, Secrets Manager and SNS");
            out.println("is listening on " + aws.endpoint() + " (loopback only); the real command line talks to it");
            out.println("over the same wire protocols it uses with AWS. Nothing leaves this machine.");
            out.println();

            seed();
            int exitCode = runTheCli();
            explain();
            showNotices();
            showNewKeyLocation();
            showStatus();
            int laterExitCode = aFewDaysLater();
            checkNoSecretShown();

            out.println(RULE);
            // old-ci is blocked until a person deletes the key they made: the CLI's exit code for that.
            if (exitCode != 4 || laterExitCode != 4) {
                surprises.add("the runs exited with codes " + exitCode + " and " + laterExitCode
                        + " (expected 4: a user is blocked)");
            }
            if (surprises.isEmpty()) {
                out.println("Done: build-bot was rotated, nightly-job's owner was reminded, reporting-job is not due"
                        + " yet, old-ci is blocked by a key a person made, incident-user was flagged for attention,");
                out.println("legacy-admin was left untouched, and " + DAYS_LATER + " days later build-bot's old key"
                        + " was disabled once nothing used it. Nothing was sent anywhere; the local endpoint is gone.");
                out.println("Next: preview against your own account, changing nothing:"
                        + " java -jar lambda/target/access-key-rotator.jar run --dry-run");
                return 0;
            }
            out.println("Something did not go as the story says:");
            surprises.forEach(s -> out.println("  - " + s));
            return 1;
        }

        // ---- 1. the sample account ------------------------------------------------------------------------------

        private void seed() {
            out.println("1. The sample account");
            out.println();
            optedIn("build-bot");
            KeySnapshot buildBotKey = key("build-bot", 120, true);
            // build-bot's CI uses its key all the time: IAM last saw it an hour ago.
            aws.iam().markKeyUsed(buildBotKey.id(), aws.clock().instant().minus(Duration.ofHours(1)), "s3",
                    aws.region().id());
            optedIn("reporting-job");
            key("reporting-job", 20, true);
            optedIn("nightly-job");
            key("nightly-job", 86, true);
            aws.iam().createUser("legacy-admin", Map.of("team", "platform"));
            key("legacy-admin", 400, true);
            optedIn("incident-user");
            seedIncident();
            optedIn("old-ci");
            key("old-ci", 200, false);
            key("old-ci", 100, true);
            aws.iam().userNames().forEach(u -> keysBefore.put(u, aws.iam().keys(u)));

            row("build-bot", "opted in", "one active key, 120 days old (due: the threshold is 90 days), used an"
                    + " hour ago by its CI");
            row("reporting-job", "opted in", "one active key, 20 days old (not due)");
            row("nightly-job", "opted in", "one active key, 86 days old (due in 4 days: within reminder-days)");
            row("legacy-admin", "NOT opted in", "one active key, 400 days old (not ours to touch)");
            row("incident-user", "opted in", "its current key (in its secret) was disabled by hand during an"
                    + " incident");
            row("old-ci", "opted in", "no secret yet; an inactive key someone made (200 days) and an active key"
                    + " (100 days, due)");
            out.println();
            out.println("   Opting in = the IAM user tag " + TAG_KEY + "=enabled. Configuration in Parameter Store"
                    + " under " + PARAMETER_PREFIX + ":");
            parameter("max-key-age-days", String.valueOf(MAX_AGE_DAYS), "rotate active keys at this age");
            parameter("grace-days", String.valueOf(GRACE_DAYS), "the old key stays active at least this long"
                    + " after rotation,");
            parameter("max-grace-days", String.valueOf(MAX_GRACE_DAYS), "and at most this long, while"
                    + " something still uses it");
            parameter("delete-after-days", String.valueOf(DELETE_AFTER_DAYS), "a disabled old key is deleted this"
                    + " long after");
            out.println("     (the others are not set: their defaults apply. cutover=on-use with old-key-idle-hours="
                    + IDLE_HOURS + ": the old key is disabled");
            out.println("      once IAM has shown no use of it for " + IDLE_HOURS + " hours since the new key was"
                    + " stored.)");

            try (SnsClient sns = LocalAwsClients.configure(SnsClient.builder(), aws).build()) {
                topicArn = sns.createTopic(r -> r.name("access-key-rotation-notices")).topicArn();
                ownerSubscription = sns.subscribe(r -> r.topicArn(topicArn).protocol("email")
                        .endpoint("build-bot-owner@example.com").returnSubscriptionArn(true)
                        .attributes(Map.of("FilterPolicy", "{\"user_name\":[\"build-bot\"]}"))).subscriptionArn();
                adminSubscription = sns.subscribe(r -> r.topicArn(topicArn).protocol("email")
                        .endpoint("platform-team@example.com").returnSubscriptionArn(true)
                        .attributes(Map.of("FilterPolicy", ADMIN_FILTER_POLICY)))
                        .subscriptionArn();
            }
            aws.sns().confirmAll();
            out.println();
            out.println("   SNS topic " + topicArn + ", with two e-mail subscriptions:");
            out.println("     build-bot-owner@example.com  filter policy {\"user_name\":[\"build-bot\"]}");
            out.println("     platform-team@example.com    filter policy " + ADMIN_FILTER_POLICY);
            out.println();
        }

        private void optedIn(String user) {
            aws.iam().createUser(user, Map.of(TAG_KEY, "enabled", "team", "data"));
        }

        private KeySnapshot key(String user, long ageDays, boolean active) {
            return aws.iam().createAccessKey(user, aws.clock().instant().minus(Duration.ofDays(ageDays)), active);
        }

        /** A user the rotator looked after before: its secret holds its current key, which a responder disabled. */
        private void seedIncident() {
            KeySnapshot current = key("incident-user", 30, true);
            ObjectNode document = JsonLog.mapper().createObjectNode();
            document.put("Version", 1);
            document.put("AccessKeyId", current.id());
            document.put("SecretAccessKey", current.secret());
            document.put("UserName", "incident-user");
            document.put("CreateDate", current.createDate().toString());
            Map<String, String> tags = new HashMap<>(SecretTags.atCreation("incident-user"));
            tags.putAll(SecretTags.afterNotice(current.id(), current.createDate()));
            aws.secretsManager().seedRaw(SECRET_PREFIX + "incident-user", document.toString(), tags, KMS_KEY);
            aws.iam().setKeyStatus(current.id(), IamEmulator.KeyStatus.INACTIVE);
        }

        private void parameter(String name, String value, String meaning) {
            aws.ssm().put(PARAMETER_PREFIX + name, value);
            out.printf("     %-18s = %-3s  %s%n", name, value, meaning);
        }

        private void row(String user, String optIn, String story) {
            out.printf("   %-14s %-13s %s%n", user, optIn, story);
        }

        // ---- 2. the run -----------------------------------------------------------------------------------------

        private int runTheCli() {
            out.println("2. The run: the real command line, as you would run it against your account");
            out.println();
            return invoke(runArguments());
        }

        private List<String> runArguments() {
            return List.of("run", "--endpoint-url", aws.endpoint().toString(), "--region", aws.region().id(),
                    "--topic-arn", topicArn, "--kms-key-id", KMS_KEY, "--function-role-arn", FUNCTION_ROLE_ARN,
                    "--output", "table", "--log-format", "json");
        }

        /** Runs the command line as a person would, on the story's clock, and prints its report. */
        private int invoke(List<String> args) {
            out.println("   $ java -jar lambda/target/access-key-rotator.jar " + String.join(" ", args));
            out.println();
            int logLinesBefore = logLines.size();
            ByteArrayOutputStream report = new ByteArrayOutputStream();
            int code;
            // The local endpoint accepts any credentials; the SDK's default chain reads these system properties
            // first, so nothing from your own AWS configuration is used (or needed).
            Map<String, String> saved = setCredentials();
            try (PrintStream reportStream = new PrintStream(report, true, StandardCharsets.UTF_8);
                 PrintStream logStream = new PrintStream(new LineSink(logLines::add), true, StandardCharsets.UTF_8)) {
                code = Main.run(args, Map.of(), reportStream, logStream, clock);
            } finally {
                restore(saved);
            }
            report.toString(StandardCharsets.UTF_8).lines().forEach(line -> out.println("   " + line));
            List<String> runLogLines = List.copyOf(logLines.subList(logLinesBefore, logLines.size()));
            out.println();
            out.println("   exit code " + code + (code == 4 ? " (a user is blocked; see --help for the codes)" : "")
                    + "; " + runLogLines.size() + " structured log lines (JSON) went to"
                    + " standard error" + (showLogs ? ":" : ", summarized here (add --show-logs to see them):"));
            if (showLogs) {
                runLogLines.forEach(line -> out.println("     " + line));
            } else {
                summarizeLogs(runLogLines);
            }
            out.println();
            return code;
        }

        private void summarizeLogs(List<String> lines) {
            Map<String, Long> byLevel = new LinkedHashMap<>();
            List<String> notable = new ArrayList<>();
            for (String line : lines) {
                try {
                    var node = JsonLog.mapper().readTree(line);
                    String level = node.path("level").asText("");
                    if (level.isEmpty()) {
                        byLevel.merge(node.has("_aws") ? "metrics" : "documents", 1L, Long::sum);
                        continue;
                    }
                    byLevel.merge(level, 1L, Long::sum);
                    if (!level.equals("INFO") && notable.size() < 8) {
                        notable.add(level + " " + node.path("message").asText());
                    }
                } catch (Exception e) {
                    byLevel.merge("other", 1L, Long::sum);
                }
            }
            out.println("     " + byLevel.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                    .collect(Collectors.joining(", ")));
            notable.forEach(n -> out.println("     " + n));
        }

        // ---- 3. what happened -----------------------------------------------------------------------------------

        private void explain() {
            out.println("3. What happened, user by user (read back from the local IAM and Secrets Manager)");
            out.println();
            explainBuildBot();
            explainReportingJob();
            explainNightlyJob();
            explainLegacyAdmin();
            explainIncidentUser();
            explainOldCi();
        }

        private void explainBuildBot() {
            KeySnapshot old = keysBefore.get("build-bot").get(0);
            Optional<String> current = secretKeyId("build-bot");
            List<KeySnapshot> now = aws.iam().keys("build-bot");
            Optional<KeySnapshot> fresh = current.flatMap(id -> aws.iam().accessKey(id));
            Optional<KeySnapshot> oldNow = aws.iam().accessKey(old.id());
            if (fresh.isEmpty() || fresh.get().id().equals(old.id()) || !fresh.get().active() || oldNow.isEmpty()
                    || !oldNow.get().active() || now.size() != 2) {
                surprise("build-bot", "expected a new active key in its secret and the old key still active, found"
                        + " keys " + describe(now) + " and secret key " + current.orElse("(none)"));
                return;
            }
            Instant earliest = fresh.get().createDate().plus(Duration.ofDays(GRACE_DAYS));
            Instant latest = fresh.get().createDate().plus(Duration.ofDays(MAX_GRACE_DAYS));
            user("build-bot", "ROTATED",
                    "Its 120-day-old key " + old.id() + " was due. A new key " + fresh.get().id() + " was created"
                            + " and stored in its own secret " + SECRET_PREFIX + "build-bot at once.",
                    "The old key stays active so build-bot's CI can switch: a later run disables it on or after "
                            + DAY.format(earliest) + " once IAM shows it idle for " + IDLE_HOURS + " hours,",
                    "and on " + DAY.format(latest) + " at the latest; it is deleted " + DELETE_AFTER_DAYS
                            + " days after it was disabled. Its owner was notified (see 4).");
        }

        private void explainReportingJob() {
            expectUnchanged("reporting-job");
            if (aws.secretsManager().secret(SECRET_PREFIX + "reporting-job").isPresent()) {
                surprise("reporting-job", "a secret was created although no key was due");
            }
            user("reporting-job", "UNCHANGED",
                    "Its key is 20 days old, under the " + MAX_AGE_DAYS + "-day threshold: nothing to do. It will be"
                            + " rotated by the first run on or after day " + MAX_AGE_DAYS + ", about "
                            + DAY.format(keysBefore.get("reporting-job").get(0).createDate()
                            .plus(Duration.ofDays(MAX_AGE_DAYS))) + ".");
        }

        private void explainNightlyJob() {
            expectUnchanged("nightly-job");
            boolean reminded = aws.sns().published().stream()
                    .anyMatch(m -> m.attribute("user_name").filter("nightly-job"::equals).isPresent()
                            && m.attribute("event_type").filter("key-expiring"::equals).isPresent());
            if (!reminded) {
                surprise("nightly-job", "expected one key-expiring reminder");
                return;
            }
            user("nightly-job", "REMINDED",
                    "Its key turns " + MAX_AGE_DAYS + " days old in 4 days, within reminder-days (7): its owner got"
                            + " one key-expiring notice, once.",
                    "The rotator reserved its secret to record that; the key is rotated by the first run on or"
                            + " after day " + MAX_AGE_DAYS + ".");
        }

        private void explainLegacyAdmin() {
            expectUnchanged("legacy-admin");
            List<Calls.Call> calls = aws.calls().forUser("legacy-admin");
            if (!calls.isEmpty()) {
                surprise("legacy-admin", "the rotator made calls about a user who is not opted in: " + calls);
            }
            user("legacy-admin", "UNTOUCHED (not in the report)",
                    "It has no " + TAG_KEY + " tag, so it is not opted in. Its 400-day-old key is still active and"
                            + " unchanged,",
                    "and the rotator made no call about it at all (" + calls.size() + " calls naming legacy-admin):"
                            + " it saw the user's tags in the account listing and stopped there.");
        }

        private void explainIncidentUser() {
            KeySnapshot disabled = keysBefore.get("incident-user").get(0);
            List<KeySnapshot> now = aws.iam().keys("incident-user");
            if (now.size() != 1 || now.get(0).active()) {
                surprise("incident-user", "expected its one key to stay disabled and no new key, found "
                        + describe(now));
            }
            boolean flagged = aws.sns().published().stream().anyMatch(m -> is(m, "incident-user", "attention"));
            if (!flagged) {
                surprise("incident-user", "no attention notice was published");
            }
            user("incident-user", "ATTENTION",
                    "The key in its secret, " + disabled.id() + ", had been disabled by someone else. The rotator"
                            + " never re-enables a key",
                    "and never works around an incident responder: it changed nothing and told the admins"
                            + " (attention notice, see 4).");
        }

        private void explainOldCi() {
            KeySnapshot inactive = keysBefore.get("old-ci").get(0);
            expectUnchanged("old-ci");
            user("old-ci", "BLOCKED",
                    "Its key is due, but IAM allows two keys per user and the second slot holds " + inactive.id()
                            + ", an inactive key",
                    "someone made by hand. The rotator never deletes a key it did not make, so it changed nothing"
                            + " and told old-ci's owner",
                    "(blocked notice, see 4); once someone deletes that key, the next run rotates old-ci.");
        }

        private void expectUnchanged(String user) {
            List<KeySnapshot> now = aws.iam().keys(user);
            if (!now.equals(keysBefore.get(user))) {
                surprise(user, "keys changed: before " + describe(keysBefore.get(user)) + ", after " + describe(now));
            }
        }

        private void user(String name, String outcome, String... lines) {
            out.println("   " + name + ": " + outcome);
            for (String line : lines) {
                out.println("     " + line);
            }
            out.println();
        }

        // ---- 4. notices -----------------------------------------------------------------------------------------

        private void showNotices() {
            List<PublishedMessage> published = aws.sns().published();
            out.println("4. Notices published to the SNS topic (" + published.size() + "); they never contain a"
                    + " secret");
            out.println();
            List<PublishedMessage> toOwner = aws.sns().deliveredTo(ownerSubscription);
            List<PublishedMessage> toAdmins = aws.sns().deliveredTo(adminSubscription);
            for (PublishedMessage message : published) {
                List<String> recipients = new ArrayList<>();
                if (toOwner.contains(message)) {
                    recipients.add("build-bot-owner@example.com");
                }
                if (toAdmins.contains(message)) {
                    recipients.add("platform-team@example.com");
                }
                out.println("   " + RULE.substring(0, 60));
                out.println("   event_type: " + message.attribute("event_type").orElse("?")
                        + "   user_name: " + message.attribute("user_name").orElse("-"));
                out.println("   delivered to: " + (recipients.isEmpty()
                        ? noRecipient(message)
                        : String.join(", ", recipients)));
                out.println("   Subject: " + message.subject());
                out.println();
                message.message().lines().forEach(line -> out.println("   | " + line));
                out.println();
            }
            if (published.stream().noneMatch(m -> is(m, "build-bot", "key-rotated"))) {
                surprise("build-bot", "no key-rotated notice was published");
            }
            if (published.stream().anyMatch(m -> m.attribute("user_name").filter("legacy-admin"::equals)
                    .isPresent())) {
                surprise("legacy-admin", "a notice was published about a user who is not opted in");
            }
            List<String> secrets = aws.iam().allSecretAccessKeys();
            for (PublishedMessage message : published) {
                String text = message.subject() + "\n" + message.message();
                if (secrets.stream().anyMatch(text::contains)) {
                    surprise("notices", "a secret access key appeared in a notice");
                }
            }
        }

        // ---- 5. where the key is --------------------------------------------------------------------------------

        private void showNewKeyLocation() {
            String name = SECRET_PREFIX + "build-bot";
            aws.secretsManager().secret(name).ifPresent(secret -> {
                out.println("5. Where build-bot's new key is");
                out.println();
                out.println("   Secrets Manager secret " + name);
                out.println("   ARN " + secret.arn());
                out.println("   It holds AccessKeyId " + secretKeyId("build-bot").orElse("?") + " and its"
                        + " SecretAccessKey (not shown: a secret key lives only in IAM and in this secret).");
                out.println("   build-bot's owner would fetch it into ~/.aws/credentials with:");
                out.println("     java -jar lambda/target/access-key-rotator.jar fetch --user build-bot --region "
                        + aws.region().id());
                out.println();
            });
        }

        /** The admins' and auditors' read-only view after the run: every key and what happens to it next. */
        private void showStatus() {
            List<String> args = List.of("status", "--endpoint-url", aws.endpoint().toString(), "--region",
                    aws.region().id());
            out.println("6. Every key and what happens to it next (read-only; it never reads a secret's value)");
            out.println();
            out.println("   $ java -jar lambda/target/access-key-rotator.jar " + String.join(" ", args));
            out.println();
            ByteArrayOutputStream table = new ByteArrayOutputStream();
            int code;
            Map<String, String> saved = setCredentials();
            try (PrintStream tableStream = new PrintStream(table, true, StandardCharsets.UTF_8);
                 PrintStream logStream = new PrintStream(new LineSink(logLines::add), true, StandardCharsets.UTF_8)) {
                code = Main.run(args, Map.of(), tableStream, logStream, clock);
            } finally {
                restore(saved);
            }
            table.toString(StandardCharsets.UTF_8).lines().forEach(line -> out.println("   " + line));
            out.println();
            if (code != 0) {
                surprises.add("status exited with code " + code + " (expected 0)");
            }
        }

        /**
         * The on-use cut-over: build-bot's CI switches to the new key the day after the run; a run
         * {@value #DAYS_LATER} days later finds the old key idle and disables it, and tells the owner nothing else.
         */
        private int aFewDaysLater() {
            Instant firstRun = clock.instant();
            KeySnapshot old = keysBefore.get("build-bot").get(0);
            Optional<String> fresh = secretKeyId("build-bot");
            int publishedBefore = aws.sns().published().size();
            fresh.ifPresent(id -> aws.iam().markKeyUsed(id, firstRun.plus(Duration.ofDays(1)), "s3",
                    aws.region().id()));
            clock.advance(Duration.ofDays(DAYS_LATER));
            out.println("7. " + DAYS_LATER + " days later: build-bot's CI switched to the new key on "
                    + DAY.format(firstRun.plus(Duration.ofDays(1))) + " and has not used the old one since");
            out.println();
            int code = invoke(runArguments());
            out.println();
            Optional<KeySnapshot> oldNow = aws.iam().accessKey(old.id());
            Optional<KeySnapshot> freshNow = fresh.flatMap(id -> aws.iam().accessKey(id));
            if (oldNow.isEmpty() || oldNow.get().active() || freshNow.isEmpty() || !freshNow.get().active()) {
                surprise("build-bot", "expected the old key disabled and the new one active, found "
                        + describe(aws.iam().keys("build-bot")));
            } else {
                user("build-bot", "OLD KEY DISABLED",
                        "Grace-days (" + GRACE_DAYS + ") had passed and IAM had shown no use of " + old.id()
                                + " since the new key was stored, more than " + IDLE_HOURS + " hours:",
                        "nothing used it any more, so disabling it broke nothing. It is deleted "
                                + DELETE_AFTER_DAYS + " days from now.");
            }
            List<PublishedMessage> later = aws.sns().published();
            later = later.subList(publishedBefore, later.size());
            List<String> sent = later.stream().map(m -> m.attribute("event_type").orElse("?")
                    + m.attribute("user_name").map(u -> " " + u).orElse("")).toList();
            out.println("   Notices this run (" + later.size() + "): " + String.join(", ", sent) + ". Nobody was"
                    + " told again what they were told " + DAYS_LATER + " days ago: nightly-job's");
            out.println("   reminder is sent once; incident-user's attention and old-ci's blocked notice repeat only"
                    + " after attention-reminder-days (7).");
            out.println();
            later.stream().filter(m -> is(m, "build-bot", "key-disabled")).findFirst().ifPresent(m -> {
                out.println("   Subject: " + m.subject());
                out.println();
                m.message().lines().forEach(line -> out.println("   | " + line));
                out.println();
            });
            if (!sent.equals(List.of("key-disabled build-bot", "run-summary"))) {
                surprise("notices", "expected only build-bot's key-disabled notice and the run summary, got " + sent);
            }
            return code;
        }

        /** The contract: a secret access key is in IAM and the user secret only; never in output or logs. */
        private void checkNoSecretShown() {
            out.flush();
            String text = shown.toString(StandardCharsets.UTF_8) + String.join("\n", logLines);
            if (aws.iam().allSecretAccessKeys().stream().anyMatch(text::contains)) {
                surprise("output", "a secret access key appeared in the output or the logs");
            }
        }

        // ---- helpers --------------------------------------------------------------------------------------------

        private Optional<String> secretKeyId(String user) {
            return aws.secretsManager().currentValue(SECRET_PREFIX + user).flatMap(value -> {
                try {
                    return Optional.ofNullable(JsonLog.mapper().readTree(value).path("AccessKeyId").asText(null));
                } catch (Exception e) {
                    return Optional.empty();
                }
            });
        }

        private static boolean is(PublishedMessage message, String user, String eventType) {
            return message.attribute("user_name").filter(user::equals).isPresent()
                    && message.attribute("event_type").filter(eventType::equals).isPresent();
        }

        private static String describe(List<KeySnapshot> keys) {
            return keys.stream().map(k -> k.id() + (k.active() ? " (active)" : " (inactive)"))
                    .collect(Collectors.joining(", ", "[", "]"));
        }

        private void surprise(String user, String what) {
            surprises.add(user + ": " + what);
            out.println("   " + user + ": UNEXPECTED: " + what);
            out.println();
        }

        private static Map<String, String> setCredentials() {
            Map<String, String> saved = new HashMap<>();
            for (String property : List.of("aws.accessKeyId", "aws.secretAccessKey", "aws.sessionToken")) {
                saved.put(property, System.getProperty(property));
            }
            System.setProperty("aws.accessKeyId", "test");
            System.setProperty("aws.secretAccessKey", "test");
            System.clearProperty("aws.sessionToken");
            return saved;
        }

        private static void restore(Map<String, String> saved) {
            saved.forEach((property, value) -> {
                if (value == null) {
                    System.clearProperty(property);
                } else {
                    System.setProperty(property, value);
                }
            });
        }
    }

    /** Writes to the console and keeps a copy. */
    private static final class Tee extends OutputStream {
        private final OutputStream console;
        private final OutputStream copy;

        Tee(OutputStream console, OutputStream copy) {
            this.console = console;
            this.copy = copy;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            console.write(b);
            copy.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws java.io.IOException {
            console.write(bytes, offset, length);
            copy.write(bytes, offset, length);
        }

        @Override
        public void flush() throws java.io.IOException {
            console.flush();
        }
    }

    /** Collects whole lines written to a stream. */
    private static final class LineSink extends OutputStream {
        private final Consumer<String> lines;
        private final ByteArrayOutputStream current = new ByteArrayOutputStream();

        LineSink(Consumer<String> lines) {
            this.lines = lines;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                flushLine();
            } else if (b != '\r') {
                current.write(b);
            }
        }

        @Override
        public synchronized void close() {
            if (current.size() > 0) {
                flushLine();
            }
        }

        private void flushLine() {
            lines.accept(current.toString(StandardCharsets.UTF_8));
            current.reset();
        }
    }
}
