package dev.accesskeyrotator.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.accesskeyrotator.contract.Organization;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.PolicyValidationPluginReport;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The organization mode's two templates: the hub (state machine with a Distributed Map, results bucket, the
 * functions' roles, the StackSet) and the spoke the StackSet deploys in every member account.
 */
class OrganizationStacksTest {
    static final String ORG = "o-a1b2c3d4e5";
    static final List<String> OUS = List.of("ou-ab12-11111111", "ou-ab12-22222222");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static OrganizationHubStack hub;
    private static Template hubTemplate;
    private static Template spokeTemplate;

    /** The hub with the default context, synthesized once for every test class that reads it. */
    private static OrganizationHubStack defaultHub;
    private static Template defaultHubTemplate;

    @BeforeAll
    static void synthesize() throws Exception {
        hub = defaultHub();
        hubTemplate = defaultHubTemplate();
        spokeTemplate = Template.fromJSON(JSON.readValue(stackSet().path("TemplateBody").asText(), Map.class));
    }

    static synchronized OrganizationHubStack defaultHub() {
        if (defaultHub == null) {
            defaultHub = hub(Map.of());
            defaultHubTemplate = Template.fromStack(defaultHub);
        }
        return defaultHub;
    }

    static synchronized Template defaultHubTemplate() {
        defaultHub();
        return defaultHubTemplate;
    }

    static OrganizationHubStack hub(Map<String, Object> extra) {
        App app = Stacks.newApp(hubContext(extra));
        return new OrganizationHubStack(app, "Hub", OrganizationProps.fromContext(app.getNode()));
    }

    private static Map<String, Object> hubContext(Map<String, Object> extra) {
        Map<String, Object> context = new LinkedHashMap<>(Map.of(OrganizationProps.MODE_CONTEXT,
                OrganizationProps.ORGANIZATION_MODE, "organizationId", ORG, "organizationUnits", String.join(",", OUS)));
        context.putAll(extra);
        return context;
    }

    @Test
    void theDistributedMapBoundsConcurrencyToleratesFailuresAndWritesResultsToTheHubBucket() throws Exception {
        JsonNode map = definition(hubTemplate).path("States").path("RotateEachAccount");
        assertEquals("Map", map.path("Type").asText());
        assertEquals("DISTRIBUTED", map.path("ItemProcessor").path("ProcessorConfig").path("Mode").asText());
        assertEquals("STANDARD", map.path("ItemProcessor").path("ProcessorConfig").path("ExecutionType").asText());
        assertEquals(OrganizationProps.DEFAULT_MAX_CONCURRENCY, map.path("MaxConcurrency").asInt());
        assertEquals(OrganizationProps.DEFAULT_TOLERATED_FAILURE_PERCENTAGE,
                map.path("ToleratedFailurePercentage").asInt());
        // The items come from the lister's file in the results bucket, not through the state.
        assertTrue(map.path("ItemsPath").isMissingNode(), map.toString());
        JsonNode reader = map.path("ItemReader");
        assertEquals(List.of("arn:${Ref:AWS::Partition}:states:::s3:getObject", "JSON", "$.listing.accountsKey"),
                List.of(reader.path("Resource").asText(), reader.path("ReaderConfig").path("InputType").asText(),
                        reader.path("Parameters").path("Key.$").asText()), reader.toString());
        assertTrue(reader.path("Parameters").path("Bucket").asText().contains("${Ref:ResultsBucket"),
                reader.toString());
        JsonNode writer = map.path("ResultWriter");
        assertEquals("arn:${Ref:AWS::Partition}:states:::s3:putObject", writer.path("Resource").asText());
        assertEquals(OrganizationHubStack.RESULTS_PREFIX, writer.path("Arguments").path("Prefix").asText(
                writer.path("Parameters").path("Prefix").asText()));
        assertTrue(writer.toString().contains("${Ref:ResultsBucket"), writer.toString());
        JsonNode states = definition(hubTemplate).path("States");
        assertEquals(List.of("ListAccounts", "RotateEachAccount", "Aggregate", "AnyAccountFailed"),
                List.of(definition(hubTemplate).path("StartAt").asText(), states.path("ListAccounts").path("Next")
                        .asText(), map.path("Next").asText(), states.path("Aggregate").path("Next").asText()));

        JsonNode custom = definition(hub(Map.of("maxConcurrency", "25", "toleratedFailurePercentage", "5")))
                .path("States").path("RotateEachAccount");
        assertEquals(List.of(25, 5), List.of(custom.path("MaxConcurrency").asInt(),
                custom.path("ToleratedFailurePercentage").asInt()));
    }

