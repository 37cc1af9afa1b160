package dev.accesskeyrotator.aws;

import dev.accesskeyrotator.lambda.RotationHandlerMargin;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.retries.api.RetryStrategy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The clients' retries and timeouts agree with the run's deadline. */
class AwsClientsTest {

    @Test
    void everyClientHasARetryStrategyOfItsOwnAndTheStatedTimeouts() {
        try (AwsClients clients = new AwsClients(AwsClients.Options.forLambda("eu-west-1"))) {
            List<SdkClient> all = List.of(clients.iam(), clients.ssm(), clients.secretsManager(), clients.sns());
            Set<RetryStrategy> strategies = all.stream().map(c -> override(c).retryStrategy().orElseThrow())
                    .collect(Collectors.toSet());
            assertEquals(all.size(), strategies.size(), "IAM throttling must not spend the others' retries");
            for (SdkClient client : all) {
                assertEquals(AwsClients.CALL_TIMEOUT, override(client).apiCallTimeout().orElseThrow());
                assertEquals(AwsClients.ATTEMPT_TIMEOUT, override(client).apiCallAttemptTimeout().orElseThrow());
                assertEquals(AwsClients.MAX_ATTEMPTS, override(client).retryStrategy().orElseThrow().maxAttempts());
            }
        }
    }

    @Test
    void aUserStartedAtTheDeadlineMarginFinishesInsideTheLambdaTimeout() {
        Duration lambdaTimeout = Duration.ofMinutes(15);
        assertEquals(AwsClients.CALL_TIMEOUT.multipliedBy(AwsClients.MAX_CALLS_PER_USER),
                AwsClients.worstCasePerUser());
        assertTrue(AwsClients.deadlineMargin().compareTo(AwsClients.worstCasePerUser()) > 0);
        assertTrue(AwsClients.deadlineMargin().compareTo(lambdaTimeout.dividedBy(2)) < 0,
                "most of the invocation is still for work: " + AwsClients.deadlineMargin());
        assertEquals(AwsClients.deadlineMargin(), RotationHandlerMargin.value(), "the handler uses this margin");
        // Back-off capped at 4 s over the attempts fits one call's timeout.
        assertTrue(Duration.ofSeconds(4).multipliedBy(AwsClients.MAX_ATTEMPTS - 1).compareTo(
                AwsClients.CALL_TIMEOUT.plus(AwsClients.ATTEMPT_TIMEOUT)) <= 0);
    }

    private static ClientOverrideConfiguration override(SdkClient client) {
        return client.serviceClientConfiguration().overrideConfiguration();
    }
}
