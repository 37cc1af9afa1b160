package dev.accesskeyrotator.localaws;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.IamException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;
import software.amazon.awssdk.services.sts.model.StsException;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several accounts behind one endpoint, through real SDK clients: STS AssumeRole hands out credentials of a role in
 * another account, requests signed with them act in that account's own state, and AssumeRole refuses as AWS does.
 */
class MultiAccountTest {
    static final String HUB_KEY = "AKIAHUBCALLER0000001";
    static final String HUB_ROLE = "arn:aws:iam::123456789012:role/Hub";
    static final String A = "210000000001";
    static final String B = "210000000002";

    private final LocalAws aws = LocalAws.start();
    private final StsClient hubSts = client(StsClient.builder(), HUB_KEY, "s", null);

    MultiAccountTest() {
        aws.sts().identify(HUB_KEY, HUB_ROLE);
    }

    @AfterEach
    void close() {
        hubSts.close();
        aws.close();
    }

    @Test
    void assumedCredentialsActInTheRolesAccountWithItsOwnState() {
        aws.addAccount(A);
        aws.addAccount(B);
        String roleA = aws.sts().createRole(A, "Spoke", Set.of(HUB_ROLE));
        String roleB = aws.sts().createRole(B, "Spoke", Set.of("arn:aws:iam::123456789012:root"));
        aws.account(A).iam().createUser("alice", Map.of());
        aws.account(B).ssm().put("/p/x", "from-b");

        Credentials inA = hubSts.assumeRole(r -> r.roleArn(roleA).roleSessionName("rotator")).credentials();
        Credentials inB = hubSts.assumeRole(r -> r.roleArn(roleB).roleSessionName("rotator")).credentials();
        assertFalse(inA.accessKeyId().equals(inB.accessKeyId()));
        assertEquals(aws.clock().instant().plus(Duration.ofHours(1)), inA.expiration());

        try (StsClient stsA = session(StsClient.builder(), inA); IamClient iamA = session(IamClient.builder(), inA);
             IamClient iamB = session(IamClient.builder(), inB); SsmClient ssmB = session(SsmClient.builder(), inB)) {
            GetCallerIdentityResponse identity = stsA.getCallerIdentity();
            assertEquals(A, identity.account());
            assertEquals("arn:aws:sts::" + A + ":assumed-role/Spoke/rotator", identity.arn());

            assertEquals("alice", iamA.getUser(r -> r.userName("alice")).user().userName());
            assertThrows(IamException.class, () -> iamB.getUser(r -> r.userName("alice")));
            iamB.createUser(r -> r.userName("alice"));
            assertTrue(iamB.getUser(r -> r.userName("alice")).user().arn().startsWith("arn:aws:iam::" + B + ":"));
            assertEquals("from-b", ssmB.getParameter(r -> r.name("/p/x")).parameter().value());
        }
        assertFalse(aws.iam().user("alice").isPresent(), "the default account is untouched");
        assertEquals(3, aws.calls().inAccount(B).stream().filter(c -> c.service().equals("iam")).count());
        assertEquals(HUB_ROLE, hubIdentity().arn());
        assertEquals("123456789012", hubIdentity().account());
    }

    @Test
    void assumeRoleIsRefusedWithAwsAccessDeniedWhenTheRoleIsMissingOrDoesNotTrustTheCaller() {
        aws.addAccount(A);
        String untrusting = aws.sts().createRole(A, "Other", Set.of("arn:aws:iam::123456789012:role/SomeoneElse"));
        String orgBound = aws.sts().createRole(A, "OrgBound", Set.of(HUB_ROLE), Optional.of("o-aaaaaaaaaa"));
        String missing = "arn:aws:iam::" + B + ":role/Spoke";

        for (String role : new String[] {missing, untrusting, orgBound}) {
            StsException denied = assertThrows(StsException.class,
                    () -> hubSts.assumeRole(r -> r.roleArn(role).roleSessionName("rotator")));
            assertEquals(403, denied.statusCode());
            assertEquals("AccessDenied", denied.awsErrorDetails().errorCode());
            assertEquals("User: " + HUB_ROLE + " is not authorized to perform: sts:AssumeRole on resource: " + role,
                    denied.awsErrorDetails().errorMessage());
        }
        assertTrue(aws.sts().sessions().isEmpty());
    }

