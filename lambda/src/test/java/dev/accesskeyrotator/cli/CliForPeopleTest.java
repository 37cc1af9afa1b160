package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.contract.EnvironmentVariable;
import dev.accesskeyrotator.contract.Parameter;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.MutableClock;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.testing.ClearedSystemProperties;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The command line as a person meets it: each mistake gets one line that names the flag typed and says what to do,
 * with the documented exit code, and standard output carries the report and nothing else. The SDK's shared files
 * are redirected to temporary ones, so the machine's ~/.aws plays no part and nothing goes to the network.
 */
class CliForPeopleTest {
    @RegisterExtension
    final ClearedSystemProperties sdkProperties = new ClearedSystemProperties("aws.sharedCredentialsFile",
            "aws.configFile", "aws.accessKeyId", "aws.secretAccessKey", "aws.region", "aws.disableEc2Metadata");

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    @BeforeEach
    void isolateSdkFiles() throws IOException {
        System.setProperty("aws.configFile", Files.writeString(tmp.resolve("config"), """
                [profile nocreds]
                region = us-east-1

                [profile dev-sso]
                sso_session = corp
                sso_account_id = 123456789012
                sso_role_name = Admin
                region = eu-west-1

                [sso-session corp]
                sso_start_url = https://cli-for-people-test-%d.awsapps.com/start
                sso_region = eu-west-1
                sso_registration_scopes = sso:account:access
                """.formatted(System.nanoTime())).toString());
        System.setProperty("aws.sharedCredentialsFile", tmp.resolve("credentials-absent").toString());
        // No instance metadata lookups: a test machine may or may not be on EC2.
        System.setProperty("aws.disableEc2Metadata", "true");
    }

    static Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(List.of(args), Map.of(), o, e);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aRunWithoutTopicNamesTheFlagNotAnEnvironmentVariable() {
        Result result = cli("run", "--region", "us-east-1");

        assertEquals(2, result.code());
        assertEquals("error: --topic-arn is required unless --dry-run\n", result.err());
        assertEquals("", result.out());
    }

    @Test
    void anOutOfRangeConcurrencyNamesTheFlag() {
        Result result = cli("run", "--dry-run", "--region", "us-east-1", "--max-concurrency", "99");

        assertEquals(2, result.code());
        assertEquals("error: Invalid value for option '--max-concurrency': '99'; allowed: an integer from 1 to "
                + EnvironmentVariable.MAX_MAX_CONCURRENCY + " (see access-key-rotator run --help)\n", result.err());
        assertEquals("", result.out());
    }

    @Test
    void anUnknownOptionIsOneLineWithExitTwo() {
        Result result = cli("run", "--bogus");

        assertEquals(2, result.code());
        assertEquals("error: unknown option or argument --bogus (see access-key-rotator run --help)\n",
                result.err());
        assertEquals("", result.out());
    }

    @Test
    void fetchWithoutARegionIsOneLineWithExitTwo() throws IOException {
        assumeTrue(System.getenv("AWS_REGION") == null && System.getenv("AWS_DEFAULT_REGION") == null,
                "the environment names a region");
        Path credentials = Files.writeString(tmp.resolve("credentials"), """
                [default]
                aws_access_key_id = AKIAEXAMPLEEXAMPLE00
                aws_secret_access_key = not-a-secret
                """);

        Result result = cli("fetch", "--user", "alice", "--credentials-file", credentials.toString());

        assertEquals(2, result.code());
        assertEquals("error: no AWS region: pass --region or set region in profile 'default' (--profile)\n",
                result.err());
        assertEquals("", result.out());
    }

    @Test
    void withoutCredentialsOneLineSaysHowToSignInOnce() {
        Result result = cli("run", "--dry-run", "--profile", "nocreds");

        assertEquals(3, result.code());
        assertEquals(1, result.errLines().size(), result.err());
        assertTrue(result.err().startsWith("credentials error: no usable AWS credentials in profile 'nocreds': "),
                result.err());
        assertTrue(result.err().endsWith("; sign in (aws sso login --profile nocreds) or check the profile\n"),
                result.err());
        assertFalse(result.err().contains("no AWS region"), result.err());
        assertEquals("", result.out());
    }

    @Test
    void fetchWithoutCredentialsIsOneLine() throws IOException {
        Path credentials = Files.writeString(tmp.resolve("credentials"), "[default]\nregion = us-east-1\n");

        Result result = cli("fetch", "--user", "alice", "--credentials-file", credentials.toString());

        assertEquals(3, result.code());
        assertEquals("error: cannot reach AWS or find credentials: Profile file contained no credentials for profile"
                + " 'default'; check the network and --region, or sign in to the profile that reads the secret\n",
                result.err());
        assertEquals("", result.out());
    }

