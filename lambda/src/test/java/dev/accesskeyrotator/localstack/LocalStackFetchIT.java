package dev.accesskeyrotator.localstack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.wiring.RotatorFactory;
import dev.accesskeyrotator.cli.Main;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.testing.RotatorHarness;
import dev.accesskeyrotator.service.RotationService;
import dev.accesskeyrotator.service.RunReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.localstack.LocalStackContainer;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.ssm.model.ParameterType;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The key owner's side against LocalStack: after a rotation, {@code fetch} (the real CLI entry point) proves the user
 * secret is the rotator's (its KMS key is the one the stack's alias names, with {@code kms:DescribeKey}; the rotator's
 * tags; the keys ListSecretVersionIds reports for its current version), reads it and writes the new key into a profile
 * of a shared credentials file, and that profile works. As {@code KeyOwnerCommandsMotoTest} does against moto. Needs
 * Docker; skipped without it. Its own parameter prefix, opt-in tag, secret prefix and so key alias keep it apart from
 * other tests. Time is shifted as in {@link LocalStackRotationIT} (LocalStack stamps keys with the real time).
 *
 * <h2>What LocalStack needs for this (see {@link LocalStackSupport})</h2>
 * <ul>
 *   <li>{@code PARITY_AWS_ACCESS_KEY_ID}: LocalStack's IAM otherwise issues {@code LKIA} key ids, which fetch refuses
 *   as not an IAM user's key ({@code KeyValues}).</li>
 *   <li>The start hook that adds {@code KmsKeyIds} to ListSecretVersionIds: without it fetch refuses every secret
 *   ("Secrets Manager names no KMS key for its current version"). The hook reports the secret's one key for every
 *   version, so the re-keyed secret that refusal exists for cannot be built here; {@code SquattedSecretTest} covers
 *   it on the project's endpoint.</li>
 *   <li>Secrets Manager neither checks the KmsKeyId it is given against KMS nor encrypts with it: only the names
 *   can be compared here, never who could write the value.</li>
 * </ul>
 */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackFetchIT {
    private static final String PARAMETER_PREFIX = "/fetch-it/";
    private static final String SECRET_PREFIX = "fetch-it/";

    @Container
    static final LocalStackContainer LOCALSTACK = LocalStackSupport.container();

    @Test
    void fetchWritesTheRotatedKeyIntoAWorkingProfile(@TempDir Path home) throws Exception {
        String oldKey;
        String secretString;
        try (AwsClients clients = LocalStackSupport.clients(LOCALSTACK)) {
            clients.iam().createUser(r -> r.userName("frank")
                    .tags(Tag.builder().key("fetch-it").value("enabled").build()));
            oldKey = clients.iam().createAccessKey(r -> r.userName("frank")).accessKey().accessKeyId();
            clients.ssm().putParameter(r -> r.name(PARAMETER_PREFIX + "user-tag").value("fetch-it=enabled")
                    .type(ParameterType.STRING).overwrite(true));
            String topicArn = clients.sns().createTopic(r -> r.name("fetch-it-notices")).topicArn();
            String kmsKeyArn = LocalStackSupport.createStackKey(LOCALSTACK, SECRET_PREFIX);

            Clock later = Clock.offset(Clock.systemUTC(), Duration.ofDays(LocalStackRotationIT.DAYS_AHEAD));
            RotatorSettings settings = new RotatorSettings(PARAMETER_PREFIX, SECRET_PREFIX, topicArn,
                    Optional.of(kmsKeyArn), "the platform team", 1, Optional.empty(),
                    Optional.of(RotatorHarness.FUNCTION_ROLE_ARN), Optional.empty());
            RotationService service = RotatorFactory.create(settings, clients, later, new JsonLog(line -> { }, later),
                    pause -> Thread.sleep(pause.toMillis()));
            RunReport report = service.run(RotationService.RunRequest.normal());
            assertEquals(Outcome.ROTATED, report.users().get(0).outcome(), report.users().toString());
            secretString = clients.secretsManager().getSecretValue(r -> r.secretId(SECRET_PREFIX + "frank"))
                    .secretString();
            // What fetch will check, asked directly first, so that a LocalStack that answers otherwise fails here
            // with its own answer rather than as a refusal further down.
            assertEquals(kmsKeyArn, clients.secretsManager().describeSecret(r -> r.secretId(SECRET_PREFIX + "frank"))
                    .kmsKeyId(), "the secret names the stack's key");
            assertEquals(List.of(List.of(kmsKeyArn)), clients.secretsManager()
                    .listSecretVersionIds(r -> r.secretId(SECRET_PREFIX + "frank")).versions().stream()
                    .filter(v -> v.versionStages().contains("AWSCURRENT")).map(v -> v.kmsKeyIds()).toList(),
                    "ListSecretVersionIds names the stack's key for the current version (the start hook "
                            + LocalStackSupport.KMS_KEY_IDS_HOOK + " adds it; did it run?)");
        }
        JsonNode secret = JsonLog.mapper().readTree(secretString);
        String newKey = secret.path("AccessKeyId").asText();
        String newSecret = secret.path("SecretAccessKey").asText();
        assertFalse(newKey.equals(oldKey));
        assertTrue(newKey.matches("AKIA[A-Z0-9]{16}"),
                "an IAM user's key id, as AWS issues them (PARITY_AWS_ACCESS_KEY_ID): " + newKey);

        // The file already holds another profile, which must survive.
        Path credentials = home.resolve("credentials");
        Files.writeString(credentials, "[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = keep-me\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = withLocalStackCredentials(() -> Main.run(List.of("fetch", "--user", "frank",
                        "--profile", "frank", "--source-profile", "reader",
                        "--region", LOCALSTACK.getRegion(), "--endpoint-url", LOCALSTACK.getEndpoint().toString(),
                        "--secret-prefix", SECRET_PREFIX, "--credentials-file", credentials.toString()),
                Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)), home);
        String printed = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, printed);
        assertTrue(printed.contains(newKey), printed);
        assertFalse(printed.contains(newSecret), "fetch never prints the secret");

        String file = Files.readString(credentials);
        assertTrue(file.contains("[other]") && file.contains("keep-me"), "other profiles are kept: " + file);
        ProfileFile profiles = ProfileFile.builder().content(credentials).type(ProfileFile.Type.CREDENTIALS).build();
        assertEquals(newKey, profiles.profile("frank").flatMap(p -> p.property("aws_access_key_id")).orElseThrow());
        assertEquals(newSecret, profiles.profile("frank").flatMap(p -> p.property("aws_secret_access_key"))
                .orElseThrow());
        // The written profile works: STS answers as frank.
        String arn = LocalStackSupport.callerArn(LOCALSTACK, ProfileCredentialsProvider.builder()
                .profileFile(profiles).profileName("frank").build());
        assertTrue(arn.endsWith(":user/frank"), arn);
    }

    /**
     * {@code fetch} reads the secret with a profile ({@code --source-profile reader}) from the shared files, as an
     * owner's machine would; the files here give that profile LocalStack's credentials.
     */
    private static int withLocalStackCredentials(java.util.function.IntSupplier fetch, Path home) throws Exception {
        Path sourceFile = home.resolve("reader-credentials");
        Files.writeString(sourceFile, "[reader]\naws_access_key_id = " + LOCALSTACK.getAccessKey()
                + "\naws_secret_access_key = " + LOCALSTACK.getSecretKey() + "\n");
        Path configFile = home.resolve("config");
        Files.writeString(configFile, "");
        Map<String, String> saved = new HashMap<>();
        for (String property : List.of("aws.sharedCredentialsFile", "aws.configFile")) {
            saved.put(property, System.getProperty(property));
        }
        System.setProperty("aws.sharedCredentialsFile", sourceFile.toString());
        System.setProperty("aws.configFile", configFile.toString());
        try {
            return fetch.getAsInt();
        } finally {
            saved.forEach((property, value) -> {
                if (value == null) {
                    System.clearProperty(property);
                } else {
                    System.setProperty(property, value);
                }
            });
        }
    }
}
