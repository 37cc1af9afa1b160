package dev.accesskeyrotator.org;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.accesskeyrotator.contract.Metric;
import dev.accesskeyrotator.contract.Notices;
import dev.accesskeyrotator.contract.Organization;
import dev.accesskeyrotator.localaws.IamEmulator.KeySnapshot;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.OrganizationsEmulator.AccountState;
import dev.accesskeyrotator.localaws.SnsEmulator.PublishedMessage;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.ReportCount;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One organization run end to end on the local endpoint: the lister walks an OU, the Map (emulated in process)
 * runs the worker for each account, the result files are written as ResultWriter writes them, and the aggregator
 * turns them into the organization report, which must be exactly as expected.
 */
class OrganizationRunTest {
    static final String A = "210000000001";
    static final String B = "210000000002";
    static final String C = "210000000003";
    static final String NO_ROLE = "210000000004";
    static final String TIMED_OUT = "210000000005";
    static final String SUSPENDED = "210000000006";
    static final String EXEMPT = "210000000007";

    private final OrganizationFixture org = new OrganizationFixture(LocalAws.start());

    @AfterEach
    void close() {
        org.close();
    }

    @Test
    void theOrganizationReportIsExact() throws Exception {
        String workloads = org.aws.organizations().createOrganizationalUnit(org.rootId, "workloads");
        String team = org.aws.organizations().createOrganizationalUnit(workloads, "team");
        org.member(A, workloads);
        org.member(B, team);
        org.member(C, team);
        org.member(TIMED_OUT, team);
        org.member(EXEMPT, team);
        org.aws.addAccount(NO_ROLE);
        org.aws.organizations().addAccount(team, NO_ROLE, "member-" + NO_ROLE, AccountState.ACTIVE);
        org.aws.organizations().addAccount(team, SUSPENDED, "member-" + SUSPENDED, AccountState.SUSPENDED);
        org.aws.organizations().limitPageSize(2);

        org.optedInUser(A, "alice", 100);
        org.optedInUser(A, "bob", 10);
        usedKeys(B, "carol", 100, 50);
        usedKeys(B, "dan", 10, 5);
        org.optedInUser(C, "erin", 100);
        org.override(C, "dry-run", "true");
        org.optedInUser(EXEMPT, "frank", 100);

        InProcessStateMachine machine = new InProcessStateMachine(org);
        machine.failItem(TIMED_OUT, "States.Timeout", "Task timed out after 900.00 seconds");
        AccountLister.Listing listing;
        try (var directory = new OrganizationsDirectory(org.hubOptions())) {
            listing = new AccountLister(directory).fromOrganization(List.of(workloads), List.of(EXEMPT));
        }
        InProcessStateMachine.Execution execution = machine.run(listing, 3, "daily-2026-01-01");

        String reportKey = "results/" + InProcessStateMachine.MAP_RUN_ID + "/organization-report.json";
        assertEquals(List.of(reportKey, 1, true), List.of(execution.output().get("reportKey"),
                execution.output().get("accountsFailed"), execution.output().get("needsALook")));
        assertEquals("FAILED", execution.status(), "a worker that timed out is a failure");
        JsonNode report = JsonLog.mapper().readTree(org.aws.s3().get(InProcessStateMachine.BUCKET, reportKey)
                .orElseThrow().text().replaceAll("AKIA[A-Z0-9]{16}", "KEY_ID"));
        assertEquals(withCounts(JsonLog.mapper().readTree(EXPECTED_REPORT)), report, report.toPrettyString());

        List<PublishedMessage> summaries = org.aws.sns().published().stream().filter(m -> m.attribute(
                Notices.EVENT_TYPE).filter(Notices.EventType.RUN_SUMMARY.value()::equals).isPresent()).toList();
        assertEquals(1, summaries.size());
        assertEquals("Access key rotation: organization run needs a look", summaries.get(0).subject());
        assertEquals(EXPECTED_SUMMARY.replace("REPORT", "s3://" + InProcessStateMachine.BUCKET + "/" + reportKey)
                        .replace("COUNTS", countsSentence(Map.of(ReportCount.USERS_SCANNED, 5, ReportCount.ROTATED, 1,
                                ReportCount.BLOCKED, 2, ReportCount.PLANNED, 1, ReportCount.UNCHANGED, 1))),
                summaries.get(0).message());
        assertTrue(summaries.get(0).attribute(Organization.ACCOUNT_ID_ATTRIBUTE).isEmpty());

        List<JsonNode> metrics = org.logLines().stream().filter(line -> line.startsWith("{\"_aws\""))
                .map(OrganizationRunTest::json).toList();
        // Per-account metrics for the four accounts meant to be rotated; none for not enrolled or excluded ones.
        assertEquals(1 + 4, metrics.size());
        assertEquals(List.of(7, 3, 1, 1, 2), List.of(metrics.get(0).path("AccountsListed").asInt(),
                metrics.get(0).path("AccountsCompleted").asInt(), metrics.get(0).path("AccountsFailed").asInt(),
                metrics.get(0).path("AccountsInDryRun").asInt(), metrics.get(0).path("AccountsNotEnrolled").asInt()));
        JsonNode perAccountC = metrics.stream().filter(m -> m.path(Organization.ACCOUNT_DIMENSION).asText()
                .equals(C)).findFirst().orElseThrow();
        assertEquals(1, perAccountC.path("AccountsInDryRun").asInt(), "the account left in dry run is named");
        JsonNode perAccountB = metrics.stream().filter(m -> m.path(Organization.ACCOUNT_DIMENSION).asText()
                .equals(B)).findFirst().orElseThrow();
        assertEquals(Organization.ACCOUNT_DIMENSION,
                perAccountB.path("_aws").path("CloudWatchMetrics").get(0).path("Dimensions").get(0).get(0).asText());
        assertEquals(List.of(2, 0, 0, 2, 0, 0), List.of(perAccountB.path(Metric.USERS_SCANNED.metricName()).asInt(),
                perAccountB.path(Metric.ROTATED.metricName()).asInt(), perAccountB.path(Metric.ATTENTION.metricName())
                        .asInt(), perAccountB.path(Metric.BLOCKED.metricName()).asInt(),
                perAccountB.path(Metric.FAILED.metricName()).asInt(), perAccountB.path("AccountsFailed").asInt()));
        assertTrue(org.aws.account(EXEMPT).secretsManager().allSecrets().isEmpty(), "an exempt account is untouched");
    }

