package dev.accesskeyrotator.infra;

import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.util.List;
import java.util.Map;

import static dev.accesskeyrotator.infra.Stacks.join;
import static dev.accesskeyrotator.infra.Stacks.ref;

class ParametersTest {
    private final Template template = Stacks.defaultTemplate();

    /** The PutParameter call that only creates a missing parameter, serialized as AwsCustomResource stores it. */
    private static Object createOnlyIfMissing(String name, String value) {
        return Match.serializedJson(Map.of(
                "service", "SSM",
                "action", "PutParameter",
                "parameters", Match.objectLike(Map.of(
                        "Name", name,
                        "Value", value,
                        "Type", "String",
                        "Overwrite", false)),
                "ignoreErrorCodesMatching", "ParameterAlreadyExists",
                "physicalResourceId", Map.of("id", name)));
    }

    @Test
    void createsEachParameterWithItsDefaultOnlyWhenMissing() {
        Map<String, String> defaults = Map.of(
                "max-key-age-days", "90",
                "user-tag", "access-key-rotation=enabled",
                "grace-days", "0",
                "delete-after-days", "30",
                "dry-run", "false",
                "max-rotations-per-run", "100");
        template.resourceCountIs("Custom::RotationParameter", defaults.size());
        defaults.forEach((parameter, value) -> {
            String name = "/access-key-rotation/" + parameter;
            template.hasResourceProperties("Custom::RotationParameter", Map.of(
                    "Create", createOnlyIfMissing(name, value),
                    // A later deployment runs the same non-overwriting call: new names are created, values kept.
                    "Update", createOnlyIfMissing(name, value),
                    "InstallLatestAwsSdk", false));
        });
    }

    @Test
    void neverDeletesOrOverwritesParameters() {
        template.allResourcesProperties("Custom::RotationParameter", Map.of(
                "Delete", Match.absent(),
                "Create", Match.serializedJson(Match.objectLike(Map.of(
                        "parameters", Match.objectLike(Map.of("Overwrite", false))))),
                "Update", Match.serializedJson(Match.objectLike(Map.of(
                        "parameters", Match.objectLike(Map.of("Overwrite", false)))))));
        // A CloudFormation-managed parameter would be reset to the template's value on a later deployment.
        template.resourceCountIs("AWS::SSM::Parameter", 0);
    }

    @Test
    void theProviderMayOnlyCreateTheseParameters() {
        String arnStart = ":parameter/access-key-rotation/";
        Map<String, Object> partition = ref("AWS::Partition");
        Map<String, Object> region = ref("AWS::Region");
        Map<String, Object> account = ref("AWS::AccountId");
        template.hasResourceProperties("AWS::IAM::Role", Map.of(
                "Policies", List.of(Map.of(
                        "PolicyName", "CreateMissingParameters",
                        "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectEquals(Map.of(
                                "Sid", "CreateRotationParameters",
                                "Effect", "Allow",
                                "Action", "ssm:PutParameter",
                                "Resource", List.of(
                                        join("arn:", partition, ":ssm:", region, ":", account,
                                                arnStart + "max-key-age-days"),
                                        join("arn:", partition, ":ssm:", region, ":", account, arnStart + "user-tag"),
                                        join("arn:", partition, ":ssm:", region, ":", account, arnStart + "grace-days"),
                                        join("arn:", partition, ":ssm:", region, ":", account,
                                                arnStart + "delete-after-days"),
                                        join("arn:", partition, ":ssm:", region, ":", account, arnStart + "dry-run"),
                                        join("arn:", partition, ":ssm:", region, ":", account,
                                                arnStart + "max-rotations-per-run")))))))))));
    }

    @Test
    void userTagDefaultFollowsTheOptInTagAndNamesFollowThePrefix() {
        Template custom = Stacks.template(RotatorStackProps.builder()
                .optInTag("team=platform").parameterPrefix("/platform/key-rotation/"));
        custom.hasResourceProperties("Custom::RotationParameter", Map.of(
                "Create", createOnlyIfMissing("/platform/key-rotation/user-tag", "team=platform")));
        custom.hasResourceProperties("Custom::RotationParameter", Map.of(
                "Create", createOnlyIfMissing("/platform/key-rotation/max-key-age-days", "90")));
    }
}