    @Test
    void aFailedListingOrMapStillReachesTheAggregatorAndTheExecutionFailsAfterTheReport() throws Exception {
        JsonNode states = definition(hubTemplate).path("States");
        JsonNode listCatch = states.path("ListAccounts").path("Catch").get(0);
        assertEquals(List.of("[\"States.ALL\"]", "Aggregate", "$." + OrganizationHubStack.LISTING_ERROR),
                List.of(listCatch.path("ErrorEquals").toString(), listCatch.path("Next").asText(),
                        listCatch.path("ResultPath").asText()));
        JsonNode mapCatch = states.path("RotateEachAccount").path("Catch").get(0);
        assertEquals(List.of("[\"States.ALL\"]", "FindMapRun", "$." + OrganizationHubStack.MAP_ERROR),
                List.of(mapCatch.path("ErrorEquals").toString(), mapCatch.path("Next").asText(),
                        mapCatch.path("ResultPath").asText()));
        JsonNode findMapRun = states.path("FindMapRun");
        assertEquals("arn:${Ref:AWS::Partition}:states:::aws-sdk:sfn:listMapRuns",
                findMapRun.path("Resource").asText());
        assertEquals("$$.Execution.Id", findMapRun.path("Parameters").path("ExecutionArn.$").asText());
        assertEquals(List.of("Aggregate", "Aggregate"), List.of(findMapRun.path("Next").asText(),
                findMapRun.path("Catch").get(0).path("Next").asText()));
        // The aggregator gets the whole state, so a missing listing or result is its to report, not a path error.
        assertEquals("$", states.path("Aggregate").path("Parameters").path("state.$").asText());
        JsonNode choices = states.path("AnyAccountFailed").path("Choices");
        assertEquals(List.of("$.summary.runIncomplete", "RunIncomplete", "$.summary.accountsFailed",
                        "AccountsFailed"),
                List.of(choices.get(0).path("Variable").asText(), choices.get(0).path("Next").asText(),
                        choices.get(1).path("Variable").asText(), choices.get(1).path("Next").asText()));
        assertEquals("Fail", states.path("RunIncomplete").path("Type").asText());
    }

    @Test
    void theStateMachineRoleInvokesTheHubFunctionsAndWritesResultsOnly() {
        String machineRole = logicalIdOf(hubTemplate, "AWS::IAM::Role", "states.amazonaws.com");
        Set<String> actions = new TreeSet<>();
        for (Map<String, Object> statement : statementsOfPoliciesFor(machineRole)) {
            actions.addAll(Stacks.actionsOf(statement));
        }
        assertTrue(actions.contains("lambda:InvokeFunction"), actions.toString());
        assertTrue(actions.contains("s3:PutObject"), actions.toString());
        assertTrue(actions.contains("states:StartExecution"), actions.toString());
        for (String action : actions) {
            assertTrue(action.startsWith("lambda:") || action.startsWith("s3:") || action.startsWith("states:")
                    || action.startsWith("logs:") || action.startsWith("xray:"), action);
        }
        assertFalse(actions.contains("sts:AssumeRole"), "only the worker enters member accounts");
        hubTemplate.hasResourceProperties("AWS::StepFunctions::StateMachine", Map.of(
                "StateMachineType", "STANDARD",
                "TracingConfiguration", Map.of("Enabled", true),
                "LoggingConfiguration", Match.objectLike(Map.of("Level", "ALL"))));
        hubTemplate.hasResourceProperties("AWS::Logs::LogGroup", Map.of(
                "LogGroupName", "/aws/vendedlogs/states/Hub/OrganizationRotation"));
    }

