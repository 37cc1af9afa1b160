package dev.accesskeyrotator.localstack;

import dev.accesskeyrotator.aws.AwsClients;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

import java.util.List;
import java.util.Optional;

/**
 * The LocalStack container the integration tests share the settings of. The image is pinned to the last release
 * that starts without an auth token; override it with {@code -Dlocalstack.image=...} or {@code LOCALSTACK_IMAGE}.
 */
final class LocalStackSupport {
    static final String DEFAULT_IMAGE = "localstack/localstack:4.14.0";
    /** iam, sts, ssm, secretsmanager and sns are what the rotator uses; sqs lets the tests read the notices. */
    static final String[] SERVICES = {"iam", "sts", "ssm", "secretsmanager", "sns", "sqs"};

    private LocalStackSupport() {}

    static String image() {
        return Optional.ofNullable(System.getProperty("localstack.image")).filter(s -> !s.isBlank())
                .or(() -> Optional.ofNullable(System.getenv("LOCALSTACK_IMAGE")).filter(s -> !s.isBlank()))
                .orElse(DEFAULT_IMAGE);
    }

    @SuppressWarnings("resource") // closed by the Testcontainers extension
    static LocalStackContainer container() {
        return new LocalStackContainer(DockerImageName.parse(image())
                .asCompatibleSubstituteFor("localstack/localstack"))
                .withServices(SERVICES);
    }

    static StaticCredentialsProvider credentials(LocalStackContainer localStack) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(localStack.getAccessKey(),
                localStack.getSecretKey()));
    }

    /** The rotator's own client set, pointed at the container, exactly as the try-it run and the CLI build it. */
    static AwsClients clients(LocalStackContainer localStack) {
        return new AwsClients(new AwsClients.Options(Region.of(localStack.getRegion()),
                Optional.of(localStack.getEndpoint()), credentials(localStack), List.of(),
                AwsClients.defaultRetryStrategy()));
    }

    /** The ARN STS reports for whoever signs with {@code credentials}: proves a key works. */
    static String callerArn(LocalStackContainer localStack, AwsCredentialsProvider credentials) {
        try (StsClient sts = StsClient.builder()
                .region(Region.of(localStack.getRegion()))
                .endpointOverride(localStack.getEndpoint())
                .credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            return sts.getCallerIdentity().arn();
        }
    }

    static SqsQueues sqs(LocalStackContainer localStack) {
        return new SqsQueues(localStack.getEndpoint(), localStack.getRegion(), localStack.getAccessKey(),
                localStack.getSecretKey());
    }
}
