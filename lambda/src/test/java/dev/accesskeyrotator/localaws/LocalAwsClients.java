package dev.accesskeyrotator.localaws;

import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * SDK v2 sync clients wired to a {@link LocalAws}: {@link UrlConnectionHttpClient} (the function's HTTP client; the
 * Apache and Netty clients are not on the classpath), region us-east-1, the endpoint override, the static test
 * credentials and the crash interceptor. {@link #configure} applies the same wiring to any client builder, for code
 * under test that builds its own clients.
 */
public final class LocalAwsClients implements AutoCloseable {
    private final IamClient iam;
    private final SsmClient ssm;
    private final SecretsManagerClient secretsManager;
    private final SnsClient sns;
    private final StsClient sts;

    private LocalAwsClients(LocalAws aws) {
        iam = configure(IamClient.builder(), aws).build();
        ssm = configure(SsmClient.builder(), aws).build();
        secretsManager = configure(SecretsManagerClient.builder(), aws).build();
        sns = configure(SnsClient.builder(), aws).build();
        sts = configure(StsClient.builder(), aws).build();
    }

    public static LocalAwsClients create(LocalAws aws) {
        return new LocalAwsClients(aws);
    }

    /**
     * Points a sync client builder at {@code aws}. Override configuration already on the builder (retry policy,
     * other interceptors) is kept; the crash interceptor is added to it.
     */
    public static <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder, LocalAws aws) {
        ClientOverrideConfiguration existing = builder.overrideConfiguration();
        ClientOverrideConfiguration.Builder override =
                existing == null ? ClientOverrideConfiguration.builder() : existing.toBuilder();
        return builder
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .region(aws.region())
                .endpointOverride(aws.endpoint())
                .credentialsProvider(aws.credentials())
                .overrideConfiguration(override.addExecutionInterceptor(aws.crashInterceptor()).build());
    }

    public IamClient iam() { return iam; }
    public SsmClient ssm() { return ssm; }
    public SecretsManagerClient secretsManager() { return secretsManager; }
    public SnsClient sns() { return sns; }
    public StsClient sts() { return sts; }

    @Override
    public void close() {
        iam.close();
        ssm.close();
        secretsManager.close();
        sns.close();
        sts.close();
    }
}
