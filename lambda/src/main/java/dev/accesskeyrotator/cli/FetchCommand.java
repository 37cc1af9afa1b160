package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.service.SecretDocument;
import dev.accesskeyrotator.contract.EnvironmentVariable;
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
                .or(() -> Optional.ofNullable(env.get(EnvironmentVariable.SECRET_NAME_PREFIX.name())))
                .orElse(EnvironmentVariable.DEFAULT_SECRET_NAME_PREFIX) + user;
        Path file = options.value("--credentials-file").map(Path::of).orElseGet(() -> CredentialsFile.defaultLocation(env));
        // The profile read with is the one being replaced, from this file, unless --source-profile names another.
        Optional<String> explicitSource = options.value("--source-profile");
        String sourceProfile = explicitSource.orElse(profile);
        Optional<ProfileFile> ownFile;
        try {
            ownFile = profileFileDefining(file, sourceProfile);
        } catch (UnreadableFile unreadable) {
            if (explicitSource.isPresent()) {
                ownFile = Optional.empty(); // the SDK's own files may still define it
            } else {
                err.println("error: " + unreadable.getMessage());
                return 3;
            }
        }
        if (ownFile.isEmpty() && explicitSource.isEmpty()) {
            err.println("error: " + file + " has no profile [" + sourceProfile + "] to read the secret with; pass"
                    + " --profile NAME for the profile holding your current key, or --source-profile NAME for"
                    + " another profile that can read it");
            return 2;
        }

        String secretString;
        try {
            Region region = options.value("--region").map(Region::of)
                    .orElseGet(() -> new DefaultAwsRegionProviderChain().getRegion());
            Optional<URI> endpoint = options.value("--endpoint-url").map(URI::create);
            // An explicit --source-profile the file does not define is looked up in the SDK's shared files.
            AwsClients.Options clientOptions = ownFile
                    .map(profiles -> new AwsClients.Options(region, endpoint, ProfileCredentialsProvider.builder()
                            .profileFile(profiles).profileName(sourceProfile).build(), List.of(),
                            AwsClients.defaultRetryStrategy()))
                    .orElseGet(() -> AwsClients.Options.forCli(region, Optional.of(sourceProfile), endpoint));
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

        // A binary secret has no SecretString.
        Optional<SecretDocument.HeldKey> held = SecretDocument.heldKey(secretString);
        if (held.isEmpty()) {
            err.println("error: secret " + secretName + " does not hold an access key document; ask your platform team");
            return 3;
        }
        String accessKeyId = held.get().accessKeyId();
        Optional<String> owner = held.get().userName();
        if (owner.isPresent() && !owner.get().equals(user)) {
            err.println("error: secret " + secretName + " holds a key of user " + owner.get() + ", not " + user
                    + "; nothing written. Tell your platform team.");
            return 3;
        }
        try {
            Optional<Path> backup = CredentialsFile.writeProfile(file, profile, accessKeyId,
                    held.get().secretAccessKey());
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
     * The credentials file (with the SDK's config file) when it defines {@code profile}; empty when the file does not
     * exist or does not define it.
     *
     * @throws UnreadableFile when the credentials file or the SDK's config file cannot be read or parsed
     */
    private static Optional<ProfileFile> profileFileDefining(Path credentialsFile, String profile) {
        if (!Files.exists(credentialsFile)) {
            return Optional.empty();
        }
        ProfileFile credentials = parse(credentialsFile, ProfileFile.Type.CREDENTIALS);
        if (credentials.profile(profile).isEmpty()) {
            return Optional.empty();
        }
        ProfileFile.Aggregator files = ProfileFile.aggregator().addFile(credentials);
        ProfileFileLocation.configurationFileLocation().ifPresent(config -> files.addFile(
                parse(config, ProfileFile.Type.CONFIGURATION)));
        return Optional.of(files.build());
    }

    private static ProfileFile parse(Path file, ProfileFile.Type type) {
        try {
            return ProfileFile.builder().content(file).type(type).build();
        } catch (RuntimeException e) {
            throw new UnreadableFile("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** A shared credentials or config file that exists but cannot be read or parsed. */
    private static final class UnreadableFile extends RuntimeException {
        UnreadableFile(String message) {
            super(message);
        }
    }
}
