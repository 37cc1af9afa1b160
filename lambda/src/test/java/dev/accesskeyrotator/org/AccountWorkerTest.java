package dev.accesskeyrotator.org;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.contract.Notices;
import dev.accesskeyrotator.contract.Organization;
import dev.accesskeyrotator.localaws.Calls;
import dev.accesskeyrotator.port.MemberAccounts;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.localaws.SecretsManagerEmulator.SecretSnapshot;
import dev.accesskeyrotator.localaws.SnsEmulator.PublishedMessage;
import dev.accesskeyrotator.service.ReportCount;
import dev.accesskeyrotator.testing.RotatorHarness;
import dev.accesskeyrotator.testing.SecretLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.retries.api.RetryStrategy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker on the local multi-account endpoint: it enters each member account through its spoke role and rotates
 * there with the account's own state and KMS key; an account it cannot enter, or that is misconfigured or
 * throttled, is that account's result and the others complete.
 */
class AccountWorkerTest {
    static final String A = "210000000001";
    static final String B = "210000000002";
    static final String C = "210000000003";

    private final OrganizationFixture org = new OrganizationFixture(LocalAws.start());

    @AfterEach
    void close() {
        org.close();
    }

    @Test
    void rotatesThreeAccountsEachInItsOwnStateWithItsOwnKey() {
        for (String account : List.of(A, B, C)) {
            org.member(account, org.rootId);
        }
        org.optedInUser(A, "alice", 100);
        org.optedInUser(A, "bob", 10);
        org.optedInUser(B, "alice", 120);
        org.optedInUser(C, "carol", 95);
        org.aws.account(C).iam().createUser("untagged", Map.of("team", "payments"));
        org.aws.account(C).iam().createAccessKey("untagged", org.aws.clock().instant().minusSeconds(200 * 86400L),
                true);

        org.aws.calls().reset();
        List<AccountResult> results;
        try (OrganizationFixture.Worker worker = org.worker()) {
            results = List.of(worker.rotate(A), worker.rotate(B), worker.rotate(C));
        }

        assertEquals(List.of(AccountResult.ROTATED, AccountResult.ROTATED, AccountResult.ROTATED),
                results.stream().map(AccountResult::status).toList(), results.toString());
        assertEquals(List.of(1, 1, 1), results.stream().map(r -> r.count(ReportCount.ROTATED.key())).toList());
        assertEquals(List.of(2, 1, 1), results.stream().map(r -> r.count(ReportCount.USERS_SCANNED.key())).toList());
        // The same user name in two accounts is two users, each with a secret in its own account.
        for (String account : List.of(A, B)) {
            SecretSnapshot secret = org.aws.account(account).secretsManager()
                    .secret(RotatorHarness.SECRET_PREFIX + "alice").orElseThrow();
            assertEquals(OrganizationFixture.keyArnOf(account), secret.versions().get(0).kmsKeyArn());
            String spokeRole = "arn:aws:iam::" + account + ":role/" + Organization.DEFAULT_SPOKE_ROLE_NAME;
            assertTrue(secret.resourcePolicy().contains(spokeRole), secret.resourcePolicy());
            assertTrue(secret.resourcePolicy().contains("arn:aws:iam::" + account + ":root"));
            assertTrue(secret.arn().contains(":" + account + ":secret:"), secret.arn());
        }
        assertEquals(List.of(), org.aws.secretsManager().allSecrets(), "the hub holds no user secret");
        assertEquals(1, org.aws.account(C).iam().user("untagged").orElseThrow().keys().size());
        assertTrue(org.aws.calls().all().stream().filter(call -> call.accountId().equals(C))
                .noneMatch(call -> call.param("UserName").filter("untagged"::equals).isPresent()));

        // Member accounts are reached only with the assumed role; the hub's parameters and topic with the hub's key.
        for (Calls.Call call : org.aws.calls().all()) {
            boolean hubCall = call.signingKeyId().filter(OrganizationFixture.HUB_WORKER_KEY::equals).isPresent();
            assertEquals(hubCall, call.accountId().equals(org.aws.accountId()), call.toString());
        }
        assertEquals(3, org.aws.calls().count("sts", "AssumeRole"));

        List<PublishedMessage> notices = org.aws.sns().published();
        assertEquals(Set.of(A, B, C), notices.stream()
                .map(m -> m.attribute(Organization.ACCOUNT_ID_ATTRIBUTE).orElseThrow()).collect(Collectors.toSet()));
        assertTrue(notices.stream().noneMatch(m -> m.attribute(Notices.EVENT_TYPE)
                .filter(Notices.EventType.RUN_SUMMARY.value()::equals).isPresent()), "per-account summaries");
        assertTrue(notices.stream().allMatch(m -> m.message().startsWith("AWS account "
                + m.attribute(Organization.ACCOUNT_ID_ATTRIBUTE).orElseThrow())));

        assertTrue(org.logLines().stream().filter(line -> line.contains("\"run report\""))
                .allMatch(line -> line.startsWith("{\"accountId\":\"")));
        for (String account : List.of(A, B, C)) {
            SecretLeakCheck.assertNoSecretLeaked(org.aws, org.aws.account(account),
                    OrganizationFixture.keyArnOf(account), org.logLines());
        }
    }

