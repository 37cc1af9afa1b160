package dev.accesskeyrotator.testing;

import dev.accesskeyrotator.contract.SecretsKeyAlias;
import dev.accesskeyrotator.contract.EnvironmentVariable;
import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.wiring.RotatorFactory;
import dev.accesskeyrotator.contract.OptInTag;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.domain.RotationRules;
import dev.accesskeyrotator.localaws.IamEmulator;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.RotationService;
import dev.accesskeyrotator.service.RunReport;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.sns.SnsClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The real rotator (service, adapters, SDK v2 clients) wired to a {@link LocalAws} endpoint, with captured logs,
 * the endpoint's clock and short retry delays. Seeding helpers speak in key ages.
 */
public final class RotatorHarness implements AutoCloseable {
    public static final String OPT_IN_KEY = "access-key-rotation";
    public static final String KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";
    public static final String PARAMETER_PREFIX = "/access-key-rotation/";
    public static final String SECRET_PREFIX = "access-key-rotation/";
    public static final String OPT_IN_TAG = OPT_IN_KEY + "=enabled";
    /** The rotator's calls sign with this key id, so the endpoint can tell them from a test's own calls. */
    public static final String ROTATOR_ACCESS_KEY_ID = "ASIAROTATORFUNCTION1";
    /** The rotator's role as the stack names it in every user secret's resource policy. */
    public static final String FUNCTION_ROLE_ARN = "arn:aws:iam::123456789012:role/AccessKeyRotator-FunctionRole";
    public static final String BREAK_GLASS_ARN = "arn:aws:iam::123456789012:role/key-rotation-break-glass";

    private final LocalAws aws;
    private final AwsClients clients;
    private final String topicArn;
    private final List<String> logLines = Collections.synchronizedList(new ArrayList<>());
    private int maxConcurrency = EnvironmentVariable.DEFAULT_MAX_CONCURRENCY;

    /** The production (adaptive) retry strategy with millisecond delays. */
    public RotatorHarness(LocalAws aws) {
        this(aws, AwsClients.retryStrategy(Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(100)));
    }

    public RotatorHarness(LocalAws aws, RetryStrategy retryStrategy) {
        this.aws = aws;
        AwsClients.Options options = new AwsClients.Options(aws.region(), Optional.of(aws.endpoint()),
                StaticCredentialsProvider.create(AwsBasicCredentials.create(ROTATOR_ACCESS_KEY_ID, "rotator-secret")),
                List.of(aws.crashInterceptor()), retryStrategy);
        this.clients = new AwsClients(options);
        // As the deployed role: an explicit Deny on encrypting with any key but the stack's. The tests' own clients
        // sign with other credentials and play administrators or attackers, who are not so restricted.
        aws.kms().allowEncryptionOnlyWith(ROTATOR_ACCESS_KEY_ID, Set.of(KMS_KEY));
        // The single-account role's Deny also covers decrypting with any key but the stack's, and the stack key's
        // policy lets only the rotator encrypt with it: a value the rotator can read was written by the rotator.
        aws.kms().allowDecryptionOnlyWith(ROTATOR_ACCESS_KEY_ID, Set.of(KMS_KEY));
        aws.kms().keyPolicyAllowsEncryptionOnlyBy(KMS_KEY, Set.of(ROTATOR_ACCESS_KEY_ID));
        // As the stack names its key, so that key owners' tools find it without being told its ARN.
        aws.kms().createAlias(SecretsKeyAlias.forPrefix(SECRET_PREFIX), KMS_KEY);
        // The suites written for the timer cut-over state it; cut-over on use and reminders have suites of their own,
        // which set these parameters themselves.
        parameter("cutover", "after-grace");
        parameter("reminder-days", "0");
        try (SnsClient sns = dev.accesskeyrotator.localaws.LocalAwsClients.configure(SnsClient.builder(), aws).build()) {
            this.topicArn = sns.createTopic(r -> r.name("access-key-rotation-notices")).topicArn();
        }
    }

    public LocalAws aws() { return aws; }
    public String topicArn() { return topicArn; }
    public AwsClients clients() { return clients; }

    public RotatorHarness maxConcurrency(int workers) {
        this.maxConcurrency = workers;
        return this;
    }

    public RotatorSettings settings() {
        return settingsFor(topicArn, KMS_KEY, maxConcurrency);
    }

    /** Settings as the stack sets them, with this topic and KMS key. */
    public static RotatorSettings settingsFor(String topicArn, String kmsKeyArn, int maxConcurrency) {
        return new RotatorSettings(PARAMETER_PREFIX, SECRET_PREFIX, topicArn, Optional.of(kmsKeyArn),
                "the platform team", maxConcurrency, Optional.of(OptInTag.parse(OPT_IN_TAG)),
                Optional.of(FUNCTION_ROLE_ARN), Optional.of(BREAK_GLASS_ARN));
    }

    public JsonLog log() {
        return new JsonLog(logLines::add, aws.clock());
    }

    public RotationService service() {
        return RotatorFactory.create(settings(), clients, aws.clock(), log(), pause -> { });
    }

    public RunReport run() {
        return service().run(RotationService.RunRequest.normal());
    }

    public RunReport dryRun() {
        return service().run(new RotationService.RunRequest(true, RotationService.Deadline.none()));
    }

    public List<String> logLines() {
        synchronized (logLines) {
            return List.copyOf(logLines);
        }
    }

    // ---- seeding -------------------------------------------------------------------------------------------------

    public void optedInUser(String name) {
        aws.iam().createUser(name, Map.of(OPT_IN_KEY, "enabled"));
    }

    public void optedInUser(String name, Map<String, String> extraTags) {
        Map<String, String> tags = new java.util.HashMap<>(extraTags);
        tags.put(OPT_IN_KEY, "enabled");
        aws.iam().createUser(name, tags);
    }

    public void otherUser(String name) {
        aws.iam().createUser(name, Map.of("team", "payments"));
    }

    public IamEmulator.KeySnapshot key(String user, long ageDays, boolean active) {
        return aws.iam().createAccessKey(user, aws.clock().instant().minus(Duration.ofDays(ageDays)), active);
    }

    public void parameter(String name, String value) {
        aws.ssm().put(PARAMETER_PREFIX + name, value);
    }

    public void advanceDays(long days) {
        aws.clock().advance(Duration.ofDays(days));
    }

    public String secretName(String user) {
        return SECRET_PREFIX + user;
    }

    /** Only the rotator's own messages about this user, by event type. */
    public long noticesFor(String user, String eventType) {
        return aws.sns().published().stream()
                .filter(m -> m.attribute("user_name").filter(user::equals).isPresent())
                .filter(m -> m.attribute("event_type").filter(eventType::equals).isPresent())
                .count();
    }

    public static String overrideTag() {
        return RotationRules.MAX_AGE_OVERRIDE_TAG;
    }

    @Override
    public void close() {
        clients.close();
    }
}
