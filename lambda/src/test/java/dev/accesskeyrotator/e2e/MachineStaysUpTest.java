package dev.accesskeyrotator.e2e;

import dev.accesskeyrotator.cli.SimulatedClockCredentials;
import dev.accesskeyrotator.localaws.IamEmulator.KeySnapshot;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A machine whose AWS CLI gets its key from {@code credential_process = ... credentials} keeps working when reading
 * the secret is refused, with AWS's own AccessDeniedException or with a 403 that carries no AWS error code (a proxy,
 * an emulator): each job succeeds with the cached key, and {@code credentials status} reports the failing checks
 * with a non-zero exit code a monitor can alert on.
 *
 * <p>Tagged {@code slow} (left out of the default build, run by {@code -Pslow}): each job starts the real AWS CLI
 * and a JVM for its credential process.
 */
@Tag("slow")
class MachineStaysUpTest {
    private static final Instant START = Instant.parse("2099-01-01T00:00:00Z");
    private static final String USER = "ci-bot";
    private static final String SECRET = "access-key-rotation/" + USER;

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension(START);

    @TempDir
    Path tmp;

    private LocalAws aws;
    private RotatorHarness harness;
    private Path clockFile;
    private Path cache;
    private Path config;

    @BeforeEach
    void setUp() {
        aws = endpoint.aws();
        harness = new RotatorHarness(aws);
        harness.parameter("max-key-age-days", "2");
        clockFile = tmp.resolve("now");
        cache = tmp.resolve("aws").resolve("access-key-rotator").resolve(USER + ".json");
        config = tmp.resolve("aws").resolve("config");
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aRefusedSecretReadKeepsTheJobsRunningOnTheCachedKey(boolean withAwsErrorCode) throws Exception {
        Assumptions.assumeTrue(awsCli(List.of("--version")).exit() == 0, "the AWS CLI is installed");
        KeySnapshot key = setUpAfterARotation();
        if (withAwsErrorCode) {
            aws.faults().on("secretsmanager", "GetSecretValue").error(400, "AccessDeniedException",
                    "User is not authorized to perform: secretsmanager:GetSecretValue");
        } else {
            aws.faults().on("secretsmanager", "GetSecretValue").notAwsReply(403, "text/html",
                    "<html><body><h1>403 Forbidden</h1></body></html>");
        }

        // Past the refresh interval: the first job's credential process checks the secret and is refused.
        Instant now = START.plus(Duration.ofMinutes(61));
        for (int job = 0; job < 3; job++) {
            aws.calls().reset();
            CliRun cli = cliJob(now);
            assertEquals(0, cli.exit(), cli.output());
            assertTrue(cli.output().contains("\"Arn\""), cli.output());
            assertEquals(List.of(key.id()), aws.calls().all().stream()
                    .filter(c -> c.key().equals("sts:GetCallerIdentity"))
                    .map(c -> c.signingKeyId().orElse("-")).toList(), "the job signed with the cached key");
            now = now.plus(Duration.ofSeconds(30));
        }

        Status status = status(now);
        assertEquals(10, status.code(), status.out());
        String expected = withAwsErrorCode ? "(refused: AccessDeniedException: User is not authorized"
                : "(refused: HTTP403: a reply with HTTP status 403";
        assertTrue(status.out().contains(expected), status.out());
        assertTrue(status.out().contains("checks failing since " + START.plus(Duration.ofMinutes(61)) + ": 1 failed"
                + " check,"), "the two later jobs waited for the back-off: " + status.out());
    }

    /** The user's key rotated once, the machine set up from the secret's value, the AWS CLI's config written. */
    private KeySnapshot setUpAfterARotation() throws IOException {
        harness.optedInUser(USER);
        harness.key(USER, 3, true);
        aws.clock().set(START);
        harness.run();
        String secretValue = endpoint.secretsManagerClient().getSecretValue(r -> r.secretId(SECRET)).secretString();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = SimulatedClockCredentials.run(List.of("init", "--user", USER, "--stdin", "--cache",
                        cache.toString(), "--region", aws.region().id(), "--endpoint-url", aws.endpoint().toString(),
                        "--refresh-minutes", "60"), Map.of(),
                new ByteArrayInputStream(secretValue.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8),
                aws.clock());
        assertEquals(0, code, out.toString(StandardCharsets.UTF_8));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = String.join(" ", java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), SimulatedClockCredentials.class.getName(),
                clockFile.toString(), "--cache", cache.toString());
        Files.writeString(config, "[profile " + USER + "]\ncredential_process = " + command + "\nregion = "
                + aws.region().id() + "\n");
        String keyId = secretValue.replaceAll(".*\"AccessKeyId\"\\s*:\\s*\"([A-Z0-9]+)\".*", "$1");
        return aws.iam().accessKey(keyId).orElseThrow();
    }

    record CliRun(int exit, String output) { }

    record Status(int code, String out) { }

    private CliRun cliJob(Instant now) throws IOException, InterruptedException {
        Files.writeString(clockFile, now.toString());
        return awsCli(List.of("sts", "get-caller-identity", "--profile", USER, "--endpoint-url",
                aws.endpoint().toString(), "--output", "json"));
    }

    private Status status(Instant now) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = SimulatedClockCredentials.run(List.of("status", "--cache", cache.toString()), Map.of(),
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8), java.time.Clock.fixed(now,
                        java.time.ZoneOffset.UTC));
        return new Status(code, out.toString(StandardCharsets.UTF_8));
    }

    private CliRun awsCli(List<String> args) throws IOException, InterruptedException {
        ProcessBuilder cli = new ProcessBuilder(new java.util.ArrayList<>(List.of("aws")));
        cli.command().addAll(args);
        cli.environment().put("AWS_CONFIG_FILE", config.toString());
        cli.environment().put("AWS_SHARED_CREDENTIALS_FILE", tmp.resolve("no-credentials-file").toString());
        cli.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        cli.environment().remove("AWS_ACCESS_KEY_ID");
        cli.environment().remove("AWS_SECRET_ACCESS_KEY");
        cli.environment().remove("AWS_PROFILE");
        cli.redirectErrorStream(true);
        Process process;
        try {
            process = cli.start();
        } catch (IOException notInstalled) {
            return new CliRun(127, notInstalled.getMessage());
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(90, TimeUnit.SECONDS), "the CLI finished");
        return new CliRun(process.exitValue(), output);
    }
}