    @Test
    void targetingTheRootLeavesTheManagementSuspendedAndSpokelessAccountsNotEnrolledAndTheRunSucceeds()
            throws Exception {
        org.member(A, org.rootId);
        org.optedInUser(A, "alice", 100);
        org.aws.organizations().addAccount(org.rootId, SUSPENDED, "member-" + SUSPENDED, AccountState.SUSPENDED);
        // The hub account itself (under the root, no spoke deployed there) and the management account have no role.

        InProcessStateMachine.Execution execution = new InProcessStateMachine(org).run(listRoot(), 2, "root");

        assertEquals("SUCCEEDED", execution.status(), execution.output().toString());
        JsonNode report = JsonLog.mapper().readTree(org.aws.s3().get(InProcessStateMachine.BUCKET,
                (String) execution.output().get("reportKey")).orElseThrow().text());
        Map<String, String> states = new java.util.TreeMap<>();
        report.path("perAccount").forEach(line -> states.put(line.path("accountId").asText(),
                line.path("status").asText() + " " + line.path("reason").asText("")));
        assertEquals(Map.of(
                A, "rotated ",
                org.aws.accountId(), "not-enrolled AccessDenied",
                OrganizationFixture.MANAGEMENT, "not-enrolled ManagementAccount",
                SUSPENDED, "not-enrolled AccountNotActive"), states);
        assertEquals(0, report.path("failedAccounts").size());
        assertEquals(0, org.aws.calls().inAccount(OrganizationFixture.MANAGEMENT).size(),
                "the management account is not even tried");
    }

