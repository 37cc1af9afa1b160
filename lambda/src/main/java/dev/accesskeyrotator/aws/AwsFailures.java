package dev.accesskeyrotator.aws;

import dev.accesskeyrotator.port.AwsFailure;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The one translation of SDK exceptions into {@link AwsFailure}, for adapters outside this package (the organization
 * mode's STS, Organizations and S3 calls), so every adapter classifies failures alike.
 */
public final class AwsFailures {
    private AwsFailures() {}

    public static AwsFailure translate(String operation, SdkException e) {
        return AwsCalls.translate(operation, e);
    }
}
