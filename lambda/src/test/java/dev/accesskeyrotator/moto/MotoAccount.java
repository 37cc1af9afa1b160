package dev.accesskeyrotator.moto;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.wiring.RotatorFactory;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.contract.EnvironmentVariable;
import dev.accesskeyrotator.contract.SecretsKeyAlias;
import dev.accesskeyrotator.localstack.SqsQueues;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.RotationService;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.testing.RotatorHarness;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKeyMetadata;
import software.amazon.awssdk.services.iam.model.StatusType;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.sts.StsClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * An empty moto account set up as a deployed stack leaves it: the stack's KMS key (CreateKey, with its alias), the
 * rotator's role and the break-glass role, the notice topic. Then the tests seed users and keys in key ages, run the
 * real rotator (service, adapters, SDK clients from {@link RotatorFactory}) against it, and look at the result as an
 * administrator would, through the same SDK.
 *
 * <p>moto's default account is {@value #ACCOUNT_ID}, the account the rotator's settings in {@link RotatorHarness} name,
 * so the secret resource policies name roles that exist here.
 */
public final class MotoAccount implements AutoCloseable {
    public static final Region REGION = Region.US_EAST_1;
    public static final String ACCOUNT_ID = "123456789012";
    /** An administrator's key: moto accepts any key id it does not know as the account's root. */
    private static final AwsBasicCredentials ADMINISTRATOR = AwsBasicCredentials.create("AKIAMOTOADMINISTRATOR",
            "administrator-secret");
    private static final String ROLE_TRUST = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";

    /** An access key as IAM returned it when it was created. */
    public record Key(String id, String secret) { }

    private final MotoServer server;
    private final MotoClock clock;
    private final AwsClients administrator;
    private final SqsQueues sqs;
    private final String kmsKeyArn;
    private final String topicArn;
    private Rotator defaultRotator;

    private MotoAccount(MotoServer server, Instant start) {
        this.server = server;
        this.clock = new MotoClock(server, start);
        this.administrator = new AwsClients(new AwsClients.Options(REGION, Optional.of(server.endpoint()),
                StaticCredentialsProvider.create(ADMINISTRATOR), List.of(), AwsClients::defaultRetryStrategy));
        this.sqs = new SqsQueues(server.endpoint(), REGION.id(), ADMINISTRATOR.accessKeyId(),
                ADMINISTRATOR.secretAccessKey());
        this.kmsKeyArn = createStackKey();
        for (String role : List.of(RotatorHarness.FUNCTION_ROLE_ARN, RotatorHarness.BREAK_GLASS_ARN)) {
            administrator.iam().createRole(r -> r.roleName(role.substring(role.lastIndexOf('/') + 1))
                    .assumeRolePolicyDocument(ROLE_TRUST));
        }
        this.topicArn = administrator.sns().createTopic(r -> r.name("access-key-rotation-notices")).topicArn();
    }

    static MotoAccount open(MotoServer server, Instant start) {
        return new MotoAccount(server, start);
    }

