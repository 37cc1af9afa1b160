package dev.accesskeyrotator.moto;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.cli.Main;
import dev.accesskeyrotator.cli.SimulatedClockCredentials;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.moto.MotoAccount.Key;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.testing.ClearedSystemProperties;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.profiles.ProfileFile;

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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The people and machines around the rotator, against moto: an administrator's {@code status}, a key owner's
 * {@code fetch}, and a machine whose AWS CLI gets its key from {@code credentials} (a real {@code credential_process}
 * subprocess) and follows a rotation by itself, which lets cut-over on use retire the old key. All through the
 * project's real command line ({@link Main}), with secrets the rotator itself wrote into moto.
 *
 * <p>Tagged {@code slow} (left out of the default build, run by {@code -Pslow}): it drives moto's server, a Python
 * process, and pays for its start and a reset per test.
 */
@Tag("slow")
class KeyOwnerCommandsMotoTest {
    private static final Instant START = Instant.parse("2031-03-01T06:00:00Z");

    @RegisterExtension
    final MotoExtension moto = new MotoExtension(START);
    /** The SDK reads its shared files from these first; the machine's own must play no part. */
    @RegisterExtension
    final ClearedSystemProperties sdkFiles = new ClearedSystemProperties("aws.sharedCredentialsFile",
            "aws.configFile", "aws.region");

    @TempDir
    Path home;
    private MotoAccount aws;

    @BeforeEach
    void sharedFiles() throws IOException {
        aws = moto.account();
        aws.parameter("cutover", "on-use");
        aws.parameter("grace-days", "0");
        aws.parameter("old-key-idle-hours", "24");
        aws.parameter("reminder-days", "0");
        Path credentials = home.resolve("admin-credentials");
        Files.writeString(credentials, "[admin]\naws_access_key_id = AKIAMOTOADMINISTRATOR\n"
                + "aws_secret_access_key = administrator-secret\n");
        System.setProperty("aws.sharedCredentialsFile", credentials.toString());
        System.setProperty("aws.configFile", Files.writeString(home.resolve("empty-config"), "").toString());
    }

    @Test
    void statusShowsTheCurrentAndThePreviousKeyAndWhenThePreviousOneGoes() throws Exception {
        aws.optedInUser("alice");
        Key old = aws.key("alice", 100);
        aws.otherUser("carol");
        aws.key("carol", 400);
        assertEquals(Outcome.ROTATED, aws.run().users().get(0).outcome());
        Key current = aws.storedKey("alice");

        Printed status = cli(List.of("status", "--output", "json", "--profile", "admin",
                "--kms-key-id", aws.kmsKeyArn()));

        assertEquals(0, status.code(), status.toString());
        JsonNode document = JsonLog.mapper().readTree(status.out());
        JsonNode alice = document.path("users").get(0);
        assertEquals("alice", alice.path("user").asText(), document.toPrettyString());
        // AWS's credential report has no key ids, only slots; status names the keys it looked up with ListAccessKeys
        // (the current one, created after the report) and the others by slot.
        Map<String, JsonNode> byRole = new java.util.TreeMap<>();
        alice.path("keys").forEach(key -> byRole.put(key.path("role").asText(), key));
        assertEquals(List.of("current", "previous"), List.copyOf(byRole.keySet()), alice.toPrettyString());
        assertEquals(current.id(), byRole.get("current").path("key").asText());
        assertTrue(byRole.get("previous").path("active").asBoolean(), "in its cut-over: " + alice.toPrettyString());
        assertEquals(100, byRole.get("previous").path("ageDays").asInt(), "the replaced key " + old.id());
        assertTrue(alice.path("nextEvent").asText().contains("disable"), alice.toPrettyString());
        // carol is outside the rotator: her 400-day-old key is a compliance finding, not a user line.
        assertEquals(1, document.path("users").size(), document.toPrettyString());
        assertTrue(document.path("compliance").toString().contains("carol"), document.toPrettyString());
        // moto's report is always dated 2015 (see RotationMotoTest); status shows the date it was given.
        assertEquals("2015-02-02T20:02:02Z", document.path("credentialReportAt").asText());
        assertFalse(status.out().contains(current.secret()), "status never reads a secret value");
    }

