package dev.accesskeyrotator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.SecretDocument;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.profiles.Profile;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.profiles.ProfileFileLocation;
import software.amazon.awssdk.profiles.ProfileProperty;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where {@code credentials init} gets the key it starts from: a profile of the SDK's shared files, or standard input.
 * Never a command-line argument, which every user of the machine can read in the process list.
 */
final class StartingKeys {
    private StartingKeys() {}

    static CredentialsCommand.StartingKey fromProfile(String profileName) throws CommandFailure {
        ProfileFile files;
        try {
            files = ProfileFile.defaultProfileFile();
        } catch (RuntimeException e) {
            throw new CommandFailure(ExitCode.NO_STARTING_KEY, "cannot read the AWS shared"
                    + " files " + locations() + ": " + String.valueOf(e.getMessage()).replaceAll("\\s+", " "));
        }
        Optional<Profile> profile = files.profile(profileName);
        Optional<String> keyId = profile.flatMap(p -> p.property(ProfileProperty.AWS_ACCESS_KEY_ID));
        Optional<String> secret = profile.flatMap(p -> p.property(ProfileProperty.AWS_SECRET_ACCESS_KEY));
        if (keyId.isEmpty() || secret.isEmpty()) {
            throw new CommandFailure(ExitCode.NO_STARTING_KEY, "no profile [" + profileName
                    + "] with " + ProfileProperty.AWS_ACCESS_KEY_ID + " and " + ProfileProperty.AWS_SECRET_ACCESS_KEY
                    + " in " + locations() + "; pass --from-profile NAME for the profile that holds the user's key,"
                    + " or pipe the key's JSON into --stdin");
        }
        if (profile.get().property(ProfileProperty.AWS_SESSION_TOKEN).isPresent()) {
            // A session's key expires within hours and is not the key the rotator replaces.
            throw new CommandFailure(ExitCode.NO_STARTING_KEY, "profile [" + profileName
                    + "] holds temporary credentials (" + ProfileProperty.AWS_SESSION_TOKEN + "); start from the IAM"
                    + " user's own access key");
        }
        return new CredentialsCommand.StartingKey(new SecretDocument.HeldKey(keyId.get(), secret.get(),
                Optional.empty()), profile.get().property(ProfileProperty.REGION));
    }

    /**
     * A JSON object with the key in the secret document's fields: the secret's own value, or any credential_process
     * payload.
     */
    static CredentialsCommand.StartingKey fromInput(InputStream in, int maxBytes, String user)
            throws CommandFailure {
        String noKey = "standard input holds no JSON object with " + CredentialsCommand.keyFields()
                + "; pipe in the value of your secret, for example from aws secretsmanager get-secret-value"
                + " --query SecretString --output text";
        byte[] bytes;
        try {
            bytes = in.readNBytes(maxBytes + 1);
        } catch (IOException e) {
            throw new CommandFailure(ExitCode.NO_STARTING_KEY, "cannot read standard input: "
                    + e.getClass().getSimpleName());
        }
        if (bytes.length > maxBytes) {
            throw new CommandFailure(ExitCode.NO_STARTING_KEY, noKey);
        }
        JsonNode document;
        try {
            document = JsonLog.mapper().readTree(bytes);
        } catch (IOException e) {
            throw new CommandFailure(ExitCode.NO_STARTING_KEY, noKey);
        }
        SecretDocument.HeldKey key = SecretDocument.heldKey(document)
                .orElseThrow(() -> new CommandFailure(ExitCode.NO_STARTING_KEY, noKey));
        // Checked here, before any call: a value with a line break is refused before anything is asked or written.
        Optional<String> problem = KeyValues.problem(key, user, false);
        if (problem.isPresent()) {
            throw new CommandFailure(ExitCode.NO_STARTING_KEY, "standard input cannot be used: "
                    + problem.get() + "; nothing written");
        }
        return new CredentialsCommand.StartingKey(key, Optional.empty());
    }

    /** The region the SDK would use (AWS_REGION, then the default profile); empty when it names none. */
    static Optional<String> defaultRegion() {
        try {
            return Optional.of(new DefaultAwsRegionProviderChain().getRegion().id());
        } catch (SdkClientException e) {
            return Optional.empty();
        }
    }

    private static String locations() {
        return ProfileFileLocation.credentialsFileLocation().map(Path::toString).orElse("~/.aws/credentials")
                + " or " + ProfileFileLocation.configurationFileLocation().map(Path::toString).orElse("~/.aws/config");
    }
}
