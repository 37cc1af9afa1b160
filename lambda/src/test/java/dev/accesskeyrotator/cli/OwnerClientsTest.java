package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.localaws.LocalAwsExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

/**
 * The owner's tools build a client per call site ({@code fetch} and {@code credentials} make one for Secrets Manager
 * and one for KMS, and two fetches may run in one JVM). Closing one must not break another made with the same
 * patience: an adaptive retry strategy's rate limiter closes with its client, so each client needs its own strategy
 * (seen as "Rate limiter bucket is closed" in two fetches at once, FetchFilesTest).
 */
class OwnerClientsTest {
    private static final String KEY = "arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-0000-0000-0000-00000000000c";

    @RegisterExtension
    final LocalAwsExtension local = new LocalAwsExtension();

    @Test
    void fetchsPatienceGivesEveryClientARetryStrategyOfItsOwn() {
        assertNotSame(FetchCommand.PATIENCE.retries().get(), FetchCommand.PATIENCE.retries().get());
    }

    @Test
    void aClientClosedByOneFetchLeavesTheNextOneWithTheSamePatienceWorking() {
        local.aws().kms().createAlias("alias/team/user-secrets", KEY);

        KmsClient first = client();
        assertEquals(KEY, first.describeKey(r -> r.keyId("alias/team/user-secrets")).keyMetadata().arn());
        KmsClient second = client();
        first.close();
        // Throttled answers make an adaptive strategy's rate limiter wait for tokens, on its client's scheduler.
        local.aws().faults().on("kms", "DescribeKey").times(2).throttle();

        assertEquals(KEY, second.describeKey(r -> r.keyId("alias/team/user-secrets")).keyMetadata().arn(),
                "the second client still calls after the first is closed");
        second.close();
    }

    private KmsClient client() {
        return UserSecretReader.ownerClient(KmsClient.builder(), Region.US_EAST_1, Optional.of(local.aws().endpoint()),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAOWNER00000000002", "owner-secret")),
                FetchCommand.PATIENCE);
    }
}
