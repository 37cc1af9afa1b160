package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.contract.SecretsKeyAlias;
import dev.accesskeyrotator.localaws.IamEmulator.KeySnapshot;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.service.SecretTags;
import dev.accesskeyrotator.testing.ClearedSystemProperties;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.model.Tag;
import software.amazon.awssdk.services.sts.StsClient;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attack of issue 20, end to end on the local endpoint: someone who can create secrets and set their policy
 * pre-creates {@code access-key-rotation/ci-bot} under the AWS managed key, readable by ci-bot, with a
 * {@code SecretAccessKey} that would add a {@code [prod]} profile running their command. {@code fetch},
 * {@code credentials init} and a {@code credentials} refresh each refuse it with one plain line; the credentials file
 * and the cache stay byte for byte as they were, and an SDK using the profile keeps working with the old key. The same
 * holds when the squatter copies the rotator's tags and re-keys the secret to the stack's key afterwards (which
 * {@code UpdateSecret} allows without re-encrypting the value already there).
 */
class SquattedSecretTest {
    private static final String USER = "ci-bot";
    private static final String SECRET = RotatorHarness.SECRET_PREFIX + USER;
    private static final String INJECTED_SECRET = "x\n\n[prod]\ncredential_process = /bin/sh -c 'touch /tmp/pwned'";
    private static final String ATTACKER_KEY_ID = "AKIAATTACKER00000001";

    @RegisterExtension
    final ClearedSystemProperties sdkProperties = new ClearedSystemProperties("aws.sharedCredentialsFile",
            "aws.configFile", "aws.region");

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();

    @TempDir
    Path tmp;

    private LocalAws aws;
    private RotatorHarness harness;
    private KeySnapshot ownersKey;
    private Path credentials;
    private Path cache;

    record Result(int code, String out, String err) { }