    @Test
    void eachClientOfAMemberAccountRetriesWithAStrategyOfItsOwn() {
        org.member(A, org.rootId);
        List<RetryStrategy> made = new ArrayList<>();
        try (AssumedRoleAccounts accounts = new AssumedRoleAccounts(org.hubOptions(), () -> {
            RetryStrategy strategy = OrganizationFixture.shortRetries();
            made.add(strategy);
            return strategy;
        }, Organization.DEFAULT_SPOKE_ROLE_NAME, pause -> { });
             MemberAccounts.MemberAccount member = accounts.enter(A)) {
            assertEquals(A, member.accountId());
            // STS, then IAM and Secrets Manager of the member account (reading the spoke key builds IAM's client):
            // IAM throttling in one account must not spend the retries (or slow the rate limiter) of its Secrets
            // Manager calls.
            assertEquals(OrganizationFixture.keyArnOf(A), member.spokeKeyArn().orElseThrow());
            member.secrets();
            assertEquals(3, made.size());
            assertEquals(3, made.stream().map(System::identityHashCode).distinct().count());
        }
    }

    @Test
    void anAccountWhoseRoleCannotBeAssumedIsReportedAndTheOthersComplete() {
        org.member(A, org.rootId);
        org.optedInUser(A, "alice", 100);
        // No spoke in 210000000004 at all; in 210000000005 the role trusts another principal.
        String noRole = "210000000004";
        org.aws.addAccount(noRole);
        String otherTrust = "210000000005";
        org.aws.addAccount(otherTrust);
        org.aws.sts().createRole(otherTrust, Organization.DEFAULT_SPOKE_ROLE_NAME,
                Set.of("arn:aws:iam::123456789012:role/SomeoneElse"));
        org.member(C, org.rootId);
        org.optedInUser(C, "carol", 100);

        List<AccountResult> results;
        try (OrganizationFixture.Worker worker = org.worker()) {
            results = List.of(worker.rotate(noRole), worker.rotate(A), worker.rotate(otherTrust), worker.rotate(C));
        }

        // No spoke to enter is "not enrolled" (outside the StackSet's targets), reported but not a failure.
        AccountResult denied = results.get(0);
        assertEquals(AccountResult.NOT_ENROLLED, denied.status());
        assertEquals("AccessDenied", denied.errorCode());
        assertTrue(denied.message().contains("is not authorized to perform: sts:AssumeRole on resource: "
                + "arn:aws:iam::210000000004:role/AccessKeyRotatorSpoke"), denied.message());
        assertEquals(List.of(AccountResult.NOT_ENROLLED, "AccessDenied"),
                List.of(results.get(2).status(), results.get(2).errorCode()));
        assertEquals(List.of(AccountResult.ROTATED, AccountResult.ROTATED),
                List.of(results.get(1).status(), results.get(3).status()));
        assertEquals(1, results.get(3).count(ReportCount.ROTATED.key()));
        assertTrue(org.aws.calls().inAccount(noRole).isEmpty());
    }

