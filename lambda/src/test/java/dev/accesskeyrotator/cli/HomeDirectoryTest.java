package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.localaws.IamEmulator.KeySnapshot;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code fetch} and {@code credentials} find their files where the SDK and the AWS CLI do: under {@code $HOME}, not
 * Java's {@code user.home} (which ignores {@code $HOME}: sudo, service accounts, CI runners). Real processes, each
 * with {@code HOME} and {@code user.home} pointing at two different temporary directories. A second fetch of the
 * same key changes nothing and keeps the backup of the file as it was before the rotation.
 *
 * <p>Tagged {@code slow} (left out of the default build, run by {@code -Pslow}): {@code $HOME} can only be set for
 * a new process, so each command here starts a JVM.
 */
@Tag("slow")
class HomeDirectoryTest {
    private static final String USER = "ci-bot";
    private static final String SECRET = "access-key-rotation/" + USER;

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension(Instant.parse("2099-01-01T00:00:00Z"));

    @TempDir
    Path tmp;

    private LocalAws aws;
    private RotatorHarness harness;
    private Path home;
    private Path javaHome;

    @BeforeEach
    void setUp() throws IOException {
        aws = endpoint.aws();
        harness = new RotatorHarness(aws);
        harness.parameter("max-key-age-days", "2");
        // The old key stays active after the rotation: what fetch reads the secret with.
        harness.parameter("grace-days", "1");
        home = Files.createDirectories(tmp.resolve("home"));
        javaHome = Files.createDirectories(tmp.resolve("user.home"));
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    record Run(int code, String output) { }

    @Test
    void fetchAndCredentialsReadAndWriteOnlyUnderHome() throws Exception {
        harness.optedInUser(USER);
        KeySnapshot oldKey = harness.key(USER, 3, true);
        harness.run();
        String secretValue = endpoint.secretsManagerClient().getSecretValue(r -> r.secretId(SECRET)).secretString();
        Path aws = Files.createDirectories(home.resolve(".aws"));
        String before = "[ci]\naws_access_key_id = " + oldKey.id() + "\naws_secret_access_key = " + oldKey.secret()
                + "\n";
        Files.writeString(aws.resolve("credentials"), before);

        Run fetched = cli(new byte[0], "fetch", "--user", USER, "--profile", "ci");

        assertEquals(0, fetched.code(), fetched.output());
        assertTrue(fetched.output().startsWith("Wrote access key "), fetched.output());
        assertTrue(fetched.output().contains(" in " + aws.resolve("credentials") + " (previous file kept as "
                + aws.resolve("credentials.bak") + ")"), fetched.output());
        assertEquals(before, Files.readString(aws.resolve("credentials.bak")));

        Run again = cli(new byte[0], "fetch", "--user", USER, "--profile", "ci");

        assertEquals(0, again.code(), again.output());
        assertTrue(again.output().startsWith("Profile [ci] in " + aws.resolve("credentials") + " already holds"
                + " access key "), again.output());
        assertTrue(again.output().contains("nothing changed"), again.output());
        assertEquals(before, Files.readString(aws.resolve("credentials.bak")), "the pre-rotation backup is kept");

        Run init = cli(secretValue.getBytes(StandardCharsets.UTF_8), "credentials", "init", "--user", USER,
                "--stdin");

        assertEquals(0, init.code(), init.output());
        Path cache = aws.resolve("access-key-rotator").resolve(USER + ".json");
        assertTrue(Files.exists(cache), init.output());
        assertTrue(init.output().contains("Use it in " + aws.resolve("config")), init.output());
        Run status = cli(new byte[0], "credentials", "status", "--user", USER);
        assertEquals(0, status.code(), status.output());
        assertTrue(status.output().contains("cache " + cache), status.output());

        assertEquals(List.of(), filesUnder(javaHome), "nothing under Java's user.home");
    }

    private Run cli(byte[] stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Duser.home=" + javaHome, "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        if (!List.of(args).contains("status")) {
            command.addAll(List.of("--region", aws.region().id(), "--endpoint-url", aws.endpoint().toString()));
        }
        ProcessBuilder process = new ProcessBuilder(command).redirectErrorStream(true);
        process.environment().put("HOME", home.toString());
        process.environment().remove("AWS_SHARED_CREDENTIALS_FILE");
        process.environment().remove("AWS_CONFIG_FILE");
        process.environment().remove("AWS_PROFILE");
        process.environment().remove("SECRET_NAME_PREFIX");
        process.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        Process started = process.start();
        started.getOutputStream().write(stdin);
        started.getOutputStream().close();
        String output = new String(started.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(started.waitFor(60, TimeUnit.SECONDS), "finished");
        return new Run(started.exitValue(), output);
    }

    private static List<Path> filesUnder(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(path -> !path.equals(directory)).toList();
        }
    }
}