    @BeforeEach
    void setUp() throws IOException {
        System.setProperty("aws.configFile", Files.writeString(tmp.resolve("sdk-config"), "").toString());
        System.setProperty("aws.sharedCredentialsFile", tmp.resolve("sdk-credentials-absent").toString());
        aws = endpoint.aws();
        harness = new RotatorHarness(aws);
        harness.optedInUser(USER);
        ownersKey = harness.key(USER, 10, true);
        credentials = tmp.resolve("home").resolve(".aws").resolve("credentials");
        Files.createDirectories(credentials.getParent());
        Files.writeString(credentials, "[ci]\naws_access_key_id = " + ownersKey.id() + "\naws_secret_access_key = "
                + ownersKey.secret() + "\n");
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
        cache = tmp.resolve("home").resolve(".aws").resolve("access-key-rotator").resolve(USER + ".json");
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @Test
    void fetchRefusesASecretUnderTheAwsManagedKeyAndTheProfileKeepsWorking() throws Exception {
        squat(false);
        byte[] before = Files.readAllBytes(credentials);

        Result result = fetch();

        assertRefused(result, ExitCode.SECRET_REFUSED.code(), "is not the rotator's: it is encrypted with the AWS managed key");
        assertUnchangedAndStillWorking(before);
    }

    @Test
    void fetchRefusesASquattedSecretReKeyedToTheStackKeyWithTheRotatorsTags() throws Exception {
        squat(true);
        byte[] before = Files.readAllBytes(credentials);

        Result result = fetch();

        assertRefused(result, ExitCode.SECRET_REFUSED.code(), "is not the rotator's: its current version is encrypted with"
                + " KMS key " + aws.kms().secretsManagerManagedKeyArn());
        assertUnchangedAndStillWorking(before);
    }

    @Test
    void credentialsInitRefusesTheSquattedSecretAndWritesNoCache() throws Exception {
        for (boolean reKeyed : List.of(false, true)) {
            squat(reKeyed);

            Result init = initFromStdin();

            assertRefused(init, ExitCode.SECRET_REFUSED.code(), "is not the rotator's");
            assertFalse(Files.exists(cache.getParent()), "nothing written, not even the cache's directory");
            endpoint.secretsManagerClient().deleteSecret(r -> r.secretId(SECRET).forceDeleteWithoutRecovery(true));
        }
    }

    @Test
    void aRefreshRefusesTheSquattedSecretKeepsServingTheCachedKeyAndLeavesTheCacheAsItWas() throws Exception {
        // Set up before the first rotation: no secret yet, so the machine starts from the key it holds.
        assertEquals(0, initFromStdin().code());
        byte[] cachedBefore = Files.readAllBytes(cache);
        for (boolean reKeyed : List.of(false, true)) {
            squat(reKeyed);
            aws.clock().advance(Duration.ofMinutes(61));

            Result served = credentials(new byte[0], "--cache", cache.toString());

            assertEquals(0, served.code(), served.err());
            assertTrue(served.out().contains("\"AccessKeyId\":\"" + ownersKey.id() + "\""), served.out());
            assertTrue(served.out().contains("\"SecretAccessKey\":\"" + ownersKey.secret() + "\""),
                    "the cached key is what the SDK gets");
            assertFalse(served.out().contains(ATTACKER_KEY_ID) || served.out().contains("credential_process"));
            assertEquals(1, served.err().lines().count(), served.err());
            assertTrue(served.err().startsWith("warning: refused: secret " + SECRET + " is not the rotator's"),
                    served.err());
            assertArrayEquals(cachedBefore, Files.readAllBytes(cache), "the cache is byte for byte as it was");
            endpoint.secretsManagerClient().deleteSecret(r -> r.secretId(SECRET).forceDeleteWithoutRecovery(true));
        }
    }

    @Test
    void withoutTheStacksAliasNothingIsTrustedAndTheReasonNamesTheAlias() throws Exception {
        rotateWithGrace();
        aws.kms().denyDescribeKey(ownersKey.id());
        byte[] before = Files.readAllBytes(credentials);

        Result result = fetch();

        String alias = SecretsKeyAlias.forPrefix(RotatorHarness.SECRET_PREFIX);
        assertRefused(result, ExitCode.SECRET_REFUSED.code(), "cannot find the rotator's KMS key by its alias " + alias
                + " (AccessDeniedException");
        assertArrayEquals(before, Files.readAllBytes(credentials));
    }

    @Test
    void aSecretWhoseVersionsTheOwnerMayNotListIsNotProvenAndNothingIsWritten() throws Exception {
        rotateWithGrace();
        // The policy an older rotator wrote: GetSecretValue and DescribeSecret only.
        aws.secretsManager().denyOperations(ownersKey.id(), java.util.Set.of("ListSecretVersionIds"));
        byte[] before = Files.readAllBytes(credentials);

        Result result = fetch();

        assertRefused(result, ExitCode.SECRET_REFUSED.code(), "cannot tell whether secret " + SECRET + " is the rotator's:"
                + " listing the KMS keys of its versions was refused (AccessDeniedException)");
        assertArrayEquals(before, Files.readAllBytes(credentials));
    }

    @Test
    void initPinsTheStackKeyAndLaterChecksFollowRotationsWithoutAskingKms() throws Exception {
        rotateWithGrace();
        assertEquals(0, initFromStdin().code());
        assertTrue(Files.readString(cache).contains("\"KmsKeyArn\":\"" + RotatorHarness.KMS_KEY + "\""),
                "the key proven at init is pinned");
        harness.advanceDays(85);
        harness.run();
        aws.calls().reset();
        aws.clock().advance(Duration.ofMinutes(61));

        Result served = credentials(new byte[0], "--cache", cache.toString());

        assertEquals(0, served.code(), served.err());
        assertEquals("", served.err());
        String newest = aws.secretsManager().currentValue(SECRET).orElseThrow()
                .replaceAll(".*\"AccessKeyId\":\"([A-Z0-9]+)\".*", "$1");
        assertTrue(served.out().contains("\"AccessKeyId\":\"" + newest + "\""), served.out());
        assertEquals(List.of("secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds",
                "secretsmanager:GetSecretValue"), aws.calls().all().stream().map(call -> call.key()).toList());
    }

    @Test
    void initWithAStartingKeyHoldingALineBreakIsRefusedBeforeAnythingIsAskedOrWritten() throws Exception {
        aws.calls().reset();
        for (String document : List.of(
                "{\"AccessKeyId\":\"" + ownersKey.id() + "\",\"SecretAccessKey\":\"" + ownersKey.secret()
                        + "\\n[prod]\"}",
                "{\"AccessKeyId\":\"" + ownersKey.id() + "\\n\",\"SecretAccessKey\":\"" + ownersKey.secret() + "\"}",
                "{\"AccessKeyId\":\"" + ownersKey.id() + "\",\"SecretAccessKey\":\"" + ownersKey.secret()
                        + "\",\"UserName\":\"ci-bot\\n\"}")) {
            Result init = credentials(document.getBytes(StandardCharsets.UTF_8), "init", "--user", USER, "--stdin",
                    "--cache", cache.toString(), "--region", "us-east-1", "--endpoint-url", aws.endpoint().toString());

            assertEquals(ExitCode.NO_STARTING_KEY.code(), init.code(), document + ": " + init.err());
            assertEquals(1, init.err().lines().count(), init.err());
            assertFalse(init.err().contains(ownersKey.secret()), init.err());
            assertFalse(Files.exists(cache.getParent()), "nothing written");
        }
        assertEquals(List.of(), aws.calls().all(), "refused before any call");
    }

    // ---------------------------------------------------------------- helpers

    /** The rotator replaces the owner's key; the old one stays active, so it still signs the owner's calls. */
    private void rotateWithGrace() {
        harness.parameter("grace-days", "7");
        harness.advanceDays(85);
        harness.run();
        assertTrue(aws.secretsManager().currentValue(SECRET).isPresent(), "rotated");
    }

    /**
     * The squatter's secret: the AWS managed key, a policy letting ci-bot read it, the injection payload; with
     * {@code reKeyed}, the rotator's tags copied and the secret's KMS key switched to the stack's afterwards.
     */
    private void squat(boolean reKeyed) {
        var client = endpoint.secretsManagerClient();
        String value = "{\"Version\":1,\"AccessKeyId\":\"" + ATTACKER_KEY_ID + "\",\"SecretAccessKey\":\""
                + INJECTED_SECRET.replace("\n", "\\n") + "\",\"UserName\":\"" + USER + "\"}";
        client.createSecret(r -> r.name(SECRET).secretString(value)
                .tags(reKeyed ? SecretTags.atCreation(USER).entrySet().stream()
                        .map(tag -> Tag.builder().key(tag.getKey()).value(tag.getValue()).build()).toList()
                        : List.of()));
        client.putResourcePolicy(r -> r.secretId(SECRET).resourcePolicy("{\"Version\":\"2012-10-17\",\"Statement\":"
                + "[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"secretsmanager:*\","
                + "\"Resource\":\"*\"}]}"));
        if (reKeyed) {
            client.updateSecret(r -> r.secretId(SECRET).kmsKeyId(RotatorHarness.KMS_KEY));
        }
    }

    private void assertRefused(Result result, int code, String reason) {
        assertEquals(code, result.code(), result.err());
        assertEquals("", result.out());
        assertEquals(1, result.err().lines().count(), "one plain line: " + result.err());
        assertTrue(result.err().startsWith("error: refused: "), result.err());
        assertTrue(result.err().contains(reason), result.err());
        assertFalse(result.err().contains("credential_process") || result.err().contains("[prod]"),
                "the payload is never quoted: " + result.err());
    }

    private void assertUnchangedAndStillWorking(byte[] before) throws IOException {
        assertArrayEquals(before, Files.readAllBytes(credentials), "the credentials file is byte for byte unchanged");
        try (var files = Files.list(credentials.getParent())) {
            assertEquals(List.of(credentials), files.toList(), "no backup, no temporary file");
        }
        ProfileFile profiles = ProfileFile.builder().content(credentials).type(ProfileFile.Type.CREDENTIALS).build();
        assertEquals(List.of("ci"), new ArrayList<>(profiles.profiles().keySet()), "no new profile section");
        try (StsClient sts = StsClient.builder().region(Region.US_EAST_1).endpointOverride(aws.endpoint())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(ProfileCredentialsProvider.builder().profileFile(profiles).profileName("ci")
                        .build()).build()) {
            // The endpoint refuses a key IAM does not know or that is not active, as AWS does.
            sts.getCallerIdentity();
        }
        assertEquals(ownersKey.id(), aws.calls().all().stream()
                .filter(call -> call.key().equals("sts:GetCallerIdentity")).reduce((a, b) -> b).orElseThrow()
                .signingKeyId().orElseThrow(), "the SDK signs with the owner's old key");
    }

    private Result fetch() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of("fetch", "--user", USER, "--profile", "ci", "--credentials-file",
                        credentials.toString(), "--endpoint-url", aws.endpoint().toString(), "--region", "us-east-1"),
                Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Result initFromStdin() {
        String document = "{\"Version\":1,\"AccessKeyId\":\"" + ownersKey.id() + "\",\"SecretAccessKey\":\""
                + ownersKey.secret() + "\",\"UserName\":\"" + USER + "\"}";
        return credentials(document.getBytes(StandardCharsets.UTF_8), "init", "--user", USER, "--stdin", "--cache",
                cache.toString(), "--region", "us-east-1", "--endpoint-url", aws.endpoint().toString());
    }

    private Result credentials(byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CredentialsCommand.execute(List.of(args), Map.of(), new ByteArrayInputStream(stdin),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                aws.clock());
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
