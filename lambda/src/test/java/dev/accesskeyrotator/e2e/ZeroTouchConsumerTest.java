package dev.accesskeyrotator.e2e;

import dev.accesskeyrotator.cli.Main;
import dev.accesskeyrotator.cli.SimulatedClockCredentials;
import dev.accesskeyrotator.localaws.IamEmulator.KeySnapshot;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsClients;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.testing.RotatorHarness;
import dev.accesskeyrotator.testing.SecretLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sts.StsClient;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A machine outside AWS that holds an IAM user's key and never sees a person: its SDK (or the AWS CLI) gets
 * credentials from {@code credential_process = ... credentials}, a real subprocess on the simulated clock, while the
 * rotator runs daily and rotates the key every two simulated days. Over three rotations the workload makes every
 * signed call successfully, and each old key is retired only after the workload switched away from it. A second
 * machine that holds its key statically and never refreshes keeps working until its old key is retired, then fails:
 * what docs/key-owners.md says it will do.
 *
 * <p>The endpoint refuses inactive and deleted keys, so a workload still on a retired key would fail here as in AWS.
 *
 * <p>Tagged {@code slow} (left out of the default build, run by {@code -Pslow}): each job starts the real AWS CLI
 * and a JVM for its credential process, dozens of processes in all.
 */
@Tag("slow")
class ZeroTouchConsumerTest {
    /**
     * The SDK and the CLI compare Expiration with the wall clock. With simulated time ahead of it, each job's client
     * keeps the credentials it got for its lifetime, so each job runs the command exactly once.
     */
    private static final Instant START = Instant.parse("2099-01-01T00:00:00Z");
    private static final String CONSUMER = "ci-bot";
    private static final String LEGACY = "legacy-bot";
    /** Longer than a job gap (12 h) and shorter than the grace period (1 day), so the switch always comes first. */
    private static final int REFRESH_MINUTES = 18 * 60;

    /**
     * The cut-over settings under test: a parameter change and nothing else. With the timer cut-over the old key
     * is disabled a day after the new one is stored, longer than the refresh interval; with cut-over on use it is
     * disabled once IAM shows it idle, at the latest after one day.
     */
    enum Cutover {
        AFTER_GRACE(Map.of("cutover", "after-grace", "grace-days", "1")),
        ON_USE(Map.of("cutover", "on-use", "grace-days", "0", "old-key-idle-hours", "4"));

        final Map<String, String> parameters;

        Cutover(Map<String, String> parameters) {
            this.parameters = parameters;
        }
    }

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension(START);

    @TempDir
    Path tmp;

    private LocalAws aws;
    private RotatorHarness harness;
    private Path clockFile;
    private Path cache;
    private Path config;
    private final List<String> log = new ArrayList<>();
    /** When each key was first seen inactive or gone after a rotator run. */
    private final Map<String, Instant> retired = new LinkedHashMap<>();
    /** Rotations in order: old key id to new key id, with the run's time. */
    private final List<Rotation> rotations = new ArrayList<>();

    record Rotation(String user, String oldKeyId, String newKeyId, Instant at) { }

