package dev.accesskeyrotator.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the stack's user secrets key from its alias with one {@code kms:DescribeKey}, signed with the owner's own
 * credentials. One call with the SDK's signer and HTTP client: the KMS SDK module would add a megabyte to a jar that a
 * credential process starts for every refresh.
 */
final class StackKeyLookup {
    private static final JsonFactory STREAMING = new JsonFactory();

    sealed interface Outcome permits Found, Failed { }

    record Found(OwnedSecretCheck.StackKey key) implements Outcome { }

    /**
     * KMS gave no key: {@code NotFoundException} (no such alias), {@code AccessDeniedException}, a key that is not a
     * customer managed key, or no answer at all ({@code unreachable}).
     */
    record Failed(String errorCode, String message, boolean unreachable) implements Outcome { }

    private StackKeyLookup() {}

    static Outcome describe(String alias, Region region, Optional<URI> endpoint, AwsCredentialsProvider credentials,
                            UserSecretReader.Patience patience) {
        URI uri = endpoint.orElseGet(() -> URI.create("https://kms." + region.id() + "."
                + (region.metadata() == null ? "amazonaws.com" : region.metadata().domain()) + "/"));
        byte[] body = ("{\"KeyId\":\"" + alias + "\"}").getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(uri)
                .putHeader("Host", uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort())
                .putHeader("Content-Type", "application/x-amz-json-1.1")
                .putHeader("X-Amz-Target", "TrentService.DescribeKey")
                .putHeader("Content-Length", Integer.toString(body.length))
                .build();
        SignedRequest signed;
        try {
            signed = AwsV4HttpSigner.create().sign(r -> r.identity(credentials.resolveCredentials())
                    .request(request)
                    .payload(ContentStreamProvider.fromByteArray(body))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "kms")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, region.id()));
        } catch (RuntimeException e) {
            return new Failed(e.getClass().getSimpleName(), String.valueOf(e.getMessage()), true);
        }
        try (SdkHttpClient http = UrlConnectionHttpClient.builder().connectionTimeout(patience.connectTimeout())
                .socketTimeout(patience.socketTimeout()).build()) {
            HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder()
                    .request(signed.request()).contentStreamProvider(signed.payload().orElse(null)).build()).call();
            byte[] bytes;
            try (InputStream in = response.responseBody().map(InputStream.class::cast)
                    .orElse(InputStream.nullInputStream())) {
                bytes = in.readNBytes(64 * 1024);
            }
            Map<String, String> fields = fields(bytes);
            if (response.httpResponse().statusCode() / 100 != 2) {
                String type = fields.getOrDefault("__type", errorType(response.httpResponse().headers()));
                return new Failed(type.substring(type.lastIndexOf('#') + 1),
                        fields.getOrDefault("message", fields.getOrDefault("Message", "")), false);
            }
            String arn = fields.getOrDefault("Arn", "");
            if (!arn.startsWith("arn:") || !arn.contains(":key/")) {
                return new Failed("NoKeyArn", "DescribeKey named no key ARN for " + alias, false);
            }
            if (!"CUSTOMER".equals(fields.get("KeyManager"))) {
                return new Failed("NotACustomerManagedKey", alias + " names an AWS managed key", false);
            }
            return new Found(new OwnedSecretCheck.StackKey(arn));
        } catch (IOException | RuntimeException e) {
            return new Failed(e.getClass().getSimpleName(), String.valueOf(e.getMessage()), true);
        }
    }

    private static String errorType(Map<String, List<String>> headers) {
        return headers.entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase("x-amzn-ErrorType"))
                .flatMap(h -> h.getValue().stream()).findFirst().map(t -> t.split(":")[0]).orElse("Unknown");
    }

    /** The text fields of the answer and of its KeyMetadata object, by name. */
    private static Map<String, String> fields(byte[] bytes) {
        Map<String, String> fields = new HashMap<>();
        try (JsonParser parser = STREAMING.createParser(bytes)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.VALUE_STRING && parser.currentName() != null) {
                    fields.putIfAbsent(parser.currentName(), parser.getText());
                }
            }
        } catch (IOException e) {
            // an answer that is not JSON names nothing
        }
        return fields;
    }
}
