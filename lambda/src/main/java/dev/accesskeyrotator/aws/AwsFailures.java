package dev.accesskeyrotator.aws;

import dev.accesskeyrotator.port.AwsFailure;
import software.amazon.awssdk.core.exception.SdkException;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/**
 * The one translation of SDK exceptions into {@link AwsFailure}, for adapters outside this package (the organization
 * mode's STS, Organizations and S3 calls), so every adapter classifies failures alike.
 */
public final class AwsFailures {
    private AwsFailures() {}

    public static AwsFailure translate(String operation, SdkException e) {
        return AwsCalls.translate(operation, e);
    }

    /**
     * Runs one SDK call (or a paginator read to its end) through the same wrapper as this package's adapters: an
     * {@link SdkException} leaves as the {@link AwsFailure} {@link #translate} makes of it.
     */
    public static <T> T call(String operation, java.util.function.Supplier<T> call) {
        return AwsCalls.call(operation, call);
    }

    /** Whether no connection was made at all: nobody listening, no such host, no route, or the connect timed out. */
    public static boolean cannotConnect(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof UnknownHostException
                    || cause instanceof NoRouteToHostException) {
                return true;
            }
            if (cause instanceof java.net.SocketTimeoutException timeout && timeout.getMessage() != null
                    && timeout.getMessage().contains("connect")) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }
}
