package dev.accesskeyrotator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.localaws.IamEmulator.KeySnapshot;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.SecretTags;
import dev.accesskeyrotator.testing.ClearedSystemProperties;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import dev.accesskeyrotator.localaws.LocalAwsClients;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.profiles.ProfileProperty;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The key owner's {@code fetch}, through the real CLI entry point and SDK v2 against the local endpoint: the rotated
 * key lands in one profile of the shared credentials file, everything else in the file stays, and nothing secret is
 * printed; when the secret cannot be used, nothing is written.
 */
class FetchCommandTest {
    private static final String SECRET = "access-key-rotation/alice";
    /** Secret-shaped text planted in hostile secret values; it must never be printed. */
    private static final String PLANTED_SECRET = "pLaNtEdSeCrEt/K7MDENG/bPxRfiCYEXAMPLEKEY";

    /** The SDK's own shared files are redirected to the test's directory: the machine's ~/.aws never plays a part. */
    @RegisterExtension
    final ClearedSystemProperties sdkProperties = new ClearedSystemProperties("aws.sharedCredentialsFile",
            "aws.configFile", "aws.accessKeyId", "aws.secretAccessKey");

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();

    @TempDir
    Path tmp;

    private LocalAws aws;
    private RotatorHarness harness;
    private Path credentials;

