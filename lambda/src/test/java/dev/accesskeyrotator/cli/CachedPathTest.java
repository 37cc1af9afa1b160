package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.service.SecretDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The documented fast path: {@code credentials --cache PATH} (the line init prints) is served without loading the
 * command-line parser, and prints what the full command line prints for the same cache.
 */
class CachedPathTest {
    @TempDir
    Path tmp;

    @Test
    void onlyCacheAndUserTakeTheFastPath() {
        assertTrue(CachedCredentials.fastPathApplies(new String[]{"credentials", "--cache", "/c"}));
        assertTrue(CachedCredentials.fastPathApplies(new String[]{"credentials", "--cache=/c", "--user", "u"}));
        assertFalse(CachedCredentials.fastPathApplies(new String[]{"credentials", "--cache", "/c", "--debug"}));
        assertFalse(CachedCredentials.fastPathApplies(new String[]{"credentials", "--cache"}));
        assertFalse(CachedCredentials.fastPathApplies(new String[]{"credentials", "status", "--cache", "/c"}));
        assertFalse(CachedCredentials.fastPathApplies(new String[]{"credentials", "--help"}));
        assertFalse(CachedCredentials.fastPathApplies(new String[]{"fetch", "--user", "u"}));
    }

    @Test
    void aFreshCacheIsServedWithoutLoadingPicocliAndAsTheFullCommandLineServesIt() throws Exception {
        Path cache = tmp.resolve("aws").resolve("ci-bot.json");
        new CredentialsCache("ci-bot", new SecretDocument.HeldKey("AKIAIOSFODNN7EXAMPLE",
                "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY00", Optional.empty()), "access-key-rotation/ci-bot",
                "eu-west-1", Optional.empty(), Duration.ofDays(1), Instant.now()).write(cache);

        String fast = java("credentials", "--cache", cache.toString());
        String full = java("credentials", "--debug", "--cache", cache.toString());

        List<String> fastPayload = fast.lines().filter(l -> l.startsWith("{")).toList();
        assertEquals(1, fastPayload.size(), fast);
        assertTrue(fastPayload.get(0).contains("\"AccessKeyId\":\"AKIAIOSFODNN7EXAMPLE\""), fast);
        assertFalse(fast.contains("[class,load] picocli."), "no picocli class loaded on the fast path");
        assertTrue(full.contains("[class,load] picocli.CommandLine "), "the full command line loads it");
        assertEquals(fastPayload, full.lines().filter(l -> l.startsWith("{")).toList());
    }

    /** The program in its own JVM, with every class it loads listed on standard output. */
    private static String java(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin",
                "java").toString(), "-Xlog:class+load=info", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        return output;
    }
}
