package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.testing.ClearedSystemProperties;
import dev.accesskeyrotator.testing.RotatorHarness;
import dev.accesskeyrotator.testing.SecretLeakCheck;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code rotate}: an admin's emergency rotation from a shell, against the local endpoint. */
class RotateCommandTest {
    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();
    @RegisterExtension
    final ClearedSystemProperties sdkProperties = new ClearedSystemProperties("aws.sharedCredentialsFile",
            "aws.configFile", "aws.accessKeyId", "aws.secretAccessKey", "aws.region", "aws.disableEc2Metadata");

    @TempDir
    Path tmp;

    private RotatorHarness harness;
    private LocalAws aws;

    record Result(int code, String out, String err) {}

    @BeforeEach
    void seed() throws IOException {
        System.setProperty("aws.configFile", Files.writeString(tmp.resolve("config"), "").toString());
        System.setProperty("aws.sharedCredentialsFile", tmp.resolve("credentials-absent").toString());
        System.setProperty("aws.disableEc2Metadata", "true");
        // Acting takes the function's role (only it may encrypt with the user secrets key), as operations.md says.
        System.setProperty("aws.accessKeyId", RotatorHarness.ROTATOR_ACCESS_KEY_ID);
        System.setProperty("aws.secretAccessKey", "rotator-secret");
        aws = endpoint.aws();
        harness = new RotatorHarness(aws);
        harness.optedInUser("alice");
        harness.key("alice", 3, true);
        harness.otherUser("carol");
        harness.key("carol", 3, true);
    }

    @AfterEach
    void close() {
        harness.close();
    }

    private Result rotate(String... extra) {
        List<String> args = new ArrayList<>(List.of("rotate", "--region", "us-east-1", "--endpoint-url",
                aws.endpoint().toString(), "--topic-arn", harness.topicArn(), "--kms-key-id", RotatorHarness.KMS_KEY,
                "--function-role-arn", RotatorHarness.FUNCTION_ROLE_ARN, "--opt-in-tag", RotatorHarness.OPT_IN_TAG));
        args.addAll(List.of(extra));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, Map.of(), o, e, aws.clock());
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void rotatesTheNamedUsersKeyNowAndDryRunChangesNothing() {
        String exposed = aws.iam().keys("alice").get(0).id();

        Result preview = rotate("--user", "alice", "--reason", "pasted in SEC-9", "--dry-run");
        assertEquals(0, preview.code(), preview.err());
        assertTrue(preview.out().startsWith("DRY RUN"), preview.out());
        assertTrue(preview.out().contains("planned"), preview.out());
        assertEquals(1, aws.iam().keys("alice").size());

        Result done = rotate("--user", "alice", "--user", "carol", "--reason", "pasted in SEC-9");
        // carol is not opted in: attention for the admins, nothing changed; exit code 4 as for blocked.
        assertEquals(4, done.code(), done.out() + done.err());
        assertTrue(done.out().contains("rotated") && done.out().contains("attention"), done.out());
        assertFalse(aws.iam().keys("alice").stream().filter(k -> k.id().equals(exposed)).findFirst().orElseThrow()
                .active());
        assertEquals(2, aws.iam().keys("alice").size());
        assertTrue(aws.iam().keys("carol").get(0).active());
        assertEquals(1, aws.sns().published().stream()
                .filter(m -> m.attribute("event_type").filter("key-exposed"::equals).isPresent()).count());
        SecretLeakCheck.assertNoSecretLeaked(aws, List.of(preview.out(), preview.err(), done.out(), done.err()));
    }

    @Test
    void withoutAUserOrAReasonItIsAUsageError() {
        Result noUser = rotate("--reason", "x");
        assertEquals(2, noUser.code());
        assertTrue(noUser.err().contains("--user"), noUser.err());
        Result noReason = rotate("--user", "alice");
        assertEquals(2, noReason.code());
        assertTrue(noReason.err().contains("--reason"), noReason.err());
        assertEquals(1, aws.iam().keys("alice").size());
    }
}