    record Result(int code, String out, String err) {
        String printed() {
            return out + err;
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        Path sdkConfig = Files.writeString(tmp.resolve("sdk-config"), "");
        System.setProperty("aws.configFile", sdkConfig.toString());
        System.setProperty("aws.sharedCredentialsFile", tmp.resolve("sdk-credentials-absent").toString());
        aws = endpoint.aws();
        harness = new RotatorHarness(aws);
        credentials = tmp.resolve("home").resolve("credentials");
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    // ---------------------------------------------------------------- success

    @Test
    void writesTheRotatedKeyIntoTheProfileAndKeepsTheRestOfTheFile() throws Exception {
        KeySnapshot oldKey = rotate("alice");
        String newKeyId = storedKeyId("alice");
        String newSecret = aws.iam().accessKey(newKeyId).orElseThrow().secret();
        // The [ci] profile still holds the old key: it is what the owner's machine signs the fetch with.
        String before = """
                # written by hand: keep this comment
                [default]
                aws_access_key_id = AKIADEFAULT000000000
                aws_secret_access_key = default-secret-keep-me
                region = eu-central-1

                [ci]
                # the CI runner
                aws_access_key_id = %s
                aws_secret_access_key = %s
                aws_session_token = OLD-SESSION-TOKEN
                region = us-east-1

                [other] ; a comment on the header
                aws_access_key_id=AKIAOTHER00000000000
                aws_secret_access_key=other-secret
                """.formatted(oldKey.id(), oldKey.secret());
        writeFile(before, "rw-r--r--");

        Result result = fetch("--user", "alice", "--profile", "ci");

        assertEquals(0, result.code(), result.printed());
        assertTrue(result.out().contains(newKeyId) && result.out().contains("[ci]"), result.out());
        assertNoSecretPrinted(result);

        String expected = """
                # written by hand: keep this comment
                [default]
                aws_access_key_id = AKIADEFAULT000000000
                aws_secret_access_key = default-secret-keep-me
                region = eu-central-1

                [ci]
                # the CI runner
                region = us-east-1
                aws_access_key_id = %s
                aws_secret_access_key = %s

                [other] ; a comment on the header
                aws_access_key_id=AKIAOTHER00000000000
                aws_secret_access_key=other-secret
                """.formatted(newKeyId, newSecret);
        assertEquals(expected, Files.readString(credentials));

        // What the SDK reads from it: the new key pair, no stale session token, the other profiles as they were.
        ProfileFile profiles = ProfileFile.builder().content(credentials).type(ProfileFile.Type.CREDENTIALS).build();
        assertEquals(newKeyId, property(profiles, "ci", ProfileProperty.AWS_ACCESS_KEY_ID));
        assertEquals(newSecret, property(profiles, "ci", ProfileProperty.AWS_SECRET_ACCESS_KEY));
        assertTrue(profiles.profile("ci").orElseThrow().property(ProfileProperty.AWS_SESSION_TOKEN).isEmpty());
        assertEquals("default-secret-keep-me", property(profiles, "default", ProfileProperty.AWS_SECRET_ACCESS_KEY));
        assertEquals("other-secret", property(profiles, "other", ProfileProperty.AWS_SECRET_ACCESS_KEY));

        Path backup = credentials.resolveSibling("credentials.bak");
        assertEquals(before, Files.readString(backup), "the previous file is kept");
        assertEquals("rw-------", mode(credentials));
        assertEquals("rw-------", mode(backup), "the backup holds keys too");
        assertFalse(Files.exists(credentials.resolveSibling("credentials.tmp")), "no temporary file left behind");
    }

    // ---------------------------------------------------------------- the documented profile defaults

    @Test
    void withoutProfileOptionsTheOldKeyInDefaultReadsTheSecretAndIsReplaced() throws Exception {
        KeySnapshot oldKey = rotate("alice");
        String newKeyId = storedKeyId("alice");
        String newSecret = aws.iam().accessKey(newKeyId).orElseThrow().secret();
        // The SDK's default chain would sign with these system properties first: they must play no part.
        System.setProperty("aws.accessKeyId", "AKIADEFAULTCHAIN0000");
        System.setProperty("aws.secretAccessKey", "default-chain-secret");
        writeFile("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                .formatted(oldKey.id(), oldKey.secret()), "rw-------");

        Result result = fetch("--user", "alice");

        assertEquals(0, result.code(), result.printed());
        assertTrue(result.out().contains(newKeyId) && result.out().contains("[default]"), result.out());
        assertNoSecretPrinted(result);
        assertEquals(List.of(oldKey.id()), secretReadsSignedWith(), "the fetch was signed with [default] of the file");
        assertEquals("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n".formatted(newKeyId, newSecret),
                Files.readString(credentials));
    }

    @Test
    void withOnlyProfileTheOldKeyInThatProfileReadsTheSecretAndIsReplaced() throws Exception {
        KeySnapshot oldKey = rotate("alice");
        String newKeyId = storedKeyId("alice");
        String newSecret = aws.iam().accessKey(newKeyId).orElseThrow().secret();
        System.setProperty("aws.accessKeyId", "AKIADEFAULTCHAIN0000");
        System.setProperty("aws.secretAccessKey", "default-chain-secret");
        String defaultProfile = "[default]\naws_access_key_id = AKIADEFAULT000000000\naws_secret_access_key = keep\n";
        writeFile(defaultProfile + "\n[ci]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                .formatted(oldKey.id(), oldKey.secret()), "rw-------");

        Result result = fetch("--user", "alice", "--profile", "ci");

        assertEquals(0, result.code(), result.printed());
        assertEquals(List.of(oldKey.id()), secretReadsSignedWith(), "the fetch was signed with [ci] of the file");
        assertEquals(defaultProfile + "\n[ci]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                .formatted(newKeyId, newSecret), Files.readString(credentials));
    }

    @Test
    void aFileWithoutTheProfileIsOneLineErrorAndNothingIsWritten() throws Exception {
        rotate("alice");
        // Even where the SDK's own files and chain could sign, the default is the profile in the file being written.
        System.setProperty("aws.accessKeyId", "AKIADEFAULTCHAIN0000");
        System.setProperty("aws.secretAccessKey", "default-chain-secret");
        System.setProperty("aws.sharedCredentialsFile", Files.writeString(tmp.resolve("sdk-credentials"),
                "[default]\naws_access_key_id = AKIASDKFILE000000000\naws_secret_access_key = s\n"
                        + "[ci]\naws_access_key_id = AKIASDKFILE000000001\naws_secret_access_key = s\n").toString());
        String before = ciProfile();
        writeFile(before, "rw-------");

        Result result = fetch("--user", "alice");

        assertEquals(2, result.code(), result.printed());
        assertEquals("", result.out());
        assertEquals("error: " + credentials + " has no profile [default] to read the secret with; pass --profile"
                + " NAME for the profile holding your current key, or --source-profile NAME for another profile that"
                + " can read it" + System.lineSeparator(), result.err());
        assertNothingWritten(before);
        assertTrue(secretReadsSignedWith().isEmpty(), "no call was made");

        Files.writeString(credentials, "[default]\naws_access_key_id = AKIADEFAULT000000000\naws_secret_access_key = k\n");
        Result named = fetch("--user", "alice", "--profile", "build");

        assertEquals(2, named.code(), named.printed());
        assertEquals("error: " + credentials + " has no profile [build] to read the secret with; pass --profile"
                + " NAME for the profile holding your current key, or --source-profile NAME for another profile that"
                + " can read it" + System.lineSeparator(), named.err());
        assertNothingWritten("[default]\naws_access_key_id = AKIADEFAULT000000000\naws_secret_access_key = k\n");
    }

    @Test
    void aMissingFileIsTheSameOneLineErrorAndNoFileIsCreated() throws Exception {
        rotate("alice");
        System.setProperty("aws.accessKeyId", "AKIADEFAULTCHAIN0000");
        System.setProperty("aws.secretAccessKey", "default-chain-secret");

        Result result = fetch("--user", "alice");

        assertEquals(2, result.code(), result.printed());
        assertEquals(List.of("error: " + credentials + " has no profile [default] to read the secret with; pass"
                + " --profile NAME for the profile holding your current key, or --source-profile NAME for another"
                + " profile that can read it"), result.err().lines().toList());
        assertFalse(Files.exists(credentials.getParent()), "no file, backup or directory created");
        assertTrue(secretReadsSignedWith().isEmpty(), "no call was made");
    }

    @Test
    void anUnparsableFileIsReportedInOneLineAndNothingIsWritten() throws Exception {
        rotate("alice");
        String before = "[default]\naws_access_key_id\n";
        writeFile(before, "rw-------");

        Result result = fetch("--user", "alice");

        assertEquals(3, result.code(), result.printed());
        assertEquals(List.of("error: cannot read " + credentials + ": Expected an '=' sign defining a property on line 2"),
                result.err().lines().toList());
        assertNothingWritten(before);
        assertTrue(secretReadsSignedWith().isEmpty(), "no call was made");
    }

    @Test
    void createsANewFileWithASourceProfileFromTheSdkSharedFiles() throws Exception {
        rotate("alice");
        String newKeyId = storedKeyId("alice");
        System.setProperty("aws.sharedCredentialsFile", Files.writeString(tmp.resolve("sdk-credentials"),
                "[reader]\naws_access_key_id = AKIAREADER0000000000\naws_secret_access_key = reader-secret\n")
                .toString());

        Result result = fetch("--user", "alice", "--source-profile", "reader");

        assertEquals(0, result.code(), result.printed());
        assertNoSecretPrinted(result);
        assertEquals(List.of("AKIAREADER0000000000"), secretReadsSignedWith());
        assertEquals(List.of("[default]", "aws_access_key_id = " + newKeyId,
                "aws_secret_access_key = " + aws.iam().accessKey(newKeyId).orElseThrow().secret()),
                Files.readAllLines(credentials));
        assertEquals("rw-------", mode(credentials));
        assertFalse(Files.exists(credentials.resolveSibling("credentials.bak")), "nothing to back up");
    }

    // ---------------------------------------------------------------- --source-profile

    @Test
    void aSourceProfileFromTheSdkSharedFilesReadsTheSecret() throws Exception {
        rotate("alice");
        Path sdkCredentials = Files.writeString(tmp.resolve("sdk-credentials"),
                "[reader]\naws_access_key_id = AKIAREADER0000000000\naws_secret_access_key = reader-secret\n");
        System.setProperty("aws.sharedCredentialsFile", sdkCredentials.toString());
        writeFile("[other]\naws_access_key_id = AKIAOTHER00000000000\naws_secret_access_key = keep\n", "rw-------");

        Result result = fetch("--user", "alice", "--profile", "ci", "--source-profile", "reader");

        assertEquals(0, result.code(), result.printed());
        assertEquals(List.of("AKIAREADER0000000000"), secretReadsSignedWith());
        String file = Files.readString(credentials);
        assertTrue(file.startsWith("[other]\naws_access_key_id = AKIAOTHER00000000000\naws_secret_access_key = keep\n"
                + "\n[ci]\naws_access_key_id = " + storedKeyId("alice") + "\n"), file);
    }

    @Test
    void aSourceProfileTheFileDefinesIsReadFromThatFile() throws Exception {
        rotate("alice");
        System.setProperty("aws.sharedCredentialsFile", Files.writeString(tmp.resolve("sdk-credentials"),
                "[reader]\naws_access_key_id = AKIASDKFILEREADER000\naws_secret_access_key = other\n").toString());
        writeFile("[reader]\naws_access_key_id = AKIAFILEREADER000000\naws_secret_access_key = reader-secret\n",
                "rw-------");

        Result result = fetch("--user", "alice", "--source-profile", "reader");

        assertEquals(0, result.code(), result.printed());
        assertEquals(List.of("AKIAFILEREADER000000"), secretReadsSignedWith());
        assertTrue(Files.readString(credentials).contains("\n[default]\naws_access_key_id = " + storedKeyId("alice")),
                Files.readString(credentials));
    }

    // ---------------------------------------------------------------- the secret cannot be used

    @Test
    void aUserNeverRotatedHasNoSecretAndNothingIsWritten() throws Exception {
        String before = ciProfile();
        writeFile(before, "rw-------");

        Result result = fetch("--user", "alice", "--profile", "ci");

        assertEquals(3, result.code(), result.printed());
        assertTrue(result.err().contains("no secret named " + SECRET), result.err());
        assertNothingWritten(before);
    }

    @Test
    void aMalformedSecretIsRefusedWithoutPrintingIt() throws Exception {
        List<String> hostile = List.of(
                "{\"AccessKeyId\":\"AKIAHOSTILE000000001\",\"SecretAccessKey\":\"" + PLANTED_SECRET + "\"", // cut short
                "not json " + PLANTED_SECRET,
                "{\"AccessKeyId\":\"AKIAHOSTILE000000001\",\"UserName\":\"alice\"}",          // no secret
                "{\"SecretAccessKey\":\"" + PLANTED_SECRET + "\",\"UserName\":\"alice\"}",     // no key id
                "{\"AccessKeyId\":7,\"SecretAccessKey\":\"" + PLANTED_SECRET + "\"}",           // wrong type
                "[\"" + PLANTED_SECRET + "\"]",
                "");
        String before = ciProfile();
        writeFile(before, "rw-------");
        for (String value : hostile) {
            // The rotator's own secret (its key, its marks) with a value it would never write.
            aws.secretsManager().seedRaw(SECRET, value, SecretTags.atCreation("alice"), RotatorHarness.KMS_KEY);

            Result result = fetch("--user", "alice", "--profile", "ci");

            assertEquals(ExitCode.SECRET_REFUSED.code(), result.code(), value + ": " + result.printed());
            assertTrue(result.err().contains("secret " + SECRET + " does not hold an access key document"),
                    result.err());
            assertFalse(result.printed().contains(PLANTED_SECRET), "the value is never printed: " + result.printed());
            assertNothingWritten(before);
        }
    }

    @Test
    void aBinarySecretIsRefusedWithAClearError() throws Exception {
        // Written as the function (only it may encrypt with the stack's key): the rotator's own secret, binary.
        try (SecretsManagerClient asTheFunction = LocalAwsClients.configure(SecretsManagerClient.builder(), aws)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        RotatorHarness.ROTATOR_ACCESS_KEY_ID, "rotator-secret"))).build()) {
            asTheFunction.createSecret(r -> r.name(SECRET).kmsKeyId(RotatorHarness.KMS_KEY)
                    .tags(SecretTags.atCreation("alice").entrySet().stream()
                            .map(tag -> Tag.builder().key(tag.getKey()).value(tag.getValue()).build()).toList())
                    .secretBinary(SdkBytes.fromUtf8String("{\"SecretAccessKey\":\"" + PLANTED_SECRET + "\"}")));
        }
        String before = ciProfile();
        writeFile(before, "rw-------");

        Result result = fetch("--user", "alice", "--profile", "ci");

        assertEquals(ExitCode.SECRET_REFUSED.code(), result.code(), result.printed());
        assertTrue(result.err().contains("secret " + SECRET + " does not hold an access key document"),
                result.printed());
        assertFalse(result.printed().contains(PLANTED_SECRET), result.printed());
        assertNothingWritten(before);
    }

    @Test
    void accessDeniedIsReportedWithTheSecretAndNothingIsWritten() throws Exception {
        rotate("alice");
        aws.faults().on("secretsmanager", "GetSecretValue").error(400, "AccessDeniedException",
                "User: arn:aws:iam::123456789012:user/alice is not authorized to perform:"
                        + " secretsmanager:GetSecretValue");
        String before = ciProfile();
        writeFile(before, "rw-------");

        Result result = fetch("--user", "alice", "--profile", "ci");

        assertEquals(3, result.code(), result.printed());
        assertTrue(result.err().contains("cannot read secret " + SECRET), result.err());
        assertTrue(result.err().contains("AccessDeniedException") && result.err().contains("not authorized"),
                result.err());
        assertNoSecretPrinted(result);
        assertNothingWritten(before);
    }

    @Test
    void aSecretHoldingAnotherUsersKeyIsRefused() throws Exception {
        rotate("alice");
        rotate("bob");
        String bobsDocument = aws.secretsManager().currentValue("access-key-rotation/bob").orElseThrow();
        aws.secretsManager().seedRaw(SECRET, bobsDocument, Map.of());
        String before = ciProfile();
        writeFile(before, "rw-------");

        Result result = fetch("--user", "alice", "--profile", "ci");

        assertEquals(ExitCode.SECRET_REFUSED.code(), result.code(), result.printed());
        assertTrue(result.err().contains("holds a key of user bob, not alice"), result.err());
        assertNoSecretPrinted(result);
        assertFalse(Files.readString(credentials).contains(storedKeyId("bob")), "bob's key is not written");
        assertNothingWritten(before);
    }

    // ---------------------------------------------------------------- helpers

    private Result fetch(String... options) {
        List<String> args = new ArrayList<>(List.of("fetch"));
        args.addAll(List.of(options));
        args.addAll(List.of("--credentials-file", credentials.toString(), "--endpoint-url",
                aws.endpoint().toString(), "--region", "us-east-1"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The access key ids the endpoint saw GetSecretValue signed with, in order. */
    private List<String> secretReadsSignedWith() {
        return aws.calls().all().stream().filter(call -> call.key().equals("secretsmanager:GetSecretValue"))
                .map(call -> call.signingKeyId().orElse("(unsigned)")).toList();
    }

    /** Seeds a due opted-in user and runs the rotator; returns the user's key from before the rotation. */
    private KeySnapshot rotate(String user) {
        harness.optedInUser(user);
        KeySnapshot old = harness.key(user, 120, true);
        // The old key must still work to sign the fetch: the endpoint refuses a disabled key, as AWS does.
        harness.parameter("grace-days", "7");
        harness.run();
        assertTrue(aws.secretsManager().currentValue(harness.secretName(user)).isPresent(), user + " was rotated");
        aws.calls().reset(); // from here on, the calls are the fetch's
        return old;
    }

    private String storedKeyId(String user) throws IOException {
        JsonNode document = JsonLog.mapper().readTree(
                aws.secretsManager().currentValue(harness.secretName(user)).orElseThrow());
        return document.get("AccessKeyId").asText();
    }

    /** A file whose [ci] profile can sign the fetch (the endpoint accepts any credentials). */
    private static String ciProfile() {
        return "# keep me\n[ci]\naws_access_key_id = AKIACIRUNNER00000000\naws_secret_access_key = ci-secret\n";
    }

    private void writeFile(String content, String mode) throws IOException {
        Files.createDirectories(credentials.getParent());
        Files.writeString(credentials, content);
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString(mode));
    }

    private void assertNothingWritten(String before) throws IOException {
        assertEquals(before, Files.readString(credentials), "the credentials file is untouched");
        try (var files = Files.list(credentials.getParent())) {
            assertEquals(List.of(credentials), files.toList(), "no backup or temporary file");
        }
    }

    private void assertNoSecretPrinted(Result result) {
        for (String secret : aws.iam().allSecretAccessKeys()) {
            assertFalse(result.printed().contains(secret), "a secret access key was printed: " + result.printed());
        }
    }

    private static String property(ProfileFile profiles, String profile, String property) {
        return profiles.profile(profile).orElseThrow().property(property).orElseThrow();
    }

    private static String mode(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }
}
