package dev.accesskeyrotator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.log.JsonLog;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.profiles.ProfileFileLocation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code fetch}: a key owner reads their own secret and writes the new key into a profile of the shared
 * credentials file. It prints key ids and paths, never the secret.
 */
final class FetchCommand {
    private static final Set<String> VALUE_OPTIONS = Set.of("--user", "--profile", "--source-profile",
            "--credentials-file", "--region", "--endpoint-url", "--secret-prefix");

    private FetchCommand() {}

    static int execute(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        Arguments options = Arguments.parse(args, VALUE_OPTIONS, Set.of());
        String user = options.value("--user").orElseThrow(() -> new Arguments.UsageException("--user is required"));
        String profile = options.value("--profile").orElse("default");
        String secretName = options.value("--secret-prefix")
                .or(() -> Optional.ofNullable(env.get(RotatorSettings.SECRET_NAME_PREFIX)))
                .orElse(RotatorSettings.DEFAULT_SECRET_NAME_PREFIX) + user;
        Path file = options.value("--credentials-file").map(Path::of).orElseGet(() -> CredentialsFile.defaultLocation(env));
        Optional<String> sourceProfile = options.value("--source-profile").or(() -> options.value("--profile"));

        String secretString;
        try {
            Region region = options.value("--region").map(Region::of)
                    .orElseGet(() -> new DefaultAwsRegionProviderChain().getRegion());
            Optional<URI> endpoint = options.value("--endpoint-url").map(URI::create);
            AwsClients.Options clientOptions = AwsClients.Options.forCli(region, sourceProfile, endpoint);
            // The profile being replaced lives in the file being written, which need not be the SDK's default file.
            Optional<ProfileFile> ownFile = sourceProfile.flatMap(p -> profileFileDefining(file, p));
            if (ownFile.isPresent()) {
                clientOptions = new AwsClients.Options(region, endpoint, ProfileCredentialsProvider.builder()
                        .profileFile(ownFile.get()).profileName(sourceProfile.get()).build(), List.of(),
                        AwsClients.defaultRetryStrategy());
            }
            try (AwsClients clients = new AwsClients(clientOptions)) {
                secretString = clients.secretsManager().getSecretValue(r -> r.secretId(secretName)).secretString();
            }
        } catch (ResourceNotFoundException e) {
            err.println("error: there is no secret named " + secretName + " (has your key been rotated yet? is the"
                    + " region right?)");
            return 3;
        } catch (AwsServiceException e) {
            err.println("error: cannot read secret " + secretName + ": " + e.awsErrorDetails().errorCode() + ": "
                    + e.awsErrorDetails().errorMessage());
            return 3;
        } catch (SdkClientException e) {
            err.println("error: cannot reach AWS or find credentials: " + e.getMessage());
            return 3;
        }

        JsonNode document;
        try {
            // A binary secret has no SecretString.
            document = secretString == null ? null : JsonLog.mapper().readTree(secretString);
        } catch (IOException e) {
            document = null;
        }
        String accessKeyId = text(document, "AccessKeyId");
        String secretAccessKey = text(document, "SecretAccessKey");
        String owner = text(document, "UserName");
        if (accessKeyId == null || secretAccessKey == null) {
            err.println("error: secret " + secretName + " does not hold an access key document; ask your platform team");
            return 3;
        }
        if (owner != null && !owner.equals(user)) {
            err.println("error: secret " + secretName + " holds a key of user " + owner + ", not " + user
                    + "; nothing written. Tell your platform team.");
            return 3;
        }
        try {
            Optional<Path> backup = CredentialsFile.writeProfile(file, profile, accessKeyId, secretAccessKey);
            out.println("Wrote access key " + accessKeyId + " of IAM user " + user + " to profile [" + profile + "] in "
                    + file + backup.map(b -> " (previous file kept as " + b + ")").orElse("") + ".");
            out.println("Check it with: aws sts get-caller-identity --profile " + profile);
            return 0;
        } catch (IOException e) {
            err.println("error: cannot write " + file + ": " + e.getMessage());
            return 3;
        }
    }

    /**
     * The credentials file (with the SDK's config file) when it defines {@code profile}; empty to let the SDK read its
     * default files, as for a profile that is only there.
     */
    private static Optional<ProfileFile> profileFileDefining(Path credentialsFile, String profile) {
        if (!Files.isRegularFile(credentialsFile)) {
            return Optional.empty();
        }
        try {
            ProfileFile credentials = ProfileFile.builder().content(credentialsFile)
                    .type(ProfileFile.Type.CREDENTIALS).build();
            if (credentials.profile(profile).isEmpty()) {
                return Optional.empty();
            }
            ProfileFile.Aggregator files = ProfileFile.aggregator().addFile(credentials);
            ProfileFileLocation.configurationFileLocation().ifPresent(config -> files.addFile(
                    ProfileFile.builder().content(config).type(ProfileFile.Type.CONFIGURATION).build()));
            return Optional.of(files.build());
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    private static String text(JsonNode document, String field) {
        JsonNode node = document == null ? null : document.get(field);
        return node != null && node.isTextual() ? node.asText() : null;
    }
}
