package dev.accesskeyrotator.status;

import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.wiring.RotatorFactory;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.contract.Parameter;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.service.RotationService;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.UserResult;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A dry run by an administrator whom the endpoint refuses {@code GetSecretValue} and {@code kms:Decrypt}: it plans
 * from the keys and the secrets' tags, says on each such line that the value was not read, and plans what the
 * rotator's own dry run (which reads the values) plans.
 */
class AdminPreviewTest {
    private static final String PLANNED_FROM_TAGS = "secret value not read (this identity may not read it): planned"
            + " from the secret's tags";

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();

    private LocalAws aws;
    private RotatorHarness harness;
    private AwsClients admin;

    @BeforeEach
    void setUp() {
        aws = endpoint.aws();
        harness = new RotatorHarness(aws);
        admin = StatusViewTest.adminClients(aws);
        harness.parameter(Parameter.MAX_KEY_AGE_DAYS.parameterName(), "90");
        harness.parameter(Parameter.GRACE_DAYS.parameterName(), "7");
        harness.parameter(Parameter.DELETE_AFTER_DAYS.parameterName(), "30");
    }

    @AfterEach
    void tearDown() {
        admin.close();
        harness.close();
    }

    private RunReport adminDryRun() {
        return RotatorFactory.create(harness.settings(), admin, aws.clock(), harness.log(), pause -> { })
                .run(new RotationService.RunRequest(true, RotationService.Deadline.none()));
    }

    private static Map<String, UserResult> byUser(RunReport report) {
        return report.users().stream().collect(Collectors.toMap(UserResult::user, Function.identity()));
    }

    @Test
    void anAdminWhoCannotReadSecretsPlansWhatTheRotatorWouldFromTheTags() {
        harness.optedInUser("rotated");
        harness.key("rotated", 100, true);
        harness.optedInUser("never-rotated");
        harness.key("never-rotated", 95, true);
        harness.run();
        harness.optedInUser("never-rotated-yet");
        harness.key("never-rotated-yet", 100, true);

        int plannedFromTags = 0;
        for (long days : new long[]{3, 10, 40, 95}) {
            harness.advanceDays(days);
            Map<String, UserResult> rotator = byUser(harness.dryRun());
            Map<String, UserResult> preview = byUser(adminDryRun());

            for (String user : rotator.keySet()) {
                UserResult seen = preview.get(user);
                assertNotEquals(Outcome.FAILED, seen.outcome(), user + " after " + days + " days: " + seen);
                assertEquals(rotator.get(user).outcome(), seen.outcome(), user + " after " + days + " days");
                assertEquals(rotator.get(user).action(), seen.action(), user + " after " + days + " days");
            }
            // A user with a secret that the run looks at (triage skips the ones the credential report shows
            // untouched) is planned from its tags, and the line says so; the rotator read the value.
            if (rotator.get("rotated").action() != null) {
                assertTrue(String.valueOf(preview.get("rotated").reason()).startsWith(PLANNED_FROM_TAGS),
                        days + " days: " + preview.get("rotated"));
                plannedFromTags++;
            }
            assertTrue(rotator.get("rotated").reason() == null
                    || !rotator.get("rotated").reason().contains(PLANNED_FROM_TAGS));
            // A user without a secret needs no value: nothing to say.
            UserResult withoutSecret = preview.get("never-rotated-yet");
            assertTrue(withoutSecret.reason() == null || !withoutSecret.reason().contains(PLANNED_FROM_TAGS),
                    withoutSecret.reason());
        }
        // Grace ending, deletion and the next rotation are all planned through the tags.
        assertTrue(plannedFromTags >= 2, "planned from tags " + plannedFromTags + " times");
    }

    @Test
    void aChangingRunIsNeverPlannedFromTags() {
        harness.optedInUser("rotated");
        harness.key("rotated", 100, true);
        harness.run();
        harness.advanceDays(95);

        RunReport report = RotatorFactory.create(harness.settings(), admin, aws.clock(), harness.log(), pause -> { })
                .run(RotationService.RunRequest.normal());

        UserResult line = byUser(report).get("rotated");
        assertEquals(Outcome.FAILED, line.outcome(), line.toString());
    }
}
