package dev.accesskeyrotator.org;

import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.aws.AwsFailures;
import dev.accesskeyrotator.aws.IamDirectory;
import dev.accesskeyrotator.aws.SecretsManagerStore;
import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.contract.Organization;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.IdentityDirectory;
import dev.accesskeyrotator.port.MemberAccounts;
import dev.accesskeyrotator.port.SecretStore;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.StsClientBuilder;
import software.amazon.awssdk.services.sts.model.Credentials;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Enters a member account by assuming its spoke role with the hub's credentials, and builds that account's clients
 * (the same adapters as the single-account function) from the temporary credentials.
 */
public final class AssumedRoleAccounts implements MemberAccounts, AutoCloseable {
    /** Shows in the member account's CloudTrail as the session of every call the worker makes there. */
    static final String SESSION_NAME = "access-key-rotator";
    /**
     * Longer than one worker invocation (15 minutes at most), so credentials never expire mid-run; well under the
     * one hour that role chaining allows, so a leaked session is short-lived.
     */
    static final Duration SESSION_DURATION = Duration.ofMinutes(20);
    private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");

    private final AwsClients.Options hubOptions;
    private final StsClient sts;
    private final String roleName;
    private final String partition;
    private final IamDirectory.Sleeper reportPollSleeper;
    private final Supplier<RetryStrategy> retryStrategies;

    /**
     * @param retryStrategies a new strategy per client of each account (and one for STS): the adaptive strategy's
     *                        rate limiter measures one service's throttling in one account, and closing an
     *                        account's clients closes their strategies, which must not stop the next account's. A
     *                        strategy's {@code toBuilder()} copy would share the closed limiter.
     */
    public AssumedRoleAccounts(AwsClients.Options hubOptions, Supplier<RetryStrategy> retryStrategies,
                               String roleName, IamDirectory.Sleeper reportPollSleeper) {
        this.hubOptions = hubOptions;
        this.retryStrategies = retryStrategies;
        this.roleName = roleName;
        this.reportPollSleeper = reportPollSleeper;
        this.partition = PartitionMetadata.of(hubOptions.region()).id();
        ClientOverrideConfiguration.Builder override = ClientOverrideConfiguration.builder()
                .retryStrategy(retryStrategies.get())
                .apiCallTimeout(Duration.ofMinutes(1));
        hubOptions.interceptors().forEach(override::addExecutionInterceptor);
        StsClientBuilder builder = StsClient.builder()
                .region(hubOptions.region())
                .credentialsProvider(hubOptions.credentials())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(override.build());
        hubOptions.endpointOverride().ifPresent(builder::endpointOverride);
        this.sts = builder.build();
    }

    /** {@code arn:<partition>:iam::<account>:role/<name>}: the same name in every member account. */
    public String roleArn(String accountId) {
        return "arn:" + partition + ":iam::" + accountId + ":role/" + roleName;
    }

    @Override
    public MemberAccount enter(String accountId) {
        if (!ACCOUNT_ID.matcher(accountId).matches()) {
            throw new IllegalArgumentException("not an AWS account id (12 digits): '" + accountId + "'");
        }
        String roleArn = roleArn(accountId);
        Credentials credentials;
        try {
            credentials = sts.assumeRole(r -> r.roleArn(roleArn).roleSessionName(SESSION_NAME)
                    .durationSeconds((int) SESSION_DURATION.toSeconds())).credentials();
        } catch (SdkException e) {
            throw AwsFailures.translate("AssumeRole", e);
        }
        AwsClients clients = new AwsClients(new AwsClients.Options(hubOptions.region(), hubOptions.endpointOverride(),
                StaticCredentialsProvider.create(AwsSessionCredentials.create(credentials.accessKeyId(),
                        credentials.secretAccessKey(), credentials.sessionToken())),
                hubOptions.interceptors(), retryStrategies));
        return new Entered(accountId, roleArn, partition, clients, new IamDirectory(clients.iam(), reportPollSleeper),
                new SecretsManagerStore(clients.secretsManager()), roleName);
    }

    /**
     * SnapStart priming: STS's {@code GetCallerIdentity} through the client that assumes the spoke roles (every
     * principal may call it and it changes nothing), and one member account's clients built as {@link #enter} builds
     * them, with the hub's own credentials, and closed unused. Throws what the call throws.
     */
    void prime() {
        try {
            sts.getCallerIdentity();
        } catch (SdkException e) {
            throw AwsFailures.translate("GetCallerIdentity", e);
        }
        try (AwsClients unused = new AwsClients(new AwsClients.Options(hubOptions.region(),
                hubOptions.endpointOverride(), hubOptions.credentials(), hubOptions.interceptors(), retryStrategies))) {
            unused.buildAll();
        }
    }

    /**
     * The {@code NotResource} of the spoke key policy's {@link Organization#SPOKE_KEY_STATEMENT}: IAM returns the
     * document URL-encoded. Anything but exactly one key ARN there is no key.
     */
    static Optional<String> keyArnIn(String encodedDocument) {
        try {
            JsonNode document = JsonLog.mapper().readTree(URLDecoder.decode(encodedDocument, StandardCharsets.UTF_8));
            for (JsonNode statement : document.path("Statement")) {
                if (Organization.SPOKE_KEY_STATEMENT.equals(statement.path("Sid").asText())) {
                    JsonNode notResource = statement.path("NotResource");
                    if (notResource.isArray() && notResource.size() == 1) {
                        notResource = notResource.get(0);
                    }
                    return notResource.isTextual() ? Optional.of(notResource.asText()) : Optional.empty();
                }
            }
            return Optional.empty();
        } catch (java.io.IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        sts.close();
    }

    private record Entered(String accountId, String roleArn, String partition, AwsClients clients,
                           IdentityDirectory iam, SecretStore secrets, String roleName)
            implements MemberAccount {
        @Override
        public Optional<String> spokeKeyArn() {
            try {
                return keyArnIn(clients.iam().getRolePolicy(r -> r.roleName(roleName)
                        .policyName(Organization.SPOKE_KEY_POLICY_NAME)).policyDocument());
            } catch (NoSuchEntityException missing) {
                return Optional.empty();
            } catch (SdkException e) {
                throw AwsFailures.translate("GetRolePolicy", e);
            }
        }

        @Override
        public void close() {
            clients.close();
        }
    }
}
