package dev.accesskeyrotator.org;

import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.aws.SnsNotifier;
import dev.accesskeyrotator.aws.SsmParameterSource;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.contract.OptInTag;
import dev.accesskeyrotator.contract.Organization;
import dev.accesskeyrotator.localaws.IamEmulator.KeySnapshot;
import dev.accesskeyrotator.localaws.LocalAccount;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsClients;
import dev.accesskeyrotator.localaws.OrganizationsEmulator.AccountState;
import dev.accesskeyrotator.service.SecretTags;
import dev.accesskeyrotator.testing.RotatorHarness;
import dev.accesskeyrotator.testing.VirtualTimeRetryStrategy;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.sns.SnsClient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * An organization on a {@link LocalAws}: the default account is the hub (delegated administrator, home of the
 * parameters and the notice topic), {@value #MANAGEMENT} is the management account, and each {@link #member} gets
 * the spoke role trusting exactly the hub worker's role (with {@code aws:PrincipalOrgID}) and the spoke parameter
 * naming its own KMS key, as the spoke StackSet leaves it.
 */
final class OrganizationFixture implements AutoCloseable {
    static final String MANAGEMENT = "999999999999";
    /** The hub worker's calls sign with this key id; STS knows it as the worker's role. */
    static final String HUB_WORKER_KEY = "AKIAHUBWORKERROLE001";
    static final String HUB_WORKER_ROLE = "arn:aws:iam::123456789012:role/AccessKeyRotatorHub-WorkerRole";
    static final String REGION = "us-east-1";

    final LocalAws aws;
    final String topicArn;
    final String rootId;
    private final List<String> logLines = Collections.synchronizedList(new ArrayList<>());

    OrganizationFixture(LocalAws aws) {
        this.aws = aws;
        aws.sts().identify(HUB_WORKER_KEY, HUB_WORKER_ROLE);
        rootId = aws.organizations().createOrganization(MANAGEMENT);
        aws.organizations().addAccount(rootId, aws.accountId(), "security-hub", AccountState.ACTIVE);
        aws.organizations().registerDelegatedAdministrator(aws.accountId());
        try (SnsClient sns = LocalAwsClients.configure(SnsClient.builder(), aws).build()) {
            topicArn = sns.createTopic(r -> r.name("access-key-rotation-notices")).topicArn();
        }
    }

    /**
     * A member account under {@code parentId} with its spoke deployed: the role's key policy names the account's
     * key, and (as its explicit Denies do in IAM) the role may use no other key. Returns the key ARN.
     */
    String member(String accountId, String parentId) {
        LocalAccount account = memberWithRoleOnly(accountId, parentId);
        String keyArn = keyArnOf(accountId);
        spokeKeyPolicy(accountId, keyArn);
        account.kms().restrictRoleToKeys(spokeRoleArn(accountId), Set.of(keyArn));
        return keyArn;
    }

    /** The spoke role's key policy as the spoke template writes it, naming {@code keyArn}. */
    void spokeKeyPolicy(String accountId, String keyArn) {
        aws.account(accountId).iam().putRolePolicy(Organization.DEFAULT_SPOKE_ROLE_NAME,
                Organization.SPOKE_KEY_POLICY_NAME, """
                {"Version":"2012-10-17","Statement":[\
                {"Sid":"%s","Effect":"Deny","Action":"kms:Decrypt","NotResource":"%s"},\
                {"Sid":"NeverEncryptWithAnotherKey","Effect":"Deny",\
                "Action":["kms:Encrypt","kms:GenerateDataKey*","kms:ReEncrypt*"],"NotResource":"%s"}]}"""
                        .formatted(Organization.SPOKE_KEY_STATEMENT, keyArn, keyArn));
    }

    static String spokeRoleArn(String accountId) {
        return "arn:aws:iam::" + accountId + ":role/" + Organization.DEFAULT_SPOKE_ROLE_NAME;
    }

    /** A member account whose spoke role exists but whose key policy does not (a half-deployed spoke). */
    LocalAccount memberWithRoleOnly(String accountId, String parentId) {
        LocalAccount account = aws.addAccount(accountId);
        aws.organizations().addAccount(parentId, accountId, "member-" + accountId, AccountState.ACTIVE);
        aws.sts().createRole(accountId, Organization.DEFAULT_SPOKE_ROLE_NAME, Set.of(HUB_WORKER_ROLE),
                Optional.of(aws.organizations().organizationId()));
        return account;
    }

    static String keyArnOf(String accountId) {
        return "arn:aws:kms:" + REGION + ":" + accountId + ":key/"
                + UUID.nameUUIDFromBytes(accountId.getBytes(StandardCharsets.UTF_8));
    }

    /** An opted-in user of {@code accountId} with one active key of this age and no secret yet. */
    KeySnapshot optedInUser(String accountId, String user, long keyAgeDays) {
        LocalAccount account = aws.account(accountId);
        account.iam().createUser(user, Map.of(RotatorHarness.OPT_IN_KEY, "enabled"));
        return account.iam().createAccessKey(user, aws.clock().instant().minus(Duration.ofDays(keyAgeDays)), true);
    }

    /**
     * {@code users} opted-in users as the rotator leaves them day after day: each with one key stored in its own
     * secret; one in a hundred has just reached the threshold.
     */
    void steadyState(String accountId, int users) {
        LocalAccount account = aws.account(accountId);
        Instant now = aws.clock().instant();
        for (int i = 0; i < users; i++) {
            String user = String.format("user-%05d", i);
            account.iam().createUser(user, Map.of(RotatorHarness.OPT_IN_KEY, "enabled"));
            Instant created = now.minus(Duration.ofDays(i % 100 == 0 ? 90 : 1 + i % 89));
            KeySnapshot key = account.iam().createAccessKey(user, created, true);
            String document = "{\"Version\":1,\"AccessKeyId\":\"" + key.id() + "\",\"SecretAccessKey\":\""
                    + key.secret() + "\",\"UserName\":\"" + user + "\",\"CreateDate\":\"" + created + "\"}";
            account.secretsManager().seedRaw(RotatorHarness.SECRET_PREFIX + user, document, Map.of(
                    SecretTags.USER, user,
                    SecretTags.NOTIFIED_KEY_ID, key.id(),
                    SecretTags.CURRENT_KEY_CREATED, SecretTags.seconds(created)), keyArnOf(accountId));
        }
    }

    /** A hub parameter, or with {@code accountId} that account's override. */
    void parameter(String name, String value) {
        aws.ssm().put(RotatorHarness.PARAMETER_PREFIX + name, value);
    }

    void override(String accountId, String name, String value) {
        aws.ssm().put(AccountOverrides.overridePath(RotatorHarness.PARAMETER_PREFIX, accountId) + name, value);
    }

    /** The hub worker's client settings: its own credentials, the endpoint, millisecond retry delays. */
    AwsClients.Options hubOptions() {
        return new AwsClients.Options(aws.region(), Optional.of(aws.endpoint()),
                StaticCredentialsProvider.create(AwsBasicCredentials.create(HUB_WORKER_KEY, "hub-secret")),
                List.of(aws.crashInterceptor()), shortRetries());
    }

    /**
     * The production strategy on virtual time (throttling costs no wall time), new each time as the worker needs
     * one per account.
     */
    static software.amazon.awssdk.retries.api.RetryStrategy shortRetries() {
        return VirtualTimeRetryStrategy.of(AwsClients.defaultRetryStrategy());
    }

    /** The hub's settings as the hub stack sets the worker's environment: no key or role of its own. */
    RotatorSettings hubSettings() {
        return new RotatorSettings(RotatorHarness.PARAMETER_PREFIX, RotatorHarness.SECRET_PREFIX, topicArn,
                Optional.empty(), "the platform team", 4, Optional.of(OptInTag.parse(RotatorHarness.OPT_IN_TAG)),
                Optional.empty(), Optional.empty());
    }

    /** A worker wired as the hub's worker function wires it, against this endpoint. */
    Worker worker() {
        return worker(Set.of());
    }

    /** As above, with the hub's {@code excludedAccounts}. */
    Worker worker(Set<String> excludedAccounts) {
        return worker(excludedAccounts, hubSettings());
    }

    /** As above, with the hub's {@code delegatedReaders} as the hub stack puts them in the worker's environment. */
    Worker worker(Map<String, List<String>> delegatedReaders) {
        RotatorSettings hub = hubSettings();
        return worker(Set.of(), new RotatorSettings(hub.parameterPrefix(), hub.secretNamePrefix(),
                hub.noticeTopicArn(), hub.secretKmsKeyArn(), hub.adminContact(), hub.maxConcurrency(),
                hub.deployedOptInTag(), hub.functionRoleArn(), hub.breakGlassPrincipalArn(), delegatedReaders));
    }

    private Worker worker(Set<String> excludedAccounts, RotatorSettings hubSettings) {
        AwsClients hub = new AwsClients(hubOptions());
        AssumedRoleAccounts accounts = new AssumedRoleAccounts(hubOptions(), OrganizationFixture::shortRetries,
                Organization.DEFAULT_SPOKE_ROLE_NAME, pause -> { });
        AccountWorker worker = new AccountWorker(hubSettings, REGION, new SsmParameterSource(hub.ssm()),
                new SnsNotifier(hub.sns(), topicArn), accounts, aws.clock(), logLines::add, excludedAccounts);
        return new Worker(worker, hub, accounts);
    }

    record Worker(AccountWorker worker, AwsClients hub, AssumedRoleAccounts accounts) implements AutoCloseable {
        AccountResult rotate(String accountId) {
            return worker.rotate(accountId, null, () -> false);
        }

        @Override
        public void close() {
            accounts.close();
            hub.close();
        }
    }

    void log(String line) {
        logLines.add(line);
    }

    List<String> logLines() {
        synchronized (logLines) {
            return List.copyOf(logLines);
        }
    }

    @Override
    public void close() {
        aws.close();
    }
}
