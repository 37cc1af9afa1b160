package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.service.SecretDocument;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Someone who controls a directory on the key owner's machine, or can plant files in one: the credentials cache is
 * never served from, nor written through, a file or directory others could have put there, and a write never follows
 * a planted symbolic link, whether in place of the cache or of its temporary file. The writers refuse a value with a
 * line break whatever path led to them.
 */
class OwnerFilesTest {
    private static final String USER = "ci-bot";
    private static final SecretDocument.HeldKey OWNERS_KEY = new SecretDocument.HeldKey("AKIAOWNER00000000001",
            "ownerSecretKey0000000000000000000000000a", Optional.of(USER));
    private static final SecretDocument.HeldKey ATTACKERS_KEY = new SecretDocument.HeldKey("AKIAATTACKER00000001",
            "attackerSecretKey00000000000000000000000", Optional.of(USER));
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    /** A uid no account on the build machine has. */
    private static final int ANOTHER_UID = 4242;

    @TempDir
    Path tmp;

    private Path directory;
    private Path cache;

    record Result(int code, String out, String err) { }

    @BeforeEach
    void setUp() throws IOException {
        directory = tmp.resolve("access-key-rotator");
        cache = directory.resolve(USER + ".json");
        cacheOf(OWNERS_KEY).write(cache);
    }

    @Test
    void aCacheDirectoryEveryoneCanWriteIsRefusedAndNothingIsServed() throws Exception {
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxrwxrwx"));

        Result served = serve();

        assertEquals(ExitCode.CORRUPT_CACHE.code(), served.code(), served.err());
        assertEquals("", served.out(), "nothing served");
        assertTrue(served.err().contains("is writable by every user"), served.err());
        assertThrows(OwnerFiles.Unsafe.class, () -> cacheOf(OWNERS_KEY).write(cache), "nor written through");
    }

    @Test
    void aCacheFileOrDirectoryOfAnotherUserIsRefused() throws Exception {
        assumeTrue(OwnerFiles.CurrentUser.uid() == 0, "changing a file's owner takes root; the build runs as root");
        for (Path owned : List.of(cache, directory)) {
            Files.setAttribute(owned, "unix:uid", ANOTHER_UID);

            Result served = serve();

            assertEquals(ExitCode.CORRUPT_CACHE.code(), served.code(), served.err());
            assertEquals("", served.out(), "nothing served");
            assertTrue(served.err().contains("belongs to another user (uid " + ANOTHER_UID + ")"), served.err());
            Files.setAttribute(owned, "unix:uid", 0);
        }
    }

    @Test
    void aSymbolicLinkInPlaceOfTheCacheIsNeitherServedNorWrittenThrough() throws Exception {
        Path attackers = tmp.resolve("attackers.json");
        cacheOf(ATTACKERS_KEY).write(attackers);
        byte[] attackersBytes = Files.readAllBytes(attackers);
        Files.delete(cache);
        Files.createSymbolicLink(cache, attackers);

        Result served = serve();

        assertEquals(ExitCode.CORRUPT_CACHE.code(), served.code(), served.err());
        assertEquals("", served.out(), "nothing served from the attacker's file");
        assertTrue(served.err().contains("is a symbolic link"), served.err());

        assertThrows(OwnerFiles.Unsafe.class, () -> cacheOf(OWNERS_KEY).write(cache));
        assertTrue(Files.isSymbolicLink(cache));
        assertArrayEquals(attackersBytes, Files.readAllBytes(attackers), "the link's target is not written");
    }

    @Test
    void aSymbolicLinkPlantedAsTheTemporaryFileIsNeverFollowed() throws Exception {
        byte[] before = Files.readAllBytes(cache);
        Path target = Files.writeString(tmp.resolve("target"), "the attacker's file");
        // The name the writer will try, made predictable here only: real names hold 128 random bits.
        Files.createSymbolicLink(directory.resolve("." + USER + ".json.planted.tmp"), target);

        assertThrows(OwnerFiles.Unsafe.class, () -> cacheOf(ATTACKERS_KEY).write(cache, () -> "planted"));

        assertEquals("the attacker's file", Files.readString(target), "the link's target is not written");
        assertArrayEquals(before, Files.readAllBytes(cache), "the cache is as it was");
    }

