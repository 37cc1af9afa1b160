package dev.accesskeyrotator.org;

import dev.accesskeyrotator.aws.AwsClients;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where the Organizations adapter sends its requests on AWS, read from the request the SDK is about to transmit
 * (nothing leaves the machine): the partition's one global endpoint, signed for that endpoint's region, whatever
 * region the hub runs in. The endpoint comes from the SDK's own endpoint rules (this project hard-codes none), so the
 * test pins the rules of the organizations module's version (2.40.2, on the BOM's newer core) to what AWS documents.
 */
class OrganizationsDirectoryTest {

    /** Stops every request just before it would be sent, keeping it to look at. */
    private static final class StopBeforeSending implements ExecutionInterceptor {
        final List<SdkHttpRequest> requests = new ArrayList<>();

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            requests.add(context.httpRequest());
            throw new Stopped();
        }
    }

    private static final class Stopped extends RuntimeException {
        Stopped() {
            super("stopped before sending", null, false, false);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "eu-west-1, organizations.us-east-1.amazonaws.com, us-east-1",
            "us-east-1, organizations.us-east-1.amazonaws.com, us-east-1",
            "ap-southeast-2, organizations.us-east-1.amazonaws.com, us-east-1",
            "us-gov-east-1, organizations.us-gov-west-1.amazonaws.com, us-gov-west-1",
            "cn-north-1, organizations.cn-northwest-1.amazonaws.com.cn, cn-northwest-1"})
    void everyRegionOfAPartitionCallsThatPartitionsGlobalEndpointSignedForItsRegion(String hubRegion, String host,
                                                                                     String signingRegion) {
        StopBeforeSending stop = new StopBeforeSending();
        AwsClients.Options options = new AwsClients.Options(Region.of(hubRegion), Optional.empty(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAEXAMPLEEXAMPLE01", "secret")),
                List.of(stop), DefaultRetryStrategy.doNotRetry());

        try (OrganizationsDirectory directory = new OrganizationsDirectory(options)) {
            assertThrows(Stopped.class, directory::managementAccountId);
        }

        assertEquals(1, stop.requests.size());
        SdkHttpRequest request = stop.requests.get(0);
        assertEquals("https://" + host + "/", request.getUri().toString());
        assertEquals(Optional.of("AWSOrganizationsV20161128.DescribeOrganization"),
                request.firstMatchingHeader("X-Amz-Target"));
        assertEquals(Optional.of("application/x-amz-json-1.1"), request.firstMatchingHeader("Content-Type"));
        String authorization = request.firstMatchingHeader("Authorization").orElseThrow();
        assertTrue(authorization.contains("/" + signingRegion + "/organizations/aws4_request"), authorization);
    }
}
