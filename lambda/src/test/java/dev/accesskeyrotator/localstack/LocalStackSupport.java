package dev.accesskeyrotator.localstack;

import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.contract.SecretsKeyAlias;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.sts.StsClient;

import java.util.List;
import java.util.Optional;

/**
 * The LocalStack container the integration tests share the settings of. The image is pinned to the last release
 * that starts without an auth token; override it with {@code -Dlocalstack.image=...} or {@code LOCALSTACK_IMAGE}.
 *
 * <p>Two settings make LocalStack answer as AWS does where the product depends on it:
 * <ul>
 *   <li>{@code PARITY_AWS_ACCESS_KEY_ID=1}: without it LocalStack's IAM issues access key ids starting {@code LKIA}
 *   instead of AWS's {@code AKIA}, and the key owner's tools refuse a secret whose key id is not an IAM user's
 *   ({@code KeyValues}). With it, ids start {@code AKIA} and still name LocalStack's account (LocalStack docs,
 *   "Credentials": https://docs.localstack.cloud/references/credentials/).</li>
 *   <li>The start hook {@value #KMS_KEY_IDS_HOOK} adds {@code KmsKeyIds} to ListSecretVersionIds, which LocalStack
 *   leaves out and the owner's tools need (the hook says why, and where that was found).</li>
 * </ul>
 */
final class LocalStackSupport {
    static final String DEFAULT_IMAGE = "localstack/localstack:4.14.0";
    /**
     * iam, sts, ssm, secretsmanager and sns are what the rotator uses; kms holds the stack's key, which the owner's
     * tools find by its alias; sqs lets the tests read the notices.
     */
    static final String[] SERVICES = {"iam", "sts", "ssm", "secretsmanager", "sns", "kms", "sqs"};
    static final String KMS_KEY_IDS_HOOK = "kms_key_ids.py";

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
                .withServices(SERVICES)
                .withEnv("PARITY_AWS_ACCESS_KEY_ID", "1")
                // start.d runs inside LocalStack's process before it reports Ready, so the tests never race it.
                .withCopyFileToContainer(MountableFile.forClasspathResource(
                                "dev/accesskeyrotator/localstack/" + KMS_KEY_IDS_HOOK),
                        "/etc/localstack/init/start.d/" + KMS_KEY_IDS_HOOK);
    }

    /**
     * The stack's user secrets key as a deployed stack leaves it (as {@code MotoAccount} creates it): a customer
     * managed symmetric key with the alias the owner's tools look it up by. Returns the key's ARN, which the
     * function's settings carry.
     */
    static String createStackKey(LocalStackContainer localStack, String secretPrefix) {
        try (KmsClient kms = KmsClient.builder()
                .region(Region.of(localStack.getRegion()))
                .endpointOverride(localStack.getEndpoint())
                .credentialsProvider(credentials(localStack))
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            KeyMetadata key = kms.createKey(r -> r.description("Access Key Rotator: encrypts the user secrets"))
                    .keyMetadata();
            kms.createAlias(r -> r.aliasName(SecretsKeyAlias.forPrefix(secretPrefix)).targetKeyId(key.keyId()));
            return key.arn();
        }
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