    record Job(Instant at, String consumer, Optional<String> keyId, int calls, Optional<String> failure) {
        boolean ok() {
            return failure.isEmpty();
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        aws = endpoint.aws();
        harness = new RotatorHarness(aws);
        harness.parameter("max-key-age-days", "2");
        harness.parameter("delete-after-days", "1");
        harness.parameter("max-grace-days", "1");
        clockFile = tmp.resolve("now");
        cache = tmp.resolve("aws").resolve("access-key-rotator").resolve(CONSUMER + ".json");
        config = tmp.resolve("aws").resolve("config");
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @ParameterizedTest
    @EnumSource(Cutover.class)
    void anSdkWorkloadFollowsThreeRotationsWithoutAFailedCall(Cutover cutover) throws Exception {
        cutover.parameters.forEach(harness::parameter);
        KeySnapshot first = setUpConsumer();
        harness.optedInUser(LEGACY);
        KeySnapshot legacyKey = harness.key(LEGACY, 1, true);
        writeConfig();

        List<Job> jobs = new ArrayList<>();
        // Every 6 simulated hours for six and a half days: jobs at 00:00 and 12:00, the rotator at 06:00.
        for (Instant now = START; !now.isAfter(START.plus(Duration.ofDays(6)).plus(Duration.ofHours(12)));
             now = now.plus(Duration.ofHours(6))) {
            aws.clock().set(now);
            int hour = (int) Duration.between(START, now).toHours() % 24;
            if (hour == 6) {
                runRotator();
            } else if (hour == 0 || hour == 12) {
                jobs.add(sdkJob(now));
                jobs.add(staticJob(now, legacyKey));
            }
        }
        log.forEach(line -> System.out.println("[" + cutover + "] " + line));
        summarize(cutover.toString(), jobs);

        List<Job> consumer = jobs.stream().filter(job -> job.consumer().equals(CONSUMER)).toList();
        assertEquals(List.of(), consumer.stream().filter(job -> !job.ok()).toList(), "no failed call");
        assertEquals(14, consumer.size());
        List<Rotation> consumerRotations = rotations.stream().filter(r -> r.user().equals(CONSUMER)).toList();
        assertEquals(3, consumerRotations.size(), rotations.toString());
        assertEquals(first.id(), consumerRotations.get(0).oldKeyId());
        assertEachOldKeyRetiredOnlyAfterTheWorkloadSwitched(consumerRotations, consumer);

        // The machine that never refreshes: fine until its key is retired, refused from then on.
        Instant legacyRetired = retired.get(legacyKey.id());
        assertTrue(legacyRetired != null, "the legacy key was retired");
        for (Job job : jobs.stream().filter(job -> job.consumer().equals(LEGACY)).toList()) {
            if (job.at().isBefore(legacyRetired)) {
                assertTrue(job.ok(), job.toString());
            } else {
                assertEquals(Optional.of("InvalidClientTokenId"), job.failure(), job.toString());
            }
        }
        SecretLeakCheck.assertNoSecretLeaked(aws, log);
    }

    @Test
    void theAwsCliFollowsThreeRotationsWithoutAFailedCall() throws Exception {
        Optional<String> version = awsCliVersion();
        Assumptions.assumeTrue(version.isPresent(), "the AWS CLI is not installed here (no 'aws' on PATH): the CLI"
                + " run of the recipe is skipped; the SDK run above covers the same command");
        Cutover.AFTER_GRACE.parameters.forEach(harness::parameter);
        KeySnapshot first = setUpConsumer();
        writeConfig();

        List<Job> jobs = new ArrayList<>();
        // Daily: the rotator at 06:00, one CLI call at 12:00.
        for (Instant day = START; !day.isAfter(START.plus(Duration.ofDays(6))); day = day.plus(Duration.ofDays(1))) {
            aws.clock().set(day.plus(Duration.ofHours(6)));
            runRotator();
            aws.clock().set(day.plus(Duration.ofHours(12)));
            jobs.add(cliJob(aws.clock().instant()));
        }
        log.forEach(line -> System.out.println("[aws-cli " + version.get() + "] " + line));
        summarize("aws-cli", jobs);

        assertEquals(List.of(), jobs.stream().filter(job -> !job.ok()).toList(), "no failed call");
        List<Rotation> consumerRotations = rotations.stream().filter(r -> r.user().equals(CONSUMER)).toList();
        assertEquals(3, consumerRotations.size(), rotations.toString());
        assertEquals(first.id(), consumerRotations.get(0).oldKeyId());
        assertEachOldKeyRetiredOnlyAfterTheWorkloadSwitched(consumerRotations, jobs);
    }

    @Test
    void aDailyFetchTimerFollowsThreeRotationsWithoutAFailedCall() throws Exception {
        Cutover.AFTER_GRACE.parameters.forEach(harness::parameter);
        harness.optedInUser(CONSUMER);
        KeySnapshot first = harness.key(CONSUMER, 1, true);
        Path credentials = tmp.resolve("aws").resolve("credentials");
        Files.createDirectories(credentials.getParent());
        Files.writeString(credentials, "[ci]\naws_access_key_id = " + first.id() + "\naws_secret_access_key = "
                + first.secret() + "\n");
        // fetch reads the SDK's config file next to the credentials file; the machine's own must play no part.
        String savedConfig = System.getProperty("aws.configFile");
        System.setProperty("aws.configFile", Files.writeString(tmp.resolve("empty-config"), "").toString());
        List<Job> jobs = new ArrayList<>();
        try {
            // The recipe's timer at 00:00, the rotator at 06:00, the workload (a new process each time, reading
            // the file afresh) at 03:00 and 12:00.
            for (Instant day = START; !day.isAfter(START.plus(Duration.ofDays(6))); day = day.plus(Duration.ofDays(1))) {
                aws.clock().set(day);
                fetch(credentials);
                aws.clock().set(day.plus(Duration.ofHours(3)));
                jobs.add(jobFromFile(credentials));
                aws.clock().set(day.plus(Duration.ofHours(6)));
                runRotator();
                aws.clock().set(day.plus(Duration.ofHours(12)));
                jobs.add(jobFromFile(credentials));
            }
        } finally {
            if (savedConfig == null) {
                System.clearProperty("aws.configFile");
            } else {
                System.setProperty("aws.configFile", savedConfig);
            }
        }
        log.forEach(line -> System.out.println("[fetch-timer] " + line));
        summarize("fetch-timer", jobs);

        assertEquals(List.of(), jobs.stream().filter(job -> !job.ok()).toList(), "no failed call");
        List<Rotation> consumerRotations = rotations.stream().filter(r -> r.user().equals(CONSUMER)).toList();
        assertEquals(3, consumerRotations.size(), rotations.toString());
        assertEquals(first.id(), consumerRotations.get(0).oldKeyId());
        assertEachOldKeyRetiredOnlyAfterTheWorkloadSwitched(consumerRotations, jobs);
        SecretLeakCheck.assertNoSecretLeaked(aws, log);
    }

    // ---- the simulation ----------------------------------------------------------------------------------------

    private Job jobFromFile(Path credentials) {
        ProfileFile file = ProfileFile.builder().content(credentials).type(ProfileFile.Type.CREDENTIALS).build();
        try (ProfileCredentialsProvider fromFile = ProfileCredentialsProvider.builder().profileFile(file)
                .profileName("ci").build()) {
            return job(aws.clock().instant(), CONSUMER, fromFile);
        }
    }

    /** One run of the timer's command: {@code fetch --user ci-bot --profile ci}, as the recipe's unit runs it. */
    private void fetch(Path credentials) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of("fetch", "--user", CONSUMER, "--profile", "ci", "--credentials-file",
                        credentials.toString(), "--region", aws.region().id(), "--endpoint-url",
                        aws.endpoint().toString()), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = (out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8)).strip();
        log.add(aws.clock().instant() + " fetch: exit " + code + ": " + printed.replace('\n', ' '));
        // Before the first rotation there is no secret to fetch (exit 3); after it, every fetch succeeds.
        assertTrue(code == 0 || rotations.isEmpty(), printed);
    }

