package dev.accesskeyrotator.moto;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.localstack.SqsQueues;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.moto.MotoAccount.Key;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.SecretTags;
import dev.accesskeyrotator.service.UserResult;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rotation story of {@code RotationEndToEndTest}, against moto instead of the project's own endpoint: the real
 * rotator rotates the due users into secrets encrypted with the stack's KMS key (a key created in moto), retires the
 * replaced key on the timer, deletes it later, tells each owner once, and leaves everyone else alone.
 *
 * <h2>Where moto and the project's endpoint differ here</h2>
 * <ul>
 *   <li>moto's GetCredentialReport always answers {@code GeneratedTime 2015-02-02T20:02:02Z}. AWS documents
 *   GeneratedTime as "the date and time when the credential report was created" (IAM API reference,
 *   GetCredentialReport), which the project's endpoint follows. The rotator rightly treats a report from 2015 as
 *   stale and looks at every opted-in user instead, so against moto the run's discovery is always
 *   {@code per-user}; the credential-report path is covered by the project's endpoint only.</li>
 *   <li>moto does not authenticate requests (no signature check, and a disabled or deleted key still signs
 *   successfully), where AWS refuses both (InvalidClientTokenId / UnrecognizedClientException). So "the replaced key
 *   no longer works" cannot be observed here: the test checks that IAM reports it Inactive, then gone; the project's
 *   endpoint, which refuses such keys, covers the refusal.</li>
 * </ul>
 *
 * <p>Tagged {@code slow} (left out of the default build, run by {@code -Pslow}): it drives moto's server, a Python
 * process, and pays for its start and a reset per test.
 */
@Tag("slow")
class RotationMotoTest {
    private static final Instant START = Instant.parse("2031-03-01T06:00:00Z");

    @RegisterExtension
    final MotoExtension moto = new MotoExtension(START);

    @Test
    void rotatesIntoSecretsEncryptedWithTheStacksKeyRetiresTheOldKeysAndTellsEachOwnerOnce() {
        MotoAccount aws = moto.account();
        aws.parameter("max-key-age-days", "90");
        aws.parameter("cutover", "after-grace");
        aws.parameter("grace-days", "1");
        aws.parameter("delete-after-days", "2");
        aws.parameter("reminder-days", "0");
        // alice: one key, due. dave: due, but a person's inactive key takes the second slot, which the rotator may not
        // delete (it did not make it): blocked until a person acts.
        aws.optedInUser("alice");
        Key aliceOld = aws.key("alice", 100);
        aws.optedInUser("dave");
        Key daveInactive = aws.key("dave", 200);
        aws.deactivate("dave", daveInactive.id());
        Key daveOld = aws.key("dave", 100);
        // bob: opted in with his own threshold far away. carol: not opted in, with a very old key.
        aws.optedInUser("bob", Map.of(RotatorHarness.overrideTag(), "3650"));
        Key bobKey = aws.key("bob", 100);
        aws.otherUser("carol");
        Key carolKey = aws.key("carol", 400);
        SqsQueues.Queue aliceInbox = aws.subscribe("alice-inbox", "{\"user_name\":[\"alice\"]}");
        SqsQueues.Queue adminInbox = aws.subscribe("admin-inbox", "{\"event_type\":[\"run-summary\"]}");
        List<String> texts = new ArrayList<>();

        // ---- day 0: alice and dave are rotated.
        RunReport first = aws.run();
        texts.add(JsonLog.toJson(first));
        Map<String, UserResult> results = byUser(first);
        assertEquals(List.of("alice", "bob", "dave"), results.keySet().stream().sorted().toList(),
                "carol is not opted in: " + first.users());
        assertEquals(Outcome.ROTATED, results.get("alice").outcome(), results.get("alice").toString());
        assertEquals(Outcome.BLOCKED, results.get("dave").outcome(), results.get("dave").toString());
        assertEquals(Outcome.UNCHANGED, results.get("bob").outcome(), results.get("bob").toString());
        // moto's credential report is dated 2015 (see the class comment): the rotator looked at each user instead.
        assertEquals("per-user", first.discovery());

        Key aliceNew = aws.storedKey("alice");
        assertEquals(results.get("alice").newKeyId(), aliceNew.id());
        assertEquals(aliceOld.id(), results.get("alice").oldKeyId());
        assertEquals(Map.of(aliceOld.id(), true, aliceNew.id(), true), aws.keys("alice"),
                "the old key stays active for grace-days");
        assertEquals("alice", aws.secretValue("alice").path("UserName").asText());
        assertTrue(aws.use(aliceNew).endsWith(":user/alice"), "STS knows the new key as alice's");
        assertOwnedByTheRotator(aws, "alice");
        assertEquals(Map.of(daveInactive.id(), false, daveOld.id(), true), aws.keys("dave"), "both keys survive");
        assertEquals(Map.of(bobKey.id(), true), aws.keys("bob"));
        assertEquals(Map.of(carolKey.id(), true), aws.keys("carol"), "carol is never touched");
        assertFalse(aws.secretExists("carol") || aws.secretExists("bob"));

        List<SqsQueues.Notification> aliceNotices = aws.notices(aliceInbox);
        assertEquals(List.of("key-rotated"), events(aliceNotices), "alice's filter policy gets her notice only");
        assertTrue(aliceNotices.get(0).message().contains(aliceNew.id()), aliceNotices.get(0).message());
        assertTrue(aliceNotices.get(0).message().contains(aws.secretName("alice")), aliceNotices.get(0).message());
        assertEquals(List.of("run-summary"), events(aws.notices(adminInbox)));
        aliceNotices.forEach(n -> texts.add(n.subject() + "\n" + n.message()));

        // ---- day 1: grace-days passed: both old keys are disabled, nobody is rotated again.
        aws.clock().advance(Duration.ofDays(1));
        RunReport second = aws.run();
        texts.add(JsonLog.toJson(second));
        assertEquals(Outcome.DISABLED_OLD, byUser(second).get("alice").outcome(), second.users().toString());
        assertEquals(Map.of(aliceOld.id(), false, aliceNew.id(), true), aws.keys("alice"));
        assertEquals(aliceNew, aws.storedKey("alice"), "the secret still holds the same key");
        assertEquals(List.of("key-disabled"), events(aws.notices(aliceInbox)));

        // ---- day 3: delete-after-days (2) since the disable: the old keys are deleted.
        aws.clock().advance(Duration.ofDays(2));
        RunReport third = aws.run();
        texts.add(JsonLog.toJson(third));
        assertEquals(Outcome.DELETED_OLD, byUser(third).get("alice").outcome(), third.users().toString());
        assertEquals(Map.of(aliceNew.id(), true), aws.keys("alice"));

        // ---- day 4: nothing is due: nothing changes and nobody hears anything.
        aws.clock().advance(Duration.ofDays(1));
        aws.notices(aliceInbox);
        aws.notices(adminInbox);
        String aliceSecretBefore = aws.secretValue("alice").toString();
        RunReport quiet = aws.run();
        texts.add(JsonLog.toJson(quiet));
        assertEquals(Outcome.UNCHANGED, byUser(quiet).get("alice").outcome(), quiet.users().toString());
        assertEquals(Outcome.UNCHANGED, byUser(quiet).get("bob").outcome(), quiet.users().toString());
        assertEquals(Outcome.BLOCKED, byUser(quiet).get("dave").outcome(), "still blocked: " + quiet.users());
        assertEquals(aliceSecretBefore, aws.secretValue("alice").toString());
        assertEquals(List.of(), aws.notices(aliceInbox));
        assertEquals(List.of(), aws.notices(adminInbox), "a quiet run sends no summary");
        assertEquals(Map.of(carolKey.id(), true), aws.keys("carol"));

        texts.addAll(aws.logLines());
        assertTrue(texts.size() > 10, "the rotator's log lines are among the texts checked");
        assertTrue(texts.stream().noneMatch(text -> text.contains(aliceNew.secret())), "a secret leaked");
    }

