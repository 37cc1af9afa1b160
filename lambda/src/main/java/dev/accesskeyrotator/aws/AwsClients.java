package dev.accesskeyrotator.aws;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the SDK clients once per execution environment (never per invocation): explicit region, explicit
 * URL-connection HTTP client (small, fast to start; no Apache, Netty or CRT), adaptive retries for IAM's
 * unpublished rate limits.
 */
public final class AwsClients implements AutoCloseable {

    /**
     * @param endpointOverride a local endpoint for tests and the try-it run; empty for AWS
     * @param retryStrategy    how throttled and failed calls are retried
     */
    public record Options(Region region, Optional<URI> endpointOverride, AwsCredentialsProvider credentials,
                          List<ExecutionInterceptor> interceptors, RetryStrategy retryStrategy) {

        public Options {
            interceptors = List.copyOf(interceptors);
        }

        /** Lambda: the region and credentials the runtime provides. */
        public static Options forLambda(String region) {
            return new Options(Region.of(region), Optional.empty(), DefaultCredentialsProvider.builder().build(),
                    List.of(), defaultRetryStrategy());
        }

        /** CLI: the standard credential chain, or a named profile. */
        public static Options forCli(Region region, Optional<String> profile, Optional<URI> endpoint) {
            AwsCredentialsProvider credentials = profile
                    .<AwsCredentialsProvider>map(p -> ProfileCredentialsProvider.builder().profileName(p).build())
                    .orElseGet(() -> DefaultCredentialsProvider.builder().build());
            return new Options(region, endpoint, credentials, List.of(), defaultRetryStrategy());
        }

        public Options withInterceptor(ExecutionInterceptor interceptor) {
            List<ExecutionInterceptor> more = new ArrayList<>(interceptors);
            more.add(interceptor);
            return new Options(region, endpointOverride, credentials, more, retryStrategy);
        }

        public Options withRetryStrategy(RetryStrategy strategy) {
            return new Options(region, endpointOverride, credentials, interceptors, strategy);
        }
    }

    /**
     * Adaptive mode slows the client down when IAM throttles instead of hammering it; ten attempts with backoff
     * capped at 20 s ride out a throttling storm inside one run.
     */
    public static RetryStrategy defaultRetryStrategy() {
        return retryStrategy(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(20));
    }

    /** The production strategy with other delays; tests use it to keep throttling storms short. */
    public static RetryStrategy retryStrategy(Duration baseDelay, Duration throttlingBaseDelay, Duration maxDelay) {
        return AwsRetryStrategy.adaptiveRetryStrategy().toBuilder()
                .maxAttempts(10)
                .backoffStrategy(BackoffStrategy.exponentialDelay(baseDelay, maxDelay))
                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(throttlingBaseDelay, maxDelay))
                .build();
    }

    private final SdkHttpClient httpClient;
    private final Region region;
    private final IamClient iam;
    private final SsmClient ssm;
    private final SecretsManagerClient secretsManager;
    private final SnsClient sns;

    public AwsClients(Options options) {
        this(options, UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(5))
                .socketTimeout(Duration.ofSeconds(30))
                .build());
    }

    /** With a given HTTP client; SnapStart priming passes one that answers from memory. */
    public AwsClients(Options options, SdkHttpClient httpClient) {
        this.region = options.region();
        this.httpClient = httpClient;
        this.iam = configure(IamClient.builder(), options).build();
        this.ssm = configure(SsmClient.builder(), options).build();
        this.secretsManager = configure(SecretsManagerClient.builder(), options).build();
        this.sns = configure(SnsClient.builder(), options).build();
    }

    private <B extends AwsClientBuilder<B, ?> & software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<B, ?>>
    B configure(B builder, Options options) {
        ClientOverrideConfiguration.Builder override = ClientOverrideConfiguration.builder()
                .retryStrategy(options.retryStrategy())
                .apiCallTimeout(Duration.ofMinutes(2));
        options.interceptors().forEach(override::addExecutionInterceptor);
        builder.region(options.region())
                .credentialsProvider(options.credentials())
                .overrideConfiguration(override.build());
        builder.httpClient(httpClient);
        options.endpointOverride().ifPresent(builder::endpointOverride);
        return builder;
    }

    public Region region() { return region; }
    public IamClient iam() { return iam; }
    public SsmClient ssm() { return ssm; }
    public SecretsManagerClient secretsManager() { return secretsManager; }
    public SnsClient sns() { return sns; }

    @Override
    public void close() {
        iam.close();
        ssm.close();
        secretsManager.close();
        sns.close();
        httpClient.close();
    }
}