    /**
     * The worker runs once per member account per run, each invocation possibly a new environment: it restores from
     * a primed SnapStart snapshot, which exists for published versions only, so the Map invokes the live alias. The
     * lister and the aggregator run once a run and have none.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theWorkerRestoresFromASnapshotThroughItsLiveAliasAndTheOnceARunFunctionsHaveNone() throws Exception {
        Map<String, Object> snapStartByHandler = new java.util.TreeMap<>();
        for (Map<String, Object> function : hubTemplate.findResources("AWS::Lambda::Function").values()) {
            Map<String, Object> properties = (Map<String, Object>) function.get("Properties");
            if (((String) properties.get("Handler")).startsWith(OrganizationHubStack.PACKAGE)) {
                snapStartByHandler.put((String) properties.get("Handler"),
                        properties.getOrDefault("SnapStart", "none"));
            }
        }
        assertEquals(Map.of(OrganizationHubStack.LIST_HANDLER, "none",
                OrganizationHubStack.WORKER_HANDLER, Map.of("ApplyOn", "PublishedVersions"),
                OrganizationHubStack.AGGREGATE_HANDLER, "none"), snapStartByHandler);

        String worker = hub.getLogicalId((software.amazon.awscdk.CfnElement) hub.worker().getNode().getDefaultChild());
        String alias = hub.getLogicalId((software.amazon.awscdk.CfnElement) hub.workerLive().getNode()
                .getDefaultChild());
        Map<String, Object> aliasProperties = (Map<String, Object>) hubTemplate.findResources("AWS::Lambda::Alias")
                .get(alias).get("Properties");
        assertEquals(RotatorStack.ALIAS_NAME, aliasProperties.get("Name"));
        assertEquals(Map.of("Ref", worker), aliasProperties.get("FunctionName"));
        String version = (String) ((List<Object>) ((Map<String, Object>) aliasProperties.get("FunctionVersion"))
                .get("Fn::GetAtt")).get(0);
        assertEquals(Map.of("Ref", worker), ((Map<String, Object>) hubTemplate.findResources("AWS::Lambda::Version")
                .get(version).get("Properties")).get("FunctionName"));

        JsonNode rotate = definition(hubTemplate).path("States").path("RotateEachAccount").path("ItemProcessor")
                .path("States").path("RotateAccount");
        assertEquals("${Ref:" + alias + "}", rotate.path("Resource").asText(), rotate.toString());
    }

    /** The hub's functions ship the hub's own jar, not the single-account function's (lambda/pom.xml). */
    @Test
    @SuppressWarnings("unchecked")
    void theHubFunctionsShipTheHubJarAndTheSingleAccountFunctionItsOwn() {
        Set<Object> hubCode = new java.util.HashSet<>();
        for (Map<String, Object> function : hubTemplate.findResources("AWS::Lambda::Function").values()) {
            Map<String, Object> properties = (Map<String, Object>) function.get("Properties");
            if (((String) properties.get("Handler")).startsWith(OrganizationHubStack.PACKAGE)) {
                hubCode.add(properties.get("Code"));
            }
        }
        assertEquals(1, hubCode.size(), "the lister, worker and aggregator share one asset: " + hubCode);
        Object singleAccountCode = ((Map<String, Object>) Stacks.defaultTemplate()
                .findResources("AWS::Lambda::Function", Map.of("Properties", Map.of("Handler", RotatorStack.HANDLER)))
                .values().iterator().next().get("Properties")).get("Code");
        assertFalse(hubCode.contains(singleAccountCode), hubCode + " " + singleAccountCode);
    }

    @Test
    void theWorkerRoleCanOnlyAssumeSpokeRolesOfTheOrganizationReadConfigurationAndNotify() {
        String workerRole = hub.getLogicalId((software.amazon.awscdk.CfnElement) hub.workerRole().getNode()
                .getDefaultChild());
        Set<String> actions = new TreeSet<>();
        Map<String, Object> assume = null;
        for (Map<String, Object> statement : statementsOfPoliciesFor(workerRole)) {
            actions.addAll(Stacks.actionsOf(statement));
            if (Stacks.actionsOf(statement).contains("sts:AssumeRole")) {
                assume = statement;
            }
        }
        assertEquals(new TreeSet<>(List.of("kms:Decrypt", "kms:GenerateDataKey", "logs:CreateLogStream",
                "logs:PutLogEvents", "sns:Publish", "ssm:GetParametersByPath", "sts:AssumeRole")), actions);
        assertEquals(Map.of("StringEquals", Map.of("aws:ResourceOrgID", ORG)), assume.get("Condition"));
        assertEquals(Stacks.join("arn:", Stacks.ref("AWS::Partition"), ":iam::*:role/"
                + Organization.DEFAULT_SPOKE_ROLE_NAME), assume.get("Resource"));
    }

    @Test
    void theStackSetIsServiceManagedDeploysItselfToNewAccountsAndRollsOutInSteps() {
        JsonNode stackSet = stackSet();
        assertEquals("SERVICE_MANAGED", stackSet.path("PermissionModel").asText());
        assertEquals("DELEGATED_ADMIN", stackSet.path("CallAs").asText());
        assertEquals(JSON.valueToTree(Map.of("Enabled", true, "RetainStacksOnAccountRemoval", false)),
                stackSet.path("AutoDeployment"));
        // Explicit counts and soft tolerance: a member account that fails to deploy neither stops the rollout nor
        // rolls the hub back.
        assertEquals(JSON.valueToTree(Map.of("RegionConcurrencyType", "PARALLEL",
                "ConcurrencyMode", "SOFT_FAILURE_TOLERANCE", "MaxConcurrentCount", 10,
                "FailureToleranceCount", 10_000)), stackSet.path("OperationPreferences"));
        JsonNode strict = stackSet(hub(Map.of("spokeMaxConcurrentAccounts", "3", "spokeFailureTolerance", "0")))
                .path("OperationPreferences");
        assertEquals(List.of(3, 0), List.of(strict.path("MaxConcurrentCount").asInt(),
                strict.path("FailureToleranceCount").asInt(-1)));
        assertEquals(JSON.valueToTree(OUS), stackSet.path("StackInstancesGroup").get(0).path("DeploymentTargets")
                .path("OrganizationalUnitIds"));
        assertEquals(JSON.valueToTree(List.of("CAPABILITY_NAMED_IAM")), stackSet.path("Capabilities"));

        JsonNode narrowed = stackSet(hub(Map.of("accounts", "111111111111,222222222222")));
        JsonNode targets = narrowed.path("StackInstancesGroup").get(0).path("DeploymentTargets");
        assertEquals("INTERSECTION", targets.path("AccountFilterType").asText());
        assertEquals(JSON.valueToTree(List.of("111111111111", "222222222222")), targets.path("Accounts"));
    }

