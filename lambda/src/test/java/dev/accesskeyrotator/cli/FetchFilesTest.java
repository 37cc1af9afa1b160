package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.localaws.IamEmulator.KeySnapshot;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.testing.ClearedSystemProperties;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code fetch}'s files on the owner's machine: written through a unique owner-only temporary file (never a fixed
 * name someone could plant), a symbolic link (a dotfile manager's) written through to its target and kept, a link to
 * nothing refused, {@code ~/.aws} created owner-only, and two fetches at once leave nothing others can read.
 */
class FetchFilesTest {
    private static final String USER = "alice";

    @RegisterExtension
    final ClearedSystemProperties sdkProperties = new ClearedSystemProperties("aws.sharedCredentialsFile",
            "aws.configFile", "aws.accessKeyId", "aws.secretAccessKey");

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();

    @TempDir
    Path tmp;

    private LocalAws aws;
    private RotatorHarness harness;
    private KeySnapshot oldKey;
    private String newKeyId;

    record Result(int code, String out, String err) { }

    @BeforeEach
    void setUp() throws IOException {
        System.setProperty("aws.configFile", Files.writeString(tmp.resolve("sdk-config"), "").toString());
        System.setProperty("aws.sharedCredentialsFile", tmp.resolve("sdk-credentials-absent").toString());
        aws = endpoint.aws();
        harness = new RotatorHarness(aws);
        harness.optedInUser(USER);
        oldKey = harness.key(USER, 120, true);
        harness.parameter("grace-days", "7"); // the old key still signs the fetch
        harness.run();
        String document = aws.secretsManager().currentValue(harness.secretName(USER)).orElseThrow();
        newKeyId = document.replaceAll(".*\"AccessKeyId\":\"([A-Z0-9]+)\".*", "$1");
        assertFalse(newKeyId.equals(oldKey.id()), "rotated");
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @Test
    void aSymlinkedCredentialsFileIsWrittenThroughToItsTargetAndStaysALink() throws Exception {
        Path dotfiles = Files.createDirectories(tmp.resolve("dotfiles").resolve("aws"));
        Path target = writeOwnerOnly(dotfiles.resolve("credentials"), profileWithOldKey());
        Path link = Files.createDirectories(tmp.resolve("home").resolve(".aws")).resolve("credentials");
        Files.createSymbolicLink(link, target);

        Result result = fetch(link);

        assertEquals(0, result.code(), result.err());
        assertTrue(result.out().contains("(a link to " + target + ")"), result.out());
        assertTrue(Files.isSymbolicLink(link), "the link is kept, not replaced by a regular file");
        assertTrue(Files.readString(target).contains("aws_access_key_id = " + newKeyId), "written through");
        assertEquals("rw-------", mode(target));
        assertEquals("rw-------", mode(dotfiles.resolve("credentials.bak")));
    }

    @Test
    void aSymlinkToNothingIsRefusedAndNothingIsCreated() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home").resolve(".aws"));
        Path link = home.resolve("credentials");
        Path missing = tmp.resolve("elsewhere").resolve("credentials");
        Files.createSymbolicLink(link, missing);
        Path source = writeOwnerOnly(home.resolve("source"), profileWithOldKey());
        System.setProperty("aws.sharedCredentialsFile", source.toString());

        Result result = fetch(link, "--source-profile", "ci");

        assertEquals(3, result.code(), result.out());
        assertTrue(result.err().contains("is a symbolic link to " + missing + ", which does not exist"), result.err());
        assertFalse(Files.exists(missing.getParent()));
        assertTrue(Files.isSymbolicLink(link));
        try (var files = Files.list(home)) {
            assertEquals(2, files.count(), "only the link and the test's own file");
        }
        assertTrue(Files.exists(source));
    }

    @Test
    void aPlantedFixedTemporaryNameIsIgnoredAndItsTargetUntouched() throws Exception {
        Path credentials = writeOwnerOnly(Files.createDirectories(tmp.resolve("home").resolve(".aws"))
                .resolve("credentials"), profileWithOldKey());
        Path target = Files.writeString(tmp.resolve("attackers-file"), "untouched");
        // Older versions wrote through credentials.tmp; a link planted there must lead nowhere.
        Files.createSymbolicLink(credentials.resolveSibling("credentials.tmp"), target);

        Result result = fetch(credentials);

        assertEquals(0, result.code(), result.err());
        assertEquals("untouched", Files.readString(target));
        assertTrue(Files.readString(credentials).contains(newKeyId));
        assertThrows(OwnerFiles.Unsafe.class, () -> {
            Files.createSymbolicLink(credentials.resolveSibling(".credentials.planted.tmp"), target);
            CredentialsFile.writeProfile(credentials, "ci", newKeyId, oldKey.secret(), () -> "planted");
        }, "a temporary name that is taken is never written through");
        assertEquals("untouched", Files.readString(target));
    }

    @Test
    void aMissingAwsDirectoryIsCreatedOwnerOnly() throws Exception {
        Path source = writeOwnerOnly(tmp.resolve("sdk-credentials"), profileWithOldKey());
        System.setProperty("aws.sharedCredentialsFile", source.toString());
        Path credentials = tmp.resolve("home").resolve(".aws").resolve("credentials");

        Result result = fetch(credentials, "--source-profile", "ci");

        assertEquals(0, result.code(), result.err());
        assertEquals("rwx------", mode(credentials.getParent()));
        assertEquals("rw-------", mode(credentials));
    }

    @Test
    void twoFetchesAtOnceNeverLeaveAFileOthersCanRead() throws Exception {
        Path credentials = writeOwnerOnly(Files.createDirectories(tmp.resolve("home").resolve(".aws"))
                .resolve("credentials"), profileWithOldKey());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 3; round++) {
                CyclicBarrier start = new CyclicBarrier(2);
                List<CompletableFuture<Result>> runs = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    runs.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            start.await();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        return fetch(credentials);
                    }, pool));
                }
                for (CompletableFuture<Result> run : runs) {
                    Result result = run.join();
                    assertEquals(0, result.code(), result.err());
                }
                try (var files = Files.list(credentials.getParent())) {
                    for (Path file : files.toList()) {
                        assertEquals("rw-------", mode(file), file + " after round " + round);
                        assertFalse(file.getFileName().toString().endsWith(".tmp"), "left behind: " + file);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(Files.readString(credentials).contains("aws_access_key_id = " + newKeyId));
    }

    // ---------------------------------------------------------------- helpers

    private String profileWithOldKey() {
        return "[ci]\naws_access_key_id = " + oldKey.id() + "\naws_secret_access_key = " + oldKey.secret() + "\n";
    }

    private static Path writeOwnerOnly(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private Result fetch(Path credentials, String... extra) {
        List<String> args = new ArrayList<>(List.of("fetch", "--user", USER, "--profile", "ci", "--credentials-file",
                credentials.toString(), "--endpoint-url", aws.endpoint().toString(), "--region", "us-east-1"));
        args.addAll(List.of(extra));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }
}