    /** The stack's customer managed key, as CDK creates it: a symmetric key with the alias owners' tools look up. */
    private String createStackKey() {
        try (KmsClient kms = KmsClient.builder().region(REGION).endpointOverride(server.endpoint())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        ADMINISTRATOR.accessKeyId(), ADMINISTRATOR.secretAccessKey()))).build()) {
            KeyMetadata key = kms.createKey(r -> r.description("Access Key Rotator: encrypts the user secrets"))
                    .keyMetadata();
            kms.createAlias(r -> r.aliasName(SecretsKeyAlias.forPrefix(RotatorHarness.SECRET_PREFIX))
                    .targetKeyId(key.keyId()));
            return key.arn();
        }
    }

    public URI endpoint() { return server.endpoint(); }
    public MotoClock clock() { return clock; }
    public String kmsKeyArn() { return kmsKeyArn; }
    public IamClient iam() { return administrator.iam(); }
    public SecretsManagerClient secretsManager() { return administrator.secretsManager(); }
    /** Where moto reads the time: a {@code credentials} process under test reads the same file. */
    public java.nio.file.Path clockFile() { return server.clockFile(); }

    /** Points a sync client builder at moto, signing as an administrator (as {@code LocalAwsClients.configure}). */
    public <B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, ?>
            & software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder<B, ?>> B configure(B builder) {
        return builder.httpClientBuilder(UrlConnectionHttpClient.builder()).region(REGION)
                .endpointOverride(server.endpoint()).credentialsProvider(StaticCredentialsProvider.create(ADMINISTRATOR));
    }

    /** The rotator as the stack deploys it (its settings, this account's KMS key and topic). */
    public RotatorSettings settings() {
        return RotatorHarness.settingsFor(topicArn, kmsKeyArn, EnvironmentVariable.DEFAULT_MAX_CONCURRENCY);
    }

    /** The real rotator, signing as its function role; {@code interceptors} may crash it mid-run. */
    public Rotator rotator(ExecutionInterceptor... interceptors) {
        return new Rotator(List.of(interceptors));
    }

    /** One rotator run with nothing injected; the runs of a test share one set of clients, as warm Lambdas do. */
    public RunReport run() {
        return defaultRotator().run();
    }

    /** The Lambda handler around the default rotator (its log lines are {@link #logLines()}). */
    public dev.accesskeyrotator.lambda.RotationHandler handler() {
        return defaultRotator().handler();
    }

    private Rotator defaultRotator() {
        if (defaultRotator == null) {
            defaultRotator = rotator();
        }
        return defaultRotator;
    }

    /** What the runs of {@link #run()} logged, in order. */
    public List<String> logLines() {
        return defaultRotator == null ? List.of() : defaultRotator.logLines();
    }

    // ---- seeding --------------------------------------------------------------------------------------------------

    public void parameter(String name, String value) {
        administrator.ssm().putParameter(r -> r.name(RotatorHarness.PARAMETER_PREFIX + name).value(value)
                .type(ParameterType.STRING).overwrite(true));
    }

    public void optedInUser(String name) {
        optedInUser(name, Map.of());
    }

    public void optedInUser(String name, Map<String, String> extraTags) {
        List<Tag> tags = new ArrayList<>();
        tags.add(Tag.builder().key(RotatorHarness.OPT_IN_KEY).value("enabled").build());
        extraTags.forEach((key, value) -> tags.add(Tag.builder().key(key).value(value).build()));
        iam().createUser(r -> r.userName(name).tags(tags));
    }

    public void otherUser(String name) {
        iam().createUser(r -> r.userName(name).tags(Tag.builder().key("team").value("payments").build()));
    }

    /** A key created {@code ageDays} ago: moto's clock is set back for the call, so IAM's CreateDate says so. */
    public Key key(String user, long ageDays) {
        Instant now = clock.instant();
        clock.set(now.minus(Duration.ofDays(ageDays)));
        try {
            var created = iam().createAccessKey(r -> r.userName(user)).accessKey();
            return new Key(created.accessKeyId(), created.secretAccessKey());
        } finally {
            clock.set(now);
        }
    }

    public void deactivate(String user, String keyId) {
        iam().updateAccessKey(r -> r.userName(user).accessKeyId(keyId).status(StatusType.INACTIVE));
    }

    /**
     * A workload's call signed with {@code key} (STS GetCallerIdentity) at the simulated time: moto records it as the
     * key's last use, as IAM does. Returns the caller ARN STS answered.
     */
    public String use(Key key) {
        try (StsClient sts = StsClient.builder().region(REGION).endpointOverride(server.endpoint())
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key.id(),
                        key.secret()))).build()) {
            return sts.getCallerIdentity().arn();
        }
    }

    // ---- looking ---------------------------------------------------------------------------------------------------

    /** Key id to active, in id order. */
    public Map<String, Boolean> keys(String user) {
        return iam().listAccessKeys(r -> r.userName(user)).accessKeyMetadata().stream()
                .collect(Collectors.toMap(AccessKeyMetadata::accessKeyId, k -> k.status() == StatusType.ACTIVE,
                        (a, b) -> a, TreeMap::new));
    }

    public String secretName(String user) {
        return RotatorHarness.SECRET_PREFIX + user;
    }

    public boolean secretExists(String user) {
        return !secretsManager().listSecrets(r -> r.filters(f -> f.key("name").values(secretName(user))))
                .secretList().stream().filter(s -> s.name().equals(secretName(user))).toList().isEmpty();
    }

    /** The user secret's value as an administrator reads it. */
    public JsonNode secretValue(String user) {
        String text = secretsManager().getSecretValue(r -> r.secretId(secretName(user))).secretString();
        try {
            return JsonLog.mapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("the secret of " + user + " is not JSON", e);
        }
    }

    /**
     * The key the user secret holds, if it holds one yet: a secret the rotator reserved right before creating the
     * user's first key has no value, and GetSecretValue answers ResourceNotFoundException for it, as AWS documents.
     */
    public Optional<Key> storedKeyIfAny(String user) {
        try {
            return Optional.of(storedKey(user)).filter(key -> !key.id().isEmpty());
        } catch (software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException e) {
            return Optional.empty();
        }
    }

    /** The key the user secret holds now, with its secret: what a key owner fetches. */
    public Key storedKey(String user) {
        JsonNode value = secretValue(user);
        return new Key(value.path("AccessKeyId").asText(), value.path("SecretAccessKey").asText());
    }

    public SqsQueues.Queue subscribe(String queueName, String filterPolicy) {
        SqsQueues.Queue queue = sqs.create(queueName);
        administrator.sns().subscribe(r -> r.topicArn(topicArn).protocol("sqs").endpoint(queue.arn())
                .attributes(Map.of("FilterPolicy", filterPolicy)).returnSubscriptionArn(true));
        return queue;
    }

    /** What SNS delivered to the queue so far (moto delivers inside Publish), taken out of the queue. */
    public List<SqsQueues.Notification> notices(SqsQueues.Queue queue) {
        return sqs.receiveAvailable(queue);
    }

    @Override
    public void close() {
        try {
            if (defaultRotator != null) {
                defaultRotator.close();
            }
            sqs.close();
        } finally {
            administrator.close();
        }
    }

    /** The rotator's clients and log for one or more runs. */
    public final class Rotator implements AutoCloseable {
        /** Signing with the harness's rotator key id, as on the project's endpoint, with millisecond retry delays. */
        private final AwsClients clients;
        private final List<String> logLines = Collections.synchronizedList(new ArrayList<>());

        private Rotator(List<ExecutionInterceptor> interceptors) {
            this.clients = new AwsClients(new AwsClients.Options(REGION, Optional.of(server.endpoint()),
                    StaticCredentialsProvider.create(AwsBasicCredentials.create(RotatorHarness.ROTATOR_ACCESS_KEY_ID,
                            "rotator-secret")), interceptors,
                    () -> AwsClients.retryStrategy(Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(100))));
        }

        public RunReport run() {
            long started = System.nanoTime();
            try {
                return service().run(RotationService.RunRequest.normal());
            } finally {
                System.out.println("[moto] rotator run at " + clock.instant() + ": "
                        + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
            }
        }

        public RunReport dryRun() {
            return service().run(new RotationService.RunRequest(true, RotationService.Deadline.none()));
        }

        /** The Lambda handler around this rotator: what EventBridge invokes with a schedule or an AWS Health event. */
        public dev.accesskeyrotator.lambda.RotationHandler handler() {
            return new dev.accesskeyrotator.lambda.RotationHandler(service(), new JsonLog(logLines::add, clock));
        }

        private RotationService service() {
            // Polls of the credential report do not wait: moto has it ready at the second poll.
            return RotatorFactory.create(settings(), clients, clock, new JsonLog(logLines::add, clock), pause -> { });
        }

        public List<String> logLines() {
            synchronized (logLines) {
                return List.copyOf(logLines);
            }
        }

        @Override
        public void close() {
            clients.close();
        }
    }
}