    @Test
    void aDryRunPlansTheRotationAndChangesNothing() {
        MotoAccount aws = moto.account();
        aws.parameter("reminder-days", "0");
        aws.optedInUser("alice");
        Key old = aws.key("alice", 100);
        SqsQueues.Queue everything = aws.subscribe("everything", "{\"event_type\":[{\"exists\":true}]}");

        RunReport report;
        try (MotoAccount.Rotator rotator = aws.rotator()) {
            report = rotator.dryRun();
        }

        assertEquals(Outcome.PLANNED, byUser(report).get("alice").outcome(), report.users().toString());
        assertTrue(report.dryRun());
        assertEquals(Map.of(old.id(), true), aws.keys("alice"));
        assertFalse(aws.secretExists("alice"));
        assertEquals(List.of(), aws.notices(everything));
    }

    /**
     * The marks the owner's tools check before trusting a secret: the stack's KMS key (as an ARN: an alias can be
     * re-pointed), the rotator's tags, and a resource policy that names the rotator's role.
     */
    private static void assertOwnedByTheRotator(MotoAccount aws, String user) {
        DescribeSecretResponse described = aws.secretsManager().describeSecret(r -> r.secretId(aws.secretName(user)));
        assertEquals(aws.kmsKeyArn(), described.kmsKeyId(), "encrypted with the stack's key");
        Map<String, String> tags = described.tags().stream().collect(Collectors.toMap(t -> t.key(), t -> t.value()));
        assertEquals(user, tags.get(SecretTags.USER), tags.toString());
        assertEquals(SecretTags.MANAGED_BY_VALUE, tags.get(SecretTags.MANAGED_BY), tags.toString());
        String policy = aws.secretsManager().getResourcePolicy(r -> r.secretId(aws.secretName(user))).resourcePolicy();
        assertTrue(policy != null && policy.contains(RotatorHarness.FUNCTION_ROLE_ARN), String.valueOf(policy));
        JsonNode value = aws.secretValue(user);
        assertNotEquals("", value.path("SecretAccessKey").asText());
        assertEquals(1, value.path("Version").asInt(), value.toString().replace(value.path("SecretAccessKey").asText(),
                "(secret)"));
    }

    private static List<String> events(List<SqsQueues.Notification> notices) {
        return notices.stream().map(n -> n.attribute("event_type").orElse("?")).toList();
    }

    private static Map<String, UserResult> byUser(RunReport report) {
        return report.users().stream().collect(Collectors.toMap(UserResult::user, u -> u));
    }
}
