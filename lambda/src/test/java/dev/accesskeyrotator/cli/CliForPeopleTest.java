package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.contract.EnvironmentVariable;
import dev.accesskeyrotator.contract.Parameter;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.MutableClock;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.testing.ClearedSystemProperties;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
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

    /**
     * An endpoint that accepts the connection and never answers (a black-holing proxy, a stopped emulator): the call
     * is cut by the CLI's own timeouts, and the person reads one line with the AWS exit code. Slow by nature (the
     * per-call timeout is the point), so one command only, and tagged {@code slow}: it waits the whole production
     * call time limit ({@code AwsClients.CALL_TIMEOUT}), so the default build leaves it to {@code -Pslow}.
     */
    @Test
    @Tag("slow")
    void aHangingEndpointIsCutByTheTimeoutsAndIsOneLine() throws IOException {
        try (ServerSocket hanging = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            System.setProperty("aws.accessKeyId", "test");
            System.setProperty("aws.secretAccessKey", "test");
            long start = System.nanoTime();

            Result result = cli("run", "--dry-run", "--region", "us-east-1", "--endpoint-url",
                    "http://127.0.0.1:" + hanging.getLocalPort());

            long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
            assertTrue(seconds < 40, "the call timeout cuts it: " + seconds + " s");
            assertEquals(ExitCode.AWS.code(), result.code(), result.err());
            assertEquals("no answer from AWS within the call's time limit (at GetParametersByPath); check the network,"
                    + " --endpoint-url and --region\n", result.err());
            assertFalse(result.err().contains("Exception") || result.err().contains("\tat "), result.err());
            assertEquals("", result.out());
        }
    }

    @Test
    void helpDocumentsTheExitCodes() {
        Result result = cli("--help");

        assertEquals(0, result.code());
        String help = result.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("Exit codes of run, status, fetch and rotate: 0 done 1 at least one user failed"), help);
        assertTrue(help.contains("3 credentials or AWS error"), help);
        assertTrue(help.contains("4 no user failed but at least one is blocked"), help);
        assertTrue(help.contains("70 internal error"), help);
    }

    @Test
    void runHelpNamesTheEnvironmentVariableEachSettingsFlagDefaultsFrom() {
        String help = cli("run", "--help").out().replaceAll("\\s+", " ");
        CliAws.SETTING_FLAGS.forEach((variable, flag) -> {
            int at = help.indexOf(" " + flag + "=");
            assertTrue(at >= 0, flag + " in " + help);
            String entry = help.substring(at, Math.min(help.length(), at + 260));
            assertTrue(entry.contains("Env: " + variable.name() + "."), flag + ": " + entry);
        });
    }

    // ---- every option, every mistake: one line, a documented code, no stack trace ------------------------------

    /** A command line with one bad value, and the flag its one line must name. */
    record BadValue(String flag, List<String> args) { }

    static List<BadValue> badValues() {
        List<BadValue> cases = new ArrayList<>();
        // The options every AWS-calling command shares.
        for (String command : List.of("run --dry-run", "status", "fetch --user alice", "credentials init --user a --stdin")) {
            List<String> base = List.of(command.split(" "));
            cases.add(bad(base, "--region", "eu west"));
            cases.add(bad(base, "--endpoint-url", "not-a-url"));
            cases.add(bad(base, "--endpoint-url", "ftp://host"));
            cases.add(bad(base, "--endpoint-url", "http://"));
            cases.add(bad(base, "--secret-prefix", "has space/"));
        }
        for (String command : List.of("run --dry-run", "status")) {
            List<String> base = List.of(command.split(" "));
            cases.add(bad(base, "--profile", "two words"));
            cases.add(bad(base, "--parameter-prefix", "no-slashes"));
            cases.add(bad(base, "--kms-key-id", "not-an-arn"));
        }
        List<String> run = List.of("run", "--dry-run");
        cases.add(bad(run, "--output", "xml"));
        cases.add(bad(run, "--log-format", "yaml"));
        cases.add(bad(run, "--max-concurrency", "0"));
        cases.add(bad(run, "--max-concurrency", "many"));
        cases.add(bad(run, "--max-concurrency", "99999999999"));
        cases.add(bad(run, "--topic-arn", "not-an-arn"));
        cases.add(bad(run, "--topic-arn", "arn:aws:sns:us-east-1:123:short-account"));
        cases.add(bad(run, "--function-role-arn", "arn:aws:iam::1:user/x"));
        cases.add(bad(run, "--break-glass-principal-arn", "*"));
        cases.add(bad(run, "--opt-in-tag", "aws:reserved=1"));
        cases.add(bad(List.of("status"), "--output", "xml"));
        List<String> rotate = List.of("rotate", "--dry-run", "--reason", "leaked", "--user", "alice");
        cases.add(bad(rotate, "--output", "xml"));
        cases.add(bad(rotate, "--max-concurrency", "0"));
        cases.add(bad(rotate, "--topic-arn", "not-an-arn"));
        cases.add(bad(List.of("rotate", "--dry-run", "--reason", "leaked"), "--user", "alice smith"));
        cases.add(bad(List.of("fetch", "--user", "alice"), "--profile", "[prod]"));
        cases.add(bad(List.of("fetch", "--user", "alice"), "--source-profile", "a b"));
        cases.add(bad(List.of("fetch"), "--user", "alice smith"));
        cases.add(bad(List.of("fetch", "--user", "alice"), "--credentials-file", "nul\u0000byte"));
        for (List<String> credentials : List.of(List.of("credentials"), List.of("credentials", "status"))) {
            cases.add(bad(credentials, "--user", "a/b"));
            cases.add(bad(credentials, "--cache", "nul\u0000byte"));
        }
        List<String> init = List.of("credentials", "init", "--stdin");
        cases.add(bad(init, "--user", ""));
        cases.add(bad(List.of("credentials", "init", "--user", "a", "--stdin"), "--refresh-minutes", "0"));
        cases.add(bad(List.of("credentials", "init", "--user", "a", "--stdin"), "--refresh-minutes", "1441"));
        cases.add(bad(List.of("credentials", "init", "--user", "a", "--stdin"), "--refresh-minutes", "an hour"));
        cases.add(bad(List.of("credentials", "init", "--user", "a", "--stdin"), "--cache", "nul\u0000byte"));
        cases.add(bad(List.of("credentials", "init", "--user", "a"), "--from-profile", "a b"));
        return cases;
    }

    private static BadValue bad(List<String> base, String flag, String value) {
        List<String> args = new ArrayList<>(base);
        args.add(flag);
        args.add(value);
        return new BadValue(flag, args);
    }

    @Test
    void everyOptionsBadValueIsOneLineNamingTheFlagWithExitTwo() {
        assumeTrue(System.getenv("AWS_REGION") == null, "the environment names a region");
        List<String> problems = new ArrayList<>();
        List<BadValue> cases = badValues();
        for (BadValue bad : cases) {
            Result result = cli(bad.args().toArray(String[]::new));
            String what = String.join(" ", bad.args()) + " -> exit " + result.code() + ": " + result.err();
            if (result.code() != ExitCode.USAGE.code() || result.errLines().size() != 1 || !result.out().isEmpty()
                    || result.err().contains("Exception") || result.err().contains("\tat ")
                    || !result.err().startsWith("error: ") || !result.err().contains(bad.flag())) {
                problems.add(what);
            }
        }
        assertTrue(problems.isEmpty(), problems.size() + " of " + cases.size() + ":\n" + String.join("\n", problems));
        assertTrue(cases.size() > 50, "every command's options: " + cases.size());
    }

    @Test
    void everyMissingRequiredOptionIsNamedAtOnce() {
        Map<List<String>, String> expected = Map.of(
                List.of("fetch"), "error: missing required option: --user=NAME (see access-key-rotator fetch --help)",
                List.of("rotate"), "error: missing required options: --user=NAME, --reason=TEXT (see"
                        + " access-key-rotator rotate --help)",
                List.of("credentials", "init"), "error: missing required options: --user=NAME, one of"
                        + " (--from-profile=PROFILE | --stdin) (see access-key-rotator credentials init --help)",
                List.of("credentials", "init", "--user", "a"), "error: missing required option: one of"
                        + " (--from-profile=PROFILE | --stdin) (see access-key-rotator credentials init --help)",
                List.of("credentials", "init", "--stdin"), "error: missing required option: --user=NAME (see"
                        + " access-key-rotator credentials init --help)",
                List.of("credentials", "init", "--user", "a", "--stdin", "--from-profile", "p"), "error:"
                        + " --from-profile=PROFILE, --stdin are mutually exclusive (specify only one) (see"
                        + " access-key-rotator credentials init --help)",
                List.of("credentials"), "error: --user NAME or --cache PATH is required (see access-key-rotator"
                        + " credentials --help)",
                List.of("credentials", "status"), "error: --user NAME or --cache PATH is required (see"
                        + " access-key-rotator credentials status --help)",
                List.of(), "error: Missing required subcommand (see access-key-rotator --help)");
        expected.forEach((args, line) -> {
            Result result = cli(args.toArray(String[]::new));
            assertEquals(ExitCode.USAGE.code(), result.code(), args + ": " + result.err());
            assertEquals(line + "\n", result.err(), args.toString());
            assertEquals("", result.out());
        });
    }

    @Test
    void anUnknownProfileIsNamedWithTheFilesRead() {
        for (List<String> args : List.of(List.of("run", "--dry-run", "--profile", "nosuch"),
                List.of("status", "--profile", "nosuch"),
                List.of("fetch", "--user", "alice", "--source-profile", "nosuch", "--credentials-file",
                        tmp.resolve("credentials-absent").toString()))) {
            Result result = cli(args.toArray(String[]::new));

            assertEquals(ExitCode.USAGE.code(), result.code(), args + ": " + result.err());
            assertEquals("error: no such profile 'nosuch' in " + tmp.resolve("config") + " and "
                    + tmp.resolve("credentials-absent") + "; aws configure list-profiles shows the ones there are\n",
                    result.err(), args.toString());
        }
    }

    @Test
    void aReplyWithoutAnAwsErrorCodeSaysSoInOneLine() {
        try (LocalAws aws = endpoint()) {
            aws.faults().on("ssm", "GetParametersByPath").notAwsReply(403, "text/html",
                    "<html><body>Access denied by the corporate proxy</body></html>");

            Result result = runOn(aws);

            assertEquals(ExitCode.AWS.code(), result.code(), result.err());
            assertEquals("AWS error: GetParametersByPath failed: HTTP403: a reply with HTTP status 403 and no AWS"
                    + " error code (a proxy or a service other than AWS answered); your identity lacks this"
                    + " permission (docs/operations.md lists what each command needs)\n", result.err());
            assertFalse(result.err().contains("null"), result.err());
        }
    }

    @Test
    void anInternalErrorIsOneLineNamingTheVersionAndDebug() {
        // A clock that fails is no mistake of the person's: the one line says so and where to look.
        java.time.Clock broken = new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                throw new IllegalStateException("clock unavailable");
            }
        };
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (LocalAws aws = endpoint()) {
            code = Main.run(List.of("run", "--dry-run", "--region", aws.region().id(), "--endpoint-url",
                            aws.endpoint().toString(), "--kms-key-id", RotatorHarness.KMS_KEY), Map.of(),
                    new java.io.ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream(), true),
                    new PrintStream(err, true, StandardCharsets.UTF_8), broken);
        }
        String printed = err.toString(StandardCharsets.UTF_8);
        assertEquals(ExitCode.INTERNAL.code(), code, printed);
        assertEquals(1, printed.lines().count(), printed);
        assertTrue(printed.startsWith("internal error in access-key-rotator " + Main.version()
                + ": IllegalStateException: clock unavailable; run again with --debug"), printed);
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
            List<String> progress = human.errLines().stream().filter(l -> l.startsWith("progress")).toList();
            assertTrue(progress.get(0).startsWith("progress: 1 of 250 users after "), progress.toString());
            assertTrue(progress.get(progress.size() - 1).startsWith("progress: 250 of 250 users after "),
                    progress.toString());
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
