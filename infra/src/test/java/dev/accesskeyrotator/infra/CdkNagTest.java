package dev.accesskeyrotator.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.PolicyValidationPluginReport;
import software.amazon.awscdk.PolicyViolation;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.constructs.IConstruct;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * cdk-nag's AwsSolutions rules find nothing unacknowledged, for the default stack and for the variants that change
 * policies (key-only tag, other prefixes, admin email, cron schedule).
 *
 * <p>cdk-nag 3 is a CDK policy-validation plugin: it reports through the validation report (and fails the synth on
 * errors), not through annotations. So its report is asserted to have no violation at all, error or warning, and
 * the annotations are asserted separately to hold no CDK error or warning.
 */
class CdkNagTest {

    static Stream<RotatorStackProps.Builder> variants() {
        return Stream.of(
                RotatorStackProps.builder(),
                RotatorStackProps.builder().optInTag("rotate-me").alarmEmail("ops@example.com"),
                RotatorStackProps.builder().parameterPrefix("/a/b/").secretNamePrefix("keys/")
                        .schedule("cron(0 6 * * ? *)").contact("Platform team"));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void awsSolutionsChecksFindNothingUnacknowledged(RotatorStackProps.Builder props) {
        App app = Stacks.newApp(Map.of());
        RotatorStack stack = RotatorApp.createStack(app, "Nagged", props.build());
        PolicyValidationPluginReport report = new AwsSolutionsChecks(app).validateScope(stack);
        List<String> violations = report.getViolations().stream()
                .map(v -> v.getSeverity() + " " + v.getRuleName() + " at "
                        + v.getViolatingResources().stream().map(r -> r.getConstructPath()).toList())
                .toList();
        assertEquals(List.of(), violations);
        assertTrue(report.getSuccess());

        Annotations annotations = Annotations.fromStack(stack);
        annotations.hasNoError("*", Match.anyValue());
        annotations.hasNoWarning("*", Match.anyValue());
    }

    @Test
    void theAppSynthesizesWithTheChecksAsAValidationPlugin() {
        App app = Stacks.newApp(Map.of());
        RotatorApp.createStack(app, RotatorApp.STACK_NAME, RotatorStackProps.builder().build());
        Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
        assertDoesNotThrow(() -> app.synth());
    }

    @Test
    void theAppRefusesToSynthesizeWithAnUnacknowledgedError() {
        App app = Stacks.newApp(Map.of());
        RotatorStack stack = RotatorApp.createStack(app, RotatorApp.STACK_NAME, RotatorStackProps.builder().build());
        new software.amazon.awscdk.services.sqs.Queue(stack, "QueueWithoutTls");
        Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
        RuntimeException failure = assertThrows(RuntimeException.class, () -> app.synth());
        assertTrue(failure.getMessage().contains("ValidationFailed"), failure.getMessage());
    }

    @Test
    void everyAcknowledgementStatesItsReason() {
        RotatorStack stack = Stacks.defaultStack();
        List<Map<?, ?>> acknowledgements = acknowledgementsUnder(stack).toList();
        // IAM5 for Resource::*, users, and user secrets; SQS3 for the dead-letter queue.
        assertEquals(4, acknowledgements.stream().mapToInt(Map::size).sum(), acknowledgements.toString());
        for (Map<?, ?> acknowledged : acknowledgements) {
            acknowledged.forEach((rule, reason) -> {
                assertFalse(String.valueOf(reason).isBlank(), rule + " has no reason");
                assertTrue(String.valueOf(reason).length() > 60, rule + " needs a specific reason: " + reason);
            });
        }
    }

    @Test
    void anUnacknowledgedFindingIsReported() {
        // Guards the test above against a checker that finds nothing at all.
        App app = Stacks.newApp(Map.of());
        RotatorStack stack = RotatorApp.createStack(app, "Guard", RotatorStackProps.builder().build());
        new software.amazon.awscdk.services.sqs.Queue(stack, "PlainQueue");
        List<String> rules = new AwsSolutionsChecks(app).validateScope(stack).getViolations().stream()
                .map(PolicyViolation::getRuleName).toList();
        assertTrue(rules.containsAll(List.of("AwsSolutions-SQS3", "AwsSolutions-SQS4")), rules.toString());
    }

    /** Every construct under {@code scope} (findAll: one call into CDK's runtime rather than one per level). */
    private static Stream<Map<?, ?>> acknowledgementsUnder(IConstruct scope) {
        return scope.getNode().findAll().stream()
                .flatMap(construct -> construct.getNode().getMetadata().stream())
                .filter(entry -> Validations.ACKNOWLEDGED_RULES_METADATA_KEY.equals(entry.getType()))
                .map(entry -> (Map<?, ?>) entry.getData());
    }
}