    @Test
    void anAccountOutsideTheOrganizationIsRefusedByThePrincipalOrgCondition() {
        // The hub's own organization check: a role in an account that left the organization (the hub is no longer
        // in the same organization as far as the condition goes) refuses the hub.
        String outsider = "210000000009";
        org.aws.addAccount(outsider);
        org.aws.sts().createRole(outsider, Organization.DEFAULT_SPOKE_ROLE_NAME,
                Set.of(OrganizationFixture.HUB_WORKER_ROLE), java.util.Optional.of("o-someotherorg"));

        AccountResult result;
        try (OrganizationFixture.Worker worker = org.worker()) {
            result = worker.rotate(outsider);
        }
        assertEquals("AccessDenied", result.errorCode());
    }

    @Test
    void aMisconfiguredOrThrottledAccountIsItsOwnResult() {
        org.member(A, org.rootId);
        org.optedInUser(A, "alice", 100);
        String noParameter = "210000000006";
        org.memberWithRoleOnly(noParameter, org.rootId);
        String foreignKey = "210000000007";
        org.member(foreignKey, org.rootId);
        // A mis-deployed spoke whose role policy names another account's key.
        org.spokeKeyPolicy(foreignKey, OrganizationFixture.keyArnOf(A));
        String throttled = "210000000008";
        org.member(throttled, org.rootId);
        org.optedInUser(throttled, "dave", 100);
        org.aws.faults().on("iam", "*").forAccount(throttled).throttle();
        String badOverride = B;
        org.member(badOverride, org.rootId);
        org.override(badOverride, "user-tag", "team=payments");

        Map<String, AccountResult> results;
        try (OrganizationFixture.Worker worker = org.worker()) {
            results = java.util.stream.Stream.of(noParameter, foreignKey, throttled, badOverride, A)
                    .collect(Collectors.toMap(id -> id, worker::rotate));
        }

        assertEquals(List.of(AccountResult.STAGE_SPOKE_CONFIGURATION, "SpokeNotConfigured"),
                List.of(results.get(noParameter).stage(), results.get(noParameter).errorCode()));
        assertEquals(List.of(AccountResult.STAGE_SPOKE_CONFIGURATION, "SpokeKeyInvalid"),
                List.of(results.get(foreignKey).stage(), results.get(foreignKey).errorCode()));
        // Every IAM call is throttled, the first being the spoke role's key policy.
        assertEquals(List.of(AccountResult.STAGE_SPOKE_CONFIGURATION, "Throttling"),
                List.of(results.get(throttled).stage(), results.get(throttled).errorCode()),
                results.get(throttled).message());
        assertEquals(List.of(AccountResult.STAGE_RUN, "InvalidConfiguration"),
                List.of(results.get(badOverride).stage(), results.get(badOverride).errorCode()));
        assertTrue(results.get(badOverride).message().contains("team=payments"));
        assertEquals(AccountResult.ROTATED, results.get(A).status());
        assertEquals(List.of(AccountResult.FAILED, AccountResult.FAILED, AccountResult.FAILED, AccountResult.FAILED),
                java.util.stream.Stream.of(noParameter, foreignKey, throttled, badOverride)
                        .map(id -> results.get(id).status()).toList());
        assertEquals(1, results.get(A).count(ReportCount.ROTATED.key()));
        assertFalse(org.aws.account(throttled).secretsManager().secret(RotatorHarness.SECRET_PREFIX + "dave")
                .isPresent());
    }

