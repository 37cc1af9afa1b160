package dev.accesskeyrotator.org;

import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.port.ObjectStore;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * S3 {@code GetObject} and {@code PutObject} on the hub's results bucket, signed with SigV4 by the SDK's signer:
 * virtual-hosted addressing in the function's region; path-style against a local endpoint.
 */
public final class S3Objects implements ObjectStore {
    private static final Pattern ERROR_CODE = Pattern.compile("<Code>([^<]+)</Code>");
    private static final Pattern ERROR_MESSAGE = Pattern.compile("<Message>([^<]*)</Message>");

    private final SignedHttp http;
    private final Region region;
    private final Optional<URI> endpointOverride;

    public S3Objects(SdkHttpClient httpClient, AwsCredentialsProvider credentials, Region region,
                     Optional<URI> endpointOverride, SignedHttp.Sleeper sleeper) {
        this.region = region;
        this.endpointOverride = endpointOverride;
        this.http = new SignedHttp(httpClient, credentials, "s3", region.id(), S3Objects::errorCode, sleeper);
    }

    @Override
    public byte[] get(String bucket, String key) {
        return checked("GetObject", http.send("GetObject", SdkHttpMethod.GET, uri(bucket, key), Map.of(),
                new byte[0], true)).body();
    }

    @Override
    public void put(String bucket, String key, byte[] body, String contentType) {
        checked("PutObject", http.send("PutObject", SdkHttpMethod.PUT, uri(bucket, key),
                Map.of("Content-Type", contentType), body, true));
    }

    private URI uri(String bucket, String key) {
        String path = "/" + SdkHttpUtils.urlEncodeIgnoreSlashes(key);
        return endpointOverride.map(e -> URI.create(e + "/" + bucket + path))
                .orElseGet(() -> URI.create("https://" + bucket + ".s3." + region.id() + "."
                        + PartitionMetadata.of(region).dnsSuffix() + path));
    }

    private static SignedHttp.Response checked(String operation, SignedHttp.Response response) {
        if (!response.ok()) {
            Matcher message = ERROR_MESSAGE.matcher(new String(response.body(), StandardCharsets.UTF_8));
            throw new AwsFailure(SignedHttp.kindOf(response.errorCode()), operation, response.errorCode(),
                    message.find() ? message.group(1) : "HTTP " + response.status(), null);
        }
        return response;
    }

    static String errorCode(int status, Map<String, List<String>> headers, byte[] body) {
        Matcher code = ERROR_CODE.matcher(new String(body, StandardCharsets.UTF_8));
        return code.find() ? code.group(1) : status == 404 ? "NotFound" : "HTTP" + status;
    }
}