    /**
     * Issue 20's squatted secret, as far as moto can express it: someone pre-created the user's secret under the AWS
     * managed key, readable by the owner (moto enforces no policy), with a value that would add a profile running
     * their command. {@code fetch} refuses with exit code 6, and the credentials file is byte for byte unchanged.
     */
    @Test
    void fetchRefusesASquattedSecretAndWritesNothing() throws Exception {
        aws.optedInUser("alice");
        Key old = aws.key("alice", 10);
        String payload = "{\"Version\":1,\"UserName\":\"alice\",\"AccessKeyId\":\"AKIAATTACKER00000001\","
                + "\"SecretAccessKey\":\"x\\n\\n[prod]\\ncredential_process = /bin/sh -c 'touch /tmp/pwned'\"}";
        aws.secretsManager().createSecret(r -> r.name(RotatorHarness.SECRET_PREFIX + "alice").secretString(payload)
                .tags(software.amazon.awssdk.services.secretsmanager.model.Tag.builder().key("managed-by")
                        .value("access-key-rotator").build()));
        Path credentials = home.resolve("credentials");
        String before = "[alice]\naws_access_key_id = " + old.id() + "\naws_secret_access_key = " + old.secret() + "\n";
        Files.writeString(credentials, before);

        Printed fetch = cli(List.of("fetch", "--user", "alice", "--profile", "alice", "--credentials-file",
                credentials.toString()));

        assertEquals(6, fetch.code(), fetch.toString());
        assertEquals(1, fetch.err().lines().count(), fetch.err());
        assertTrue(fetch.err().contains("is not the rotator's"), fetch.err());
        assertFalse(fetch.toString().contains("credential_process"), "the value is never quoted: " + fetch);
        assertEquals(before, Files.readString(credentials), "nothing written");
    }

    @Test
    void fetchWritesTheRotatedKeyIntoTheOwnersProfileReadingTheSecretWithTheKeyItReplaces() throws Exception {
        aws.optedInUser("alice");
        Key old = aws.key("alice", 100);
        assertEquals(Outcome.ROTATED, aws.run().users().get(0).outcome());
        Key current = aws.storedKey("alice");
        Path credentials = home.resolve("credentials");
        Files.writeString(credentials, "[other]\naws_access_key_id = AKIAOTHERPROFILE0000\n"
                + "aws_secret_access_key = keep-me\n\n[alice]\naws_access_key_id = " + old.id()
                + "\naws_secret_access_key = " + old.secret() + "\n");

        long started = System.nanoTime();
        Printed fetch = cli(List.of("fetch", "--user", "alice", "--profile", "alice", "--credentials-file",
                credentials.toString()));

        System.out.println("[moto] fetch took " + (System.nanoTime() - started) / 1_000_000 + " ms");
        assertEquals(0, fetch.code(), fetch.toString());
        assertTrue(fetch.out().contains(current.id()), fetch.toString());
        assertFalse(fetch.toString().contains(current.secret()), "fetch never prints the secret");
        ProfileFile profiles = ProfileFile.builder().content(credentials).type(ProfileFile.Type.CREDENTIALS).build();
        assertEquals(Optional.of(current.id()), profiles.profile("alice").flatMap(p -> p.property("aws_access_key_id")));
        assertEquals(Optional.of("keep-me"), profiles.profile("other").flatMap(p -> p.property("aws_secret_access_key")),
                "other profiles are kept");
        // The profile works, and it is the new key that signs: moto records the use on it.
        try (ProfileCredentialsProvider profile = ProfileCredentialsProvider.builder().profileFile(profiles)
                .profileName("alice").build()) {
            Key written = new Key(profile.resolveCredentials().accessKeyId(),
                    profile.resolveCredentials().secretAccessKey());
            assertTrue(aws.use(written).endsWith(":user/alice"));
        }
        assertEquals(Optional.of(aws.clock().instant()), lastUsed(current));
    }

