package dev.accesskeyrotator.infra;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Template;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The function role allows exactly the AWS operations the function's code calls: a call the role lacks would fail
 * at run time, and an allowed action nothing calls is a privilege an attacker could borrow.
 *
 * <p>The calls are derived from the function jar's class files (see {@link SdkOperations}); the permissions from the
 * synthesized template.
 */
class OperationsMatchPermissionsTest {
    /**
     * Allowed actions that no SDK client in the function calls, and why the role needs them anyway. Every entry must
     * still be granted, so the list cannot outlive its reason.
     */
    static final Map<String, String> NOT_CALLED_THROUGH_AN_SDK_CLIENT = Map.of(
            "logs:CreateLogStream", "the Lambda runtime writes the function's logs with the function's role",
            "logs:PutLogEvents", "the Lambda runtime writes the function's logs with the function's role",
            "sqs:SendMessage", "Lambda delivers failed asynchronous invocations to the on-failure destination with"
                    + " the function's role",
            "kms:Decrypt", "Secrets Manager (reading a user secret) and SNS (publishing to an encrypted topic) call"
                    + " KMS with the caller's permissions",
            "kms:Encrypt", "Secrets Manager encrypts a secret value with the caller's permissions",
            "kms:GenerateDataKey", "Secrets Manager and SNS generate data keys with the caller's permissions");

    /**
     * Only the function's entry point runs with the function role. The CLI commands run with the operator's own
     * credentials; the rotation calls the CLI shares with the function live outside this package and are scanned.
     */
    private static final String CLI_PACKAGE = "dev/accesskeyrotator/cli/";
    /** The organization hub's functions run with the hub's roles (HubOperationsMatchPermissionsTest), not this one. */
    private static final String ORGANIZATION_PACKAGE = "dev/accesskeyrotator/org/";

    private static Path functionJar;
    private static Set<String> called;

    @BeforeAll
    static void readTheFunctionJar() {
        functionJar = Path.of(System.getProperty("functionJar"));
        called = SdkOperations.calledBy(functionJar,
                entry -> entry.startsWith("dev/accesskeyrotator/") && !entry.startsWith(CLI_PACKAGE)
                        && !entry.startsWith(ORGANIZATION_PACKAGE));
    }

    /** The actions the function role's identity policy allows. */
    private static Set<String> allowedToTheFunctionRole() {
        RotatorStack stack = Stacks.defaultStack();
        Template template = Stacks.defaultTemplate();
        Set<String> allowed = new TreeSet<>();
        PermissionsTest.functionRoleStatements(template, stack).stream()
                .filter(statement -> "Allow".equals(statement.get("Effect")))
                .forEach(statement -> allowed.addAll(Stacks.actionsOf(statement)));
        return allowed;
    }

    /** Each way the code and the role disagree, naming the action; empty when they agree. */
    static List<String> mismatches(Set<String> called, Set<String> allowed, Map<String, String> exceptions) {
        List<String> problems = new ArrayList<>();
        for (String action : called) {
            if (!allowed.contains(action)) {
                problems.add("the function calls " + action + " but its role does not allow it");
            }
        }
        for (String action : allowed) {
            if (!called.contains(action) && !exceptions.containsKey(action)) {
                problems.add("the function role allows " + action + " but the function never calls it");
            }
        }
        for (String action : exceptions.keySet()) {
            if (!allowed.contains(action)) {
                problems.add(action + " is listed as needed without an SDK call but the role no longer allows it");
            }
        }
        return problems;
    }

    @Test
    void theRoleAllowsExactlyTheOperationsTheCodeCalls() {
        assertEquals(List.of(), mismatches(called, allowedToTheFunctionRole(), NOT_CALLED_THROUGH_AN_SDK_CLIENT));
    }

    @Test
    void theDerivedOperationsAreTheRotationCalls() {
        // Guards the comparison above against a derivation that finds nothing (a wrong jar, a broken parser).
        assertTrue(called.containsAll(Set.of("iam:CreateAccessKey", "iam:GetAccountAuthorizationDetails",
                "secretsmanager:PutSecretValue", "secretsmanager:ListSecrets", "ssm:GetParametersByPath",
                "sns:Publish")), called.toString());
        assertTrue(called.stream().noneMatch(action -> action.endsWith("Paginator")), called.toString());
    }

    @Test
    void aCallTheRoleLacksAndAnActionNothingCallsAreBothReportedByName() {
        List<String> problems = mismatches(Set.of("iam:CreateAccessKey", "iam:TagUser"),
                Set.of("iam:CreateAccessKey", "iam:ListUsers", "logs:PutLogEvents"),
                Map.of("logs:PutLogEvents", "runtime", "kms:Encrypt", "on the function's behalf"));
        assertEquals(List.of(
                "the function calls iam:TagUser but its role does not allow it",
                "the function role allows iam:ListUsers but the function never calls it",
                "kms:Encrypt is listed as needed without an SDK call but the role no longer allows it"), problems);
    }

    @Test
    void readsOperationsFromOneKnownClass() throws IOException {
        try (JarFile jar = new JarFile(functionJar.toFile());
             InputStream store = jar.getInputStream(jar.getEntry("dev/accesskeyrotator/aws/SecretsManagerStore.class"));
             InputStream directory = jar.getInputStream(jar.getEntry("dev/accesskeyrotator/aws/IamDirectory.class"))) {
            Set<String> secrets = SdkOperations.calledBy(store.readAllBytes());
            assertTrue(secrets.contains("secretsmanager:PutSecretValue"), secrets.toString());
            // listSecretsPaginator is the ListSecrets operation, page by page.
            assertTrue(secrets.contains("secretsmanager:ListSecrets"), secrets.toString());
            assertTrue(secrets.stream().allMatch(action -> action.startsWith("secretsmanager:")), secrets.toString());
            Set<String> iam = SdkOperations.calledBy(directory.readAllBytes());
            assertTrue(iam.containsAll(Set.of("iam:CreateAccessKey", "iam:GetAccountAuthorizationDetails")),
                    iam.toString());
        }
    }

    @Test
    void mapsClientMethodsToIamActions() {
        assertEquals("iam:CreateAccessKey", SdkOperations.action("iam", "createAccessKey"));
        assertEquals("ssm:GetParametersByPath", SdkOperations.action("ssm", "getParametersByPathPaginator"));
        assertEquals("logs:PutLogEvents", SdkOperations.action("cloudwatchlogs", "putLogEvents"));
        for (String notAnOperation : List.of("close", "serviceName", "serviceClientConfiguration", "builder")) {
            assertNull(SdkOperations.action("iam", notAnOperation), notAnOperation);
        }
        IllegalStateException unknown = assertThrows(IllegalStateException.class,
                () -> SdkOperations.action("dynamodb", "putItem"));
        assertTrue(unknown.getMessage().contains("dynamodb"), unknown.getMessage());
    }
}
