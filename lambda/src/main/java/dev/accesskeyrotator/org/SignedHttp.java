package dev.accesskeyrotator.org;

import dev.accesskeyrotator.port.AwsFailure;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * SigV4-signed HTTP calls made with the SDK's own signer and HTTP client, for Organizations only: its SDK module
 * ({@code software.amazon.awssdk:organizations}) is not served by the registry this project builds from (S3, which
 * is, goes through the SDK's own client). Retries throttling and server errors with exponential backoff, as the SDK
 * would; an error answer is classified by {@link dev.accesskeyrotator.aws.AwsFailures} like every SDK failure.
 */
final class SignedHttp {
    /** Waits between attempts; tests pass one that does not sleep. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration pause) throws InterruptedException;
    }

    /** An answer: status, the service's error code (empty on success) and the body. */
    record Response(int status, String errorCode, byte[] body) {
        boolean ok() {
            return status / 100 == 2;
        }
    }

    /** Reads the service's error code from an error answer. */
    @FunctionalInterface
    interface ErrorCodeReader {
        String errorCode(int status, Map<String, java.util.List<String>> headers, byte[] body);
    }

    static final int MAX_ATTEMPTS = 6;
    private static final Duration BASE_DELAY = Duration.ofMillis(200);
    private static final Duration MAX_DELAY = Duration.ofSeconds(10);
    private static final Set<String> THROTTLING = Set.of("TooManyRequestsException", "ThrottlingException",
            "Throttling", "SlowDown", "RequestLimitExceeded");

    private final SdkHttpClient http;
    private final AwsCredentialsProvider credentials;
    private final String signingName;
    private final String signingRegion;
    private final ErrorCodeReader errorCodes;
    private final Sleeper sleeper;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    SignedHttp(SdkHttpClient http, AwsCredentialsProvider credentials, String signingName, String signingRegion,
               ErrorCodeReader errorCodes, Sleeper sleeper) {
        this.http = http;
        this.credentials = credentials;
        this.signingName = signingName;
        this.signingRegion = signingRegion;
        this.errorCodes = errorCodes;
        this.sleeper = sleeper;
    }

    /**
     * Sends one request, retrying throttling and 5xx answers; returns the last answer (the caller turns an error
     * answer into an {@link AwsFailure}).
     */
    Response send(String operation, SdkHttpMethod method, URI uri, Map<String, String> headers, byte[] body) {
        Response response = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            response = once(operation, method, uri, headers, body);
            boolean retryable = response.status() >= 500 || THROTTLING.contains(response.errorCode());
            if (response.ok() || !retryable || attempt == MAX_ATTEMPTS) {
                return response;
            }
            long delay = Math.min(MAX_DELAY.toMillis(), BASE_DELAY.toMillis() << (attempt - 1));
            try {
                sleeper.sleep(Duration.ofMillis(delay));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AwsFailure(AwsFailure.Kind.OTHER, operation, "Interrupted", "interrupted while retrying", e);
            }
        }
        return response;
    }

    private Response once(String operation, SdkHttpMethod method, URI uri, Map<String, String> headers, byte[] body) {
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(method).uri(uri)
                .putHeader("Host", uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort());
        if (body.length > 0) {
            request.putHeader("Content-Length", Integer.toString(body.length));
        }
        headers.forEach(request::putHeader);
        SignedRequest signed;
        try {
            signed = signer.sign(r -> r.identity(credentials.resolveCredentials())
                    .request(request.build())
                    .payload(ContentStreamProvider.fromByteArray(body))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, signingName)
                    .putProperty(AwsV4HttpSigner.REGION_NAME, signingRegion));
        } catch (RuntimeException e) {
            // No credentials, or none that can sign: nothing was sent.
            throw new AwsFailure(AwsFailure.Kind.OTHER, operation, e.getClass().getSimpleName(),
                    String.valueOf(e.getMessage()), e);
        }
        try {
            // A body on a GET would make the URL-connection client send a POST.
            HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder()
                    .request(signed.request())
                    .contentStreamProvider(body.length == 0 ? null : signed.payload().orElse(null))
                    .build()).call();
            byte[] bytes;
            try (InputStream in = response.responseBody().map(InputStream.class::cast)
                    .orElse(InputStream.nullInputStream())) {
                bytes = in.readAllBytes();
            }
            int status = response.httpResponse().statusCode();
            String code = status / 100 == 2 ? ""
                    : errorCodes.errorCode(status, response.httpResponse().headers(), bytes);
            return new Response(status, code, bytes);
        } catch (IOException e) {
            throw new AwsFailure(AwsFailure.Kind.OTHER, operation, e.getClass().getSimpleName(),
                    String.valueOf(e.getMessage()), e);
        }
    }

    /**
     * An error answer as the SDK would have thrown it, so that {@link dev.accesskeyrotator.aws.AwsFailures} (the one
     * classifier of every adapter) decides what kind of failure it is.
     */
    static AwsFailure failure(String operation, Response response, String message) {
        return dev.accesskeyrotator.aws.AwsFailures.translate(operation,
                software.amazon.awssdk.awscore.exception.AwsServiceException.builder()
                        .message(message)
                        .statusCode(response.status())
                        .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
                                .errorCode(response.errorCode())
                                .errorMessage(message)
                                .sdkHttpResponse(software.amazon.awssdk.http.SdkHttpResponse.builder()
                                        .statusCode(response.status()).build())
                                .build())
                        .build());
    }
}