    @Test
    void aWorkerTimeoutPastTheToleranceStillReportsEveryAccountAndFailsTheExecution() throws Exception {
        String timesOut = "200000000001";
        for (String account : List.of(timesOut, A, B, C)) {
            org.member(account, org.rootId);
            org.optedInUser(account, "user", 100);
        }
        InProcessStateMachine machine = new InProcessStateMachine(org);
        machine.failItem(timesOut, "States.Timeout", "Task timed out after 900.00 seconds");
        machine.tolerate(10);

        // Two at a time in id order: the first wave (timesOut, A) already has 1 of 4 items failed, 25 % > 10 %.
        InProcessStateMachine.Execution execution = machine.run(AccountLister.explicit(List.of(A, B, C, timesOut),
                List.of()), 2, "tolerance");

        assertEquals("FAILED", execution.status());
        assertEquals(true, execution.output().get("runIncomplete"));
        JsonNode report = JsonLog.mapper().readTree(org.aws.s3().get(InProcessStateMachine.BUCKET,
                (String) execution.output().get("reportKey")).orElseThrow().text());
        Map<String, String> states = new java.util.TreeMap<>();
        report.path("perAccount").forEach(line -> states.put(line.path("accountId").asText(),
                line.path("status").asText()));
        assertEquals(Map.of(timesOut, "failed", A, "rotated", B, "not-run", C, "not-run"), states);
        assertTrue(report.path("runProblem").asText().startsWith("the Map failed: "
                + "States.ExceedToleratedFailureThreshold"), report.path("runProblem").asText());
        assertEquals(1, org.aws.account(B).iam().user("user").orElseThrow().keys().size(), "B was not run");
        assertEquals(1, org.aws.sns().published().stream().filter(m -> m.attribute(Notices.EVENT_TYPE)
                .filter(Notices.EventType.RUN_SUMMARY.value()::equals).isPresent()).count(), "the report is sent");
        // What the AccountsFailed and RunIncomplete alarms watch.
        JsonNode organization = org.logLines().stream().filter(line -> line.startsWith("{\"_aws\""))
                .map(OrganizationRunTest::json).filter(m -> !m.has(Organization.ACCOUNT_DIMENSION)).findFirst()
                .orElseThrow();
        assertEquals(List.of(3, 1), List.of(organization.path("AccountsFailed").asInt(),
                organization.path("RunIncomplete").asInt()));
    }

    private AccountLister.Listing listRoot() {
        try (var directory = new OrganizationsDirectory(org.hubOptions())) {
            return new AccountLister(directory).fromOrganization(List.of(org.rootId), List.of());
        }
    }

    private void usedKeys(String account, String user, long olderDays, long newerDays) {
        KeySnapshot older = org.optedInUser(account, user, olderDays);
        KeySnapshot newer = org.aws.account(account).iam().createAccessKey(user,
                org.aws.clock().instant().minus(Duration.ofDays(newerDays)), true);
        for (KeySnapshot key : List.of(older, newer)) {
            org.aws.account(account).iam().markKeyUsed(key.id(), org.aws.clock().instant().minus(Duration.ofDays(1)),
                    "s3", "us-east-1");
        }
    }