    @Test
    void anExcludedAccountIsNeverEnteredWhoeverInvokesTheWorker() {
        org.member(A, org.rootId);
        org.optedInUser(A, "alice", 100);

        AccountResult result;
        try (OrganizationFixture.Worker worker = org.worker(Set.of(A))) {
            // Invoked directly (not through the lister, which leaves excluded accounts out).
            result = new RotateAccountHandler(worker.worker()).handleRequest(Map.of(Organization.ACCOUNT_ID_FIELD, A),
                    null).get("status").equals(AccountResult.EXCLUDED) ? worker.rotate(A) : null;
        }

        assertEquals(AccountResult.EXCLUDED, result == null ? "handler did not refuse" : result.status());
        assertEquals(0, org.aws.calls().count("sts", "AssumeRole"));
        assertTrue(org.aws.calls().inAccount(A).isEmpty());
        assertEquals(1, org.aws.account(A).iam().user("alice").orElseThrow().keys().size());
    }

    /**
     * A member account's PowerUser (no IAM permissions, full KMS, Secrets Manager and Parameter Store) creates a key
     * of their own that admits the spoke role, points the old spoke parameter at it, and plants a secret for an
     * opted-in user under it, made to look like the rotator's. The worker takes the account's key from the spoke
     * role's own policy, and the role may use no other key: the planted secret cannot be read, no key is written
     * where the PowerUser could read it, and the user's in-use key is never disabled, however long the run repeats.
     */
    @Test
    void aMemberPowerUserCannotSteerTheWorkerWithTheirOwnKeyAndAPlantedSecret() {
        String victim = A;
        org.member(victim, org.rootId);
        var account = org.aws.account(victim);
        var inUse = org.optedInUser(victim, "alice", 100);
        account.iam().markKeyUsed(inUse.id(), org.aws.clock().instant().minus(java.time.Duration.ofHours(1)), "s3",
                "us-east-1");
        String attackerKey = "arn:aws:kms:us-east-1:" + victim + ":key/00000000-0000-0000-0000-00000000beef";
        account.ssm().put("/access-key-rotation-spoke/user-secrets-key-arn", attackerKey);
        java.time.Instant created = inUse.createDate();
        account.secretsManager().seedRaw(RotatorHarness.SECRET_PREFIX + "alice", "{\"Version\":1,\"AccessKeyId\":\""
                + inUse.id() + "\",\"SecretAccessKey\":\"" + inUse.secret() + "\",\"UserName\":\"alice\","
                + "\"CreateDate\":\"" + created + "\"}", Map.of(
                dev.accesskeyrotator.service.SecretTags.USER, "alice",
                dev.accesskeyrotator.service.SecretTags.NOTIFIED_KEY_ID, inUse.id(),
                dev.accesskeyrotator.service.SecretTags.CURRENT_KEY_CREATED,
                dev.accesskeyrotator.service.SecretTags.seconds(created)), attackerKey);

        List<AccountResult> runs = new ArrayList<>();
        try (OrganizationFixture.Worker worker = org.worker()) {
            for (int day = 0; day < 40; day += 10) {
                runs.add(worker.rotate(victim));
                org.aws.clock().advance(java.time.Duration.ofDays(10));
            }
        }

        assertTrue(account.iam().user("alice").orElseThrow().keys().stream()
                .filter(key -> key.id().equals(inUse.id())).allMatch(key -> key.active()), runs.toString());
        SecretSnapshot planted = account.secretsManager().secret(RotatorHarness.SECRET_PREFIX + "alice").orElseThrow();
        assertEquals(1, planted.versions().size(), "nothing was written where the PowerUser can read it");
        assertTrue(runs.stream().noneMatch(r -> r.count(ReportCount.ROTATED.key()) > 0), runs.toString());
        // Refused, and said so: the planted secret is under a key that is not the spoke's.
        assertTrue(runs.stream().allMatch(r -> r.notableUsers().equals(List.of(new AccountResult.NotableUser("alice",
                "attention", r.notableUsers().get(0).reason()))) && r.notableUsers().get(0).reason()
                .contains("not the rotator's KMS key " + OrganizationFixture.keyArnOf(victim))), runs.toString());
        assertTrue(org.aws.calls().inAccount(victim).stream().noneMatch(c -> c.operation().equals("GetParametersByPath")),
                "the member-writable parameter is not even read");
    }

