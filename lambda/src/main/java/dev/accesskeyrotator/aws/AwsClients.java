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
import java.util.function.Supplier;

/**
 * Builds the SDK clients once per execution environment (never per invocation): explicit region, explicit
 * URL-connection HTTP client (small, fast to start; no Apache, Netty or CRT), adaptive retries for IAM's
 * unpublished rate limits.
 */
public final class AwsClients implements AutoCloseable {

    /**
     * How long an AWS call may take, in one place, so that the run's deadline and the calls agree: each attempt is
     * cut at {@link #ATTEMPT_TIMEOUT}, a call with its retries and back-off at {@link #CALL_TIMEOUT}. One user's work
     * makes at most {@link #MAX_CALLS_PER_USER} calls one after another (the longest path: read, make room, confirm
     * ownership, record the intent, create, check, store, read back, withdraw or retire, notify, record), so a user
     * started with {@link #worstCasePerUser()} left always finishes: the handler stops starting users then.
     */
    public static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);
    public static final int MAX_ATTEMPTS = 6;
    public static final int MAX_CALLS_PER_USER = 20;

    /** Time to log the report and publish the summary once the last user is done. */
    private static final Duration REPORT_ALLOWANCE = Duration.ofSeconds(30);

    public static Duration worstCasePerUser() {
        return CALL_TIMEOUT.multipliedBy(MAX_CALLS_PER_USER);
    }

    /** No user is started with less time left than this: every user started can finish, and the report goes out. */
    public static Duration deadlineMargin() {
        return worstCasePerUser().plus(REPORT_ALLOWANCE);
    }

    /**
     * @param endpointOverride a local endpoint for tests and the try-it run; empty for AWS
     * @param retryStrategies  makes the retry strategy of each client: one per client, so that IAM throttling (and
     *                         the adaptive rate limiter it slows down) never spends Secrets Manager's or SNS's retries
     */
    public record Options(Region region, Optional<URI> endpointOverride, AwsCredentialsProvider credentials,
                          List<ExecutionInterceptor> interceptors, Supplier<RetryStrategy> retryStrategies) {

        public Options {
            interceptors = List.copyOf(interceptors);
        }

        /** With one strategy for every client: for tests that drive retries on a clock of their own. */
        public Options(Region region, Optional<URI> endpointOverride, AwsCredentialsProvider credentials,
                       List<ExecutionInterceptor> interceptors, RetryStrategy sharedRetryStrategy) {
            this(region, endpointOverride, credentials, interceptors, () -> sharedRetryStrategy);
        }

        /** Lambda: the region and credentials the runtime provides. */
        public static Options forLambda(String region) {
            return new Options(Region.of(region), Optional.empty(), DefaultCredentialsProvider.builder().build(),
                    List.of(), AwsClients::defaultRetryStrategy);
        }

        /** CLI: the standard credential chain, or a named profile. */
        public static Options forCli(Region region, Optional<String> profile, Optional<URI> endpoint) {
            AwsCredentialsProvider credentials = profile
                    .<AwsCredentialsProvider>map(p -> ProfileCredentialsProvider.builder().profileName(p).build())
                    .orElseGet(() -> DefaultCredentialsProvider.builder().build());
            return new Options(region, endpoint, credentials, List.of(),
                    () -> new UnreachableFailsFast(defaultRetryStrategy()));
        }

        public Options withInterceptor(ExecutionInterceptor interceptor) {
            List<ExecutionInterceptor> more = new ArrayList<>(interceptors);
            more.add(interceptor);
            return new Options(region, endpointOverride, credentials, more, retryStrategies);
        }

        public Options withRetryStrategy(RetryStrategy strategy) {
            return new Options(region, endpointOverride, credentials, interceptors, strategy);
        }
    }

    /**
     * Adaptive mode slows the client down when IAM throttles instead of hammering it. {@link #MAX_ATTEMPTS} attempts
     * with back-off capped at 4 s fit {@link #CALL_TIMEOUT}; a call still throttled after that is deferred to the next
     * run rather than holding the run past its deadline.
     */
    public static RetryStrategy defaultRetryStrategy() {
        return retryStrategy(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(4));
    }

    /** The production strategy with other delays; tests use it to keep throttling storms short. */
    public static RetryStrategy retryStrategy(Duration baseDelay, Duration throttlingBaseDelay, Duration maxDelay) {
        return AwsRetryStrategy.adaptiveRetryStrategy().toBuilder()
                .maxAttempts(MAX_ATTEMPTS)
                .backoffStrategy(BackoffStrategy.exponentialDelay(baseDelay, maxDelay))
                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(throttlingBaseDelay, maxDelay))
                .build();
    }

    private final SdkHttpClient httpClient;
    private final Options options;
    private final Region region;
    // Built on first use: a client costs tens of milliseconds of class loading, and a dry run or status never
    // publishes (SNS), which a person at a terminal would otherwise wait for.
    private IamClient iam;
    private SsmClient ssm;
    private SecretsManagerClient secretsManager;
    private SnsClient sns;

    public AwsClients(Options options) {
        this(options, httpClient());
    }

    /** The HTTP client every SDK client of the rotator uses: URL-connection, with its connect and read timeouts. */
    public static SdkHttpClient httpClient() {
        return UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(5))
                .socketTimeout(Duration.ofSeconds(30))
                .build();
    }

    /** With a given HTTP client; SnapStart priming passes one that answers from memory. */
    public AwsClients(Options options, SdkHttpClient httpClient) {
        this.region = options.region();
        this.options = options;
        this.httpClient = httpClient;
    }

    private <B extends AwsClientBuilder<B, ?> & software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<B, ?>>
    B configure(B builder, Options options) {
        return configure(builder, options, httpClient);
    }

    /**
     * Configures a client this class does not build (organization mode's Organizations client) exactly as its own:
     * the options' region, credentials, endpoint override, interceptors and retry strategy, the call timeouts, and
     * {@code httpClient}, which the caller closes.
     */
    public static <B extends AwsClientBuilder<B, ?>
            & software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<B, ?>>
    B configure(B builder, Options options, SdkHttpClient httpClient) {
        ClientOverrideConfiguration.Builder override = ClientOverrideConfiguration.builder()
                .retryStrategy(options.retryStrategies().get())
                .apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
                .apiCallTimeout(CALL_TIMEOUT);
        options.interceptors().forEach(override::addExecutionInterceptor);
        builder.region(options.region())
                .credentialsProvider(options.credentials())
                .overrideConfiguration(override.build());
        builder.httpClient(httpClient);
        options.endpointOverride().ifPresent(builder::endpointOverride);
        return builder;
    }

    public Region region() { return region; }

    public synchronized IamClient iam() {
        if (iam == null) {
            iam = configure(IamClient.builder(), options).build();
        }
        return iam;
    }

    public synchronized SsmClient ssm() {
        if (ssm == null) {
            ssm = configure(SsmClient.builder(), options).build();
        }
        return ssm;
    }

    public synchronized SecretsManagerClient secretsManager() {
        if (secretsManager == null) {
            secretsManager = configure(SecretsManagerClient.builder(), options).build();
        }
        return secretsManager;
    }

    public synchronized SnsClient sns() {
        if (sns == null) {
            sns = configure(SnsClient.builder(), options).build();
        }
        return sns;
    }

    /**
     * Builds every client now. The function does so at init, so that the SnapStart snapshot holds them and no
     * invocation pays for building one.
     */
    public AwsClients buildAll() {
        iam();
        ssm();
        secretsManager();
        sns();
        return this;
    }

    /** The credentials every client signs with; the CLI resolves them first to explain a missing sign-in once. */
    public AwsCredentialsProvider credentials() {
        return options.credentials();
    }

    @Override
    public synchronized void close() {
        for (AutoCloseable client : new AutoCloseable[]{iam, ssm, secretsManager, sns}) {
            if (client != null) {
                try {
                    client.close();
                } catch (Exception e) {
                    // Closing releases connections; a failure to do so changes nothing the run did.
                }
            }
        }
        httpClient.close();
    }
}
