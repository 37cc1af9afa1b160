package dev.accesskeyrotator.bench;

import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.aws.IamDirectory;
import dev.accesskeyrotator.aws.SecretsManagerStore;
import dev.accesskeyrotator.wiring.RotatorFactory;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.status.StatusView;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code status} over 10,000 opted-in users costs bulk calls only: pages of users, secrets and parameters, and the report. */
class StatusScaleTest {
    private static final int USERS = 10_000;
    private static final String ADMIN_KEY_ID = "AKIAADMINSCALE000001";

    private static long ceilDiv(long dividend, long divisor) {
        return (dividend + divisor - 1) / divisor;
    }

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();

    @Test
    void tenThousandUsersTakeOnlyBulkCalls() {
        LocalAws aws = endpoint.aws();
        SteadyStateAccount.seed(aws, USERS);
        aws.kms().denyDecrypt(ADMIN_KEY_ID);
        aws.secretsManager().denyOperations(ADMIN_KEY_ID, Set.of("GetSecretValue"));
        try (RotatorHarness harness = new RotatorHarness(aws);
             AwsClients admin = new AwsClients(new AwsClients.Options(aws.region(), Optional.of(aws.endpoint()),
                     StaticCredentialsProvider.create(AwsBasicCredentials.create(ADMIN_KEY_ID, "admin-secret")),
                     List.of(), AwsClients.retryStrategy(Duration.ofMillis(5), Duration.ofMillis(10),
                     Duration.ofMillis(100))))) {
            aws.calls().reset();

            StatusView.Status status = RotatorFactory.statusView(harness.settings(), admin, aws.clock()).read();

            assertEquals(USERS, status.users().size());
            assertEquals(SteadyStateAccount.due(USERS),
                    status.users().stream().filter(u -> u.state().equals("planned")).count());
            Map<String, Long> calls = new TreeMap<>(aws.calls().snapshot());
            calls.keySet().removeIf(op -> op.startsWith("sns:"));
            assertEquals(Map.of("iam:GenerateCredentialReport", 2L, "iam:GetAccountAuthorizationDetails", 10L,
                    "iam:GetCredentialReport", 1L, "secretsmanager:ListSecrets", 100L,
                    "ssm:GetParametersByPath", 1L), calls);
            long total = calls.values().stream().mapToLong(Long::longValue).sum();
            // The code's own budget for bulk reads: a page of users and one of secrets per page size, the report's
            // polls and its download, one page of parameters. Nothing grows with the users but the pages.
            long budget = ceilDiv(USERS, IamDirectory.DETAILS_PAGE_SIZE) + IamDirectory.REPORT_POLLS + 1
                    + ceilDiv(USERS, SecretsManagerStore.LIST_PAGE_SIZE) + 1;
            assertTrue(total <= budget, total + " calls, budget " + budget);
            System.out.println("status at " + USERS + " users: " + total + " AWS calls");
        }
    }
}
