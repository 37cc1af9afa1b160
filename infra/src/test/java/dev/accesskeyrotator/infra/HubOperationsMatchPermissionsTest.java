package dev.accesskeyrotator.infra;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.iam.Role;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Organization mode's roles allow exactly the AWS operations their code calls (the single-account function's role is
 * {@link OperationsMatchPermissionsTest}): the lister, worker and aggregator roles of the hub, and the spoke role the
 * worker assumes in each member account.
 *
 * <p>The calls are derived from the hub jar's method bodies ({@link CallGraph}), starting at each function's
 * handler class as the hub stack names it ({@link OrganizationHubStack#LIST_HANDLER} and the others). The worker's
 * calls are split by whose credentials they use: whatever the worker reaches through a member account handle (the
 * {@code MemberAccount} port and the ports it hands out, read from its method signatures) runs as the spoke role; the
 * rest runs as the worker role. The permissions come from the synthesized hub template and the spoke template the
 * hub's StackSet deploys.
 */
class HubOperationsMatchPermissionsTest {
    private static final String MEMBER_ACCOUNT = "dev/accesskeyrotator/port/MemberAccounts$MemberAccount";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Allowed without an SDK call of the role's own, each with the reason in the single-account test's list. */
    private static final Set<String> RUNTIME_LOGS = Set.of("logs:CreateLogStream", "logs:PutLogEvents");
    private static final Set<String> SNS_ENCRYPTS_NOTICES = Set.of("kms:Decrypt", "kms:GenerateDataKey");
    /**
     * Calls IAM does not authorize: "No permissions are required to perform this operation" (STS API reference,
     * GetCallerIdentity; even an explicit Deny does not stop it). The worker's SnapStart priming makes it.
     */
    private static final Set<String> NEEDS_NO_PERMISSION = Set.of("sts:GetCallerIdentity");
    private static final Set<String> SECRETS_MANAGER_ENCRYPTS_SECRETS = Set.of("kms:Decrypt", "kms:Encrypt",
            "kms:GenerateDataKey");

    private static CallGraph graph;
    private static OrganizationHubStack hub;
    private static Template hubTemplate;
    private static Template spokeTemplate;

    @BeforeAll
    static void readTheJarAndSynthesize() throws Exception {
        // The hub's functions run from the hub's own jar (which holds no cli/ classes).
        graph = CallGraph.of(Path.of(System.getProperty("hubJar")),
                entry -> entry.startsWith("dev/accesskeyrotator/") && !entry.startsWith("dev/accesskeyrotator/cli/"));
        hub = OrganizationStacksTest.hub(Map.of());
        hubTemplate = Template.fromStack(hub);
        Map<String, Map<String, Object>> sets = hubTemplate.findResources("AWS::CloudFormation::StackSet");
        assertEquals(1, sets.size());
        String body = JSON.valueToTree(sets.values().iterator().next().get("Properties")).path("TemplateBody")
                .asText();
        spokeTemplate = Template.fromJSON(JSON.readValue(body, Map.class));
    }

    private static String handlerClass(String handler) {
        return handler.substring(0, handler.indexOf("::")).replace('.', '/');
    }

    private static CallGraph.Reach reachedFrom(String handler, Set<String> boundary) {
        return graph.reach(graph.methodsOf(handlerClass(handler)), boundary);
    }

    /** The member account handle and the ports it hands out: their calls run with the spoke role's credentials. */
    private static Set<String> memberAccountTypes() {
        Set<String> types = new TreeSet<>(graph.scannedReturnTypes(MEMBER_ACCOUNT));
        types.add(MEMBER_ACCOUNT);
        return types;
    }

    private static Map<String, String> exceptions(Set<String> actions) {
        Map<String, String> reasons = new LinkedHashMap<>();
        actions.forEach(a -> reasons.put(a, OperationsMatchPermissionsTest.NOT_CALLED_THROUGH_AN_SDK_CLIENT.get(a)));
        assertTrue(reasons.values().stream().allMatch(java.util.Objects::nonNull), reasons.toString());
        return reasons;
    }

    private static Set<String> allowedTo(Template template, String roleLogicalId) {
        return template.findResources("AWS::IAM::Policy").values().stream()
                .filter(policy -> JSON.valueToTree(policy).path("Properties").path("Roles").toString()
                        .contains("\"" + roleLogicalId + "\""))
                .flatMap(policy -> Stacks.allStatements(Template.fromJSON(Map.of("Resources", Map.of("P", policy))))
                        .stream())
                .filter(statement -> "Allow".equals(statement.get("Effect")))
                .flatMap(statement -> Stacks.actionsOf(statement).stream())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> allowedToHubRole(Role role) {
        return allowedTo(hubTemplate, hub.getLogicalId((CfnElement) role.getNode().getDefaultChild()));
    }

    private static Set<String> allowedToSpokeRole() {
        Set<String> roles = spokeTemplate.findResources("AWS::IAM::Role").keySet();
        assertEquals(1, roles.size(), roles.toString());
        return allowedTo(spokeTemplate, roles.iterator().next());
    }

    @Test
    void theListerRoleAllowsExactlyWhatTheListerCalls() {
        Set<String> called = reachedFrom(OrganizationHubStack.LIST_HANDLER, Set.of()).operations();
        assertEquals(List.of(), OperationsMatchPermissionsTest.mismatches(called, allowedToHubRole(hub.listerRole()),
                exceptions(RUNTIME_LOGS)));
    }

    @Test
    void theAggregatorRoleAllowsExactlyWhatTheAggregatorCalls() {
        Set<String> called = reachedFrom(OrganizationHubStack.AGGREGATE_HANDLER, Set.of()).operations();
        Set<String> exempt = new TreeSet<>(RUNTIME_LOGS);
        exempt.addAll(SNS_ENCRYPTS_NOTICES);
        assertEquals(List.of(), OperationsMatchPermissionsTest.mismatches(called,
                allowedToHubRole(hub.aggregatorRole()), exceptions(exempt)));
    }

    @Test
    void theWorkerRoleAllowsWhatTheWorkerCallsAsItselfAndTheSpokeRoleWhatItCallsInTheMemberAccount() {
        CallGraph.Reach worker = reachedFrom(OrganizationHubStack.WORKER_HANDLER, memberAccountTypes());
        Set<String> exempt = new TreeSet<>(RUNTIME_LOGS);
        exempt.addAll(SNS_ENCRYPTS_NOTICES);
        Set<String> needPermission = new TreeSet<>(worker.operations());
        needPermission.removeAll(NEEDS_NO_PERMISSION);
        assertEquals(List.of(), OperationsMatchPermissionsTest.mismatches(needPermission,
                allowedToHubRole(hub.workerRole()), exceptions(exempt)));

        Set<CallGraph.Method> inMemberAccount = new java.util.LinkedHashSet<>();
        worker.boundaryCalls().forEach(call -> inMemberAccount.addAll(graph.targets(call)));
        Set<String> spoke = graph.reach(inMemberAccount, Set.of()).operations();
        assertEquals(List.of(), OperationsMatchPermissionsTest.mismatches(spoke, allowedToSpokeRole(),
                exceptions(SECRETS_MANAGER_ENCRYPTS_SECRETS)));
    }

    @Test
    void theDerivationFindsEachFunctionsOwnCalls() {
        // Guards the comparisons above against a derivation that finds nothing or everything.
        Set<String> lister = reachedFrom(OrganizationHubStack.LIST_HANDLER, Set.of()).operations();
        assertTrue(lister.containsAll(Set.of("organizations:ListAccountsForParent", "organizations:ListChildren",
                "organizations:DescribeOrganization", "s3:PutObject")), lister.toString());
        assertTrue(lister.stream().noneMatch(a -> a.startsWith("iam:") || a.equals("s3:GetObject")),
                "the lister neither reads objects nor touches IAM: " + lister);
        CallGraph.Reach worker = reachedFrom(OrganizationHubStack.WORKER_HANDLER, memberAccountTypes());
        assertTrue(worker.operations().contains("sts:AssumeRole"), worker.operations().toString());
        assertTrue(worker.operations().stream().noneMatch(a -> a.startsWith("iam:")),
                "IAM is called only with the spoke role: " + worker.operations());
        assertTrue(memberAccountTypes().containsAll(Set.of("dev/accesskeyrotator/port/IdentityDirectory",
                "dev/accesskeyrotator/port/SecretStore")), memberAccountTypes().toString());
    }
}