    @Test
    void theAwsCliFollowsARotationThroughCredentialProcessAndLetsCutoverOnUseRetireTheOldKey() throws Exception {
        Optional<String> version = awsCliVersion();
        Assumptions.assumeTrue(version.isPresent(), "the AWS CLI is not installed here (no 'aws' on PATH)");
        aws.optedInUser("ci-bot");
        Key old = aws.key("ci-bot", 100);
        Path cache = home.resolve("aws").resolve("access-key-rotator").resolve("ci-bot.json");
        Path config = credentialProcessConfig(cache);
        Printed init = initFromStandardInput(old, cache);
        assertEquals(0, init.code(), init.toString());

        // 07:00 the job runs with the key it was set up with.
        aws.clock().set(START.plus(Duration.ofHours(1)));
        Printed before = awsCli(config);
        assertEquals(0, before.code(), before.toString());
        assertTrue(before.out().contains(":user/ci-bot"), before.toString());
        assertEquals(Optional.of(aws.clock().instant()), lastUsed(old));

        // 08:00 the rotator stores a new key; the old one stays while it is in use.
        aws.clock().set(START.plus(Duration.ofHours(2)));
        RunReport rotation = aws.run();
        assertEquals(Outcome.ROTATED, rotation.users().get(0).outcome(), rotation.users().toString());
        Key current = aws.storedKey("ci-bot");

        // 10:00 the job again: its credential process has passed its refresh interval, reads the secret (with the
        // key it holds), and hands the CLI the new key, which signs the call.
        aws.clock().set(START.plus(Duration.ofHours(4)));
        Printed after = awsCli(config);
        assertEquals(0, after.code(), after.toString());
        Instant switchedAt = aws.clock().instant();
        assertEquals(Optional.of(switchedAt), lastUsed(current), "the CLI signed with the new key");

        // The old key's last use is the credential process's read of the secret at the switch; 24 idle hours later
        // cut-over on use disables it, and not an hour before.
        aws.clock().set(switchedAt.plus(Duration.ofHours(23)));
        assertEquals(Outcome.UNCHANGED, aws.run().users().get(0).outcome());
        aws.clock().set(switchedAt.plus(Duration.ofHours(24)));
        RunReport cutover = aws.run();
        assertEquals(Outcome.DISABLED_OLD, cutover.users().get(0).outcome(), cutover.users().toString());
        assertEquals(Map.of(old.id(), false, current.id(), true), aws.keys("ci-bot"));
        assertFalse((before + init.toString() + after).contains(current.secret()), "no secret in the output");
    }

    // ---- the commands ----------------------------------------------------------------------------------------------

    record Printed(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n" + out + "\n" + err;
        }
    }

    /** The command line in process, pointed at moto, on the simulated clock. */
    private Printed cli(List<String> args) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--region", MotoAccount.REGION.id(), "--endpoint-url", aws.endpoint().toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(all, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), aws.clock());
        return new Printed(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code credentials init --stdin}: the machine is set up once from the key it holds today. */
    private Printed initFromStandardInput(Key key, Path cache) {
        byte[] json = ("{\"AccessKeyId\":\"" + key.id() + "\",\"SecretAccessKey\":\"" + key.secret() + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SimulatedClockCredentials.run(List.of("init", "--user", "ci-bot", "--stdin", "--cache",
                        cache.toString(), "--region", MotoAccount.REGION.id(), "--endpoint-url",
                        aws.endpoint().toString(), "--secret-prefix", RotatorHarness.SECRET_PREFIX,
                        "--refresh-minutes", "60"), Map.of(), new ByteArrayInputStream(json),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                aws.clock());
        return new Printed(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * The recipe's ~/.aws/config, with the test's launcher in place of {@code java -jar}: the credential process
     * reads the simulated time from moto's own clock file, so it and moto agree on "now".
     */
    private Path credentialProcessConfig(Path cache) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = String.join(" ", java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), SimulatedClockCredentials.class.getName(),
                aws.clockFile().toString(), "--cache", cache.toString());
        Path config = home.resolve("aws").resolve("config");
        Files.createDirectories(config.getParent());
        Files.writeString(config, "[profile ci-bot]\ncredential_process = " + command + "\nregion = "
                + MotoAccount.REGION.id() + "\n");
        return config;
    }

    /** {@code aws sts get-caller-identity --profile ci-bot}, as a cron job runs it, with the recipe's config only. */
    private Printed awsCli(Path config) throws IOException, InterruptedException {
        ProcessBuilder cli = new ProcessBuilder("aws", "sts", "get-caller-identity", "--profile", "ci-bot",
                "--endpoint-url", aws.endpoint().toString(), "--output", "json");
        cli.environment().put("AWS_CONFIG_FILE", config.toString());
        cli.environment().put("AWS_SHARED_CREDENTIALS_FILE", home.resolve("no-credentials-file").toString());
        cli.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        cli.environment().keySet().removeIf(name -> List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE").contains(name));
        Path errors = home.resolve("aws-cli-errors");
        cli.redirectError(errors.toFile());
        Process process = cli.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the AWS CLI finished");
        return new Printed(process.exitValue(), out, Files.readString(errors));
    }

    private static Optional<String> awsCliVersion() {
        try {
            Process process = new ProcessBuilder("aws", "--version").redirectErrorStream(true).start();
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0 ? Optional.of(text)
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** IAM's last use of the key, as moto recorded it. */
    private Optional<Instant> lastUsed(Key key) {
        return Optional.ofNullable(aws.iam().getAccessKeyLastUsed(r -> r.accessKeyId(key.id())).accessKeyLastUsed()
                .lastUsedDate());
    }
}
