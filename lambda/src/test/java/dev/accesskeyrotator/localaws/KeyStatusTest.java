package dev.accesskeyrotator.localaws;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.sts.StsClient;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The endpoint honours the status of an IAM user's access key as AWS does when it checks who signed a request: an
 * inactive or deleted key is refused by every service with that service's own error, an active key works and its use
 * is recorded; key ids IAM never issued (the tests' own credentials) stay accepted.
 */
class KeyStatusTest {
    private static final String INVALID = "The security token included in the request is invalid.";

    @RegisterExtension
    final LocalAwsExtension local = new LocalAwsExtension();

    /** Each protocol's services, called with one key: query (STS, IAM, SNS) and JSON (Secrets Manager, SSM). */
    private record Service(String name, int status, String code, Consumer<StaticCredentialsProvider> call) { }

    private List<Service> services() {
        LocalAws aws = local.aws();
        return List.of(
                new Service("sts", 403, "InvalidClientTokenId", key -> {
                    try (StsClient sts = LocalAwsClients.configure(StsClient.builder(), aws).credentialsProvider(key)
                            .build()) {
                        sts.getCallerIdentity();
                    }
                }),
                new Service("iam", 403, "InvalidClientTokenId", key -> {
                    try (IamClient iam = LocalAwsClients.configure(IamClient.builder(), aws).credentialsProvider(key)
                            .build()) {
                        iam.listUsers();
                    }
                }),
                new Service("sns", 403, "InvalidClientTokenId", key -> {
                    try (SnsClient sns = LocalAwsClients.configure(SnsClient.builder(), aws).credentialsProvider(key)
                            .build()) {
                        sns.createTopic(r -> r.name("key-status-probe"));
                    }
                }),
                new Service("secretsmanager", 400, "UnrecognizedClientException", key -> {
                    try (SecretsManagerClient secrets = LocalAwsClients.configure(SecretsManagerClient.builder(), aws)
                            .credentialsProvider(key).build()) {
                        secrets.listSecrets();
                    }
                }),
                new Service("ssm", 400, "UnrecognizedClientException", key -> {
                    try (SsmClient ssm = LocalAwsClients.configure(SsmClient.builder(), aws).credentialsProvider(key)
                            .build()) {
                        ssm.describeParameters();
                    }
                }));
    }

    @Test
    void anActiveKeyWorksEverywhereAndItsUseIsRecorded() {
        LocalAws aws = local.aws();
        aws.iam().createUser("ci-bot", Map.of());
        IamEmulator.KeySnapshot key = aws.iam().createAccessKey("ci-bot", aws.clock().instant(), true);
        aws.clock().advance(Duration.ofHours(5));
        Instant now = aws.clock().instant();

        for (Service service : services()) {
            service.call().accept(credentials(key));
            IamEmulator.KeyUsage used = aws.iam().accessKey(key.id()).orElseThrow().lastUsed().orElseThrow();
            assertEquals(new IamEmulator.KeyUsage(now, service.name(), "us-east-1"), used, service.name());
        }
    }

    @Test
    void anInactiveKeyIsRefusedByEveryServiceUntilItIsActiveAgain() {
        LocalAws aws = local.aws();
        aws.iam().createUser("ci-bot", Map.of());
        IamEmulator.KeySnapshot key = aws.iam().createAccessKey("ci-bot", aws.clock().instant(), true);
        aws.iam().setKeyStatus(key.id(), IamEmulator.KeyStatus.INACTIVE);

        for (Service service : services()) {
            assertRefused(service, key);
        }
        assertTrue(aws.iam().accessKey(key.id()).orElseThrow().lastUsed().isEmpty(), "a refused request is no use");

        local.iamClient().updateAccessKey(r -> r.userName("ci-bot").accessKeyId(key.id()).status("Active"));
        services().forEach(service -> service.call().accept(credentials(key)));
    }

    @Test
    void aDeletedKeyIsRefusedLikeAnInactiveOne() {
        LocalAws aws = local.aws();
        aws.iam().createUser("ci-bot", Map.of());
        IamEmulator.KeySnapshot key = aws.iam().createAccessKey("ci-bot", aws.clock().instant(), true);
        local.iamClient().deleteAccessKey(r -> r.userName("ci-bot").accessKeyId(key.id()));

        for (Service service : services()) {
            assertRefused(service, key);
        }
    }

    @Test
    void keysIamNeverIssuedStayAccepted() {
        for (String unknown : List.of("test", "AKIANEVERISSUED00001")) {
            StaticCredentialsProvider key = StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(unknown, "any-secret"));
            services().forEach(service -> service.call().accept(key));
        }
    }

    private void assertRefused(Service service, IamEmulator.KeySnapshot key) {
        AwsServiceException refused = assertThrows(AwsServiceException.class,
                () -> service.call().accept(credentials(key)), service.name());
        assertEquals(service.status(), refused.statusCode(), service.name());
        assertEquals(service.code(), refused.awsErrorDetails().errorCode(), service.name());
        assertEquals(INVALID, refused.awsErrorDetails().errorMessage(), service.name());
    }

    private static StaticCredentialsProvider credentials(IamEmulator.KeySnapshot key) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(key.id(), key.secret()));
    }
}
