package dev.accesskeyrotator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.accesskeyrotator.log.JsonLog;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * SigV4-signed calls to an AWS JSON-protocol service the project has no SDK client for (SQS, KMS): the rotator never
 * uses them, only tests that set up or read an emulator do. Signed with the SDK's own signer and sent with its
 * URL-connection HTTP client.
 */
public final class SignedJsonCalls implements AutoCloseable {
    /** How one service speaks JSON: its signing name, target prefix and content type. */
    public record Service(String signingName, String targetPrefix, String contentType) {
        public static final Service SQS = new Service("sqs", "AmazonSQS", "application/x-amz-json-1.0");
        public static final Service KMS = new Service("kms", "TrentService", "application/x-amz-json-1.1");
    }

    private final URI endpoint;
    private final String region;
    private final AwsCredentialsIdentity credentials;
    private final SdkHttpClient http = UrlConnectionHttpClient.builder().build();
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    public SignedJsonCalls(URI endpoint, String region, String accessKeyId, String secretAccessKey) {
        this.endpoint = endpoint;
        this.region = region;
        this.credentials = AwsCredentialsIdentity.create(accessKeyId, secretAccessKey);
    }

    /** The call's JSON answer; an HTTP error status is an {@link IllegalStateException} naming the operation. */
    public JsonNode call(Service service, String operation, ObjectNode request) {
        String body = request.toString();
        SdkHttpRequest unsigned = SdkHttpRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(endpoint)
                .putHeader("Content-Type", service.contentType())
                .putHeader("X-Amz-Target", service.targetPrefix() + "." + operation)
                .build();
        SignedRequest signed = signer.sign(r -> r.identity(credentials)
                .request(unsigned)
                .payload(ContentStreamProvider.fromUtf8String(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service.signingName())
                .putProperty(AwsV4HttpSigner.REGION_NAME, region));
        try {
            HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder()
                    .request(signed.request())
                    .contentStreamProvider(signed.payload().orElse(null))
                    .build()).call();
            String text;
            try (InputStream in = response.responseBody().map(InputStream.class::cast)
                    .orElse(InputStream.nullInputStream())) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!response.httpResponse().isSuccessful()) {
                throw new IllegalStateException(service.signingName() + " " + operation + " failed with HTTP "
                        + response.httpResponse().statusCode() + ": " + text);
            }
            return text.isBlank() ? JsonLog.mapper().createObjectNode() : JsonLog.mapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(service.signingName() + " " + operation + " failed", e);
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
