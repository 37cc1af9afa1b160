package dev.accesskeyrotator.bench;

import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.UserResult;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a rotation costs in AWS calls, under the default configuration (cut-over on use), on the benchmark's account:
 * one user in a hundred due, later rotations mixed with first ones (no secret yet, or a secret reserved for a
 * reminder). The budget is 8 calls per rotation, and each kind keeps its own safety records.
 * {@code -Drotation.cost.users=10000} measures the benchmark's size and prints the table of docs/performance.md.
 */
class RotationCostTest {
    private static final int USERS = Integer.getInteger("rotation.cost.users", 900);
    private static final double BUDGET_PER_ROTATION = 8;

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();

    @Test
    void aRotationCostsAtMostEightCallsAndTheLaterCutOverAndDeletionAreCountedOnTheirOwn() {
        LocalAws aws = endpoint.aws();
        SteadyStateAccount.seed(aws, USERS);
        aws.iam().setCredentialReportPollsToComplete(0); // as in the benchmark
        try (RotatorHarness harness = new RotatorHarness(aws)) {
            // The defaults, which the harness overrides for the suites written for the timer cut-over.
            harness.parameter("cutover", "on-use");
            harness.parameter("reminder-days", "7");
            aws.calls().reset();
            RunReport report = harness.run();

            List<String> rotated = report.users().stream().filter(u -> u.outcome() == Outcome.ROTATED)
                    .map(UserResult::user).toList();
            assertEquals(SteadyStateAccount.due(USERS), rotated.size(), report.users().stream()
                    .filter(u -> u.outcome() != Outcome.UNCHANGED).toList().toString());
            RotationCost all = RotationCost.of(aws, rotated, RotatorHarness.SECRET_PREFIX);
            System.out.printf("%d users, %d rotations: %.2f calls per rotation %s; run total %d%n", USERS,
                    all.rotations(), all.perRotation(), all.calls(), aws.calls().total());
            System.out.println("  whole run: " + aws.calls().snapshot());
            assertTrue(all.perRotation() <= BUDGET_PER_ROTATION, all.perRotation() + " calls per rotation: "
                    + all.calls());

            for (SteadyStateAccount.FirstOrLater kind : SteadyStateAccount.FirstOrLater.values()) {
                List<String> ofKind = rotated.stream()
                        .filter(u -> SteadyStateAccount.dueKind(Integer.parseInt(u.substring(5))) == kind).toList();
                RotationCost cost = RotationCost.of(aws, ofKind, RotatorHarness.SECRET_PREFIX);
                System.out.printf("  %s (%d): %.2f per rotation %s%n", kind, ofKind.size(), cost.perRotation(),
                        cost.calls());
                assertEquals(expected(kind), perRotation(cost), kind.toString());
            }

            // The later cut-over, on its own: the replaced keys are unused, so the next day's run disables them.
            harness.advanceDays(1);
            aws.calls().reset();
            int publishedBefore = aws.sns().published().size();
            RunReport cutover = harness.run();
            List<String> disabled = report.users().stream().filter(u -> u.outcome() == Outcome.ROTATED)
                    .map(UserResult::user).filter(u -> outcome(cutover, u) == Outcome.DISABLED_OLD).toList();
            // Every due user had one key, so each rotation left a replaced key to cut over.
            assertEquals(rotated.size(), disabled.size(), cutover.users().toString());
            RotationCost disabling = RotationCost.of(aws, disabled, RotatorHarness.SECRET_PREFIX, publishedBefore);
            System.out.printf("  cut-over (%d): %.2f per user %s%n", disabled.size(), disabling.perRotation(),
                    disabling.calls());
            assertEquals(Map.of("iam:ListAccessKeys", 1L, "secretsmanager:GetSecretValue", 1L,
                    "iam:GetAccessKeyLastUsed", 1L, "iam:UpdateAccessKey", 1L, "sns:Publish", 1L,
                    "secretsmanager:TagResource", 1L), perRotation(disabling));

            // The deletion, on its own: delete-after-days (30) after the disabling.
            harness.advanceDays(30);
            aws.calls().reset();
            publishedBefore = aws.sns().published().size();
            RunReport deletion = harness.run();
            List<String> deleted = disabled.stream().filter(u -> outcome(deletion, u) == Outcome.DELETED_OLD).toList();
            assertEquals(disabled.size(), deleted.size(), deletion.users().toString());
            RotationCost deleting = RotationCost.of(aws, deleted, RotatorHarness.SECRET_PREFIX, publishedBefore);
            System.out.printf("  deletion (%d): %.2f per user %s%n", deleted.size(), deleting.perRotation(),
                    deleting.calls());
            assertEquals(Map.of("iam:ListAccessKeys", 1L, "secretsmanager:GetSecretValue", 1L,
                    "iam:DeleteAccessKey", 1L), perRotation(deleting));
        }
    }

    private static Outcome outcome(RunReport report, String user) {
        return report.users().stream().filter(u -> u.user().equals(user)).findFirst().orElseThrow().outcome();
    }

    /**
     * Each kind, call by call: the intent before the key (in CreateSecret's own tags when the secret is made now),
     * the policy once before the write, no read-back of a secret this run wrote or of one the two-key quota guards,
     * the notice, then the end-of-rotation records in one TagResource.
     */
    private static Map<String, Long> expected(SteadyStateAccount.FirstOrLater kind) {
        return switch (kind) {
            case LATER, FIRST_REMINDED -> Map.of("iam:ListAccessKeys", 1L, "secretsmanager:GetSecretValue", 1L,
                    "secretsmanager:PutResourcePolicy", 1L, "secretsmanager:TagResource", 2L, "iam:CreateAccessKey", 1L,
                    "secretsmanager:PutSecretValue", 1L, "sns:Publish", 1L);
            case FIRST_WITHOUT_SECRET -> Map.of("iam:ListAccessKeys", 1L, "secretsmanager:DescribeSecret", 1L,
                    "secretsmanager:CreateSecret", 1L, "secretsmanager:PutResourcePolicy", 1L, "iam:CreateAccessKey", 1L,
                    "secretsmanager:PutSecretValue", 1L, "sns:Publish", 1L, "secretsmanager:TagResource", 1L);
        };
    }

    private static Map<String, Long> perRotation(RotationCost cost) {
        return cost.calls().entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
                e -> e.getValue() / cost.rotations()));
    }
}
