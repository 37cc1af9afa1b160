package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.service.SecretDocument;
import dev.accesskeyrotator.contract.SecretsKeyAlias;
import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.config.ConfigurationException;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.profiles.ProfileFileLocation;
import software.amazon.awssdk.regions.Region;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code fetch}: a key owner reads their own secret and writes the new key into a profile of the shared
 * credentials file. It prints key ids and paths, never the secret.
 */
@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = "Key owners: write your new key from your secret into a profile of your AWS credentials file.")
final class FetchCommand implements Callable<Integer> {
    /** A person waits for this: the rotator's own timeouts and adaptive retries. */
    static final UserSecretReader.Patience PATIENCE = new UserSecretReader.Patience(Duration.ofSeconds(5),
            Duration.ofSeconds(30), Duration.ofMinutes(2), AwsClients::defaultRetryStrategy);

    @ParentCommand
    Main main;

    @Option(names = "--user", paramLabel = "NAME", required = true, converter = CliOptions.UserName.class,
            description = "Your IAM user name.")
    String user;

    @Option(names = "--profile", paramLabel = "PROFILE", defaultValue = "default",
            converter = CliOptions.ProfileName.class,
            description = "Profile to write in the credentials file. Default: ${DEFAULT-VALUE}.")
    String profile;

    @Option(names = "--source-profile", paramLabel = "PROFILE", converter = CliOptions.ProfileName.class,
            description = "Profile to read the secret with. Default: the --profile being replaced, from the"
                    + " credentials file (a named one may also come from the AWS config file).")
    String sourceProfile;

    @Option(names = "--credentials-file", paramLabel = "PATH", converter = CliOptions.FilePath.class,
            description = "Default: AWS_SHARED_CREDENTIALS_FILE, else .aws/credentials under $HOME, as the AWS CLI"
                    + " finds it.")
    Path credentialsFile;

    @Mixin
    CliOptions.Endpoint endpoint;

    @Mixin
    CliOptions.SecretPrefix secretPrefix;

    @Override
    public Integer call() {
        PrintStream out = main.context.out();
        PrintStream err = main.context.err();
        String secretName = secretPrefix.secretPrefix + user;
        Path file = credentialsFile != null ? credentialsFile : CredentialsFile.defaultLocation();
        // The profile read with is the one being replaced, from this file, unless --source-profile names another.
        Optional<String> explicitSource = Optional.ofNullable(sourceProfile);
        String readWith = explicitSource.orElse(profile);
        Optional<ProfileFile> ownFile;
        try {
            ownFile = profileFileDefining(file, readWith);
        } catch (UnreadableFile unreadable) {
            if (explicitSource.isPresent()) {
                ownFile = Optional.empty(); // the SDK's own files may still define it
            } else {
                err.println("error: " + unreadable.getMessage());
                return ExitCode.AWS.code();
            }
        }
        if (ownFile.isEmpty() && explicitSource.isEmpty()) {
            err.println("error: " + file + " has no profile [" + readWith + "] to read the secret with; pass"
                    + " --profile NAME for the profile holding your current key, or --source-profile NAME for"
                    + " another profile that can read it");
            return ExitCode.USAGE.code();
        }
        if (ownFile.isEmpty()) {
            CliAws.requireProfile(readWith);
        }

        Region region;
        try {
            region = CliAws.region(endpoint.region(), Optional.of(readWith), ownFile,
                    explicitSource.isPresent() ? "--source-profile" : "--profile");
        } catch (ConfigurationException e) {
            err.println("error: " + e.getMessage());
            return ExitCode.USAGE.code();
        }
        UserSecretReader.Outcome outcome;
        try {
            // An explicit --source-profile the file does not define is looked up in the SDK's shared files.
            ProfileCredentialsProvider credentials = ownFile
                    .map(profiles -> ProfileCredentialsProvider.builder().profileFile(profiles)
                            .profileName(readWith).build())
                    .orElseGet(() -> ProfileCredentialsProvider.builder().profileName(readWith).build());
            outcome = UserSecretReader.read(secretName, user,
                    new UserSecretReader.ByAlias(SecretsKeyAlias.forPrefix(secretPrefix.secretPrefix)),
                    region, endpoint.endpointUrl(), credentials, PATIENCE);
        } catch (SdkClientException e) {
            outcome = new UserSecretReader.Unreachable(e.getMessage());
        }

        if (outcome instanceof UserSecretReader.NotTrusted refused) {
            err.println("error: refused: " + refused.reason() + "; nothing written, " + file
                    + " is unchanged. Tell your platform team.");
            return ExitCode.SECRET_REFUSED.code();
        }
        if (!(outcome instanceof UserSecretReader.Read read)) {
            err.println("error: " + problem(outcome, secretName, user));
            return ExitCode.AWS.code();
        }
        SecretDocument.HeldKey held = read.key();
        String accessKeyId = held.accessKeyId();
        try {
            CredentialsFile.Written written = CredentialsFile.writeProfile(file, profile, accessKeyId,
                    held.secretAccessKey());
            String where = written.file().equals(file.toAbsolutePath()) ? file.toString()
                    : file + " (a link to " + written.file() + ")";
            if (!written.changed()) {
                out.println("Profile [" + profile + "] in " + where + " already holds access key " + accessKeyId
                        + " of IAM user " + user + ", the key in " + secretName + "; nothing changed.");
                return ExitCode.DONE.code();
            }
            out.println("Wrote access key " + accessKeyId + " of IAM user " + user + " to profile [" + profile + "] in "
                    + where + written.backup().map(b -> " (previous file kept as " + b + ")").orElse("") + ".");
            out.println("Check it with: aws sts get-caller-identity --profile " + profile);
            return ExitCode.DONE.code();
        } catch (KeyValues.UnsafeValue e) {
            err.println("error: refused: " + e.getMessage() + "; " + file + " is unchanged");
            return ExitCode.SECRET_REFUSED.code();
        } catch (IOException e) {
            err.println("error: cannot write " + file + ": " + Failures.oneLine(e.getMessage()));
            return ExitCode.AWS.code();
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