    @Test
    void anSsoProfileResolvesItsRegionAndFailsCleanlyAtTheTokenLookup() {
        long start = System.nanoTime();
        Result result = cli("run", "--dry-run", "--profile", "dev-sso");

        assertEquals(3, result.code());
        assertEquals(1, result.errLines().size(), result.err());
        // Not "the 'sso' service module must be on the class path": the SDK got as far as looking for a sign-in.
        assertTrue(result.err().startsWith("credentials error: no usable AWS credentials in profile 'dev-sso': "
                + "The SSO session associated with this profile has expired or is otherwise invalid"), result.err());
        assertTrue(result.err().contains("(aws sso login --profile dev-sso)"), result.err());
        assertEquals("", result.out());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10, "no network wait");
    }

    @Test
    void anUnreachableEndpointFailsWithinSecondsInOneLine() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
        long start = System.nanoTime();

        Result result = cli("run", "--dry-run", "--region", "us-east-1", "--endpoint-url",
                "http://127.0.0.1:" + closedPort);

        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 8, "took too long");
        assertEquals(3, result.code());
        assertEquals("cannot connect to AWS (connection refused at GetParametersByPath); check the network,"
                + " --endpoint-url and --region\n", result.err());
        assertEquals("", result.out());

        Result debug = cli("run", "--dry-run", "--debug", "--region", "us-east-1", "--endpoint-url",
                "http://127.0.0.1:" + closedPort);
        assertTrue(debug.err().contains("\tat "), "--debug shows where it failed");
    }

    @Test
    void helpDocumentsTheExitCodes() {
        Result result = cli("--help");

        assertEquals(0, result.code());
        String help = result.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("Exit codes of run, status and fetch: 0 done 1 at least one user failed"), help);
        assertTrue(help.contains("3 credentials or AWS error"), help);
        assertTrue(help.contains("4 no user failed but at least one is blocked"), help);
        assertTrue(help.contains("70 internal error"), help);
    }

    // ---- on the local endpoint ----------------------------------------------------------------------------------

    /** An endpoint on the system clock: the CLI computes key ages with the real one. */
    private static LocalAws endpoint() {
        return LocalAws.start(new MutableClock(Instant.now()));
    }

    private Result runOn(LocalAws aws, String... more) {
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
        List<String> args = new ArrayList<>(List.of("run", "--dry-run", "--endpoint-url", aws.endpoint().toString(),
                "--region", aws.region().id(), "--kms-key-id", RotatorHarness.KMS_KEY));
        args.addAll(List.of(more));
        return cli(args.toArray(String[]::new));
    }

    @Test
    void aBlockedUserExitsFourAndStandardOutputIsOnlyTheReport() {
        try (LocalAws aws = endpoint(); RotatorHarness harness = new RotatorHarness(aws)) {
            harness.optedInUser("old-ci");
            harness.key("old-ci", 200, false);
            harness.key("old-ci", 100, true);
            harness.optedInUser("fresh");
            harness.key("fresh", 10, true);

            Result result = runOn(aws);

            assertEquals(ExitCode.USERS_BLOCKED.code(), result.code(), result.err());
            assertTrue(result.out().startsWith("DRY RUN: nothing was changed\n"), result.out());
            assertTrue(result.out().lines().anyMatch(l -> l.startsWith("old-ci") && l.contains("blocked")),
                    result.out());
            assertFalse(result.err().contains("{"), "no JSON on stderr by default: " + result.err());
            assertFalse(result.err().contains("old-ci"), "the report is not repeated on stderr: " + result.err());
        }
    }

    @Test
    void anOptInTagThatMatchesNoUserIsWarnedAbout() {
        try (LocalAws aws = endpoint(); RotatorHarness harness = new RotatorHarness(aws)) {
            harness.otherUser("legacy-admin");
            harness.key("legacy-admin", 400, true);

            Result result = runOn(aws);

            assertEquals(0, result.code(), result.err());
            assertTrue(result.errLines().contains("warning: no IAM user carries the opt-in tag; check the "
                    + Parameter.USER_TAG.parameterName() + " parameter and the users' tags (userTag "
                    + RotatorHarness.OPT_IN_TAG + ")"), result.err());
        }
    }

    @Test
    void jsonLogsOnlyWhenAskedAndALongRunShowsProgress() throws IOException {
        try (LocalAws aws = endpoint(); RotatorHarness harness = new RotatorHarness(aws)) {
            for (int i = 0; i < 250; i++) {
                String user = String.format("user-%03d", i);
                harness.optedInUser(user);
                harness.key(user, 100, true);
            }

            Result human = runOn(aws);
            assertEquals(0, human.code(), human.err());
            assertEquals(List.of("progress: 200 of 250 users", "progress: 250 of 250 users"),
                    human.errLines().stream().filter(l -> l.startsWith("progress")).toList());
            assertFalse(human.err().contains("{"), human.err());

            Result json = runOn(aws, "--log-format", "json");
            assertEquals(0, json.code(), json.err());
            assertFalse(json.errLines().isEmpty());
            for (String line : json.errLines()) {
                JsonLog.mapper().readTree(line);
            }
            assertEquals(human.out().lines().count(), json.out().lines().count());
        }
    }
}
