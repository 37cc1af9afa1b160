package dev.accesskeyrotator.localaws;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.IamException;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.SsmException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The endpoint as real SDK v2 clients see it: routing, both wire protocols, fault injection and call recording. */
class LocalAwsTest {

    @RegisterExtension
    final LocalAwsExtension local = new LocalAwsExtension();

    @Test
    void endpointListensOnLoopbackWithFixedAccountRegionAndClock() {
        LocalAws aws = local.aws();
        assertEquals("127.0.0.1", aws.endpoint().getHost());
        assertEquals("us-east-1", aws.region().id());
        assertEquals("123456789012", aws.accountId());
        assertEquals(LocalAws.DEFAULT_CLOCK_START, aws.clock().instant());
        assertEquals("test", aws.credentials().resolveCredentials().accessKeyId());
    }

    @Test
    void stsReportsTheCallerIdentity() {
        GetCallerIdentityResponse identity = local.stsClient().getCallerIdentity();

        assertEquals("123456789012", identity.account());
        assertEquals("arn:aws:iam::123456789012:user/local", identity.arn());
        assertTrue(identity.userId().startsWith("AIDA"));
    }

    @Test
    void sdkSendsQueryCallsAsFlattenedFormParametersSignedForTheService() {
        AtomicReference<AwsRequest> seen = new AtomicReference<>();
        local.aws().faults().on("iam", "CreateUser").when(request -> {
            seen.set(request);
            return false;
        }).error(500, "Unused", "never fires");

        local.iamClient().createUser(r -> r.userName("alice").tags(Tag.builder().key("team").value("blue").build()));

        AwsRequest request = seen.get();
        assertEquals(AwsRequest.Protocol.QUERY_XML, request.protocol());
        assertTrue(request.headers().get("content-type").get(0).startsWith("application/x-www-form-urlencoded"));
        assertTrue(request.headers().get("authorization").get(0).contains("/us-east-1/iam/aws4_request"));
        assertEquals(Map.of("Action", "CreateUser", "Version", "2010-05-08", "UserName", "alice",
                "Tags.member.1.Key", "team", "Tags.member.1.Value", "blue"), request.params());
    }

    @Test
    void sdkSendsJsonCallsWithTheTargetHeader() {
        AtomicReference<AwsRequest> seen = new AtomicReference<>();
        local.aws().faults().on("ssm", "GetParameter").when(request -> {
            seen.set(request);
            return true;
        }).error(400, "ParameterNotFound", "Parameter /app/key not found.");

        assertThrows(ParameterNotFoundException.class,
                () -> local.ssmClient().getParameter(r -> r.name("/app/key").withDecryption(true)));

        AwsRequest request = seen.get();
        assertEquals(AwsRequest.Protocol.JSON_1_1, request.protocol());
        assertEquals(List.of("AmazonSSM.GetParameter"), request.headers().get("x-amz-target"));
        assertEquals("/app/key", request.json().get("Name").asText());
        assertTrue(request.json().get("WithDecryption").asBoolean());
    }