    /**
     * {@code -c delegatedReaders} in organization mode: a reader is a role of one account, so in each member account
     * the worker names in a user's secret policy only the readers of that account (the spoke key admits those only,
     * OrganizationStacksTest); the same user name elsewhere, and other users, get no reader.
     */
    @Test
    void delegatedReadersAreNamedInTheSecretPolicyOfTheAccountTheirRoleIsInOnly() throws Exception {
        org.member(A, org.rootId);
        org.member(B, org.rootId);
        org.optedInUser(A, "ci-bot", 100);
        org.optedInUser(A, "alice", 100);
        org.optedInUser(B, "ci-bot", 100);
        String readerInA = "arn:aws:iam::" + A + ":role/external-secrets";
        String readerInHub = "arn:aws:iam::" + org.aws.accountId() + ":role/ci";

        List<AccountResult> results;
        try (OrganizationFixture.Worker worker = org.worker(Map.of("ci-bot", List.of(readerInA, readerInHub)))) {
            results = List.of(worker.rotate(A), worker.rotate(B));
        }

        assertEquals(List.of(AccountResult.ROTATED, AccountResult.ROTATED),
                results.stream().map(AccountResult::status).toList(), results.toString());
        assertEquals(List.of(readerInA), readersIn(A, "ci-bot"));
        assertEquals(List.of(), readersIn(A, "alice"));
        assertEquals(List.of(), readersIn(B, "ci-bot"));
        for (String account : List.of(A, B)) {
            String policy = org.aws.account(account).secretsManager().secret(RotatorHarness.SECRET_PREFIX + "ci-bot")
                    .orElseThrow().resourcePolicy();
            assertFalse(policy.contains(readerInHub), "a role of the hub account is no member's reader: " + policy);
        }
    }

    /** The principals of the secret policy's delegated-read statement, none if it has none. */
    private List<String> readersIn(String account, String user) throws Exception {
        String policy = org.aws.account(account).secretsManager().secret(RotatorHarness.SECRET_PREFIX + user)
                .orElseThrow().resourcePolicy();
        List<String> readers = new ArrayList<>();
        for (JsonNode statement : JsonLog.mapper().readTree(policy).get("Statement")) {
            if (statement.path("Sid").asText().equals("DelegatedReadersReadAccessKey")) {
                assertEquals("Allow", statement.path("Effect").asText());
                statement.path("Principal").path("AWS").forEach(arn -> readers.add(arn.asText()));
            }
        }
        return readers;
    }

    @Test
    void perAccountOverridesApplyToThatAccountOnly() {
        org.member(A, org.rootId);
        org.member(B, org.rootId);
        org.optedInUser(A, "alice", 40);
        org.optedInUser(B, "bob", 40);
        org.parameter("max-key-age-days", "90");
        org.override(B, "max-key-age-days", "30");
        org.override(B, "dry-run", "true");

        AccountResult a;
        AccountResult b;
        try (OrganizationFixture.Worker worker = org.worker()) {
            a = worker.rotate(A);
            b = worker.rotate(B);
        }

        assertEquals(0, a.count(ReportCount.PLANNED.key()) + a.count(ReportCount.ROTATED.key()));
        assertEquals(false, a.dryRun());
        assertEquals(true, b.dryRun());
        assertEquals(List.of(AccountResult.ROTATED, AccountResult.DRY_RUN), List.of(a.status(), b.status()));
        assertEquals(1, b.count(ReportCount.PLANNED.key()));
        assertEquals(List.of(new AccountResult.NotableUser("bob", "planned", b.notableUsers().get(0).reason())),
                b.notableUsers());
        assertEquals(1, org.aws.account(B).iam().user("bob").orElseThrow().keys().size());
    }
}
