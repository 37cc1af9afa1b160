package dev.accesskeyrotator.reliability;

import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.UserResult;
import dev.accesskeyrotator.testing.RotatorHarness;
import dev.accesskeyrotator.testing.SecretLeakCheck;
import dev.accesskeyrotator.log.JsonLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Bulk triage is an optimisation: with the credential report missing, slow, stale or unreadable the run falls back
 * to looking at every opted-in user, and every outcome stays the same.
 */
class CredentialReportFallbackTest {

    enum ReportCondition {
        AVAILABLE("credential-report", aws -> { }),
        UNAVAILABLE("per-user", aws -> aws.iam().setCredentialReportAvailable(false)),
        NEVER_FINISHES("per-user", aws -> aws.iam().setCredentialReportPollsToComplete(1_000)),
        UNPARSEABLE("per-user", aws -> aws.iam().corruptCredentialReport()),
        STALE("per-user", aws -> {
            // A report generated now is five hours old by the time the run starts.
            aws.iam().setCredentialReportPollsToComplete(0);
            try (var clients = dev.accesskeyrotator.localaws.LocalAwsClients.create(aws)) {
                clients.iam().generateCredentialReport();
            }
            aws.clock().advance(Duration.ofHours(5));
            aws.faults().on("iam", "GenerateCredentialReport").error(500, "ServiceFailure", "cannot regenerate");
        });

        final String discovery;
        final Consumer<LocalAws> setUp;

        ReportCondition(String discovery, Consumer<LocalAws> setUp) {
            this.discovery = discovery;
            this.setUp = setUp;
        }
    }

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();
    private RotatorHarness harness;

    @BeforeEach
    void seed() {
        harness = new RotatorHarness(endpoint.aws());
        harness.optedInUser("due");
        harness.key("due", 100, true);
        harness.optedInUser("young");
        harness.key("young", 10, true);
        harness.optedInUser("two-keys");
        harness.key("two-keys", 200, false);
        harness.key("two-keys", 95, true);
        harness.otherUser("outsider");
        harness.key("outsider", 500, true);
    }

    @AfterEach
    void close() {
        harness.close();
    }

    @ParameterizedTest
    @EnumSource(ReportCondition.class)
    void outcomesDoNotDependOnTheCredentialReport(ReportCondition condition) {
        LocalAws aws = endpoint.aws();
        condition.setUp.accept(aws);
        RunReport report = harness.run();
        assertEquals(condition.discovery, report.discovery());
        Map<String, Outcome> outcomes = report.users().stream()
                .collect(Collectors.toMap(UserResult::user, UserResult::outcome));
        // two-keys: its second slot holds an inactive key a person made, which the rotator never deletes.
        assertEquals(Map.of("due", Outcome.ROTATED, "young", Outcome.UNCHANGED, "two-keys", Outcome.BLOCKED), outcomes);
        assertEquals(0, aws.calls().forUser("outsider").size());

        aws.faults().clear();
        harness.advanceDays(1);
        RunReport next = harness.run();
        assertEquals(0, next.count("rotated") + next.count("failed"), next.users().toString());
        SecretLeakCheck.assertNoSecretLeaked(aws, List.of(JsonLog.toJson(report), JsonLog.toJson(next),
                String.join("\n", harness.logLines())));
    }
}
