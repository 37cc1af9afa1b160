package dev.accesskeyrotator.localaws;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The endpoint's model of a role confined to one KMS key by explicit Denies (as the spoke role is), and of IAM's
 * GetRolePolicy, through real SDK clients with an assumed role's session.
 */
class SpokeRoleKeysTest {
    private static final String MEMBER = "210000000001";
    private static final String OWN_KEY = "arn:aws:kms:us-east-1:" + MEMBER + ":key/aaaaaaaa-0000-0000-0000-000000000001";
    private static final String OTHER_KEY = "arn:aws:kms:us-east-1:" + MEMBER + ":key/bbbbbbbb-0000-0000-0000-000000000002";
    private static final String ROLE = "arn:aws:iam::" + MEMBER + ":role/Spoke";

    private final LocalAws aws = LocalAws.start();

    @AfterEach
    void close() {
        aws.close();
    }

    private StaticCredentialsProvider session() {
        aws.addAccount(MEMBER);
        aws.sts().createRole(MEMBER, "Spoke", Set.of(aws.sts().callerArn()));
        try (StsClient sts = LocalAwsClients.configure(StsClient.builder(), aws).build()) {
            Credentials c = sts.assumeRole(r -> r.roleArn(ROLE).roleSessionName("test")).credentials();
            return StaticCredentialsProvider.create(AwsSessionCredentials.create(c.accessKeyId(),
                    c.secretAccessKey(), c.sessionToken()));
        }
    }

    @Test
    void aRoleConfinedToItsKeyCanNeitherReadNorWriteASecretUnderAnotherKeyWhateverThatKeyAllows() {
        StaticCredentialsProvider credentials = session();
        LocalAccount member = aws.account(MEMBER);
        member.kms().restrictRoleToKeys(ROLE, Set.of(OWN_KEY));
        member.secretsManager().seedRaw("planted", "{}", java.util.Map.of(), OTHER_KEY);
        member.secretsManager().seedRaw("own", "{\"a\":1}", java.util.Map.of(), OWN_KEY);

        try (SecretsManagerClient secrets = LocalAwsClients.configure(SecretsManagerClient.builder(), aws)
                .credentialsProvider(credentials).build()) {
            assertEquals("{\"a\":1}", secrets.getSecretValue(r -> r.secretId("own")).secretString());
            SecretsManagerException read = assertThrows(SecretsManagerException.class,
                    () -> secrets.getSecretValue(r -> r.secretId("planted")));
            assertEquals("AccessDeniedException", read.awsErrorDetails().errorCode());
            SecretsManagerException write = assertThrows(SecretsManagerException.class,
                    () -> secrets.putSecretValue(r -> r.secretId("planted").secretString("new")));
            assertEquals("AccessDeniedException", write.awsErrorDetails().errorCode());
        }
        assertEquals(1, member.secretsManager().secret("planted").orElseThrow().versions().size());
    }

    @Test
    void getRolePolicyReturnsTheDocumentUrlEncodedAndNoSuchEntityForAnUnknownPolicy() {
        StaticCredentialsProvider credentials = session();
        String document = "{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"kms:Decrypt\",\"NotResource\":\""
                + OWN_KEY + "\"}]}";
        aws.account(MEMBER).iam().putRolePolicy("Spoke", "KeyPolicy", document);

        try (IamClient iam = LocalAwsClients.configure(IamClient.builder(), aws).credentialsProvider(credentials)
                .build()) {
            String encoded = iam.getRolePolicy(r -> r.roleName("Spoke").policyName("KeyPolicy")).policyDocument();
            assertEquals(document, URLDecoder.decode(encoded, StandardCharsets.UTF_8));
            assertEquals(false, encoded.contains("\""), encoded);
            assertThrows(NoSuchEntityException.class, () -> iam.getRolePolicy(r -> r.roleName("Spoke")
                    .policyName("Other")));
        }
    }
}
