package dev.accesskeyrotator.org;

import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.aws.AwsFailures;
import dev.accesskeyrotator.port.ObjectStore;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

import java.time.Duration;

/**
 * The hub's results bucket through the SDK's own S3 client, configured as every other client of the rotator
 * (URL-connection HTTP client, the options' credentials, retry strategy and interceptors); failures are translated
 * by {@link AwsFailures}. Against a local endpoint it addresses buckets path-style, as local endpoints serve them.
 */
public final class S3ObjectStore implements ObjectStore, AutoCloseable {
    private final S3Client s3;

    public S3ObjectStore(AwsClients.Options options) {
        ClientOverrideConfiguration.Builder override = ClientOverrideConfiguration.builder()
                .retryStrategy(options.retryStrategies().get())
                .apiCallAttemptTimeout(Duration.ofSeconds(30))
                .apiCallTimeout(Duration.ofMinutes(1));
        options.interceptors().forEach(override::addExecutionInterceptor);
        S3ClientBuilder builder = S3Client.builder()
                .region(options.region())
                .credentialsProvider(options.credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(30)))
                .overrideConfiguration(override.build());
        options.endpointOverride().ifPresent(endpoint -> builder.endpointOverride(endpoint).forcePathStyle(true));
        this.s3 = builder.build();
    }

    @Override
    public byte[] get(String bucket, String key) {
        try {
            return s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray();
        } catch (SdkException e) {
            throw AwsFailures.translate("GetObject", e);
        }
    }

    @Override
    public void put(String bucket, String key, byte[] body, String contentType) {
        try {
            s3.putObject(r -> r.bucket(bucket).key(key).contentType(contentType), RequestBody.fromBytes(body));
        } catch (SdkException e) {
            throw AwsFailures.translate("PutObject", e);
        }
    }

    @Override
    public void close() {
        s3.close();
    }
}