    @Test
    void theSpokeRoleTrustsExactlyTheHubWorkerRoleFromInsideTheOrganization() {
        String workerRole = hub.getLogicalId((software.amazon.awscdk.CfnElement) hub.workerRole().getNode()
                .getDefaultChild());
        Map<String, JsonNode> parameters = new LinkedHashMap<>();
        stackSet().path("Parameters").forEach(p -> parameters.put(p.path("ParameterKey").asText(),
                p.path("ParameterValue")));
        assertEquals(JSON.valueToTree(Stacks.getAtt(workerRole, "Arn")), parameters.get(SpokeStack.HUB_ROLE_PARAMETER));
        assertEquals(ORG, parameters.get(SpokeStack.ORGANIZATION_PARAMETER).asText());

        spokeTemplate.hasResourceProperties("AWS::IAM::Role", Map.of(
                "RoleName", Organization.DEFAULT_SPOKE_ROLE_NAME,
                "AssumeRolePolicyDocument", Map.of("Version", "2012-10-17", "Statement", List.of(Map.of(
                        "Action", "sts:AssumeRole",
                        "Effect", "Allow",
                        "Principal", Map.of("AWS", Stacks.ref(SpokeStack.HUB_ROLE_PARAMETER)),
                        "Condition", Map.of("StringEquals", Map.of("aws:PrincipalOrgID",
                                Stacks.ref(SpokeStack.ORGANIZATION_PARAMETER))))))));
        spokeTemplate.resourceCountIs("AWS::IAM::Role", 1);
    }

    @Test
    void theSpokeRoleActsOnlyOnOptedInUsersAndWritesSecretsOnlyWithTheAccountKey() {
        List<Map<String, Object>> statements = Stacks.allStatements(spokeTemplate);
        int keyStatements = 0;
        for (Map<String, Object> statement : statements) {
            List<String> actions = Stacks.actionsOf(statement);
            if (actions.stream().anyMatch(RotatorStack.KEY_ACTIONS::contains) && "Allow".equals(statement.get("Effect"))
                    && !statement.containsKey("Principal")) {
                keyStatements++;
                assertEquals(new TreeSet<>(RotatorStack.KEY_ACTIONS), new TreeSet<>(actions));
                assertEquals(Map.of("StringEquals", Map.of("iam:ResourceTag/access-key-rotation", "enabled")),
                        statement.get("Condition"));
            }
            assertFalse(actions.stream().anyMatch(a -> a.startsWith("iam:") && (a.contains("Tag")
                    || a.contains("Policy") && !a.equals("iam:GetRolePolicy")
                    || a.contains("Create") && !a.equals("iam:CreateAccessKey"))),
                    "no IAM write beyond the tagged users' keys: " + actions);
        }
        assertEquals(1, keyStatements);
        Map<String, Object> key = spokeTemplate.findResources("AWS::KMS::Key").values().iterator().next();
        assertEquals("Retain", key.get("DeletionPolicy"));
    }

