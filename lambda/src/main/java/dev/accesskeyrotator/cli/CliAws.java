package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.config.ConfigurationException;
import dev.accesskeyrotator.port.AwsFailure;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

import java.util.Map;
import java.util.Optional;

/** What the commands that call AWS share: the region a person meant, and one-line explanations of AWS failures. */
final class CliAws {
    private CliAws() {}

    /**
     * {@code --region}, else the region of {@code --profile} (or of the default chain: AWS_REGION, the default
     * profile), as the AWS CLI resolves it.
     */
    static Region region(Arguments options, Map<String, String> env) {
        Optional<String> flag = options.value("--region");
        if (flag.isPresent()) {
            return Region.of(flag.get());
        }
        Optional<String> profile = options.value("--profile");
        try {
            DefaultAwsRegionProviderChain.Builder chain = DefaultAwsRegionProviderChain.builder();
            profile.ifPresent(chain::profileName);
            return chain.build().getRegion();
        } catch (SdkClientException e) {
            throw new ConfigurationException("--region", "no AWS region: pass --region"
                    + profile.map(p -> " or set region in profile '" + p + "'")
                    .orElse(", set AWS_REGION or set region in your profile"));
        }
    }

    /** One line for a person: what AWS or the SDK said, without the SDK's multi-line dumps. */
    static String explain(RuntimeException e) {
        if (e instanceof AwsFailure failure) {
            String hint = failure.is(AwsFailure.Kind.ACCESS_DENIED)
                    ? "; your identity lacks this permission (docs/operations.md lists what each command needs)" : "";
            return "AWS error: " + failure.getMessage() + hint;
        }
        String message = firstLine(e.getMessage());
        if (message.contains("credentials") || message.contains("Token") || message.contains("token")) {
            return "credentials error: " + message + "; sign in (aws sso login --profile P) or pass --profile";
        }
        return "AWS client error: " + message + "; check the network, --endpoint-url and --region";
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
        return first.length() <= 300 ? first : first.substring(0, 297) + "...";
    }
}
