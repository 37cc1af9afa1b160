package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.aws.AwsFailures;
import dev.accesskeyrotator.config.ConfigurationException;
import dev.accesskeyrotator.contract.EnvironmentVariable;
import dev.accesskeyrotator.port.AwsFailure;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.profiles.ProfileFileLocation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** What the commands that call AWS share: the region a person meant, and one-line explanations of AWS failures. */
final class CliAws {
    /** The flag a person types for each setting the function reads from its environment. */
    static final Map<EnvironmentVariable, String> SETTING_FLAGS = settingFlags();

    private CliAws() {}

    private static Map<EnvironmentVariable, String> settingFlags() {
        Map<EnvironmentVariable, String> flags = new LinkedHashMap<>();
        flags.put(EnvironmentVariable.PARAMETER_PREFIX, "--parameter-prefix");
        flags.put(EnvironmentVariable.SECRET_NAME_PREFIX, "--secret-prefix");
        flags.put(EnvironmentVariable.NOTICE_TOPIC_ARN, "--topic-arn");
        flags.put(EnvironmentVariable.SECRET_KMS_KEY_ID, "--kms-key-id");
        flags.put(EnvironmentVariable.ADMIN_CONTACT, "--contact");
        flags.put(EnvironmentVariable.MAX_CONCURRENCY, "--max-concurrency");
        flags.put(EnvironmentVariable.OPT_IN_TAG, "--opt-in-tag");
        flags.put(EnvironmentVariable.FUNCTION_ROLE_ARN, "--function-role-arn");
        flags.put(EnvironmentVariable.BREAK_GLASS_PRINCIPAL_ARN, "--break-glass-principal-arn");
        return Collections.unmodifiableMap(flags);
    }

    /** The environment with each setting a flag gave in place of the variable (the flags win). */
    static Map<String, String> settingsEnvironment(Map<String, String> env, Map<String, String> typedFlags) {
        Map<String, String> settings = new HashMap<>(env);
        SETTING_FLAGS.forEach((variable, flag) -> {
            if (typedFlags.containsKey(flag)) {
                settings.put(variable.name(), typedFlags.get(flag));
            }
        });
        return settings;
    }

    /**
     * {@code --region}, else the region of {@code --profile} (or of the default chain: AWS_REGION, the default
     * profile), as the AWS CLI resolves it.
     */
    static Region region(Optional<String> flag, Optional<String> profile) {
        profile.ifPresent(CliAws::requireProfile);
        return region(flag, profile, Optional.empty(), "--profile");
    }

    /**
     * @param profiles    the profile files to read the region from, when not the SDK's own
     * @param profileFlag the flag that named the profile, for the message
     */
    static Region region(Optional<String> flag, Optional<String> profile, Optional<ProfileFile> profiles,
                         String profileFlag) {
        if (flag.isPresent()) {
            return Region.of(flag.get());
        }
        try {
            DefaultAwsRegionProviderChain.Builder chain = DefaultAwsRegionProviderChain.builder();
            profile.ifPresent(chain::profileName);
            profiles.ifPresent(files -> chain.profileFile(() -> files));
            return chain.build().getRegion();
        } catch (SdkClientException e) {
            throw new ConfigurationException("--region", "no AWS region: pass --region"
                    + profile.map(p -> " or set region in profile '" + p + "' (" + profileFlag + ")")
                    .orElse(", set AWS_REGION or set region in your profile"));
        } catch (RuntimeException e) {
            throw new ConfigurationException("--region", "cannot read the AWS shared files " + sharedFiles() + ": "
                    + firstLine(e.getMessage()));
        }
    }

    /**
     * A profile the SDK's shared files do not define is "no such profile", said with the files read, before the
     * region chain or the credential chain give it a misleading name of their own.
     */
    static void requireProfile(String profile) {
        ProfileFile files;
        try {
            files = ProfileFile.defaultProfileFile();
        } catch (RuntimeException e) {
            throw new ConfigurationException("--profile", "cannot read the AWS shared files " + sharedFiles() + ": "
                    + firstLine(e.getMessage()));
        }
        if (files.profile(profile).isEmpty()) {
            throw new ConfigurationException("--profile", "no such profile '" + profile + "' in " + sharedFiles()
                    + "; aws configure list-profiles shows the ones there are");
        }
    }

