package dev.accesskeyrotator.infra;

import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Template;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A stack already deployed keeps its resources only while their logical ids stay the same: under a new id
 * CloudFormation makes a new function and alias (the schedule's target and the CLI's {@code LiveAliasArn} output move)
 * and leaves a retained log group or key behind, orphaned. Moving a resource into a construct of its own changes its
 * id, so the function's resources and the retained ones are held to the ids deployed stacks have.
 */
class DeployedLogicalIdsTest {
    private final Template template = Stacks.defaultTemplate();

    @Test
    void theFunctionItsAliasAndTheRetainedResourcesKeepTheirDeployedLogicalIds() {
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> resources = (Map<String, Map<String, Object>>) ((Map<String, Object>)
                template.toJSON()).get("Resources");
        Map<String, String> expected = new TreeMap<>(Map.of(
                "RotationFunctionF71B6428", "AWS::Lambda::Function",
                "LiveAlias9B8FFEA9", "AWS::Lambda::Alias",
                "FunctionLogsAE28C13D", "AWS::Logs::LogGroup",
                "UserSecretsKey2286F2D5", "AWS::KMS::Key"));
        Map<String, Object> found = new TreeMap<>();
        expected.keySet().forEach(id -> found.put(id, resources.containsKey(id) ? resources.get(id).get("Type")
                : "missing; the template has " + resources.keySet()));
        assertEquals(expected, found);
    }
}
