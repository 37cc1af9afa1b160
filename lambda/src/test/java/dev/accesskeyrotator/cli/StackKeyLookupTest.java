package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.localaws.LocalAwsExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;

import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * The owner's one KMS call, through the SDK's KMS client, against the local endpoint's KMS ({@code DescribeKey} as AWS answers it):
 * a created alias gives its customer managed key's ARN; an alias nobody created, a caller the key policy does not let
 * describe the key, and AWS's own managed key are each a failure with KMS's error code.
 */
class StackKeyLookupTest {
    private static final String KEY = "arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-0000-0000-0000-00000000000b";
    private static final String CALLER = "AKIAOWNER00000000001";
    private static final UserSecretReader.Patience PATIENCE = new UserSecretReader.Patience(Duration.ofSeconds(2),
            Duration.ofSeconds(5), Duration.ofSeconds(10), AwsRetryStrategy::doNotRetry);

    @RegisterExtension
    final LocalAwsExtension local = new LocalAwsExtension();

    @Test
    void aCreatedAliasNamesItsKey() {
        local.aws().kms().createAlias("alias/team/user-secrets", KEY);

        StackKeyLookup.Outcome outcome = describe("alias/team/user-secrets");

        assertEquals(new StackKeyLookup.Found(new OwnedSecretCheck.StackKey(KEY)), outcome);
        assertEquals("aaaaaaaa-0000-0000-0000-00000000000b", new OwnedSecretCheck.StackKey(KEY).keyId());
    }

    @Test
    void anUnknownAliasADeniedCallerAndAnAwsManagedKeyAreFailures() {
        assertFailure(describe("alias/nobody-made-this"), "NotFoundException");
        assertFailure(describe("alias/aws/secretsmanager"), "NotACustomerManagedKey");
        local.aws().kms().createAlias("alias/team/user-secrets", KEY);
        local.aws().kms().denyDescribeKey(CALLER);
        assertFailure(describe("alias/team/user-secrets"), "AccessDeniedException");
    }

    private StackKeyLookup.Outcome describe(String alias) {
        return StackKeyLookup.describe(alias, Region.US_EAST_1, Optional.of(local.aws().endpoint()),
                StaticCredentialsProvider.create(AwsBasicCredentials.create(CALLER, "owner-secret")), PATIENCE);
    }

    private static void assertFailure(StackKeyLookup.Outcome outcome, String code) {
        StackKeyLookup.Failed failed = assertInstanceOf(StackKeyLookup.Failed.class, outcome);
        assertEquals(code, failed.errorCode(), failed.message());
        assertFalse(failed.unreachable());
    }
}
