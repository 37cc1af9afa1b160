package dev.accesskeyrotator.localstack;

import dev.accesskeyrotator.contract.EnvironmentVariable;
import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.wiring.RotatorFactory;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.localstack.SqsQueues.Notification;
import dev.accesskeyrotator.localstack.SqsQueues.Queue;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.testing.RotatorHarness;
import dev.accesskeyrotator.service.ReportCount;
import dev.accesskeyrotator.service.RotationService;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.UserResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.localstack.LocalStackContainer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKeyMetadata;
import software.amazon.awssdk.services.iam.model.StatusType;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The end-to-end rotation of {@code RotationEndToEndTest} (and {@code RotationMotoTest}), against LocalStack instead
 * of the in-process endpoint: the real service and SDK adapters, built by {@link RotatorFactory}, talk to a
 * third-party emulation of IAM, STS, SSM, Secrets Manager, SNS and KMS. alice is rotated into a secret under the
 * stack's KMS key and her old key is disabled (cut-over {@code after-grace}, grace-days 0, set here: the default is
 * {@code on-use}); dave's second key slot holds an inactive key a person made, which the rotator may not delete, so
 * his due rotation is blocked and both keys stay. Needs Docker; without it the class is skipped
 * ("disabledWithoutDocker").
 *
 * <h2>Time</h2>
 * LocalStack stamps every access key with the real time and its CreateDate cannot be set, and the smallest
 * threshold (max-key-age-days 1) would still need a day to pass. The rotator takes its clock from outside, so the
 * first run uses a clock {@value #DAYS_AHEAD} days ahead: every seeded key is then {@value #DAYS_AHEAD} days old and
 * due at the default 90-day threshold. The new key it creates is stamped with the real time too, so from that
 * clock's point of view the new key would be just as old; the second run therefore uses "tomorrow" (real time plus
 * one day), for which the new key is a day old, its replaced key was disabled a day ago, and nothing is due: dave's
 * keys are a day old too, so his rotation is no longer due and nothing blocks it. Both are consistent readings of the
 * same IAM state.
 *
 * <h2>Notices</h2>
 * SNS notices are read back through SQS queues subscribed to the topic with filter policies, the way owners and
 * admins subscribe: one for {@code user_name = alice}, one for {@code user_name = dave}, one for
 * {@code event_type = run-summary}.
 *
 * <h2>Known LocalStack gaps (checked here as far as LocalStack can show them)</h2>
 * <ul>
 *   <li>IAM does not enforce key status on requests, so "the old key no longer works" cannot be observed; the test
 *   checks that IAM reports it Inactive.</li>
 *   <li>The credential report may be partial or unavailable (moto, under LocalStack's IAM, answers with a fixed
 *   GeneratedTime in 2015, which the rotator rejects as stale); the rotator then looks at every opted-in user with
 *   ListAccessKeys, which is what the report's {@code discovery} field shows. Both paths are accepted.</li>
 *   <li>KMS is started and the stack's key is created in it with its alias ({@link LocalStackSupport#createStackKey}),
 *   but LocalStack's Secrets Manager (moto's backend under LocalStack's patches) stores the KmsKeyId it is given and
 *   neither checks it against KMS nor encrypts with it: "a value the function can decrypt was written under the
 *   stack's key" cannot be shown here, and neither can the role's Denies on other keys. The test checks that the
 *   secret names the stack key's ARN exactly, which the function's and the owner's ownership checks compare; the
 *   project's endpoint (KmsKeysTest, SecretOwnershipTest) covers encryption and the refusals.</li>
 *   <li>ListSecretVersionIds has no KmsKeyIds on LocalStack; the start hook in {@link LocalStackSupport} adds them
 *   (the secret's one key for every version), so a re-key that leaves old versions under another key cannot be
 *   expressed here. LocalStackFetchIT depends on it; this class does not call ListSecretVersionIds.</li>
 *   <li>IAM access key ids start {@code AKIA} only because the container sets {@code PARITY_AWS_ACCESS_KEY_ID}
 *   (LocalStack's default is {@code LKIA}).</li>
 * </ul>
 */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackRotationIT {
    static final long DAYS_AHEAD = 100;
    private static final String OPT_IN_KEY = "access-key-rotation";
    private static final String PARAMETER_PREFIX = "/access-key-rotation/";
    private static final String SECRET_PREFIX = "access-key-rotation/";
    private static final String OVERRIDE_TAG = "access-key-rotation:max-key-age-days";

    @Container
    static final LocalStackContainer LOCALSTACK = LocalStackSupport.container();

    private static AwsClients clients;
    private static SqsQueues sqs;
    /** The stack's key, created in the container's KMS with the alias for {@link RotatorHarness#SECRET_PREFIX}. */
    private static String kmsKeyArn;

    private final List<String> logLines = Collections.synchronizedList(new ArrayList<>());
    /** Key id to secret access key of every key the test made, as CreateAccessKey returned them. */
    private final Map<String, String> issuedSecrets = new java.util.HashMap<>();

    @BeforeAll
    static void connect() {
        clients = LocalStackSupport.clients(LOCALSTACK);
        sqs = LocalStackSupport.sqs(LOCALSTACK);
        kmsKeyArn = LocalStackSupport.createStackKey(LOCALSTACK, RotatorHarness.SECRET_PREFIX);
    }

    @AfterAll
    static void disconnect() {
        if (clients != null) {
            clients.close();
        }
        if (sqs != null) {
            sqs.close();
        }
    }

    @Test
    void rotatesTheDueUserIntoItsSecretNotifiesOnceAndASecondRunChangesNothing() {
        IamClient iam = clients.iam();
        // alice: opted in, one key; due under the shifted clock.
        optedInUser("alice", Map.of());
        String aliceOld = createKey("alice");
        // dave: opted in, due, but a person's inactive key takes the second slot, which the rotator may not delete (it
        // did not make it): blocked until a person acts.
        optedInUser("dave", Map.of());
        String daveInactive = createKey("dave");
        iam.updateAccessKey(r -> r.userName("dave").accessKeyId(daveInactive).status(StatusType.INACTIVE));
        String daveActive = createKey("dave");
        // bob: opted in, but his own threshold (the per-user override tag) is far away: not due.
        optedInUser("bob", Map.of(OVERRIDE_TAG, "3650"));
        createKey("bob");
        // carol: not opted in; her key must not be touched.
        iam.createUser(r -> r.userName("carol").tags(Tag.builder().key("team").value("payments").build()));
        createKey("carol");

        parameter("max-key-age-days", "90");
        // The story's cut-over, stated rather than inherited: the default is on-use, which would keep alice's old key
        // active until IAM shows it idle.
        parameter("cutover", "after-grace");
        parameter("grace-days", "0");
        parameter("reminder-days", "0");
        String topicArn = clients.sns().createTopic(r -> r.name("access-key-rotation-notices")).topicArn();
        Queue aliceInbox = subscribe(topicArn, "alice-inbox", "{\"user_name\":[\"alice\"]}");
        Queue daveInbox = subscribe(topicArn, "dave-inbox", "{\"user_name\":[\"dave\"]}");
        Queue adminInbox = subscribe(topicArn, "admin-inbox", "{\"event_type\":[\"run-summary\"]}");

        Map<String, List<AccessKeyMetadata>> bobCarolAndDaveBefore = keysOf("bob", "carol", "dave");

        // ---- first run, 100 days from now
        RunReport first = run(topicArn, Clock.offset(Clock.systemUTC(), Duration.ofDays(DAYS_AHEAD)));

        Map<String, UserResult> results = byUser(first);
        assertEquals(Set.of("alice", "bob", "dave"), results.keySet(), "carol is not opted in: " + first.users());
        assertEquals(Outcome.ROTATED, results.get("alice").outcome(), results.get("alice").toString());
        assertEquals(Outcome.BLOCKED, results.get("dave").outcome(), results.get("dave").toString());
        assertEquals(Outcome.UNCHANGED, results.get("bob").outcome(), results.get("bob").toString());
        assertEquals(0, first.count(ReportCount.FAILED));

        // alice's secret holds a new key that IAM knows as Active; her old key is Inactive (grace-days 0).
        JsonNode aliceSecret = secretValue("alice");
        String aliceNew = aliceSecret.path("AccessKeyId").asText();
        assertNotEquals(aliceOld, aliceNew);
        assertEquals(aliceNew, results.get("alice").newKeyId());
        assertEquals(aliceOld, results.get("alice").oldKeyId());
        assertEquals("alice", aliceSecret.path("UserName").asText());
        assertEquals(1, aliceSecret.path("Version").asInt());
        assertFalse(aliceSecret.path("SecretAccessKey").asText().isEmpty());
        Map<String, StatusType> aliceKeys = statuses("alice");
        assertEquals(StatusType.ACTIVE, aliceKeys.get(aliceNew), "new key active: " + aliceKeys);
        assertEquals(StatusType.INACTIVE, aliceKeys.get(aliceOld), "old key disabled: " + aliceKeys);
        assertEquals(2, aliceKeys.size());

        // The key works: STS answers as alice when called with it.
        // (LocalStack maps keys made by CreateAccessKey to their user; it does not reject an inactive key, so the
        // converse cannot be checked here.)
        assertTrue(callerArn(aliceNew, aliceSecret.path("SecretAccessKey").asText()).endsWith(":user/alice"));

        // The secret: under the stack's key (the exact ARN the ownership checks compare; LocalStack does not encrypt
        // with it, see the class comment), tagged, and readable by alice alone.
        DescribeSecretResponse described = clients.secretsManager().describeSecret(r -> r.secretId(SECRET_PREFIX + "alice"));
        assertEquals(kmsKeyArn, described.kmsKeyId());
        assertTrue(described.tags().stream().anyMatch(t -> t.key().equals("access-key-rotation:user")
                && t.value().equals("alice")), described.tags().toString());
        String policy = clients.secretsManager().getResourcePolicy(r -> r.secretId(SECRET_PREFIX + "alice"))
                .resourcePolicy();
        String aliceArn = iam.getUser(r -> r.userName("alice")).user().arn();
        assertTrue(policy != null && policy.contains(aliceArn), "resource policy names alice: " + policy);

        // dave: both keys as they were (the person's inactive key is not the rotator's to delete), and his owner is
        // told why, once.
        assertEquals(Map.of(daveInactive, StatusType.INACTIVE, daveActive, StatusType.ACTIVE), statuses("dave"));
        List<Notification> daveNotices = sqs.drain(daveInbox, 1, Duration.ofSeconds(20), Duration.ofSeconds(3));
        assertEquals(List.of("blocked"), events(daveNotices), daveNotices.toString());
        assertTrue(daveNotices.get(0).message().contains(daveInactive), daveNotices.get(0).message());

        // Not due, not opted in, or blocked: keys untouched; no secret for bob or carol.
        assertEquals(bobCarolAndDaveBefore, keysOf("bob", "carol", "dave"));
        assertFalse(secretExists("bob"));
        assertFalse(secretExists("carol"));

        // alice's owner receives exactly one notice: key-rotated, naming both keys and the secret, never the secret.
        List<Notification> aliceNotices = sqs.drain(aliceInbox, 1, Duration.ofSeconds(20), Duration.ofSeconds(3));
        assertEquals(1, aliceNotices.size(), aliceNotices.toString());
        Notification notice = aliceNotices.get(0);
        assertEquals("key-rotated", notice.attribute("event_type").orElse(""), notice.toString());
        assertTrue(notice.message().contains(aliceNew) && notice.message().contains(aliceOld), notice.message());
        assertTrue(notice.message().contains(SECRET_PREFIX + "alice"), notice.message());
        assertEquals(1, sqs.drain(adminInbox, 1, Duration.ofSeconds(20), Duration.ofSeconds(1)).size(),
                "one run summary");

        // ---- second run, the next day: nothing is due and nothing changes.
        Map<String, List<AccessKeyMetadata>> before = keysOf("alice", "bob", "carol", "dave");
        String aliceSecretBefore = rawSecret("alice");
        RunReport second = run(topicArn, Clock.offset(Clock.systemUTC(), Duration.ofDays(1)));

        assertEquals(0, second.count(ReportCount.ROTATED), second.users().toString());
        assertEquals(0, second.count(ReportCount.DISABLED_OLD) + second.count(ReportCount.DELETED_OLD)
                + second.count(ReportCount.FAILED) + second.count(ReportCount.ATTENTION)
                + second.count(ReportCount.BLOCKED) + second.count(ReportCount.NOTIFIED), second.users().toString());
        assertTrue(second.users().stream().allMatch(u -> u.outcome() == Outcome.UNCHANGED), second.users().toString());
        assertEquals(before, keysOf("alice", "bob", "carol", "dave"));
        assertEquals(aliceSecretBefore, rawSecret("alice"));
        assertEquals(List.of(), sqs.drain(aliceInbox, 0, Duration.ZERO, Duration.ofSeconds(3)),
                "no second notice for alice");
        assertEquals(List.of(), sqs.drain(daveInbox, 0, Duration.ZERO, Duration.ofSeconds(1)),
                "no second notice for dave");
        assertEquals(List.of(), sqs.drain(adminInbox, 0, Duration.ZERO, Duration.ofSeconds(1)),
                "a run with nothing new sends no summary");

        // Secrets travel only between IAM and the user secret: not into logs, reports or notices.
        List<String> texts = new ArrayList<>(logLines);
        texts.add(JsonLog.toJson(first));
        texts.add(JsonLog.toJson(second));
        texts.add(notice.subject() + "\n" + notice.message());
        daveNotices.forEach(n -> texts.add(n.subject() + "\n" + n.message()));
        Map<String, String> secrets = new java.util.HashMap<>(issuedSecrets);
        secrets.put(aliceNew, secretValue("alice").path("SecretAccessKey").asText());
        secrets.forEach((keyId, secret) -> assertTrue(texts.stream().noneMatch(t -> t != null && t.contains(secret)),
                "the secret of " + keyId + " leaked"));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private RunReport run(String topicArn, Clock clock) {
        RotatorSettings settings = RotatorHarness.settingsFor(topicArn, kmsKeyArn,
                EnvironmentVariable.DEFAULT_MAX_CONCURRENCY);
        JsonLog log = new JsonLog(logLines::add, clock);
        RotationService service = RotatorFactory.create(settings, clients, clock, log,
                pause -> Thread.sleep(pause.toMillis()));
        return service.run(RotationService.RunRequest.normal());
    }

    /** A key made by a person with CreateAccessKey; its secret is kept to check it never leaks. */
    private String createKey(String user) {
        var created = clients.iam().createAccessKey(r -> r.userName(user)).accessKey();
        issuedSecrets.put(created.accessKeyId(), created.secretAccessKey());
        return created.accessKeyId();
    }

    private static List<String> events(List<Notification> notices) {
        return notices.stream().map(n -> n.attribute("event_type").orElse("?")).toList();
    }

    private static void optedInUser(String name, Map<String, String> extraTags) {
        List<Tag> tags = new ArrayList<>();
        tags.add(Tag.builder().key(OPT_IN_KEY).value("enabled").build());
        extraTags.forEach((k, v) -> tags.add(Tag.builder().key(k).value(v).build()));
        clients.iam().createUser(r -> r.userName(name).tags(tags));
    }

    private static void parameter(String name, String value) {
        clients.ssm().putParameter(r -> r.name(PARAMETER_PREFIX + name).value(value).type(ParameterType.STRING)
                .overwrite(true));
    }

    private static Queue subscribe(String topicArn, String queueName, String filterPolicy) {
        Queue queue = sqs.create(queueName);
        clients.sns().subscribe(r -> r.topicArn(topicArn).protocol("sqs").endpoint(queue.arn())
                .attributes(Map.of("FilterPolicy", filterPolicy)).returnSubscriptionArn(true));
        return queue;
    }

    private static Map<String, List<AccessKeyMetadata>> keysOf(String... users) {
        return Arrays.stream(users).collect(Collectors.toMap(u -> u,
                u -> clients.iam().listAccessKeys(r -> r.userName(u)).accessKeyMetadata().stream()
                        .sorted(Comparator.comparing(AccessKeyMetadata::accessKeyId)).toList()));
    }

    private static Map<String, StatusType> statuses(String user) {
        return clients.iam().listAccessKeys(r -> r.userName(user)).accessKeyMetadata().stream()
                .collect(Collectors.toMap(AccessKeyMetadata::accessKeyId, AccessKeyMetadata::status));
    }

    private static String rawSecret(String user) {
        return clients.secretsManager().getSecretValue(r -> r.secretId(SECRET_PREFIX + user)).secretString();
    }

    private static JsonNode secretValue(String user) {
        try {
            return JsonLog.mapper().readTree(rawSecret(user));
        } catch (Exception e) {
            throw new AssertionError("secret of " + user + " is not JSON", e);
        }
    }

    private static boolean secretExists(String user) {
        try {
            clients.secretsManager().describeSecret(r -> r.secretId(SECRET_PREFIX + user));
            return true;
        } catch (ResourceNotFoundException e) {
            return false;
        }
    }

    private static String callerArn(String accessKeyId, String secretAccessKey) {
        return LocalStackSupport.callerArn(LOCALSTACK, StaticCredentialsProvider.create(
                AwsBasicCredentials.create(accessKeyId, secretAccessKey)));
    }

    private static Map<String, UserResult> byUser(RunReport report) {
        return report.users().stream().collect(Collectors.toMap(UserResult::user, u -> u));
    }
}