    @Test
    void theOrganizationConditionAdmitsCallersFromTheOrganization() {
        String root = aws.organizations().createOrganization("999999999999");
        aws.organizations().addAccount(root, "123456789012", "hub", OrganizationsEmulator.AccountState.ACTIVE);
        aws.addAccount(A);
        String role = aws.sts().createRole(A, "Spoke", Set.of(HUB_ROLE),
                Optional.of(aws.organizations().organizationId()));
        assertEquals(A, aws.sts().accountOf(
                hubSts.assumeRole(r -> r.roleArn(role).roleSessionName("rotator")).credentials().accessKeyId())
                .orElseThrow());
    }

    @Test
    void sessionLimitsAndExpiryAreEnforced() {
        aws.addAccount(A);
        String role = aws.sts().createRole(A, "Spoke", Set.of(HUB_ROLE));
        StsException tooLong = assertThrows(StsException.class, () -> hubSts.assumeRole(r -> r.roleArn(role)
                .roleSessionName("rotator").durationSeconds(7200)));
        assertEquals("ValidationError", tooLong.awsErrorDetails().errorCode());
        StsException badName = assertThrows(StsException.class, () -> hubSts.assumeRole(r -> r.roleArn(role)
                .roleSessionName("has space")));
        assertEquals("ValidationError", badName.awsErrorDetails().errorCode());

        Credentials session = hubSts.assumeRole(r -> r.roleArn(role).roleSessionName("rotator").durationSeconds(900))
                .credentials();
        try (IamClient iam = session(IamClient.builder(), session)) {
            iam.listUsers();
            aws.clock().advance(Duration.ofSeconds(900));
            AwsServiceException expired = assertThrows(AwsServiceException.class, iam::listUsers);
            assertEquals("ExpiredToken", expired.awsErrorDetails().errorCode());
        }
    }

    @Test
    void faultsCanTargetOneAccount() {
        aws.addAccount(A);
        aws.addAccount(B);
        Credentials inA = hubSts.assumeRole(r -> r.roleArn(aws.sts().createRole(A, "Spoke", Set.of(HUB_ROLE)))
                .roleSessionName("rotator")).credentials();
        Credentials inB = hubSts.assumeRole(r -> r.roleArn(aws.sts().createRole(B, "Spoke", Set.of(HUB_ROLE)))
                .roleSessionName("rotator")).credentials();
        aws.faults().on("iam", "ListUsers").forAccount(A).error(500, "ServiceFailure", "boom");
        try (IamClient iamA = session(IamClient.builder(), inA); IamClient iamB = session(IamClient.builder(), inB)) {
            assertThrows(IamException.class, iamA::listUsers);
            assertEquals(0, iamB.listUsers().users().size());
        }
    }

    private GetCallerIdentityResponse hubIdentity() {
        return hubSts.getCallerIdentity();
    }

    private <B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, C>
            & software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<B, C>, C> C session(B builder,
                                                                                                   Credentials c) {
        return client(builder, c.accessKeyId(), c.secretAccessKey(), c.sessionToken());
    }

    private <B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, C>
            & software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<B, C>, C> C client(
            B builder, String keyId, String secret, String token) {
        LocalAwsClients.configure(builder, aws).credentialsProvider(StaticCredentialsProvider.create(token == null
                ? AwsBasicCredentials.create(keyId, secret) : AwsSessionCredentials.create(keyId, secret, token)));
        builder.overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1)));
        return builder.build();
    }
}
