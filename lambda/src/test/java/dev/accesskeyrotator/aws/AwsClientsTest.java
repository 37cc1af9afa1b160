package dev.accesskeyrotator.aws;

import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.lambda.RotationHandler;
import dev.accesskeyrotator.localaws.Calls;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.UserResult;
import dev.accesskeyrotator.testing.FakeLambdaContext;
import dev.accesskeyrotator.testing.RotatorHarness;
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
    private static final Duration LAMBDA_TIMEOUT = Duration.ofMinutes(15);

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

    /**
     * An endpoint so slow that every call takes its whole {@link AwsClients#CALL_TIMEOUT}: the function's clock is
     * the calls made so far. The handler must keep starting users while the margin is left, stop once it is not, and
     * every user it started must finish, with the report, inside the Lambda timeout.
     */
    @Test
    void onAnEndpointWhereEveryCallTakesItsWholeTimeoutTheHandlerStopsStartingUsersAtTheMargin() {
        try (LocalAws aws = LocalAws.start(); RotatorHarness harness = new RotatorHarness(aws).maxConcurrency(1)) {
            for (int i = 0; i < 12; i++) {
                harness.optedInUser(String.format("slow-%02d", i));
                harness.key(String.format("slow-%02d", i), 120, true);
            }
            aws.calls().reset();
            RotationHandler handler = new RotationHandler(harness.service(), harness.log());

            RunReport report = FakeLambdaContext.report(handler.handleRequest(null,
                    new FakeLambdaContext(() -> (int) remainingAfter(aws.calls().total()).toMillis())));

            List<Calls.Call> calls = aws.calls().all();
            assertTrue(remainingAfter(calls.size()).compareTo(Duration.ZERO) > 0, "the run outlived the function: "
                    + calls.size() + " calls of " + AwsClients.CALL_TIMEOUT.toSeconds() + " s");
            List<String> rotated = report.users().stream().filter(u -> u.outcome() == Outcome.ROTATED)
                    .map(UserResult::user).toList();
            List<UserResult> deferred = report.users().stream().filter(u -> u.outcome() == Outcome.DEFERRED).toList();
            assertTrue(!rotated.isEmpty() && !deferred.isEmpty(), report.users().toString());
            assertEquals(12, rotated.size() + deferred.size(), report.users().toString());
            deferred.forEach(u -> assertTrue(u.reason().contains("time limit"), u.reason()));
            // Each started user made its first call with at least the margin left, and the last one finished with
            // less than the margin left: the handler stopped at the margin, not earlier.
            int lastCallOfAStartedUser = 0;
            for (String user : rotated) {
                int first = firstCallNaming(calls, user);
                assertTrue(remainingAfter(first).compareTo(AwsClients.deadlineMargin()) >= 0,
                        user + " started with " + remainingAfter(first) + " left");
                lastCallOfAStartedUser = Math.max(lastCallOfAStartedUser, lastCallNaming(calls, user) + 1);
            }
            assertTrue(remainingAfter(lastCallOfAStartedUser).compareTo(AwsClients.deadlineMargin()) < 0,
                    "stopped with " + remainingAfter(lastCallOfAStartedUser) + " left");
            deferred.forEach(u -> assertEquals(-1, firstCallNaming(calls, u.user()), u.user() + " was started"));
        }
    }

    private static Duration remainingAfter(long calls) {
        return LAMBDA_TIMEOUT.minus(AwsClients.CALL_TIMEOUT.multipliedBy(calls));
    }

    private static int firstCallNaming(List<Calls.Call> calls, String user) {
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).param("UserName").filter(user::equals).isPresent()) {
                return i;
            }
        }
        return -1;
    }

    private static int lastCallNaming(List<Calls.Call> calls, String user) {
        for (int i = calls.size() - 1; i >= 0; i--) {
            if (calls.get(i).param("UserName").filter(user::equals).isPresent()
                    || calls.get(i).param("SecretId").filter(id -> id.contains("/" + user)).isPresent()) {
                return i;
            }
        }
        return -1;
    }

    private static ClientOverrideConfiguration override(SdkClient client) {
        return client.serviceClientConfiguration().overrideConfiguration();
    }
}
