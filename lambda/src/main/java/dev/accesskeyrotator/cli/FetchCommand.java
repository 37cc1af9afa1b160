package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.service.SecretDocument;
import dev.accesskeyrotator.contract.EnvironmentVariable;
import dev.accesskeyrotator.contract.SecretsKeyAlias;
import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.config.ConfigurationException;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.profiles.ProfileFileLocation;
import software.amazon.awssdk.regions.Region;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    /** A person waits for this: the rotator's own timeouts and adaptive retries. */
    private static final UserSecretReader.Patience PATIENCE = new UserSecretReader.Patience(Duration.ofSeconds(5),
            Duration.ofSeconds(30), Duration.ofMinutes(2), AwsClients.defaultRetryStrategy());

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

        Region region;
        try {
            region = CliAws.region(options.value("--region"), Optional.of(sourceProfile), ownFile,
                    explicitSource.isPresent() ? "--source-profile" : "--profile");
        } catch (ConfigurationException e) {
            err.println("error: " + e.getMessage());
            return ExitCode.CONFIGURATION;
        }
        UserSecretReader.Outcome outcome;
        try {
            Optional<URI> endpoint = options.value("--endpoint-url").map(URI::create);
            // An explicit --source-profile the file does not define is looked up in the SDK's shared files.
            ProfileCredentialsProvider credentials = ownFile
                    .map(profiles -> ProfileCredentialsProvider.builder().profileFile(profiles)
                            .profileName(sourceProfile).build())
                    .orElseGet(() -> ProfileCredentialsProvider.builder().profileName(sourceProfile).build());
            String prefix = secretName.substring(0, secretName.length() - user.length());
            outcome = UserSecretReader.read(secretName, user,
                    new UserSecretReader.ByAlias(SecretsKeyAlias.forPrefix(prefix)), region, endpoint,
                    credentials, PATIENCE);
        } catch (SdkClientException e) {
            outcome = new UserSecretReader.Unreachable(e.getMessage());
        }

        if (outcome instanceof UserSecretReader.NotTrusted refused) {
            err.println("error: refused: " + refused.reason() + "; nothing written, " + file
                    + " is unchanged. Tell your platform team.");
            return ExitCode.SECRET_REFUSED;
        }
        if (!(outcome instanceof UserSecretReader.Read read)) {
            err.println("error: " + problem(outcome, secretName, user));
            return 3;
        }
        SecretDocument.HeldKey held = read.key();
        String accessKeyId = held.accessKeyId();
        try {
            CredentialsFile.Written written = CredentialsFile.writeProfile(file, profile, accessKeyId,
                    held.secretAccessKey());
            String where = written.file().equals(file.toAbsolutePath()) ? file.toString()
                    : file + " (a link to " + written.file() + ")";
            out.println("Wrote access key " + accessKeyId + " of IAM user " + user + " to profile [" + profile + "] in "
                    + where + written.backup().map(b -> " (previous file kept as " + b + ")").orElse("") + ".");
            out.println("Check it with: aws sts get-caller-identity --profile " + profile);
            return 0;
        } catch (KeyValues.UnsafeValue e) {
            err.println("error: refused: " + e.getMessage() + "; " + file + " is unchanged");
            return ExitCode.SECRET_REFUSED;
        } catch (IOException e) {
            err.println("error: cannot write " + file + ": " + e.getMessage());
            return 3;
        }
    }

    /** Why nothing was written, in one line without the secret's value. */
    private static String problem(UserSecretReader.Outcome outcome, String secretName, String user) {
        if (outcome instanceof UserSecretReader.NoSecret) {
            return "there is no secret named " + secretName + " (has your key been rotated yet? is the region right?)";
        }
        if (outcome instanceof UserSecretReader.Refused refused) {
            return "cannot read secret " + secretName + ": " + refused.errorCode() + ": " + refused.message();
        }
        if (outcome instanceof UserSecretReader.KeyRefused refused) {
            return "cannot read secret " + secretName + ": " + refused.errorCode() + ": " + refused.message();
        }
        if (outcome instanceof UserSecretReader.Unreachable unreachable) {
            return "cannot reach AWS or find credentials: " + CliAws.firstLine(unreachable.message())
                    + "; check the network and --region, or sign in to the profile that reads the secret";
        }
        return "cannot read secret " + secretName + "; ask your platform team";
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
