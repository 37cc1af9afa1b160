package dev.accesskeyrotator.localaws;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.sts.StsClient;

import java.time.Instant;

/**
 * Gives every test a fresh {@link LocalAws} (empty state, clock at its start, no faults) and SDK clients wired to it:
 * <pre>{@code
 * @RegisterExtension final LocalAwsExtension aws = new LocalAwsExtension();
 *
 * @Test void rotates() {
 *     aws.aws().iam().createUser("alice", Map.of());
 *     aws.iamClient().createAccessKey(r -> r.userName("alice"));
 * }
 * }</pre>
 * Accessors fail outside a test, where there is no endpoint.
 */
public final class LocalAwsExtension implements BeforeEachCallback, AfterEachCallback {
    private final Instant clockStart;
    private LocalAws aws;
    private LocalAwsClients clients;

    public LocalAwsExtension() {
        this(LocalAws.DEFAULT_CLOCK_START);
    }

    public LocalAwsExtension(Instant clockStart) {
        this.clockStart = clockStart;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        aws = LocalAws.start(new MutableClock(clockStart));
        clients = LocalAwsClients.create(aws);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            if (clients != null) {
                clients.close();
            }
        } finally {
            if (aws != null) {
                aws.close();
            }
            aws = null;
            clients = null;
        }
    }

    public LocalAws aws() { return running(aws); }
    public LocalAwsClients clients() { return running(clients); }
    public IamClient iamClient() { return clients().iam(); }
    public SsmClient ssmClient() { return clients().ssm(); }
    public SecretsManagerClient secretsManagerClient() { return clients().secretsManager(); }
    public SnsClient snsClient() { return clients().sns(); }
    public StsClient stsClient() { return clients().sts(); }

    private static <T> T running(T value) {
        if (value == null) {
            throw new IllegalStateException("LocalAws runs only during a test; register the extension with @RegisterExtension");
        }
        return value;
    }
}