    /**
     * The expected report spells only non-zero counts ({@code "usersScanned=2,rotated=1"}); the report has every
     * count of the run report, in its order, so a count added to the run report needs no edit here.
     */
    private static JsonNode withCounts(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<String> names = new java.util.ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode value = object.get(name);
                if (name.equals("counts") && value.isTextual()) {
                    ObjectNode counts = object.putObject(name);
                    Map<String, Integer> given = new java.util.HashMap<>();
                    for (String pair : value.asText().split(",")) {
                        if (!pair.isEmpty()) {
                            given.put(pair.split("=")[0], Integer.parseInt(pair.split("=")[1]));
                        }
                    }
                    for (ReportCount count : ReportCount.values()) {
                        counts.put(count.key(), given.getOrDefault(count.key(), 0));
                    }
                } else {
                    withCounts(value);
                }
            }
        } else if (node.isArray()) {
            node.forEach(OrganizationRunTest::withCounts);
        }
        return node;
    }

    private static String countsSentence(Map<ReportCount, Integer> nonZero) {
        return java.util.Arrays.stream(ReportCount.values())
                .map(count -> count.key() + " " + nonZero.getOrDefault(count, 0))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private static JsonNode json(String line) {
        try {
            return JsonLog.mapper().readTree(line);
        } catch (Exception e) {
            throw new IllegalStateException(line, e);
        }
    }

    /** Key ids are IAM's random ones; the report is compared with each replaced by KEY_ID. */
    static final String EXPECTED_REPORT = """
{
  "runId": "daily-2026-01-01",
  "startedAt": "2026-01-01T00:00:00Z",
  "finishedAt": "2026-01-01T00:00:00Z",
  "accounts": {
    "total": 7,
    "rotated": 2,
    "dry-run": 1,
    "not-enrolled": 2,
    "excluded": 1,
    "failed": 1,
    "not-run": 0
  },
  "counts": "usersScanned=5,rotated=1,blocked=2,planned=1,unchanged=1",
  "failedAccounts": [
    {
      "accountId": "210000000005",
      "accountName": "member-210000000005",
      "status": "failed",
      "stage": "worker",
      "errorCode": "States.Timeout",
      "message": "Task timed out after 900.00 seconds"
    }
  ],
  "accountsWithFailedUsers": [],
  "accountsNeedingAttention": [],
  "accountsWithBlockedUsers": [
    "210000000002"
  ],
  "accountsInDryRun": [
    "210000000003"
  ],
  "perAccount": [
    {
      "accountId": "210000000001",
      "accountName": "member-210000000001",
      "status": "rotated",
      "dryRun": false,
      "counts": "usersScanned=2,rotated=1,unchanged=1",
      "notableUsers": [
        {
          "user": "alice",
          "outcome": "rotated"
        }
      ]
    },
    {
      "accountId": "210000000002",
      "accountName": "member-210000000002",
      "status": "rotated",
      "dryRun": false,
      "counts": "usersScanned=2,blocked=2",
      "notableUsers": [
        {
          "user": "carol",
          "outcome": "blocked",
          "reason": "two active keys (KEY_ID, KEY_ID) made outside the rotator: it cannot tell which one is in use and never retires a key it did not make; disable one by hand"
        },
        {
          "user": "dan",
          "outcome": "blocked",
          "reason": "two active keys (KEY_ID, KEY_ID) made outside the rotator: it cannot tell which one is in use and never retires a key it did not make; disable one by hand"
        }
      ]
    },
    {
      "accountId": "210000000003",
      "accountName": "member-210000000003",
      "status": "dry-run",
      "dryRun": true,
      "counts": "usersScanned=1,planned=1",
      "notableUsers": [
        {
          "user": "erin",
          "outcome": "planned"
        }
      ]
    },
    {
      "accountId": "210000000004",
      "accountName": "member-210000000004",
      "status": "not-enrolled",
      "reason": "AccessDenied"
    },
    {
      "accountId": "210000000005",
      "accountName": "member-210000000005",
      "status": "failed",
      "reason": "States.Timeout"
    },
    {
      "accountId": "210000000006",
      "accountName": "member-210000000006",
      "status": "not-enrolled",
      "reason": "AccountNotActive"
    },
    {
      "accountId": "210000000007",
      "accountName": "member-210000000007",
      "status": "excluded",
      "reason": "Excluded"
    }
  ]
}
            """;

    static final String EXPECTED_SUMMARY = """
            Access key rotation across the organization, run daily-2026-01-01 (2026-01-01T00:00:00Z to \
            2026-01-01T00:00:00Z).

            Accounts: 7 known, 2 rotated, 1 dry run, 2 not enrolled, 1 excluded, 1 failed, 0 not run.
            Users: COUNTS.

            Account 210000000005 not rotated (worker): States.Timeout
            Accounts in dry run (nothing rotated): 210000000003
            Accounts with blocked users: 210000000002
            Accounts not enrolled (no spoke): 210000000004 (AccessDenied), 210000000006 (AccountNotActive)

            The full report, with each account's users: REPORT
            """;
}