    @Test
    void theCacheIsOwnerOnlyInAnOwnerOnlyDirectoryAndNoTemporaryFileStays() throws Exception {
        assertEquals("rwx------", mode(directory));
        assertEquals("rw-------", mode(cache));
        try (var files = Files.list(directory)) {
            assertEquals(List.of(cache), files.toList());
        }
    }

    @Test
    void theWritersRefuseALineBreakWhateverPathLedThere() throws Exception {
        byte[] before = Files.readAllBytes(cache);
        SecretDocument.HeldKey injected = new SecretDocument.HeldKey("AKIAOWNER00000000001",
                "x\n\n[prod]\ncredential_process = /bin/sh", Optional.of(USER));
        assertThrows(KeyValues.UnsafeValue.class, () -> cacheOf(injected).write(cache));
        assertArrayEquals(before, Files.readAllBytes(cache));

        Path credentials = tmp.resolve("credentials");
        Files.writeString(credentials, "[ci]\naws_access_key_id = AKIAOWNER00000000001\n");
        byte[] credentialsBefore = Files.readAllBytes(credentials);
        for (String[] values : List.of(new String[]{"ci", "AKIAOWNER00000000001", injected.secretAccessKey()},
                new String[]{"ci", "AKIAOWNER00000000001\r", OWNERS_KEY.secretAccessKey()},
                new String[]{"ci]\n[prod", "AKIAOWNER00000000001", OWNERS_KEY.secretAccessKey()},
                new String[]{"ci\u2028", "AKIAOWNER00000000001", OWNERS_KEY.secretAccessKey()})) {
            assertThrows(KeyValues.UnsafeValue.class,
                    () -> CredentialsFile.writeProfile(credentials, values[0], values[1], values[2]));
            assertArrayEquals(credentialsBefore, Files.readAllBytes(credentials));
        }
    }

    @Test
    void keyValuesFollowAwsFormats() {
        assertEquals(Optional.empty(), KeyValues.problem(OWNERS_KEY, USER, true));
        assertEquals(Optional.empty(), KeyValues.problem(new SecretDocument.HeldKey("AKIAIOSFODNN7EXAMPLE",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", Optional.empty()), USER, false));
        for (String keyId : List.of("ASIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPL", "AKIAIOSFODNN7EXAMPLE1",
                "akiaiosfodnn7example", "AKIAIOSFODNN7EXAMP\nE")) {
            assertTrue(KeyValues.problem(new SecretDocument.HeldKey(keyId, OWNERS_KEY.secretAccessKey(),
                    Optional.of(USER)), USER, true).isPresent(), keyId);
        }
        for (String secret : List.of("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY1",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE=", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEK\n")) {
            assertTrue(KeyValues.problem(new SecretDocument.HeldKey(OWNERS_KEY.accessKeyId(), secret,
                    Optional.of(USER)), USER, true).isPresent(), secret);
        }
        assertEquals(Optional.of("it holds a key of user bob, not ci-bot"), KeyValues.problem(
                new SecretDocument.HeldKey(OWNERS_KEY.accessKeyId(), OWNERS_KEY.secretAccessKey(), Optional.of("bob")),
                USER, true));
        assertTrue(KeyValues.problem(new SecretDocument.HeldKey(OWNERS_KEY.accessKeyId(),
                OWNERS_KEY.secretAccessKey(), Optional.empty()), USER, true).isPresent(), "the secret names its user");
    }

    // ---------------------------------------------------------------- helpers

    private static CredentialsCache cacheOf(SecretDocument.HeldKey key) {
        return new CredentialsCache(USER, key, "access-key-rotation/" + USER, "us-east-1", Optional.empty(),
                Duration.ofMinutes(60), NOW);
    }

    private Result serve() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CredentialsCommand.execute(List.of("--cache", cache.toString()), Map.of(),
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Clock.fixed(NOW, ZoneOffset.UTC));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }
}
