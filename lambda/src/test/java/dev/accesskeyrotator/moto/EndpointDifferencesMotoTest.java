package dev.accesskeyrotator.moto;

import dev.accesskeyrotator.localaws.LocalAwsClients;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKeyLastUsed;
import software.amazon.awssdk.services.iam.model.GetCredentialReportResponse;
import software.amazon.awssdk.services.iam.model.ReportStateType;
import software.amazon.awssdk.services.iam.model.StatusType;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ResourceExistsException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.StsClientBuilder;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same SDK calls to the project's endpoint and to moto, where the rotator depends on the answer, each held to
 * what AWS documents. Where moto departs from the documentation the test says so and asserts moto's actual answer,
 * so that a moto release that fixes it fails here and the workaround or caveat elsewhere can go; it never lowers what
 * the project's endpoint must do.
 *
 * <p>Found so far (each is a test below):
 * <ul>
 *   <li>credential report GeneratedTime: moto answers a constant; the endpoint matches AWS;</li>
 *   <li>credential report last-used region and service: moto answers {@code not_supported}; the endpoint matches;</li>
 *   <li>a disabled key: moto still accepts requests it signs; the endpoint refuses them, as AWS does.</li>
 * </ul>
 * And where they agree, on behaviour the crash recovery relies on: a reused ClientRequestToken, a secret without a
 * value, a key never used. Neither endpoint verifies SigV4 signatures (LocalAws's class comment says so); both
 * accept a KmsKeyId that names no key in KMS, so "the stack's key" is checked by comparing ARNs, as the rotator does.
 *
 * <p>Tagged {@code slow} (left out of the default build, run by {@code -Pslow}): it drives moto's server, a Python
 * process, and pays for its start and a reset per test.
 */
@Tag("slow")
class EndpointDifferencesMotoTest {
    private static final Instant START = Instant.parse("2031-03-01T06:00:00Z");

    @RegisterExtension
    final MotoExtension moto = new MotoExtension(START);
    @RegisterExtension
    final LocalAwsExtension local = new LocalAwsExtension(START);

    /** One endpoint under comparison: how to point a client at it. */
    private interface Target {
        String name();

        <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder);
    }

    private List<Target> targets() {
        MotoAccount motoAccount = moto.account();
        Target project = new Target() {
            public String name() { return "project endpoint"; }

            public <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder) {
                return LocalAwsClients.configure(builder, local.aws());
            }
        };
        Target motoTarget = new Target() {
            public String name() { return "moto"; }

            public <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder) {
                return motoAccount.configure(builder);
            }
        };
        return List.of(project, motoTarget);
    }

    private Target project() { return targets().get(0); }

    private Target moto() { return targets().get(1); }

    /**
     * IAM API Reference, GetCredentialReport: GeneratedTime is "the date and time when the credential report was
     * created". moto 5.2.1 answers 2015-02-02T20:02:02Z whenever it is asked, so a rotator (rightly) finds its
     * report stale and looks at each user instead: against moto the credential-report path never runs.
     */
    @Test
    void theCredentialReportIsDatedWhenItWasGenerated() {
        assertEquals(START, report(project()).generatedTime());
        assertEquals(Instant.parse("2015-02-02T20:02:02Z"), report(moto()).generatedTime(),
                "moto departs from AWS here; if this fails, moto fixed it: update RotationMotoTest's discovery check");
    }

    /**
     * IAM User Guide, "Getting credential reports" (report format): access_key_N_last_used_region and _service are
     * the region and service namespace of the key's most recent use (N/A when it was never used), as
     * GetAccessKeyLastUsed reports them (IAM API Reference, AccessKeyLastUsed). moto fills the date but writes
     * {@code not_supported} in both, though its GetAccessKeyLastUsed knows them.
     */
    @Test
    void theCredentialReportNamesTheRegionAndServiceOfTheLastUse() {
        for (Target target : targets()) {
            MotoAccount.Key key = userWithKey(target, "reporter");
            signedCallWith(target, key);
            String row = reportRow(target, "reporter");
            List<String> cells = List.of(row.split(",", -1));
            // user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,
            // password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,
            // access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,...
            assertEquals("true", cells.get(8), target.name() + ": " + row);
            assertTrue(cells.get(10).startsWith("2031-03-01T06:00:00"), target.name() + ": " + row);
            AccessKeyLastUsed lastUsed = lastUsed(target, key);
            assertEquals("sts", lastUsed.serviceName(), target.name());
            if (!target.name().equals("moto")) {
                assertEquals(List.of(lastUsed.region(), "sts"), cells.subList(11, 13), target.name() + ": " + row);
            } else {
                assertEquals(List.of("not_supported", "not_supported"), cells.subList(11, 13),
                        "moto departs from AWS here; if this fails, moto fixed it: " + row);
            }
        }
    }

    /**
     * IAM API Reference, AccessKey: "Active means that the key is valid for API calls, while Inactive means it is
     * not." The project's endpoint refuses a request signed with an inactive key (InvalidClientTokenId for query
     * services such as STS), which is how {@code credentials} learns that its cached key was retired. moto does not
     * authenticate requests by default and answers as if the key were active: the moto tests therefore check the
     * key's status in IAM instead of a refused call.
     */
    @Test
    void aDisabledKeyCannotSignRequests() {
        MotoAccount.Key projectKey = userWithKey(project(), "retired");
        disable(project(), "retired", projectKey);
        AwsServiceException refused = assertThrows(AwsServiceException.class,
                () -> signedCallWith(project(), projectKey));
        assertEquals("InvalidClientTokenId", refused.awsErrorDetails().errorCode());

        MotoAccount.Key motoKey = userWithKey(moto(), "retired");
        disable(moto(), "retired", motoKey);
        assertTrue(signedCallWith(moto(), motoKey).endsWith(":user/retired"),
                "moto departs from AWS here; if this fails, moto now refuses inactive keys");
    }

    /**
     * Secrets Manager API Reference, PutSecretValue, ClientRequestToken: a token already used with the same value
     * is ignored (the same version is returned); with a different value the request fails with
     * ResourceExistsException. The rotator derives the token from the new key id, so a run that crashed after
     * storing a key can store it again safely. Both endpoints agree with the documentation.
     */
    @Test
    void aReusedClientRequestTokenIsIdempotentForTheSameValueAndRefusedForAnother() {
        String token = "3f7e3a52-5c1e-4c2b-9a44-6c1f0f6c2a10";
        for (Target target : targets()) {
            try (SecretsManagerClient secrets = target.configure(SecretsManagerClient.builder()).build()) {
                secrets.createSecret(r -> r.name("idempotent").secretString("first"));
                String version = secrets.putSecretValue(r -> r.secretId("idempotent").secretString("second")
                        .clientRequestToken(token)).versionId();
                assertEquals(version, secrets.putSecretValue(r -> r.secretId("idempotent").secretString("second")
                        .clientRequestToken(token)).versionId(), target.name());
                assertThrows(ResourceExistsException.class, () -> secrets.putSecretValue(r -> r.secretId("idempotent")
                        .secretString("third").clientRequestToken(token)), target.name());
                assertEquals("second", secrets.getSecretValue(r -> r.secretId("idempotent")).secretString(),
                        target.name());
            }
        }
    }

    /**
     * Secrets Manager API Reference, CreateSecret: a secret may be created without a value; GetSecretValue of it
     * then fails with ResourceNotFoundException (no version has AWSCURRENT). The rotator reserves a user's secret
     * this way before creating the first key. Both endpoints agree.
     */
    @Test
    void aSecretWithoutAValueHasNoCurrentVersion() {
        for (Target target : targets()) {
            try (SecretsManagerClient secrets = target.configure(SecretsManagerClient.builder()).build()) {
                secrets.createSecret(r -> r.name("reserved"));
                assertThrows(ResourceNotFoundException.class,
                        () -> secrets.getSecretValue(r -> r.secretId("reserved")), target.name());
            }
        }
    }

    /**
     * IAM API Reference, AccessKeyLastUsed: for a key never used, Region and ServiceName are "N/A" and LastUsedDate
     * is null. The rotator reads "never used" from exactly that. Both endpoints agree.
     */
    @Test
    void aKeyNeverUsedHasNoLastUse() {
        for (Target target : targets()) {
            AccessKeyLastUsed lastUsed = lastUsed(target, userWithKey(target, "idle"));
            assertEquals(Optional.empty(), Optional.ofNullable(lastUsed.lastUsedDate()), target.name());
            assertEquals(List.of("N/A", "N/A"), List.of(lastUsed.region(), lastUsed.serviceName()), target.name());
        }
    }

    // ---- calls ---------------------------------------------------------------------------------------------------

    private static MotoAccount.Key userWithKey(Target target, String user) {
        try (IamClient iam = target.configure(IamClient.builder()).build()) {
            iam.createUser(r -> r.userName(user));
            var key = iam.createAccessKey(r -> r.userName(user)).accessKey();
            return new MotoAccount.Key(key.accessKeyId(), key.secretAccessKey());
        }
    }

    private static void disable(Target target, String user, MotoAccount.Key key) {
        try (IamClient iam = target.configure(IamClient.builder()).build()) {
            iam.updateAccessKey(r -> r.userName(user).accessKeyId(key.id()).status(StatusType.INACTIVE));
        }
    }

    /** STS GetCallerIdentity signed with the key: the caller's ARN. */
    private static String signedCallWith(Target target, MotoAccount.Key key) {
        UnaryOperator<StsClientBuilder> withKey = builder -> builder.credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(key.id(), key.secret())));
        try (StsClient sts = withKey.apply(target.configure(StsClient.builder())).build()) {
            return sts.getCallerIdentity().arn();
        }
    }

    private static AccessKeyLastUsed lastUsed(Target target, MotoAccount.Key key) {
        try (IamClient iam = target.configure(IamClient.builder()).build()) {
            return iam.getAccessKeyLastUsed(r -> r.accessKeyId(key.id())).accessKeyLastUsed();
        }
    }

    /** Generates the report (polling without pause: both endpoints finish within a few polls) and gets it. */
    private static GetCredentialReportResponse report(Target target) {
        try (IamClient iam = target.configure(IamClient.builder()).build()) {
            for (int poll = 0; poll < 10; poll++) {
                if (iam.generateCredentialReport().state() == ReportStateType.COMPLETE) {
                    return iam.getCredentialReport();
                }
            }
            throw new AssertionError(target.name() + ": the credential report never completed");
        }
    }

    private static String reportRow(Target target, String user) {
        String csv = report(target).content().asString(StandardCharsets.UTF_8);
        return csv.lines().filter(line -> line.startsWith(user + ",")).findFirst()
                .orElseThrow(() -> new AssertionError(target.name() + ": no row for " + user + " in\n" + csv));
    }
}
