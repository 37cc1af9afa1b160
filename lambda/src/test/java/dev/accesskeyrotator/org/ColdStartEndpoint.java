package dev.accesskeyrotator.org;

import dev.accesskeyrotator.contract.EnvironmentVariable;
import dev.accesskeyrotator.contract.Organization;
import dev.accesskeyrotator.contract.Parameter;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.MutableClock;
import dev.accesskeyrotator.testing.RotatorHarness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The local endpoint for start-up measurements of the shaded jars' handlers, each in its own JVM
 * ({@code bench.ColdStartProbe}, docs/performance.md): the hub account, which also serves as a single-account
 * deployment, and member account {@value #MEMBER} with its spoke, each with 10 opted-in users in steady state. Dry
 * run is on, so every run finds the same state. Writes the handlers' environment to two files
 * ({@code single.env}, {@code worker.env}: {@code NAME=value} lines) in the directory named by its argument, then
 * serves until its standard input closes.
 */
public final class ColdStartEndpoint {
    static final String MEMBER = "111111111111";

    private ColdStartEndpoint() {}

    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args[0]);
        // The handlers read key ages with the system clock, so the endpoint lives in the present too.
        try (OrganizationFixture org = new OrganizationFixture(LocalAws.start(new MutableClock(Instant.now())))) {
            org.member(MEMBER, org.rootId);
            org.steadyState(MEMBER, 10);
            org.steadyState(org.aws.accountId(), 10);
            org.parameter(Parameter.DRY_RUN.parameterName(), "true");
            org.aws.iam().setCredentialReportPollsToComplete(0);
            org.aws.account(MEMBER).iam().setCredentialReportPollsToComplete(0);
            String common = "AWS_REGION=" + OrganizationFixture.REGION + "\nAWS_ENDPOINT_URL=" + org.aws.endpoint()
                    + "\nAWS_SECRET_ACCESS_KEY=local\n" + EnvironmentVariable.NOTICE_TOPIC_ARN.name() + "="
                    + org.topicArn + "\n" + EnvironmentVariable.PARAMETER_PREFIX.name() + "="
                    + RotatorHarness.PARAMETER_PREFIX + "\n" + EnvironmentVariable.SECRET_NAME_PREFIX.name() + "="
                    + RotatorHarness.SECRET_PREFIX + "\n" + EnvironmentVariable.OPT_IN_TAG.name() + "="
                    + RotatorHarness.OPT_IN_TAG + "\n";
            Files.writeString(directory.resolve("single.env"), common + "AWS_ACCESS_KEY_ID="
                    + RotatorHarness.ROTATOR_ACCESS_KEY_ID + "\n" + EnvironmentVariable.SECRET_KMS_KEY_ID.name() + "="
                    + OrganizationFixture.keyArnOf(org.aws.accountId()) + "\n");
            Files.writeString(directory.resolve("worker.env"), common + "AWS_ACCESS_KEY_ID="
                    + OrganizationFixture.HUB_WORKER_KEY + "\n" + Organization.Variable.SPOKE_ROLE_NAME.name() + "="
                    + Organization.DEFAULT_SPOKE_ROLE_NAME + "\nPROBE_ACCOUNT_ID=" + MEMBER + "\n");
            System.out.println("serving " + org.aws.endpoint() + "; close standard input to stop");
            System.in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }
}
