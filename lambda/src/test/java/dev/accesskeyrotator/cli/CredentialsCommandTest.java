package dev.accesskeyrotator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.localaws.IamEmulator.KeySnapshot;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.SecretTags;
import dev.accesskeyrotator.service.SecretDocument;
import dev.accesskeyrotator.testing.ClearedSystemProperties;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code credentials} as a credential_process, in-process against the local endpoint with the endpoint's clock: the
 * cached key is served without a call to AWS, a stale cache is checked with the key it holds and follows the
 * rotation, and each way it can go wrong is one line on stderr with its own exit code and never a secret.
 */
class CredentialsCommandTest {
    private static final String USER = "ci-bot";
    private static final String SECRET = RotatorHarness.SECRET_PREFIX + USER;
    /** Secret-shaped text planted where a careless message would quote it. */
    private static final String PLANTED = "pLaNtEdSeCrEt/K7MDENG/bPxRfiCYEXAMPLEKEY";

    @RegisterExtension
    final ClearedSystemProperties sdkProperties = new ClearedSystemProperties("aws.sharedCredentialsFile",
            "aws.configFile", "aws.region");

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();

    @TempDir
    Path tmp;

    private LocalAws aws;
    private RotatorHarness harness;
    private Path cache;

    record Result(int code, String out, String err) {
        String printed() {
            return out + err;
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        // The machine's own ~/.aws never plays a part.
        System.setProperty("aws.configFile", Files.writeString(tmp.resolve("sdk-config"), "").toString());
        System.setProperty("aws.sharedCredentialsFile", tmp.resolve("sdk-credentials-absent").toString());
        aws = endpoint.aws();
        harness = new RotatorHarness(aws);
        // The old key stays active for two days after a rotation: what a consumer needs to switch by itself.
        harness.parameter("grace-days", "2");
        harness.parameter("max-key-age-days", "30");
        harness.optedInUser(USER);
        aws.calls().reset();
        cache = tmp.resolve("home").resolve(".aws").resolve("access-key-rotator").resolve(USER + ".json");
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    // ---------------------------------------------------------------- serving and refreshing

    @Test
    void aFreshCacheIsServedWithoutAnyCallAndExpiresAtTheNextCheck() throws Exception {
        KeySnapshot key = harness.key(USER, 10, true);
        assertEquals(0, initFromStdin(key).code());
        Instant setUpAt = aws.clock().instant();
        aws.calls().reset();
        aws.clock().advance(Duration.ofMinutes(30));

        Result served = credentials("--cache", cache.toString());

        assertEquals(0, served.code(), served.printed());
        assertEquals("", served.err());
        assertPayload(served.out(), key.id(), key.secret(), setUpAt.plus(Duration.ofMinutes(60)));
        assertEquals(List.of(), aws.calls().all(), "the cached path asks AWS nothing");
    }

    @Test
    void aStaleCacheReadsTheSecretWithTheKeyItHoldsAndSwitchesToTheRotatedKey() throws Exception {
        KeySnapshot oldKey = harness.key(USER, 29, true);
        assertEquals(0, initFromStdin(oldKey).code());
        harness.advanceDays(1);
        harness.run();
        KeySnapshot newKey = storedKey();
        assertFalse(newKey.id().equals(oldKey.id()), "rotated");
        aws.calls().reset();

        Result served = credentials("--cache", cache.toString());

        assertEquals(0, served.code(), served.printed());
        assertEquals("", served.err());
        Instant now = aws.clock().instant();
        assertPayload(served.out(), newKey.id(), newKey.secret(), now.plus(Duration.ofMinutes(60)));
        assertEquals(List.of(oldKey.id()), secretReadsSignedWith(), "one read, signed with the cached (old) key");
        CredentialsCache written = CredentialsCache.read(cache);
        assertEquals(newKey.id(), written.key().accessKeyId());
        assertEquals(now, written.checkedAt());
        assertEquals("rw-------", mode(cache));

        aws.calls().reset();
        Result again = credentials("--user", USER, "--cache", cache.toString());
        assertPayload(again.out(), newKey.id(), newKey.secret(), now.plus(Duration.ofMinutes(60)));
        assertEquals(List.of(), aws.calls().all(), "fresh again: no call");
    }

    @Test
    void anUnchangedSecretOnlyMovesTheNextCheck() throws Exception {
        KeySnapshot oldKey = harness.key(USER, 29, true);
        harness.advanceDays(1);
        harness.run();
        KeySnapshot current = storedKey();
        assertEquals(0, initFromStdin(oldKey).code(), "set up with the old key, which reads the rotated secret");
        assertEquals(current.id(), CredentialsCache.read(cache).key().accessKeyId(), "init takes the newer key");
        aws.clock().advance(Duration.ofMinutes(61));
        aws.calls().reset();

        Result served = credentials("--cache", cache.toString());

        assertPayload(served.out(), current.id(), current.secret(), aws.clock().instant().plus(Duration.ofMinutes(60)));
        assertEquals(List.of(current.id()), secretReadsSignedWith());
        assertEquals(aws.clock().instant(), CredentialsCache.read(cache).checkedAt());
    }

    @Test
    void aFailingEndpointIsAskedOncePerRefreshIntervalOnceBackedOffAndStatusReportsIt() throws Exception {
        KeySnapshot key = harness.key(USER, 10, true);
        assertEquals(0, initFromStdin(key).code());
        // A gateway in front of AWS answers every Secrets Manager call with its own page (the SDK retries a 502).
        aws.faults().on("secretsmanager", "*").notAwsReply(502, "text/html", "<html>Bad Gateway</html>");
        aws.clock().advance(Duration.ofMinutes(60));
        Instant start = aws.clock().instant();

        // An SDK that asks every 5 minutes for 8 hours: 96 calls.
        List<Instant> checks = new ArrayList<>();
        for (int call = 0; call < 96; call++) {
            aws.calls().reset();
            Result served = credentials("--cache", cache.toString());
            assertEquals(0, served.code(), served.printed());
            assertTrue(served.out().contains("\"AccessKeyId\":\"" + key.id() + "\""), "the cached key");
            if (aws.calls().all().stream().anyMatch(c -> c.service().equals("secretsmanager"))) {
                checks.add(aws.clock().instant());
                assertEquals(1, served.err().lines().count(), served.err());
                assertTrue(served.err().startsWith("warning: cannot read secret " + SECRET + " (HTTP502: a reply"
                        + " with HTTP status 502 and no AWS error message"), served.err());
            } else {
                assertEquals("", served.err(), "between checks the cached key is served silently");
            }
            aws.clock().advance(Duration.ofMinutes(5));
        }

        System.out.println("[backoff] " + checks.size() + " checks in 96 calls over 8 hours, at minutes "
                + checks.stream().map(t -> Duration.between(start, t).toMinutes()).toList());
        assertTrue(checks.size() <= 12, "checks: " + checks);
        for (int i = checks.size() - 5; i < checks.size(); i++) {
            assertTrue(Duration.between(checks.get(i - 1), checks.get(i)).toMinutes() >= 60,
                    "backed off to the refresh interval: " + checks);
        }

        Result status = credentials("status", "--cache", cache.toString());
        assertEquals(ExitCode.CHECKS_FAILING.code(), status.code(), status.printed());
        assertTrue(status.out().contains("checks failing since " + start + ": " + checks.size()
                + " failed checks in a row"), status.out());
        assertTrue(status.out().contains("(refused: HTTP502: a reply with HTTP status 502"), status.out());

        aws.faults().clear();
        aws.clock().advance(Duration.ofMinutes(60));
        assertEquals(0, credentials("--cache", cache.toString()).code());
        Result recovered = credentials("status", "--cache", cache.toString());
        assertEquals(0, recovered.code(), recovered.printed());
        assertFalse(recovered.out().contains("failing"), recovered.out());
    }

    @Test
    void aCacheOthersMayReadIsRefusedWithTheReason() throws Exception {
        KeySnapshot key = harness.key(USER, 29, true);
        assertEquals(0, initFromStdin(key).code());
        for (String loosened : List.of("rw-r-----", "rw----r--")) {
            Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString(loosened));

            Result served = credentials("--cache", cache.toString());

            assertEquals(ExitCode.CORRUPT_CACHE.code(), served.code(), served.printed());
            assertEquals("", served.out(), "the key others may have read is not served");
            assertEquals(1, served.err().lines().count(), served.err());
            assertTrue(served.err().contains(cache + " is readable by its group or others (" + loosened + ")"),
                    served.err());
            assertTrue(served.err().contains("chmod 600 " + cache), served.err());
            assertNoSecretIn(served.printed());
        }
    }