    /** The two files the SDK and the AWS CLI read profiles from ($HOME, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE). */
    static String sharedFiles() {
        return ProfileFileLocation.configurationFilePath() + " and " + ProfileFileLocation.credentialsFilePath();
    }

    /**
     * Asks for the credentials before any call, so that a missing sign-in is one line at once rather than the
     * provider chain's dump from inside the run (and logged again by it).
     */
    static void requireCredentials(AwsCredentialsProvider credentials, Optional<String> profile) {
        try {
            credentials.resolveCredentials();
        } catch (SdkClientException | IllegalStateException | IllegalArgumentException e) {
            throw new NoCredentials(profile, e);
        }
    }

    /** The credentials could not be found or have expired; the message says how to sign in. */
    static final class NoCredentials extends SdkClientException {
        NoCredentials(Optional<String> profile, RuntimeException cause) {
            super(SdkClientException.builder().cause(cause).message("no usable AWS credentials"
                    + profile.map(p -> " in profile '" + p + "'").orElse("") + ": "
                    + firstLine(cause.getMessage()).replaceAll("\\.$", "")
                    + "; " + profile.map(p -> "sign in (aws sso login --profile " + p + ") or check the profile")
                    .orElse("pass --profile, sign in (aws sso login) or set AWS_PROFILE")));
        }
    }

    /** One line for a person: what AWS or the SDK said, without the SDK's multi-line dumps. */
    static String explain(RuntimeException e) {
        if (e instanceof AwsFailure failure && cannotConnect(failure.getMessage()).isPresent()) {
            return "cannot connect to AWS (" + cannotConnect(failure.getMessage()).get() + " at "
                    + failure.operation() + "); check the network, --endpoint-url and --region";
        }
        if (e instanceof AwsFailure failure && noAnswer(failure.getMessage())) {
            return "no answer from AWS within the call's time limit (at " + failure.operation() + "); check the"
                    + " network, --endpoint-url and --region";
        }
        if (e instanceof AwsFailure failure) {
            String hint = failure.is(AwsFailure.Kind.ACCESS_DENIED)
                    ? "; your identity lacks this permission (docs/operations.md lists what each command needs)" : "";
            return "AWS error: " + failure.getMessage() + hint;
        }
        if (e instanceof NoCredentials) {
            return "credentials error: " + e.getMessage();
        }
        if (e instanceof SdkClientException && AwsFailures.cannotConnect(e)) {
            return "cannot connect to AWS: " + firstLine(rootMessage(e))
                    + "; check the network, --endpoint-url and --region";
        }
        String message = firstLine(e.getMessage());
        if (message.contains("credentials") || message.contains("Token") || message.contains("token")) {
            return "credentials error: " + message + "; sign in (aws sso login --profile P) or pass --profile";
        }
        return "AWS client error: " + message + "; check the network, --endpoint-url and --region";
    }

    /** The SDK's words for an endpoint that took the request and never answered (the call or attempt timed out). */
    private static boolean noAnswer(String message) {
        return message != null && (message.contains("ApiCallTimeoutException")
                || message.contains("ApiCallAttemptTimeoutException") || message.contains("Read timed out"));
    }

    /** The adapter keeps only the message of a client-side failure; these are the JDK's words for "nobody there". */
    private static Optional<String> cannotConnect(String message) {
        if (message == null) {
            return Optional.empty();
        }
        for (String[] words : new String[][]{{"Connection refused", "connection refused"},
                {"UnknownHostException", "unknown host"}, {"connect timed out", "connection timed out"},
                {"No route to host", "no route to host"}}) {
            if (message.contains(words[0])) {
                return Optional.of(words[1]);
            }
        }
        return Optional.empty();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        // The SDK's credential chain lists every provider it tried, one per line or joined with ':' and '['.
        int newline = message.indexOf('\n');
        String first = newline < 0 ? message : message.substring(0, newline);
        int chain = first.indexOf(": [");
        first = chain < 0 ? first : first.substring(0, chain);
        // The default chain names each provider it tried in one long line, which says nothing to act on.
        // A profile without keys is followed by the whole parsed file, which may be long and says nothing new.
        int profileFile = first.indexOf(": ProfileFile(");
        first = profileFile < 0 ? first : first.substring(0, profileFile);
        int providers = first.indexOf(" AwsCredentialsProviderChain(");
        first = providers < 0 ? first : first.substring(0, providers)
                + " (environment, profiles, container and instance metadata)";
        return first.length() <= 300 ? first : first.substring(0, 297) + "...";
    }
}