    @Test
    void jsonErrorsBecomeTheModeledExceptions() {
        local.aws().faults().on("secretsmanager", "GetSecretValue")
                .error(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");

        ResourceNotFoundException error = assertThrows(ResourceNotFoundException.class,
                () -> local.secretsManagerClient().getSecretValue(r -> r.secretId("rotator/alice")));

        assertEquals("ResourceNotFoundException", error.awsErrorDetails().errorCode());
        assertEquals("Secrets Manager can't find the specified secret.", error.awsErrorDetails().errorMessage());
        assertEquals(400, error.statusCode());
    }

    @Test
    void unknownOperationIsInvalidAction() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(local.aws().endpoint())
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("Action=FlyToTheMoon&Version=2010-05-08"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(400, response.statusCode());
        assertEquals("text/xml", response.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(response.body().contains("<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"),
                response.body());
        assertTrue(response.body().contains("<Type>Sender</Type><Code>InvalidAction</Code>"), response.body());
    }

    @Test
    void injectedErrorCarriesStatusAndCodeAndFiresOnlyForMatchingRequests() {
        local.aws().iam().createUser("alice", Map.of());
        local.aws().iam().createUser("bob", Map.of());
        Faults.Rule rule = local.aws().faults().on("iam", "*").forUser("bob").error(403, "AccessDenied", "not you");

        IamException error = assertThrows(IamException.class, () -> local.iamClient().getUser(r -> r.userName("bob")));
        local.iamClient().getUser(r -> r.userName("alice"));

        assertEquals(403, error.statusCode());
        assertEquals("AccessDenied", error.awsErrorDetails().errorCode());
        assertEquals("not you", error.awsErrorDetails().errorMessage());
        assertEquals(1, rule.fired());
    }

    @Test
    void throttledOnceTheSdkRetriesAndSucceeds() {
        local.aws().iam().createUser("alice", Map.of());
        local.aws().faults().on("iam", "ListAccessKeys").times(1).throttle();

        local.iamClient().listAccessKeys(r -> r.userName("alice"));

        assertEquals(2, local.aws().calls().count("iam", "ListAccessKeys"));
    }

    @Test
    void throttlingWithoutEndSurfacesAsThrottlingOnceTheSdkGivesUp() {
        local.aws().faults().on("ssm", "GetParameter").throttle();
        // Two attempts instead of the default four keep the SDK's throttling backoff (seconds) out of the test.
        try (SsmClient ssm = LocalAwsClients.configure(SsmClient.builder()
                .overrideConfiguration(c -> c.retryStrategy(retry -> retry.maxAttempts(2))), local.aws()).build()) {

            SsmException error = assertThrows(SsmException.class, () -> ssm.getParameter(r -> r.name("/x")));

            assertEquals("ThrottlingException", error.awsErrorDetails().errorCode());
            assertEquals("Rate exceeded", error.awsErrorDetails().errorMessage());
            assertTrue(error.isThrottlingException());
        }
        assertEquals(2, local.aws().calls().count("ssm", "GetParameter"));
    }

    @Test
    void jsonThrottlingIsRetriedToo() {
        local.aws().ssm().put("/app/key", "value");
        local.aws().faults().on("ssm", "GetParameter").once().throttle();

        assertEquals("value", local.ssmClient().getParameter(r -> r.name("/app/key")).parameter().value());
        assertEquals(2, local.aws().calls().count("ssm", "GetParameter"));
    }

    @Test
    void aLimitedRuleFiresExactlyThatOftenUnderConcurrency() throws Exception {
        Faults.Rule rule = local.aws().faults().on("sts", "GetCallerIdentity").times(5).error(400, "Denied", "no");
        AtomicInteger failures = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();

        for (int i = 0; i < 8; i++) {
            Thread thread = new Thread(() -> {
                for (int call = 0; call < 5; call++) {
                    try {
                        local.stsClient().getCallerIdentity();
                    } catch (SdkServiceException e) {
                        failures.incrementAndGet();
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }

        assertEquals(5, failures.get());
        assertEquals(5, rule.fired());
        assertEquals(40, local.aws().calls().count("sts", "GetCallerIdentity"));
    }

    @Test
    void latencyDelaysThenServes() {
        local.aws().faults().on("sts", "GetCallerIdentity").latency(Duration.ofMillis(300));

        long start = System.nanoTime();
        local.stsClient().getCallerIdentity();

        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 300);
    }

    @Test
    void crashAfterSuccessKillsTheCallerWithTheEffectAppliedOnce() {
        LocalAws aws = local.aws();
        aws.iam().createUser("alice", Map.of());
        aws.faults().on("iam", "CreateAccessKey").times(1).crashAfterSuccess();

        SimulatedCrash crash = assertThrows(SimulatedCrash.class,
                () -> local.iamClient().createAccessKey(r -> r.userName("alice")));

        assertEquals("crash injected after Iam.CreateAccessKey took effect", crash.getMessage());
        assertEquals(1, aws.iam().keys("alice").size());
        assertEquals(1, aws.calls().count("iam", "CreateAccessKey"), "the crash is not retried");
        local.iamClient().createAccessKey(r -> r.userName("alice"));
        assertEquals(2, aws.iam().keys("alice").size(), "the rule fired once");
    }

    @Test
    void crashAfterSuccessEscapesTheCallersExceptionHandling() {
        local.aws().faults().on("sts", "GetCallerIdentity").crashAfterSuccess();

        assertThrows(SimulatedCrash.class, () -> {
            try {
                local.stsClient().getCallerIdentity();
            } catch (Exception handledByCodeUnderTest) {
                throw new AssertionError("a crash must not be catchable as an Exception", handledByCodeUnderTest);
            }
        });
    }

    @Test
    void crashAfterSuccessWithoutTheInterceptorStillTakesEffectOnce() {
        LocalAws aws = local.aws();
        aws.iam().createUser("alice", Map.of());
        aws.faults().on("iam", "CreateAccessKey").times(1).crashAfterSuccess();

        try (IamClient plain = IamClient.builder().httpClient(UrlConnectionHttpClient.create())
                .region(aws.region()).endpointOverride(aws.endpoint()).credentialsProvider(aws.credentials()).build()) {
            IamException error = assertThrows(IamException.class, () -> plain.createAccessKey(r -> r.userName("alice")));
            assertEquals(500, error.statusCode());
            assertEquals("LocalAwsCrash", error.awsErrorDetails().errorCode());
        }

        assertEquals(1, aws.iam().keys("alice").size());
        assertTrue(aws.calls().count("iam", "CreateAccessKey") > 1, "the SDK retried the 500");
    }

    @Test
    void crashOwedByAFailedCallGoesToTheNextSuccessfulOne() {
        LocalAws aws = local.aws();
        aws.faults().on("iam", "CreateAccessKey").times(1).crashAfterSuccess();

        assertThrows(software.amazon.awssdk.services.iam.model.NoSuchEntityException.class,
                () -> local.iamClient().createAccessKey(r -> r.userName("nobody")));
        aws.iam().createUser("alice", Map.of());

        assertThrows(SimulatedCrash.class, () -> local.iamClient().createAccessKey(r -> r.userName("alice")));
        assertEquals(1, aws.iam().keys("alice").size());
    }

    @Test
    void aNotAwsReplyReachesTheSdkWithItsStatusAndNoErrorCode() {
        LocalAws aws = local.aws();
        aws.faults().on("ssm", "GetParametersByPath").once().notAwsReply(403, "text/html",
                "<html><body>Forbidden by proxy</body></html>");

        SsmException refused = assertThrows(SsmException.class,
                () -> local.ssmClient().getParametersByPath(r -> r.path("/x/")));
        assertEquals(403, refused.statusCode());
        assertNull(refused.awsErrorDetails().errorCode(), "no AWS error code in a proxy's page");

        assertEquals(List.of(), local.ssmClient().getParametersByPath(r -> r.path("/x/")).parameters(),
                "served normally once the rule is used up");
    }

    @Test
    void crashInterceptorRunsBeforeOtherInterceptorsSeeTheResponse() {
        LocalAws aws = local.aws();
        AtomicInteger unmarshalled = new AtomicInteger();
        ExecutionInterceptor counting = new ExecutionInterceptor() {
            @Override
            public void afterUnmarshalling(Context.AfterUnmarshalling context, ExecutionAttributes attributes) {
                unmarshalled.incrementAndGet();
            }
        };
        aws.faults().on("sts", "GetCallerIdentity").once().crashAfterSuccess();

        try (var sts = LocalAwsClients.configure(software.amazon.awssdk.services.sts.StsClient.builder()
                .overrideConfiguration(c -> c.addExecutionInterceptor(counting)), aws).build()) {
            assertThrows(SimulatedCrash.class, sts::getCallerIdentity);
            assertEquals(0, unmarshalled.get());
            sts.getCallerIdentity();
            assertEquals(1, unmarshalled.get(), "configure keeps interceptors already on the builder");
        }
    }

    @Test
    void probabilisticFaultsRepeatForTheSameSeed() {
        List<Boolean> first = failurePattern();
        local.aws().faults().clear();
        local.aws().faults().reseed(Faults.DEFAULT_SEED);
        List<Boolean> second = failurePattern();

        assertEquals(first, second);
        assertTrue(first.contains(true) && first.contains(false), first.toString());
    }

    private List<Boolean> failurePattern() {
        local.aws().faults().on("sts", "GetCallerIdentity").withProbability(0.5).error(400, "Flaky", "flaky");
        List<Boolean> failed = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            try {
                local.stsClient().getCallerIdentity();
                failed.add(false);
            } catch (SdkServiceException e) {
                failed.add(true);
            }
        }
        return failed;
    }

    @Test
    void clearedFaultsNoLongerFire() {
        local.aws().faults().on("sts", "*").error(500, "InternalFailure", "down");
        local.aws().faults().clear();

        local.stsClient().getCallerIdentity();

        assertTrue(local.aws().faults().rules().isEmpty());
    }

    @Test
    void callsAreCountedAndRecordedWithTheirSubjects() {
        LocalAws aws = local.aws();
        aws.iam().createUser("alice", Map.of());
        local.iamClient().listAccessKeys(r -> r.userName("alice"));
        local.iamClient().listAccessKeys(r -> r.userName("alice"));
        local.stsClient().getCallerIdentity();
        assertThrows(ParameterNotFoundException.class, () -> local.ssmClient().getParameter(r -> r.name("/missing")));

        Calls calls = aws.calls();
        assertEquals(2, calls.count("iam", "ListAccessKeys"));
        assertEquals(4, calls.total());
        assertEquals(Map.of("iam:ListAccessKeys", 2L, "sts:GetCallerIdentity", 1L, "ssm:GetParameter", 1L),
                calls.snapshot());
        assertEquals(2, calls.forUser("alice").size());
        assertTrue(calls.forUser("bob").isEmpty());
        assertEquals("/missing", calls.all().get(3).param("Name").orElseThrow());
        assertFalse(calls.all().get(2).param("UserName").isPresent());

        calls.reset();
        assertEquals(0, calls.total());
        assertTrue(calls.snapshot().isEmpty());
    }

    @Test
    void callsRecordTheAccessKeyIdTheyWereSignedWith() throws Exception {
        LocalAws aws = local.aws();
        local.stsClient().getCallerIdentity();
        try (StsClient other = LocalAwsClients.configure(StsClient.builder(), aws)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("AKIASIGNER0000000001", "signer-secret")))
                .build()) {
            other.getCallerIdentity();
        }
        local.secretsManagerClient().listSecrets();
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(aws.endpoint())
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("Action=GetCallerIdentity&Version=2011-06-15"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        List<Calls.Call> calls = aws.calls().all();
        assertEquals(List.of(Optional.of("test"), Optional.of("AKIASIGNER0000000001"), Optional.of("test"),
                Optional.empty()), calls.stream().map(Calls.Call::signingKeyId).toList());
        assertEquals("secretsmanager", calls.get(2).service(), "JSON 1.1 calls are recorded with their signer too");
    }

    @Test
    void concurrentCallsAreServedInParallel() throws Exception {
        LocalAws aws = local.aws();
        aws.faults().on("sts", "GetCallerIdentity").latency(Duration.ofMillis(200));
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();

        long start = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            Thread thread = new Thread(() -> {
                try {
                    local.stsClient().getCallerIdentity();
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }

        assertNull(failure.get());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 1500, "ten 200 ms calls overlapped");
        assertEquals(10, aws.calls().count("sts", "GetCallerIdentity"));
    }

    @Test
    void requestWithoutSigV4ScopeIsRoutedByApiVersion() throws Exception {
        URI endpoint = local.aws().endpoint();
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(endpoint)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("Action=GetCallerIdentity&Version=2011-06-15"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                + "<GetCallerIdentityResult>"), response.body());
        assertTrue(response.body().contains("<ResponseMetadata><RequestId>"), response.body());
    }
}