    @Test
    void theSpokeRoleMayDecryptOrEncryptWithItsAccountsKeyOnlyAndThatPolicyNamesTheKeyForTheWorker() {
        String key = logicalIdOfType(spokeTemplate, "AWS::KMS::Key");
        String role = logicalIdOfType(spokeTemplate, "AWS::IAM::Role");
        spokeTemplate.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "PolicyName", Organization.SPOKE_KEY_POLICY_NAME,
                "Roles", List.of(Stacks.ref(role)),
                "PolicyDocument", Map.of("Version", "2012-10-17", "Statement", List.of(
                        Map.of("Sid", Organization.SPOKE_KEY_STATEMENT, "Effect", "Deny", "Action", "kms:Decrypt",
                                "NotResource", Stacks.getAtt(key, "Arn")),
                        Map.of("Sid", "NeverEncryptWithAnotherKey", "Effect", "Deny",
                                "Action", RotatorStack.NEVER_WITH_ANOTHER_KEY_ACTIONS,
                                "NotResource", Stacks.getAtt(key, "Arn"))))));
        // The worker reads that policy, and nothing a member principal without IAM permissions can write.
        spokeTemplate.resourceCountIs("AWS::SSM::Parameter", 0);
        Map<String, Object> read = Stacks.allStatements(spokeTemplate).stream()
                .filter(s -> Stacks.actionsOf(s).contains("iam:GetRolePolicy")).findFirst().orElseThrow();
        assertEquals(Stacks.getAtt(role, "Arn"), read.get("Resource"));
        assertEquals(List.of("iam:GetRolePolicy"), Stacks.actionsOf(read));
    }

    private static String logicalIdOfType(Template template, String type) {
        Map<String, Map<String, Object>> found = template.findResources(type);
        assertEquals(1, found.size(), type);
        return found.keySet().iterator().next();
    }

    @Test
    void theSpokeTemplateHasNoAssetsAndNoBootstrapCheck() {
        Map<String, Object> json = spokeTemplate.toJSON();
        assertEquals(Set.of(SpokeStack.HUB_ROLE_PARAMETER, SpokeStack.ORGANIZATION_PARAMETER),
                ((Map<?, ?>) json.get("Parameters")).keySet());
        assertFalse(json.containsKey("Rules"));
        Set<String> types = new TreeSet<>();
        ((Map<?, ?>) json.get("Resources")).values().forEach(r -> types.add(String.valueOf(((Map<?, ?>) r).get("Type"))));
        assertEquals(Set.of("AWS::IAM::Policy", "AWS::IAM::Role", "AWS::KMS::Key"), types);
    }

    @Test
    void cdkNagFindsNothingUnacknowledgedInTheHubOrTheSpoke() {
        App app = Stacks.newApp(Map.of(OrganizationProps.MODE_CONTEXT, OrganizationProps.ORGANIZATION_MODE,
                "organizationId", ORG, "organizationUnits", String.join(",", OUS)));
        OrganizationProps props = OrganizationProps.fromContext(app.getNode());
        OrganizationHubStack nagged = new OrganizationHubStack(app, "NaggedHub", props);
        SpokeStack spoke = new SpokeStack(app, "NaggedSpoke", props);
        for (Stack stack : List.of(nagged, spoke)) {
            PolicyValidationPluginReport report = new AwsSolutionsChecks(app).validateScope(stack);
            assertEquals(List.of(), report.getViolations().stream().map(v -> v.getSeverity() + " " + v.getRuleName()
                    + " at " + v.getViolatingResources().stream().map(r -> r.getConstructPath()).toList()).toList());
            Annotations.fromStack(stack).hasNoError("*", Match.anyValue());
        }
    }

    @Test
    void organizationModeNeedsTheOrganizationAndItsUnitsAndIsNotTheDefault() {
        assertFalse(OrganizationProps.requested(Stacks.newApp(Map.of()).getNode()));
        App noOrg = Stacks.newApp(Map.of(OrganizationProps.MODE_CONTEXT, OrganizationProps.ORGANIZATION_MODE,
                "organizationUnits", OUS.get(0)));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OrganizationProps.fromContext(noOrg.getNode()))
                .getMessage().contains("organizationId"));
        App noUnits = Stacks.newApp(Map.of(OrganizationProps.MODE_CONTEXT, OrganizationProps.ORGANIZATION_MODE,
                "organizationId", ORG));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OrganizationProps.fromContext(noUnits.getNode()))
                .getMessage().contains("organizationUnits"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyParameterChangeUnderThePathsTheWorkerReadsIsAnnouncedOnTheHubAlarmTopic() {
        String rule = logicalIdOf(hub, hub.parameterChangeRule());
        String alarmTopic = logicalIdOf(hub, hub.alarmTopic());
        Map<String, Object> properties = (Map<String, Object>) hubTemplate.findResources("AWS::Events::Rule")
                .get(rule).get("Properties");
        Map<String, Object> pattern = (Map<String, Object>) properties.get("EventPattern");
        assertEquals(List.of("aws.ssm"), pattern.get("source"));
        assertEquals(List.of("Parameter Store Change"), pattern.get("detail-type"));
        List<String> prefixes = ((List<Map<String, String>>) ((Map<String, Object>) pattern.get("detail"))
                .get("name")).stream().map(match -> match.get("prefix")).toList();
        // What the worker reads (AccountOverrides): the hub's parameters and each account's overrides.
        String prefix = "/access-key-rotation/";
        for (String name : List.of(prefix + "dry-run", prefix + "max-key-age-days",
                prefix + Organization.ACCOUNT_OVERRIDES_DIRECTORY + "111122223333/dry-run")) {
            assertTrue(prefixes.stream().anyMatch(name::startsWith), name + " is not announced by " + prefixes);
        }
        assertFalse(prefixes.stream().anyMatch("/other-tool/dry-run"::startsWith), prefixes.toString());
        hubTemplate.hasResourceProperties("AWS::Events::Rule", Map.of(
                "EventPattern", Match.anyValue(),
                "Targets", List.of(Match.objectLike(Map.of(
                        "Arn", Stacks.ref(alarmTopic),
                        "InputTransformer", Map.of(
                                "InputPathsMap", Match.objectLike(Map.of("detail-name", "$.detail.name",
                                        "detail-operation", "$.detail.operation")),
                                "InputTemplate", Match.stringLikeRegexp(
                                        "\"Access Key Rotator: parameter <detail-name> changed.*CloudTrail.*\"")))))));
        // EventBridge may publish to the hub's alarm topic for this rule only, and nowhere else.
        hubTemplate.hasResourceProperties("AWS::SNS::TopicPolicy", Map.of(
                "Topics", List.of(Stacks.ref(alarmTopic)),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectEquals(Map.of(
                        "Sid", "EventBridgePublishesParameterChanges",
                        "Effect", "Allow",
                        "Principal", Map.of("Service", "events.amazonaws.com"),
                        "Action", "sns:Publish",
                        "Resource", Stacks.ref(alarmTopic),
                        "Condition", Map.of("ArnEquals", Map.of("aws:SourceArn",
                                Stacks.getAtt(rule, "Arn"))))))))));
        assertEquals(1, Stacks.allStatements(hubTemplate).stream()
                .filter(s -> Map.of("Service", "events.amazonaws.com").equals(s.get("Principal")))
                .filter(s -> Stacks.actionsOf(s).contains("sns:Publish")).count());
    }

    @Test
    void theAnnouncedPathsFollowTheParameterPrefix() {
        Template custom = Template.fromStack(hub(Map.of("parameterPrefix", "/platform/keys/")));
        custom.hasResourceProperties("AWS::Events::Rule", Map.of("EventPattern", Match.objectLike(Map.of(
                "detail", Map.of("name", List.of(Map.of("prefix", "/platform/keys/")))))));
    }

    /**
     * CDK's default key policy would let any hub principal whose identity policy allows {@code sns:Publish} and
     * KMS use (AdministratorAccess, PowerUserAccess) have SNS encrypt a forged notice or alarm with the key. The hub's
     * key admits the worker and the aggregator (the two functions that publish), CloudWatch's alarms of this account,
     * EventBridge (the parameter-change rule) and key administration without use, nothing else.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theHubTopicsKeyLetsOnlyTheHubPublishersCloudWatchAndEventBridgeUseIt() {
        String worker = logicalIdOf(hub, hub.workerRole());
        String aggregator = logicalIdOf(hub, hub.aggregatorRole());
        hubTemplate.allResourcesProperties("AWS::SNS::Topic", Map.of("KmsMasterKeyId", Match.anyValue()));
        Map<String, Map<String, Object>> keys = hubTemplate.findResources("AWS::KMS::Key");
        assertEquals(1, keys.size());
        List<Map<String, Object>> statements = (List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>)
                keys.values().iterator().next().get("Properties")).get("KeyPolicy")).get("Statement");
        Map<String, Map<String, Object>> bySid = new LinkedHashMap<>();
        statements.forEach(statement -> bySid.put((String) statement.get("Sid"), statement));
        assertEquals(List.of("AccountAdministersKeyWithoutUsingIt", "RotatorPublishesNoticesThroughSns",
                "CloudWatchPublishesAlarms", "EventBridgePublishesParameterChanges"), List.copyOf(bySid.keySet()));
        Set<String> administration = new TreeSet<>(Stacks.actionsOf(bySid.get("AccountAdministersKeyWithoutUsingIt")));
        for (String use : List.of("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:*")) {
            assertFalse(administration.contains(use), "the account administers the key but may not " + use);
        }
        Map<String, Object> publishers = bySid.get("RotatorPublishesNoticesThroughSns");
        assertEquals(Set.of(Stacks.getAtt(worker, "Arn"), Stacks.getAtt(aggregator, "Arn")),
                Set.copyOf((List<Object>) ((Map<String, Object>) publishers.get("Principal")).get("AWS")));
        assertEquals(Map.of("StringEquals", Map.of("kms:ViaService", Stacks.join("sns.", Stacks.ref("AWS::Region"),
                ".amazonaws.com"))), publishers.get("Condition"));
        assertEquals(Map.of("Service", "cloudwatch.amazonaws.com"),
                bySid.get("CloudWatchPublishesAlarms").get("Principal"));
        assertEquals(Map.of("Service", "events.amazonaws.com"),
                bySid.get("EventBridgePublishesParameterChanges").get("Principal"));
    }

    @Test
    void aBreakGlassPrincipalIsRefusedInOrganizationModeWithTheReason() {
        IllegalArgumentException breakGlass = assertThrows(IllegalArgumentException.class, () -> hub(Map.of(
                "breakGlassPrincipalArn", "arn:aws:iam::111122223333:role/BreakGlass")));
        assertTrue(breakGlass.getMessage().startsWith("context value breakGlassPrincipalArn is not supported in"
                + " organization mode"), breakGlass.getMessage());
        assertTrue(breakGlass.getMessage().contains("member account the break-glass principal is that account's"
                + " root"), breakGlass.getMessage());
        assertTrue(breakGlass.getMessage().contains("Remove -c breakGlassPrincipalArn"), breakGlass.getMessage());

        // What the person running `cdk synth` sees: the app's one line and exit code 1, not an exception.
        assertEquals(List.of("error: " + breakGlass.getMessage()), refusedSynth(Map.of(
                "breakGlassPrincipalArn", "arn:aws:iam::111122223333:role/BreakGlass")));
    }

    @Test
    void anEnvironmentLambdaWouldRefuseIsRefusedAtSynth() {
        // 300 excluded accounts: 3,900 characters in the worker's (and the lister's) environment.
        String excluded = IntStream.range(0, 300).mapToObj(i -> String.format("%012d", 100_000_000_000L + i))
                .collect(Collectors.joining(","));
        ContextValueRefused refused = assertThrows(ContextValueRefused.class,
                () -> hub(Map.of("excludedAccounts", excluded)));
        assertTrue(refused.getMessage().contains("more than the 4096 Lambda allows"), refused.getMessage());
        // 20 fit easily.
        hub(Map.of("excludedAccounts", excluded.substring(0, 20 * 13 - 1)));
    }

    @Test
    void theHubNeedsOnlyItsOwnJar() {
        // Organization mode uploads the hub's jar alone: a missing single-account jar is neither built nor asked for.
        Template withoutFunctionJar = Template.fromStack(hub(Map.of("functionJar", "no/such/function.jar")));
        long hubFunctions = withoutFunctionJar.findResources("AWS::Lambda::Function").values().stream()
                .filter(function -> String.valueOf(((Map<?, ?>) function.get("Properties")).get("Handler"))
                        .startsWith("dev.accesskeyrotator.org.")).count();
        assertEquals(3, hubFunctions, "the lister, the worker and the aggregator");
    }

    @Test
    void aMistypedNumberIsOneLineThatNamesTheContextValue() {
        assertEquals(List.of("error: context value maxConcurrency must be a whole number, got 'ten'"),
                refusedSynth(Map.of("maxConcurrency", "ten")));
    }

    /** What the app prints on standard error for a hub it refuses to synthesize; its exit code must be 1. */
    private static List<String> refusedSynth(Map<String, Object> extra) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode = RotatorApp.synthesize(Stacks.newApp(hubContext(extra)),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, exitCode);
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /**
     * Delegated readers reach the member accounts: the spoke's key lets each reader decrypt its user's secret there,
     * named in conditions (KMS refuses a key policy whose principal does not exist, and one spoke template serves
     * every account), and only a role of the key's own account; the worker gets the readers for the secret policies
     * it writes (AccountWorkerTest shows it applies, in each account, the readers of that account only).
     */
    @Test
    @SuppressWarnings("unchecked")
    void delegatedReadersReachTheSpokeKeyByConditionAndTheWorkerEnvironment() throws Exception {
        String ci = "arn:aws:iam::210000000001:role/ci";
        String other = "arn:aws:iam::210000000002:role/deploy/ci";
        OrganizationHubStack withReaders = hub(Map.of("delegatedReaders",
                "{\"ci-bot\":[\"" + ci + "\",\"" + other + "\"]}"));
        Template spoke = Template.fromJSON(JSON.readValue(stackSet(withReaders).path("TemplateBody").asText(),
                Map.class));
        Map<String, Map<String, Object>> keys = spoke.findResources("AWS::KMS::Key");
        assertEquals(1, keys.size());
        List<Map<String, Object>> statements = (List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>)
                keys.values().iterator().next().get("Properties")).get("KeyPolicy")).get("Statement");
        Map<String, Object> readers = statements.stream()
                .filter(statement -> "DelegatedReadersDecryptOneUsersSecret1".equals(statement.get("Sid")))
                .findFirst().orElseThrow(() -> new AssertionError(statements.toString()));
        assertEquals(Map.of("AWS", "*"), readers.get("Principal"));
        assertEquals("kms:Decrypt", readers.get("Action"));
        assertEquals(Map.of(
                "ArnEquals", Map.of("aws:PrincipalArn", List.of(ci, other)),
                "StringEquals", Map.of("aws:PrincipalAccount", Stacks.ref("AWS::AccountId"),
                        "kms:ViaService", Stacks.join("secretsmanager.", Stacks.ref("AWS::Region"), ".amazonaws.com")),
                "StringLike", Map.of("kms:EncryptionContext:SecretARN", Stacks.join("arn:", Stacks.ref(
                        "AWS::Partition"), ":secretsmanager:", Stacks.ref("AWS::Region"), ":",
                        Stacks.ref("AWS::AccountId"), ":secret:access-key-rotation/ci-bot-??????"))), readers.get("Condition"));
        // No reader is a principal anywhere in the spoke: a role missing in one account would fail its deployment.
        for (Map<String, Object> statement : Stacks.allStatements(spoke)) {
            String principal = JSON.writeValueAsString(statement.getOrDefault("Principal", Map.of()));
            assertFalse(principal.contains(":role/ci"), statement.toString());
        }
        Template hubWithReaders = Template.fromStack(withReaders);
        hubWithReaders.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", OrganizationHubStack.WORKER_HANDLER,
                "Environment", Map.of("Variables", Match.objectLike(Map.of(
                        "DELEGATED_READERS", "ci-bot " + ci + " " + other)))));
        // Without readers the spoke key has no reader statement and the worker no variable.
        assertTrue(spokeTemplate.toJSON().toString().contains("UsersDecryptOnlyTheirOwnSecretThroughSecretsManager"));
        assertFalse(spokeTemplate.toJSON().toString().contains("DelegatedReaders"));
        assertFalse(hubTemplate.toJSON().toString().contains("DELEGATED_READERS"));
    }

    /**
     * The spoke names readers in conditions, which take more room than the single-account key's principals: a set of
     * readers that the single-account stack accepts can still make the spoke's key policy too big for KMS, which
     * would fail the spoke in every member account. The synth says so instead.
     */
    @Test
    void readersThatWouldMakeTheSpokeKeyPolicyTooBigForKmsAreRefusedAtSynth() throws Exception {
        String prefix = "p".repeat(200) + "/";
        Map<String, List<String>> readers = new java.util.TreeMap<>();
        while (KeyPolicies.spokeUserSecretsKeyPolicyBytes(prefix, readers) <= KeyPolicies.MAX_KEY_POLICY_BYTES) {
            readers.put(String.format("u%02d", readers.size()), List.of("arn:aws:iam::210000000001:role/r"));
        }
        // The single-account stack takes these readers.
        RotatorStackProps.builder().secretNamePrefix(prefix).delegatedReaders(readers).build();
        IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class, () -> hub(Map.of(
                "secretNamePrefix", prefix, "delegatedReaders", JSON.writeValueAsString(readers))));
        assertTrue(tooBig.getMessage().startsWith("delegatedReaders make the spoke's user secrets key policy up to "),
                tooBig.getMessage());
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private static String logicalIdOf(Stack stack, software.constructs.IConstruct construct) {
        return stack.getLogicalId((software.amazon.awscdk.CfnElement) construct.getNode().getDefaultChild());
    }

    private static JsonNode stackSet() {
        return stackSet(hub);
    }

    private static JsonNode stackSet(OrganizationHubStack stack) {
        Map<String, Map<String, Object>> sets = Template.fromStack(stack).findResources("AWS::CloudFormation::StackSet");
        assertEquals(1, sets.size());
        return JSON.valueToTree(sets.values().iterator().next().get("Properties"));
    }

    /** The state machine's definition with every token written as {@code ${Ref:Id}} or {@code ${GetAtt:Id}}. */
    private static JsonNode definition(OrganizationHubStack stack) throws Exception {
        return definition(Template.fromStack(stack));
    }

    @SuppressWarnings("unchecked")
    private static JsonNode definition(Template template) throws Exception {
        Map<String, Object> machine = template.findResources("AWS::StepFunctions::StateMachine").values().iterator()
                .next();
        Object body = ((Map<String, Object>) machine.get("Properties")).get("DefinitionString");
        StringBuilder text = new StringBuilder();
        if (body instanceof String plain) {
            text.append(plain);
        } else {
            List<Object> parts = (List<Object>) ((List<Object>) ((Map<String, Object>) body).get("Fn::Join")).get(1);
            for (Object part : parts) {
                if (part instanceof String s) {
                    text.append(s);
                } else if (((Map<String, Object>) part).containsKey("Ref")) {
                    text.append("${Ref:").append(((Map<String, Object>) part).get("Ref")).append('}');
                } else {
                    text.append("${GetAtt:").append(((List<Object>) ((Map<String, Object>) part).get("Fn::GetAtt"))
                            .get(0)).append('}');
                }
            }
        }
        return JSON.readTree(text.toString());
    }

    private static String logicalIdOf(Template template, String type, String servicePrincipal) {
        return template.findResources(type).entrySet().stream()
                .filter(e -> JSON.valueToTree(e.getValue()).toString().contains(servicePrincipal))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> statementsOfPoliciesFor(String roleLogicalId) {
        List<Map<String, Object>> statements = new ArrayList<>();
        for (Map<String, Object> policy : hubTemplate.findResources("AWS::IAM::Policy").values()) {
            Map<String, Object> properties = (Map<String, Object>) policy.get("Properties");
            if (JSON.valueToTree(properties.get("Roles")).toString().contains("\"" + roleLogicalId + "\"")) {
                statements.addAll((List<Map<String, Object>>) ((Map<String, Object>) properties.get("PolicyDocument"))
                        .get("Statement"));
            }
        }
        return statements;
    }
}