    /** The opted-in user with a key a day old, and the machine set up once from it, on standard input. */
    private KeySnapshot setUpConsumer() throws IOException {
        harness.optedInUser(CONSUMER);
        KeySnapshot first = harness.key(CONSUMER, 1, true);
        aws.clock().set(START);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        byte[] key = ("{\"AccessKeyId\":\"" + first.id() + "\",\"SecretAccessKey\":\"" + first.secret() + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        int code = SimulatedClockCredentials.run(List.of("init", "--user", CONSUMER, "--stdin", "--cache",
                        cache.toString(), "--region", aws.region().id(), "--endpoint-url", aws.endpoint().toString(),
                        "--refresh-minutes", Integer.toString(REFRESH_MINUTES)), Map.of(),
                new ByteArrayInputStream(key), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), aws.clock());
        assertEquals(0, code, out + err.toString(StandardCharsets.UTF_8));
        log.add(START + " init " + CONSUMER + " with " + first.id());
        log.add(out.toString(StandardCharsets.UTF_8).strip() + err.toString(StandardCharsets.UTF_8).strip());
        return first;
    }

    /** The recipe's ~/.aws/config, with the test's launcher in place of {@code java -jar} so it runs on the clock. */
    private void writeConfig() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = String.join(" ", java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), SimulatedClockCredentials.class.getName(),
                clockFile.toString(), "--cache", cache.toString());
        Files.createDirectories(config.getParent());
        Files.writeString(config, "[profile " + CONSUMER + "]\ncredential_process = " + command + "\nregion = "
                + aws.region().id() + "\n");
    }

    private void runRotator() {
        Map<String, KeySnapshot> before = new LinkedHashMap<>();
        for (String user : aws.iam().userNames()) {
            aws.iam().keys(user).forEach(key -> before.put(key.id(), key));
        }
        harness.run().users().stream().filter(result -> result.newKeyId() != null && result.oldKeyId() != null
                        && before.containsKey(result.oldKeyId()) && !before.containsKey(result.newKeyId()))
                .forEach(result -> {
                    rotations.add(new Rotation(result.user(), result.oldKeyId(), result.newKeyId(),
                            aws.clock().instant()));
                    log.add(aws.clock().instant() + " rotator: " + result.user() + " " + result.oldKeyId() + " -> "
                            + result.newKeyId());
                });
        before.keySet().forEach(id -> {
            boolean gone = aws.iam().accessKey(id).map(key -> !key.active()).orElse(true);
            if (gone && before.get(id).active() && !retired.containsKey(id)) {
                retired.put(id, aws.clock().instant());
                log.add(aws.clock().instant() + " rotator: retired " + id);
            }
        });
    }

    /** A job of the machine: a new SDK client per job, credentials from the profile's credential_process. */
    private Job sdkJob(Instant now) throws IOException {
        Files.writeString(clockFile, now.toString());
        ProfileFile profiles = ProfileFile.builder().content(config).type(ProfileFile.Type.CONFIGURATION).build();
        try (ProfileCredentialsProvider credentials = ProfileCredentialsProvider.builder().profileFile(profiles)
                .profileName(CONSUMER).build()) {
            return job(now, CONSUMER, credentials);
        }
    }

    /** The machine that never refreshes: its key sits in a static profile forever. */
    private Job staticJob(Instant now, KeySnapshot key) {
        return job(now, LEGACY, StaticCredentialsProvider.create(AwsBasicCredentials.create(key.id(), key.secret())));
    }

    /** Two signed calls, one per protocol (query and JSON), as any workload makes them. */
    private Job job(Instant now, String consumer, AwsCredentialsProvider credentials) {
        aws.calls().reset();
        try (StsClient sts = LocalAwsClients.configure(StsClient.builder(), aws).credentialsProvider(credentials)
                .build();
             SecretsManagerClient secrets = LocalAwsClients.configure(SecretsManagerClient.builder(), aws)
                     .credentialsProvider(credentials).build()) {
            sts.getCallerIdentity();
            secrets.listSecrets(r -> r.maxResults(1));
            return logged(new Job(now, consumer, signedWith("sts:GetCallerIdentity"), 2, Optional.empty()));
        } catch (RuntimeException e) {
            // A refused key is the service's error; a credential process that fails surfaces as the SDK's own.
            String failure = e instanceof AwsServiceException service
                    ? service.awsErrorDetails().errorCode() : e.getClass().getSimpleName() + ": " + e.getMessage();
            return logged(new Job(now, consumer, signedWith("sts:GetCallerIdentity"), 2, Optional.of(failure)));
        }
    }

    /** The AWS CLI as a cron job would run it, with the recipe's config file and nothing else. */
    private Job cliJob(Instant now) throws IOException, InterruptedException {
        Files.writeString(clockFile, now.toString());
        aws.calls().reset();
        ProcessBuilder cli = new ProcessBuilder("aws", "sts", "get-caller-identity", "--profile", CONSUMER,
                "--endpoint-url", aws.endpoint().toString(), "--output", "json");
        cli.environment().put("AWS_CONFIG_FILE", config.toString());
        cli.environment().put("AWS_SHARED_CREDENTIALS_FILE", tmp.resolve("no-credentials-file").toString());
        cli.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        cli.environment().remove("AWS_ACCESS_KEY_ID");
        cli.environment().remove("AWS_SECRET_ACCESS_KEY");
        cli.environment().remove("AWS_PROFILE");
        cli.redirectErrorStream(true);
        Process process = cli.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the CLI finished");
        Optional<String> failure = process.exitValue() == 0 ? Optional.empty()
                : Optional.of("exit " + process.exitValue() + ": " + output.strip());
        return logged(new Job(now, CONSUMER, signedWith("sts:GetCallerIdentity"), 1, failure));
    }

    private Job logged(Job job) {
        log.add(job.at() + " job " + job.consumer() + " key " + job.keyId().orElse("-") + " "
                + job.failure().map(f -> "FAILED " + f).orElse("ok (" + job.calls() + " signed calls)"));
        return job;
    }

    private Optional<String> signedWith(String call) {
        return aws.calls().all().stream().filter(c -> c.key().equals(call)).findFirst()
                .flatMap(c -> c.signingKeyId());
    }

    // ---- the checks --------------------------------------------------------------------------------------------

    /**
     * For each rotation: the workload used the new key before the old one was retired, and never the old key from
     * the moment it was retired.
     */
    private void assertEachOldKeyRetiredOnlyAfterTheWorkloadSwitched(List<Rotation> userRotations, List<Job> jobs) {
        for (Rotation rotation : userRotations) {
            Instant switched = jobs.stream().filter(job -> job.keyId().equals(Optional.of(rotation.newKeyId())))
                    .map(Job::at).findFirst().orElseThrow(() -> new AssertionError("never used " + rotation));
            Instant retiredAt = retired.get(rotation.oldKeyId());
            assertTrue(retiredAt != null, "old key retired: " + rotation);
            assertTrue(switched.isBefore(retiredAt), rotation + ": switched at " + switched + ", retired at "
                    + retiredAt);
            assertTrue(jobs.stream().noneMatch(job -> job.keyId().equals(Optional.of(rotation.oldKeyId()))
                    && !job.at().isBefore(retiredAt)), "no use of " + rotation.oldKeyId() + " after retirement");
        }
    }

    /** One line per key: when it was created, first and last used by the workload, and retired. */
    private void summarize(String run, List<Job> jobs) {
        long calls = jobs.stream().filter(job -> job.consumer().equals(CONSUMER)).mapToInt(Job::calls).sum();
        long failed = jobs.stream().filter(job -> job.consumer().equals(CONSUMER) && !job.ok()).count();
        System.out.println("[" + run + "] summary: " + CONSUMER + " " + jobs.stream()
                .filter(job -> job.consumer().equals(CONSUMER)).count() + " jobs, " + calls + " signed calls, "
                + failed + " failed; " + rotations.stream().filter(r -> r.user().equals(CONSUMER)).count()
                + " rotations");
        for (Rotation rotation : rotations) {
            List<Instant> used = jobs.stream().filter(job -> job.keyId().equals(Optional.of(rotation.oldKeyId())))
                    .map(Job::at).toList();
            Instant switched = jobs.stream().filter(job -> job.keyId().equals(Optional.of(rotation.newKeyId())))
                    .map(Job::at).findFirst().orElse(null);
            System.out.println("[" + run + "] " + rotation.user() + ": " + rotation.oldKeyId() + " rotated "
                    + rotation.at() + ", last used " + (used.isEmpty() ? "-" : used.get(used.size() - 1))
                    + ", workload on " + rotation.newKeyId() + " from " + switched + ", old key retired "
                    + retired.get(rotation.oldKeyId()));
        }
    }

    private static Optional<String> awsCliVersion() {
        try {
            Process process = new ProcessBuilder("aws", "--version").redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0
                    ? Optional.of(output.split("\\s+")[0]) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