    @Test
    void theCacheIsReplacedByRenameAndStaysOwnerOnly() throws Exception {
        KeySnapshot oldKey = harness.key(USER, 29, true);
        assertEquals(0, initFromStdin(oldKey).code());
        String before = Files.readString(cache);
        harness.advanceDays(1);
        harness.run();

        try (FileChannel oldFile = FileChannel.open(cache)) {
            assertEquals(0, credentials("--cache", cache.toString()).code());

            // An in-place write would show through a handle opened before it; a rename leaves the old file whole.
            ByteBuffer buffer = ByteBuffer.allocate(before.length() + 16);
            oldFile.read(buffer, 0);
            assertEquals(before, new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
        }
        assertEquals("rw-------", mode(cache));
        assertEquals("rwx------", mode(cache.getParent()));
        try (Stream<Path> files = Files.list(cache.getParent())) {
            assertEquals(List.of(cache), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void anUnreachableEndpointServesTheCachedKeyWithOneWarningLineOnStderr() throws Exception {
        KeySnapshot key = harness.key(USER, 10, true);
        Instant checked = aws.clock().instant().minus(Duration.ofHours(3));
        new CredentialsCache(USER, held(key), SECRET, aws.region().id(), Optional.of(deadEndpoint()),
                Duration.ofMinutes(60), checked).write(cache);

        Result served = credentials("--cache", cache.toString());

        assertEquals(0, served.code(), served.printed());
        assertPayload(served.out(), key.id(), key.secret(), aws.clock().instant().plus(CachedCredentials.MIN_VALIDITY));
        List<String> warning = served.err().lines().toList();
        assertEquals(1, warning.size(), served.err());
        assertTrue(warning.get(0).startsWith("warning: cannot reach AWS to check secret " + SECRET
                + " for a new key ("), warning.get(0));
        assertTrue(warning.get(0).contains("serving the cached key " + key.id() + ", last checked " + checked
                + ". If this persists, check the network or proxy to Secrets Manager in us-east-1. Next check at "),
                warning.get(0));
        assertNoSecretIn(served.err());
        assertEquals(checked, CredentialsCache.read(cache).checkedAt(), "not a check: the next call tries again");
    }

    @Test
    void beforeTheFirstRotationTheGivenKeyIsServedAndTheMissingSecretIsAWarning() throws Exception {
        KeySnapshot key = harness.key(USER, 10, true);
        Result init = initFromStdin(key);
        assertEquals(0, init.code(), init.printed());
        assertTrue(init.out().contains("note: there is no secret " + SECRET + " in us-east-1 yet"), init.out());
        aws.clock().advance(Duration.ofMinutes(61));

        Result served = credentials("--cache", cache.toString());

        assertEquals(0, served.code(), served.printed());
        assertPayload(served.out(), key.id(), key.secret(), aws.clock().instant().plus(Duration.ofMinutes(60)));
        assertEquals(1, served.err().lines().count(), served.err());
        assertTrue(served.err().startsWith("warning: there is no secret " + SECRET), served.err());
        assertEquals(aws.clock().instant(), CredentialsCache.read(cache).checkedAt(), "AWS answered: a check");
    }

    @Test
    void aSecretTheRotatorReservedBeforeTheFirstRotationIsNoKeyYetAndTheGivenKeyIsServed() throws Exception {
        // The reminder before a user's first rotation makes the rotator create the user's secret, holding a
        // reservation (its marks and a value, no key) that owners' tools must read as "no key yet", not as foreign.
        harness.parameter("reminder-days", "7");
        KeySnapshot key = harness.key(USER, 25, true);
        harness.run();
        assertTrue(SecretDocument.isReservation(aws.secretsManager().currentValue(SECRET).orElseThrow()));

        Result init = initFromStdin(key);

        assertEquals(0, init.code(), init.printed());
        assertTrue(init.out().contains("note: there is no secret " + SECRET + " in us-east-1 yet"), init.out());
        assertEquals(key.id(), CredentialsCache.read(cache).key().accessKeyId());
        assertNoSecretIn(init.printed());
    }

    // ---------------------------------------------------------------- failures: one line, own exit code

    @Test
    void aMissingCacheSaysHowToSetTheMachineUp() {
        Result served = credentials("--user", USER, "--cache", cache.toString());

        assertEquals(ExitCode.NOT_SET_UP.code(), served.code());
        assertEquals("", served.out());
        assertEquals(List.of("error: no credentials cache at " + cache + "; set this machine up once with: java -jar"
                + " access-key-rotator.jar credentials init --user ci-bot --from-profile PROFILE (or --stdin)"),
                served.err().lines().toList());
    }

    @Test
    void aCorruptCacheIsOneLineThatNeverQuotesTheFile() throws Exception {
        List<String> corrupt = List.of(
                "not json " + PLANTED,
                "{\"Version\":1,\"UserName\":\"ci-bot\",\"AccessKeyId\":\"AKIAX\",\"SecretAccessKey\":\"" + PLANTED,
                "{\"Version\":1,\"UserName\":\"ci-bot\",\"SecretAccessKey\":\"" + PLANTED + "\",\"SecretId\":\"s\","
                        + "\"Region\":\"us-east-1\",\"RefreshMinutes\":60,\"CheckedAt\":\"2026-01-01T00:00:00Z\"}",
                "{\"Version\":2,\"UserName\":\"ci-bot\",\"AccessKeyId\":\"AKIAX\",\"SecretAccessKey\":\"" + PLANTED
                        + "\",\"SecretId\":\"s\",\"Region\":\"us-east-1\",\"RefreshMinutes\":60,"
                        + "\"CheckedAt\":\"2026-01-01T00:00:00Z\"}",
                "{\"Version\":1,\"UserName\":\"ci-bot\",\"AccessKeyId\":\"AKIAX\",\"SecretAccessKey\":\"" + PLANTED
                        + "\",\"SecretId\":\"s\",\"Region\":\"us-east-1\",\"RefreshMinutes\":60,"
                        + "\"CheckedAt\":\"yesterday\"}",
                "{\"Version\":1,\"UserName\":\"ci-bot\",\"AccessKeyId\":\"AKIAX\",\"SecretAccessKey\":\"" + PLANTED
                        + "\",\"SecretId\":\"s\",\"Region\":\"us-east-1\",\"RefreshMinutes\":{\"x\":1},"
                        + "\"CheckedAt\":\"2026-01-01T00:00:00Z\"}",
                "");
        Files.createDirectories(cache.getParent());
        for (String content : corrupt) {
            Files.writeString(cache, content);
            Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rw-------"));

            Result served = credentials("--cache", cache.toString());

            assertEquals(ExitCode.CORRUPT_CACHE.code(), served.code(), content);
            assertEquals("", served.out());
            assertEquals(1, served.err().lines().count(), served.err());
            assertTrue(served.err().startsWith("error: the credentials cache cannot be used: " + cache), served.err());
            assertTrue(served.err().contains("; set it up again with: java -jar access-key-rotator.jar credentials"
                    + " init --user NAME --from-profile PROFILE (or --stdin)"), served.err());
            assertFalse(served.printed().contains(PLANTED), served.printed());
        }
    }

    @Test
    void aCacheOfAnotherUserIsRefused() throws Exception {
        KeySnapshot key = harness.key(USER, 10, true);
        assertEquals(0, initFromStdin(key).code());

        Result served = credentials("--user", "someone-else", "--cache", cache.toString());

        assertEquals(ExitCode.CORRUPT_CACHE.code(), served.code());
        assertEquals("", served.out());
        assertTrue(served.err().startsWith("error: the credentials cache " + cache + " is for IAM user ci-bot, not"
                + " someone-else"), served.err());
    }

    @Test
    void aKeyDisabledBeforeTheMachineSwitchedFailsWithItsOwnCode() throws Exception {
        KeySnapshot oldKey = harness.key(USER, 29, true);
        assertEquals(0, initFromStdin(oldKey).code());
        // No grace: the rotation disables the old key at once, before this machine could look.
        harness.parameter("grace-days", "0");
        harness.advanceDays(1);
        harness.run();

        Result served = credentials("--cache", cache.toString());

        assertEquals(ExitCode.KEY_REFUSED.code(), served.code(), served.printed());
        assertEquals("", served.out(), "nothing for the SDK to use");
        assertEquals(List.of("error: AWS refused the cached key " + oldKey.id() + " of IAM user ci-bot"
                + " (UnrecognizedClientException): it was disabled or deleted before this machine picked up its"
                + " replacement. Set it up again with a working key: java -jar access-key-rotator.jar credentials"
                + " init --user ci-bot --from-profile PROFILE (or --stdin)"), served.err().lines().toList());
    }

    // ---------------------------------------------------------------- init

    @Test
    void initFromAProfileStartsFromTheNewestKeyInTheSecret() throws Exception {
        KeySnapshot oldKey = harness.key(USER, 29, true);
        harness.advanceDays(1);
        harness.run();
        KeySnapshot newKey = storedKey();
        System.setProperty("aws.sharedCredentialsFile", Files.writeString(tmp.resolve("credentials"),
                "[ci]\naws_access_key_id = " + oldKey.id() + "\naws_secret_access_key = " + oldKey.secret()
                        + "\nregion = us-east-1\n").toString());
        aws.calls().reset();

        Result init = credentials("init", "--user", USER, "--from-profile", "ci", "--cache", cache.toString(),
                "--endpoint-url", aws.endpoint().toString(), "--refresh-minutes", "15");

        assertEquals(0, init.code(), init.printed());
        assertEquals(List.of(oldKey.id()), secretReadsSignedWith());
        assertEquals(List.of(
                "Set up credentials for IAM user ci-bot: key " + newKey.id() + " (the newer key from " + SECRET
                        + "), checked for a new key in " + SECRET + " every 15 minutes.",
                "Cache (owner-only): " + cache,
                "Use it in " + System.getProperty("aws.configFile") + " (the JVM flags keep its start-up short):",
                "  [profile ci]",
                "  region = us-east-1",
                "  credential_process = java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar access-key-rotator.jar"
                        + " credentials --cache " + cache,
                "Remove the key from any profile that still holds it in " + tmp.resolve("credentials") + ": keys"
                        + " there take precedence over credential_process."), init.out().lines().toList());
        assertEquals("", init.err());
        CredentialsCache written = CredentialsCache.read(cache);
        assertEquals(newKey.id(), written.key().accessKeyId());
        assertEquals(Duration.ofMinutes(15), written.refreshInterval());
        assertEquals("us-east-1", written.region(), "the profile's region");
        assertEquals("rw-------", mode(cache));
        assertNoSecretIn(init.printed());
    }

    @Test
    void initWithoutTheProfileIsOneLineAndWritesNothing() throws Exception {
        System.setProperty("aws.sharedCredentialsFile", Files.writeString(tmp.resolve("credentials"),
                "[other]\naws_access_key_id = AKIAOTHER00000000000\naws_secret_access_key = " + PLANTED + "\n")
                .toString());

        Result init = credentials("init", "--user", USER, "--from-profile", "ci", "--cache", cache.toString(),
                "--region", "us-east-1", "--endpoint-url", aws.endpoint().toString());

        assertEquals(ExitCode.NO_STARTING_KEY.code(), init.code());
        assertEquals(List.of("error: no profile [ci] with aws_access_key_id and aws_secret_access_key in "
                + tmp.resolve("credentials") + " or " + tmp.resolve("sdk-config") + "; pass --from-profile NAME for"
                + " the profile that holds the user's key, or pipe the key's JSON into --stdin"),
                init.err().lines().toList());
        assertFalse(init.printed().contains(PLANTED));
        assertFalse(Files.exists(cache));
        assertEquals(List.of(), aws.calls().all());
    }

    @Test
    void initWithStandardInputThatHoldsNoKeyIsTheSameCode() {
        Result init = credentials(("{\"SecretAccessKey\":\"" + PLANTED + "\"}").getBytes(StandardCharsets.UTF_8),
                "init", "--user", USER, "--stdin", "--cache", cache.toString(), "--region", "us-east-1");

        assertEquals(ExitCode.NO_STARTING_KEY.code(), init.code());
        assertEquals(1, init.err().lines().count(), init.err());
        assertTrue(init.err().startsWith("error: standard input holds no JSON object with AccessKeyId and"
                + " SecretAccessKey"), init.err());
        assertFalse(init.printed().contains(PLANTED));
        assertFalse(Files.exists(cache));
    }

    @Test
    void initWithASecretThatHoldsNoKeyIsUnreadableAndWritesNothing() throws Exception {
        KeySnapshot key = harness.key(USER, 10, true);
        // The rotator's own secret (its key, its marks) with a value it would never write.
        aws.secretsManager().seedRaw(SECRET, "not a key document " + PLANTED, SecretTags.atCreation(USER),
                RotatorHarness.KMS_KEY);

        Result init = initFromStdin(key);

        assertEquals(ExitCode.SECRET_REFUSED.code(), init.code());
        assertEquals(List.of("error: refused: secret " + SECRET + " does not hold an access key document; nothing"
                + " written. Tell your platform team."), init.err().lines().toList());
        assertFalse(init.printed().contains(PLANTED));
        assertFalse(Files.exists(cache));
    }

    @Test
    void initWithAnUnreachableEndpointWritesNothing() throws Exception {
        KeySnapshot key = harness.key(USER, 10, true);
        URI dead = deadEndpoint();

        Result init = credentials(keyJson(key), "init", "--user", USER, "--stdin", "--cache", cache.toString(),
                "--region", "us-east-1", "--endpoint-url", dead.toString());

        assertEquals(ExitCode.UNREACHABLE.code(), init.code());
        assertEquals(1, init.err().lines().count(), init.err());
        assertTrue(init.err().startsWith("error: cannot reach AWS to read secret " + SECRET + " ("), init.err());
        assertTrue(init.err().endsWith("); nothing written. Check the network or proxy, --region (us-east-1) and"
                + " --endpoint-url (" + dead + "), then run credentials init again." + System.lineSeparator()),
                init.err());
        assertNoSecretIn(init.printed());
        assertFalse(Files.exists(cache));
    }

    @Test
    void theKeyNeverComesFromTheCommandLine() {
        Result noSource = credentials("init", "--user", USER, "--cache", cache.toString());
        assertEquals(ExitCode.USAGE.code(), noSource.code());
        assertEquals("error: missing required option: one of (--from-profile=PROFILE | --stdin) (see"
                + " access-key-rotator credentials init --help)\n", noSource.err());

        Result pasted = credentials("init", "--user", USER, "--secret-access-key=" + PLANTED);
        assertEquals(ExitCode.USAGE.code(), pasted.code());
        assertTrue(pasted.err().startsWith("error: unknown option or argument --secret-access-key "), pasted.err());
        assertNoSecretIn(pasted.printed());
        assertFalse(pasted.printed().contains(PLANTED), "the value is not echoed");
    }

    @Test
    void theDefaultCacheSitsNextToTheSdksCredentialsFile() {
        Path credentials = tmp.resolve("elsewhere").resolve("credentials");
        System.setProperty("aws.sharedCredentialsFile", credentials.toString());

        assertEquals(tmp.resolve("elsewhere").resolve("access-key-rotator").resolve("ci-bot.json"),
                CredentialsCache.defaultLocation(USER));
    }

    @Test
    void theHelpNamesEachExitCodeAndTheCommandIsRegistered() {
        Result help = credentials("--help");
        assertEquals(0, help.code());
        for (String words : List.of("3 not set up", "4 the cache cannot be used", "5 init: no key to start from",
                "6 the secret is refused", "7 init: AWS could not be reached", "8 AWS refused the cached key",
                "9 init: the cache cannot be written", "10 credentials status: checks of the secret are failing")) {
            assertTrue(help.out().replaceAll("\\s+", " ").contains(words), words + " in " + help.out());
        }

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of("credentials", "--cache", cache.toString()), Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(ExitCode.NOT_SET_UP.code(), code, err.toString(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- helpers

    private Result initFromStdin(KeySnapshot key) {
        return credentials(keyJson(key), "init", "--user", USER, "--stdin", "--cache", cache.toString(),
                "--region", "us-east-1", "--endpoint-url", aws.endpoint().toString());
    }

    /** What {@code aws secretsmanager get-secret-value --query SecretString} would print for this key. */
    private static byte[] keyJson(KeySnapshot key) {
        return ("{\"Version\":1,\"AccessKeyId\":\"" + key.id() + "\",\"SecretAccessKey\":\"" + key.secret()
                + "\",\"UserName\":\"" + key.userName() + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private Result credentials(String... args) {
        return credentials(new byte[0], args);
    }

    private Result credentials(byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CredentialsCommand.execute(List.of(args), Map.of(), new ByteArrayInputStream(stdin),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                aws.clock());
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private KeySnapshot storedKey() throws IOException {
        JsonNode document = JsonLog.mapper().readTree(aws.secretsManager().currentValue(SECRET).orElseThrow());
        return aws.iam().accessKey(document.get("AccessKeyId").asText()).orElseThrow();
    }

    private static SecretDocument.HeldKey held(KeySnapshot key) {
        return new SecretDocument.HeldKey(key.id(), key.secret(), Optional.of(key.userName()));
    }

    private List<String> secretReadsSignedWith() {
        return aws.calls().all().stream().filter(call -> call.key().equals("secretsmanager:GetSecretValue"))
                .map(call -> call.signingKeyId().orElse("(unsigned)")).toList();
    }

    /** Standard output is exactly the credential_process document: four fields, nothing else. */
    private static void assertPayload(String out, String keyId, String secret, Instant expiration) throws IOException {
        assertTrue(out.endsWith("\n") && out.lines().count() == 1, out);
        JsonNode payload = JsonLog.mapper().readTree(out);
        List<String> fields = new ArrayList<>();
        for (Iterator<String> names = payload.fieldNames(); names.hasNext(); ) {
            fields.add(names.next());
        }
        assertEquals(List.of("Version", "AccessKeyId", "SecretAccessKey", "Expiration"), fields);
        assertEquals(1, payload.get("Version").asInt());
        assertEquals(keyId, payload.get("AccessKeyId").asText());
        assertEquals(secret, payload.get("SecretAccessKey").asText());
        assertEquals(expiration.toString(), payload.get("Expiration").asText());
    }

    private void assertNoSecretIn(String text) {
        for (String secret : aws.iam().allSecretAccessKeys()) {
            assertFalse(text.contains(secret), "a secret access key was printed: " + text);
        }
    }

    /** A local port nobody listens on: connections are refused at once, as when AWS cannot be reached. */
    private static URI deadEndpoint() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        return URI.create("http://127.0.0.1:" + port);
    }

    private static String mode(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }
}
