package dev.accesskeyrotator.infra;

import dev.accesskeyrotator.contract.EnvironmentVariable;
import dev.accesskeyrotator.contract.Organization;
import software.amazon.awscdk.Acknowledgment;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.cloudformation.CfnStackSet;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.SfnStateMachine;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.ApplicationLogLevel;
import software.amazon.awscdk.services.lambda.CfnFunction;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.LoggingFormat;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SystemLogLevel;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.iam.CompositePrincipal;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.DistributedMap;
import software.amazon.awscdk.services.stepfunctions.Fail;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.LogOptions;
import software.amazon.awscdk.services.stepfunctions.ResultWriterV2;
import software.amazon.awscdk.services.stepfunctions.S3JsonItemReader;
import software.amazon.awscdk.services.stepfunctions.RetryProps;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.amazon.awscdk.services.stepfunctions.Succeed;
import software.amazon.awscdk.services.stepfunctions.TaskInput;
import software.amazon.awscdk.services.stepfunctions.CatchProps;
import software.amazon.awscdk.services.stepfunctions.tasks.CallAwsService;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;
import software.constructs.Construct;
import software.constructs.IConstruct;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The organization hub, deployed once in a delegated administrator account: on the schedule, a Standard state
 * machine lists the member accounts, rotates each one in a Distributed Map (one worker invocation per account,
 * bounded concurrency, tolerated failures, results written to this stack's bucket) and aggregates the results into
 * one organization report and notice. A service-managed StackSet puts the spoke (role and KMS key) into every
 * account of the target OUs, new accounts included. Configuration stays in this account's Parameter Store.
 */
public final class OrganizationHubStack extends Stack {
    static final String PACKAGE = "dev.accesskeyrotator.org.";
    public static final String LIST_HANDLER = PACKAGE + "ListAccountsHandler::handleRequest";
    public static final String WORKER_HANDLER = PACKAGE + "RotateAccountHandler::handleRequest";
    public static final String AGGREGATE_HANDLER = PACKAGE + "AggregateHandler::handleRequest";
    public static final String RESULTS_PREFIX = Organization.RESULTS_PREFIX;
    static final String VENDED_LOGS_PREFIX = "/aws/vendedlogs/states/";
    /** Where the state machine's Catches put errors, as the aggregator reads them (AggregateHandler). */
    static final String LISTING_ERROR = "listingError";
    static final String MAP_ERROR = "mapError";
    static final String MAP_RUNS = "mapRuns";
    /** Result files and reports are kept this long; a year of daily runs is enough to answer an audit. */
    static final int RESULT_RETENTION_DAYS = 400;

    private final Role workerRole;
    private final Role listerRole;
    private final Role aggregatorRole;
    private final Function worker;
    private final Alias workerLive;
    private final Bucket resultsBucket;
    private final StateMachine stateMachine;
    private final CfnStackSet spokeStackSet;
    private final Topic noticeTopic;
    private final Topic alarmTopic;
    private final HubAlarms alarms;
    private final Rule parameterChangeRule;

    public OrganizationHubStack(Construct scope, String id, OrganizationProps props) {
        super(scope, id, props.base().stackProps());
        // Without this flag CDK renders no ResultWriter for resultWriterV2; set before any construct is added.
        getNode().setContext("@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2", true);
        RotatorStackProps base = props.base();

        this.listerRole = lambdaRole("ListerRole", "lists the organization's accounts");
        this.workerRole = lambdaRole("WorkerRole", "assumes the spoke role of one member account at a time");
        this.aggregatorRole = lambdaRole("AggregatorRole", "reads the run's results and writes its report");

        // The single-account stack's key policy, with the hub's two publishers: no other principal of the hub
        // account may have SNS encrypt with it, so none can forge notices on an encrypted topic through it.
        Key topicsKey = Key.Builder.create(this, "TopicsKey")
                .description("Access Key Rotator hub: encrypts the notice and alarm topics")
                .enableKeyRotation(true)
                .policy(KeyPolicies.topicsKey(new CompositePrincipal(workerRole, aggregatorRole),
                        props.base().keyAdminPrincipalArns()))
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        this.noticeTopic = Topic.Builder.create(this, "NoticeTopic")
                .displayName("Access key rotation notices (organization)")
                .masterKey(topicsKey)
                .enforceSsl(true)
                .build();
        this.alarmTopic = Topic.Builder.create(this, "AlarmTopic")
                .displayName("Access key rotator alarms (organization)")
                .masterKey(topicsKey)
                .enforceSsl(true)
                .build();
        // As in single-account mode: a member account's blocked user or exposed key is among what needs a person.
        base.alarmEmail().ifPresent(email -> RotatorStack.subscribeAdministrators(email, alarmTopic, noticeTopic));
        new DefaultParameters(this, "Parameters", base.parameterPrefix(), base.optInTag());

        this.resultsBucket = Bucket.Builder.create(this, "ResultsBucket")
                .encryption(BucketEncryption.S3_MANAGED)
                .enforceSsl(true)
                .versioned(true)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .lifecycleRules(List.of(LifecycleRule.builder()
                        .id("ExpireRunResults")
                        .expiration(Duration.days(RESULT_RETENTION_DAYS))
                        .noncurrentVersionExpiration(Duration.days(30))
                        .abortIncompleteMultipartUploadAfter(Duration.days(1))
                        .build()))
                // The reports are the audit trail of what was rotated where; keep them after a destroy.
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();

        Map<String, String> common = new LinkedHashMap<>();
        common.put("JAVA_TOOL_OPTIONS", RotatorStack.JAVA_TOOL_OPTIONS);
        common.put(EnvironmentVariable.NOTICE_TOPIC_ARN.name(), noticeTopic.getTopicArn());

        Map<String, String> listerEnv = new LinkedHashMap<>(common);
        listerEnv.put(props.accounts().isEmpty() ? Organization.Variable.ORGANIZATION_UNITS.name()
                : Organization.Variable.ACCOUNTS.name(), String.join(",", props.accounts().isEmpty()
                ? props.organizationUnits() : props.accounts()));
        if (!props.excludedAccounts().isEmpty()) {
            listerEnv.put(Organization.Variable.EXCLUDED_ACCOUNTS.name(), String.join(",", props.excludedAccounts()));
        }
        // ListAccountsForParent reports the management account like any other; DescribeOrganization names it.
        listerEnv.put(Organization.Variable.RESULTS_BUCKET.name(), resultsBucket.getBucketName());
        Function lister = function("ListAccountsFunction", LIST_HANDLER, listerRole, listerEnv, base,
                // Some hundreds of Organizations pages for 10,000 accounts, each retried when throttled.
                RotatorStack.FUNCTION_TIMEOUT, "Lists the accounts an organization rotation run covers");

        Map<String, String> workerEnv = new LinkedHashMap<>(common);
        workerEnv.put(EnvironmentVariable.PARAMETER_PREFIX.name(), base.parameterPrefix());
        workerEnv.put(EnvironmentVariable.SECRET_NAME_PREFIX.name(), base.secretNamePrefix());
        workerEnv.put(EnvironmentVariable.ADMIN_CONTACT.name(), base.contact());
        workerEnv.put(EnvironmentVariable.MAX_CONCURRENCY.name(), Integer.toString(RotatorStack.MAX_CONCURRENCY));
        workerEnv.put(EnvironmentVariable.OPT_IN_TAG.name(), base.optInTag().toString());
        workerEnv.put(Organization.Variable.SPOKE_ROLE_NAME.name(), props.spokeRoleName());
        // The worker refuses exempt accounts itself: it can be invoked without the lister.
        if (!props.excludedAccounts().isEmpty()) {
            workerEnv.put(Organization.Variable.EXCLUDED_ACCOUNTS.name(), String.join(",", props.excludedAccounts()));
        }
        carryDelegatedReaders(workerEnv, base);
        this.worker = function("WorkerFunction", WORKER_HANDLER, workerRole, workerEnv, base,
                RotatorStack.FUNCTION_TIMEOUT, "Rotates the opted-in IAM users' keys of one member account");
        // The worker runs once per member account per run, each invocation possibly a new execution environment:
        // SnapStart restores them from a primed snapshot (RotateAccountHandler's beforeCheckpoint), which cut the
        // first account's time from about 1.4 s to 0.4 s (docs/performance.md). The snapshot is taken when a
        // version is published; the state machine invokes the live alias, which always points at one. The lister
        // and the aggregator run once a run and go without.
        ((CfnFunction) worker.getNode().getDefaultChild()).setSnapStart(
                CfnFunction.SnapStartProperty.builder().applyOn("PublishedVersions").build());
        this.workerLive = Alias.Builder.create(this, "WorkerLiveAlias")
                .aliasName(RotatorStack.ALIAS_NAME)
                .version(worker.getCurrentVersion())
                .build();
        Map<String, String> aggregatorEnv = new LinkedHashMap<>(common);
        aggregatorEnv.put(Organization.Variable.RESULTS_BUCKET.name(), resultsBucket.getBucketName());
        Function aggregator = function("AggregateFunction", AGGREGATE_HANDLER, aggregatorRole, aggregatorEnv, base,
                Duration.minutes(5), "Writes the organization report of a rotation run");

        grantWorker(props);
        listerRole.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("ListAccountsReadOnly")
                .actions(List.of("organizations:DescribeOrganization", "organizations:ListAccountsForParent",
                        "organizations:ListChildren"))
                .resources(List.of("*"))
                .build());
        listerRole.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("WriteListings")
                .actions(List.of("s3:PutObject"))
                .resources(List.of(resultsBucket.arnForObjects(Organization.LISTINGS_PREFIX + "/*")))
                .build());
        aggregatorRole.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("ReadRunResultsAndListings")
                .actions(List.of("s3:GetObject"))
                .resources(List.of(resultsBucket.arnForObjects(RESULTS_PREFIX + "/*"),
                        resultsBucket.arnForObjects(Organization.LISTINGS_PREFIX + "/*")))
                .build());
        aggregatorRole.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("WriteRunReports")
                .actions(List.of("s3:PutObject"))
                .resources(List.of(resultsBucket.arnForObjects(RESULTS_PREFIX + "/*/organization-report.json")))
                .build());
        for (Role role : List.of(workerRole, aggregatorRole)) {
            role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                    .sid("PublishNotices").actions(List.of("sns:Publish"))
                    .resources(List.of(noticeTopic.getTopicArn())).build());
            role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                    .sid("EncryptNoticesThroughSns").actions(List.of("kms:Decrypt", "kms:GenerateDataKey"))
                    .resources(List.of(topicsKey.getKeyArn()))
                    .conditions(Map.of("StringEquals", Map.of("kms:ViaService", KeyPolicies.SNS_SERVICE)))
                    .build());
        }

        this.stateMachine = stateMachine(props, lister, aggregator);
        Rule.Builder.create(this, "RotationSchedule")
                .description("Starts an organization-wide access key rotation run")
                .schedule(Schedule.expression(base.schedule().expression()))
                .targets(List.of(SfnStateMachine.Builder.create(stateMachine).retryAttempts(8).build()))
                .build();

        this.alarms = new HubAlarms(this, "Alarms", stateMachine, alarmTopic, base.schedule().interval());
        this.parameterChangeRule = announceParameterChanges(props);
        this.spokeStackSet = spokeStackSet(props);
        acknowledge(props, lister, aggregator);

        CfnOutput.Builder.create(this, "StateMachineArn").value(stateMachine.getStateMachineArn())
                .description("Start an execution to run a rotation now").build();
        CfnOutput.Builder.create(this, "ResultsBucketName").value(resultsBucket.getBucketName())
                .description("Map results and organization reports under " + RESULTS_PREFIX + "/").build();
        CfnOutput.Builder.create(this, "NoticeTopicArn").value(noticeTopic.getTopicArn()).build();
        CfnOutput.Builder.create(this, "AlarmTopicArn").value(alarmTopic.getTopicArn())
                .description("Subscribe whoever must hear about failed runs and accounts").build();
        CfnOutput.Builder.create(this, "WorkerRoleArn").value(workerRole.getRoleArn())
                .description("The only principal the spoke roles trust").build();
    }

    /** The worker may assume the spoke role in accounts of this organization, read the hub's parameters, notify. */
    private void grantWorker(OrganizationProps props) {
        String prefix = props.base().parameterPrefix();
        String path = prefix.substring(1, prefix.length() - 1);
        workerRole.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("AssumeSpokeRolesInTheOrganization")
                .actions(List.of("sts:AssumeRole"))
                .resources(List.of("arn:" + Aws.PARTITION + ":iam::*:role/" + props.spokeRoleName()))
                .conditions(Map.of("StringEquals", Map.of("aws:ResourceOrgID", props.organizationId())))
                .build());
        workerRole.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("ReadConfigurationAndAccountOverrides")
                .actions(List.of("ssm:GetParametersByPath"))
                .resources(List.of(
                        "arn:" + Aws.PARTITION + ":ssm:" + Aws.REGION + ":" + Aws.ACCOUNT_ID + ":parameter/" + path,
                        "arn:" + Aws.PARTITION + ":ssm:" + Aws.REGION + ":" + Aws.ACCOUNT_ID + ":parameter/" + path
                                + "/" + Organization.ACCOUNT_OVERRIDES_DIRECTORY + "*"))
                .build());
    }

    /**
     * The same readers as the spoke key policy's, for the secret resource policies the worker writes; in each member
     * account the worker applies only the readers whose ARN names that account (AccountWorker).
     */
    private static void carryDelegatedReaders(Map<String, String> workerEnv, RotatorStackProps base) {
        if (!base.delegatedReaders().isEmpty()) {
            workerEnv.put(EnvironmentVariable.DELEGATED_READERS.name(),
                    RotatorStackProps.delegatedReadersVariable(base.delegatedReaders()));
        }
    }

    /**
     * As in single-account mode, and for the per-account overrides too: a hub principal who sets {@code dry-run} or
     * an account's override stops rotation in member accounts while executions keep succeeding, so every change under
     * the paths the worker reads is announced on the alarm topic.
     */
    private Rule announceParameterChanges(OrganizationProps props) {
        return ParameterChangeNotice.create(this, props.parameterPrefixes(), alarmTopic);
    }

    private StateMachine stateMachine(OrganizationProps props, Function lister, Function aggregator) {
        LambdaInvoke list = LambdaInvoke.Builder.create(this, "ListAccounts")
                .lambdaFunction(lister)
                .payload(TaskInput.fromObject(Map.of("executionName", JsonPath.stringAt("$$.Execution.Name"))))
                .payloadResponseOnly(true)
                .resultPath("$.listing")
                .build();
        LambdaInvoke rotate = LambdaInvoke.Builder.create(this, "RotateAccount")
                .lambdaFunction(workerLive)
                .payloadResponseOnly(true)
                .build();
        // Throttled or briefly failing invocations are retried; a worker that times out is not (it would only
        // time out again) and counts against the Map's tolerance instead.
        rotate.addRetry(RetryProps.builder()
                .errors(List.of("Lambda.TooManyRequestsException", "Lambda.ServiceException",
                        "Lambda.SdkClientException"))
                .interval(Duration.seconds(5)).maxAttempts(4).backoffRate(2).build());
        DistributedMap map = DistributedMap.Builder.create(this, "RotateEachAccount")
                // The lister wrote the accounts to S3: 10,000 accounts do not fit the 256 KiB of the state.
                .itemReader(S3JsonItemReader.Builder.create().bucket(resultsBucket)
                        .key(JsonPath.stringAt("$.listing.accountsKey")).build())
                .maxConcurrency(props.maxConcurrency())
                .toleratedFailurePercentage(props.toleratedFailurePercentage())
                .mapExecutionType(StateMachineType.STANDARD)
                .resultWriterV2(ResultWriterV2.Builder.create().bucket(resultsBucket).prefix(RESULTS_PREFIX).build())
                .resultPath("$.results")
                .build();
        // DistributedMap sets the processor's mode and takes its execution type from mapExecutionType above.
        map.itemProcessor(rotate);
        Map<String, Object> aggregateInput = new LinkedHashMap<>();
        // The whole state: the listing, the Map's results, or whatever error a Catch put there instead.
        aggregateInput.put("state", JsonPath.objectAt("$"));
        aggregateInput.put("execution", new TreeMap<>(Map.of("Name", JsonPath.stringAt("$$.Execution.Name"),
                "StartTime", JsonPath.stringAt("$$.Execution.StartTime"))));
        LambdaInvoke aggregate = LambdaInvoke.Builder.create(this, "Aggregate")
                .lambdaFunction(aggregator)
                .payload(TaskInput.fromObject(aggregateInput))
                .payloadResponseOnly(true)
                .resultPath("$.summary")
                .build();

        // The report always happens: a failed listing or a Map failed past its tolerance still goes to Aggregate,
        // which reports every account it knows of (those the Map never started as not run); the execution then
        // fails. After a Map failure its output names no result files, so ListMapRuns finds the map run, whose id
        // is the directory ResultWriter wrote them to.
        CallAwsService findMapRun = CallAwsService.Builder.create(this, "FindMapRun")
                .service("sfn")
                .action("listMapRuns")
                .parameters(Map.of("ExecutionArn", JsonPath.stringAt("$$.Execution.Id")))
                .iamAction("states:ListMapRuns")
                .iamResources(List.of("arn:" + Aws.PARTITION + ":states:" + Aws.REGION + ":" + Aws.ACCOUNT_ID
                        + ":execution:*"))
                .resultPath("$." + MAP_RUNS)
                .build();
        list.addCatch(aggregate, CatchProps.builder().errors(List.of("States.ALL"))
                .resultPath("$." + LISTING_ERROR).build());
        map.addCatch(findMapRun, CatchProps.builder().errors(List.of("States.ALL"))
                .resultPath("$." + MAP_ERROR).build());
        findMapRun.addCatch(aggregate, CatchProps.builder().errors(List.of("States.ALL"))
                .resultPath("$.mapRunsError").build());
        findMapRun.next(aggregate);

        // Failed or not-run accounts, or a run that stopped early, end the execution failed (ExecutionsFailed);
        // accounts that are not enrolled or excluded never do.
        Choice outcome = Choice.Builder.create(this, "AnyAccountFailed").build()
                .when(Condition.booleanEquals("$.summary.runIncomplete", true),
                        Fail.Builder.create(this, "RunIncomplete").error("RunIncomplete")
                                .cause("The run stopped early (listing or Map failed); see the organization report")
                                .build())
                .when(Condition.numberGreaterThan("$.summary.accountsFailed", 0),
                        Fail.Builder.create(this, "AccountsFailed").error("AccountsFailed")
                                .cause("Some accounts were not rotated; see the organization report").build())
                .otherwise(new Succeed(this, "AllAccountsRotated"));

        // Under /aws/vendedlogs/ CloudWatch Logs needs no resource policy entry per log group for Step Functions'
        // log delivery, so a busy account does not hit the resource policy's size limit.
        LogGroup logs = LogGroup.Builder.create(this, "StateMachineLogs")
                .logGroupName(VENDED_LOGS_PREFIX + getStackName() + "/OrganizationRotation")
                .retention(props.base().logRetention())
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        return StateMachine.Builder.create(this, "OrganizationRotation")
                .definitionBody(DefinitionBody.fromChainable(list.next(map).next(aggregate).next(outcome)))
                .stateMachineType(StateMachineType.STANDARD)
                .tracingEnabled(true)
                .logs(LogOptions.builder().destination(logs).level(LogLevel.ALL).includeExecutionData(false).build())
                .build();
    }

    private CfnStackSet spokeStackSet(OrganizationProps props) {
        CfnStackSet.DeploymentTargetsProperty.Builder targets = CfnStackSet.DeploymentTargetsProperty.builder()
                .organizationalUnitIds(props.organizationUnits());
        if (!props.accounts().isEmpty()) {
            targets.accounts(props.accounts()).accountFilterType("INTERSECTION");
        }
        return CfnStackSet.Builder.create(this, "SpokeStackSet")
                .stackSetName(props.spokeRoleName())
                .description("Access Key Rotator spoke: role and user-secrets key in each member account")
                .permissionModel("SERVICE_MANAGED")
                .callAs("DELEGATED_ADMIN")
                .autoDeployment(CfnStackSet.AutoDeploymentProperty.builder()
                        .enabled(true).retainStacksOnAccountRemoval(false).build())
                // Counts, not percentages (a percentage of a few accounts rounds down to 0), and soft tolerance, so a
                // failing account neither slows the rollout to one account at a time nor stops it: the operation
                // goes on, the account's instance stays FAILED, and the run reports the account as not enrolled.
                // Only past spokeFailureTolerance failed accounts does CloudFormation stop the operation, which
                // fails the StackSet's update and rolls the hub back.
                .operationPreferences(CfnStackSet.OperationPreferencesProperty.builder()
                        .regionConcurrencyType("PARALLEL")
                        .concurrencyMode("SOFT_FAILURE_TOLERANCE")
                        .maxConcurrentCount(props.spokeMaxConcurrentAccounts())
                        .failureToleranceCount(props.spokeFailureTolerance())
                        .build())
                .managedExecution(Map.of("Active", true))
                .capabilities(List.of("CAPABILITY_NAMED_IAM"))
                .templateBody(SpokeStack.templateBody(props))
                .parameters(List.of(
                        CfnStackSet.ParameterProperty.builder().parameterKey(SpokeStack.HUB_ROLE_PARAMETER)
                                .parameterValue(workerRole.getRoleArn()).build(),
                        CfnStackSet.ParameterProperty.builder().parameterKey(SpokeStack.ORGANIZATION_PARAMETER)
                                .parameterValue(props.organizationId()).build()))
                .stackInstancesGroup(List.of(CfnStackSet.StackInstancesProperty.builder()
                        .deploymentTargets(targets.build())
                        .regions(List.of(Aws.REGION))
                        .build()))
                .build();
    }

    private Role lambdaRole(String id, String purpose) {
        return Role.Builder.create(this, id)
                .description("Access Key Rotator hub: " + purpose)
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .build();
    }

    private Function function(String id, String handler, Role role, Map<String, String> environment,
                              RotatorStackProps base, Duration timeout, String description) {
        LogGroup logs = LogGroup.Builder.create(this, id + "Logs")
                .retention(base.logRetention())
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("WriteOwnLogs").actions(List.of("logs:CreateLogStream", "logs:PutLogEvents"))
                .resources(List.of(logs.getLogGroupArn())).build());
        requireEnvironmentFits(id, environment);
        return Function.Builder.create(this, id)
                .description(description)
                .runtime(Runtime.JAVA_25)
                .architecture(Architecture.ARM_64)
                .handler(handler)
                // The hub's own artifact: S3 and Organizations clients, the org/ handlers, no CLI.
                .code(Code.fromAsset(base.hubJar().toString()))
                .memorySize(base.memorySize())
                .timeout(timeout)
                .role(role)
                .logGroup(logs)
                .loggingFormat(LoggingFormat.JSON)
                .applicationLogLevelV2(ApplicationLogLevel.INFO)
                .systemLogLevelV2(SystemLogLevel.INFO)
                .environment(environment)
                .build();
    }

    /** Lambda's limit on all of a function's environment variables together (names and values). */
    static final int MAX_ENVIRONMENT_BYTES = 4096;
    /** What a value resolved at deploy time (an ARN, a bucket name) is counted as: more than any of them takes. */
    private static final int UNRESOLVED_VALUE_BYTES = 256;

    /**
     * Refuses at synth an environment Lambda would refuse at deploy: delegated readers and excluded accounts are the
     * two values that grow with the context.
     */
    private static void requireEnvironmentFits(String functionId, Map<String, String> environment) {
        int bytes = environment.entrySet().stream().mapToInt(variable -> variable.getKey().length()
                + (Token.isUnresolved(variable.getValue()) ? UNRESOLVED_VALUE_BYTES
                        : variable.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)).sum();
        if (bytes > MAX_ENVIRONMENT_BYTES) {
            throw new ContextValueRefused(functionId + "'s environment would take about " + bytes + " bytes, more than"
                    + " the " + MAX_ENVIRONMENT_BYTES + " Lambda allows for all variables together: name fewer"
                    + " delegatedReaders (one role per reading system) or excludedAccounts (exclude an OU by leaving"
                    + " it out of organizationUnits)");
        }
    }

    private String logicalIdOf(IConstruct construct) {
        return getLogicalId((software.amazon.awscdk.CfnElement) construct.getNode().getDefaultChild());
    }

    private void acknowledge(OrganizationProps props, Function lister, Function aggregator) {
        ack(listerRole, "AwsSolutions-IAM5[Resource::*]", "organizations:DescribeOrganization, ListAccountsForParent"
                + " and ListChildren are read-only and their resources (roots, OUs) are only known at run time.");
        ack(workerRole, "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/" + props.spokeRoleName() + "]",
                "The spoke role has the same name in every member account, and accounts join the organization after"
                        + " deployment; aws:ResourceOrgID limits it to roles in this organization.");
        String prefix = props.base().parameterPrefix();
        ack(workerRole, "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/"
                        + prefix.substring(1) + Organization.ACCOUNT_OVERRIDES_DIRECTORY + "*]",
                "Per-account overrides live under one path per account id; only GetParametersByPath, which reads.");
        String bucket = "<" + logicalIdOf(resultsBucket) + ".Arn>";
        ack(aggregatorRole, "AwsSolutions-IAM5[Resource::" + bucket + "/" + RESULTS_PREFIX + "/*]",
                "The Distributed Map names its result files by map run id at run time; read only.");
        ack(aggregatorRole, "AwsSolutions-IAM5[Resource::" + bucket + "/" + Organization.LISTINGS_PREFIX + "/*]",
                "Each run's listing is under the execution's name, known at run time; read only.");
        ack(listerRole, "AwsSolutions-IAM5[Resource::" + bucket + "/" + Organization.LISTINGS_PREFIX + "/*]",
                "Each run's listing is written under the execution's name, known at run time.");
        ack(aggregatorRole, "AwsSolutions-IAM5[Resource::" + bucket + "/" + RESULTS_PREFIX
                        + "/*/organization-report.json]",
                "One report per run, next to that run's result files, whose directory is the map run id.");
        ack(resultsBucket, "AwsSolutions-S1", "Only the state machine and the aggregator write here, and both are"
                + " logged (Step Functions execution history, the function's log); object-level access is audited"
                + " with CloudTrail data events where the organization enables them.");
        ack(stateMachine, "AwsSolutions-IAM5[Resource::<" + logicalIdOf(workerLive) + ">:*]",
                "Step Functions' Lambda integration may invoke any version of the worker's live alias.");
        for (Function function : List.of(lister, aggregator)) {
            ack(stateMachine, "AwsSolutions-IAM5[Resource::<" + logicalIdOf(function) + ".Arn>:*]",
                    "Step Functions' Lambda integration may invoke any version or alias of the hub's own function.");
        }
        ack(stateMachine, "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>"
                + ":execution:*]", "states:ListMapRuns (read-only) after a caught Map failure, to find the run's result"
                + " files; the state machine's own name is not known to its role's policy without a cycle.");
        ack(stateMachine, "AwsSolutions-IAM5[Resource::*]", "X-Ray tracing (PutTraceSegments, GetSamplingRules)"
                + " and log delivery (CreateLogDelivery and the like) support no resource-level permissions.");
        String executions = "arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{\"Fn::Select\":[6,"
                + "{\"Fn::Split\":[\":\",{\"Ref\":\"" + logicalIdOf(stateMachine) + "\"}]}]}";
        ack(stateMachine, "AwsSolutions-IAM5[Resource::" + executions + ":*]", "The Distributed Map describes and"
                + " stops its own child executions, whose names are made at run time.");
        ack(stateMachine, "AwsSolutions-IAM5[Resource::" + executions + "/*:*]", "The Distributed Map redrives its"
                + " own child executions, whose names are made at run time.");
        ack(stateMachine, "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<" + logicalIdOf(resultsBucket)
                        + ">/*]", "The ResultWriter writes one directory per map run, named at run time; CDK grants"
                        + " its object actions on the hub's own results bucket.");
    }

    private static void ack(IConstruct scope, String finding, String reason) {
        Validations.of(scope).acknowledge(Acknowledgment.builder().id(finding).reason(reason).build());
    }

    public Role workerRole() { return workerRole; }
    public Role listerRole() { return listerRole; }
    public Role aggregatorRole() { return aggregatorRole; }
    public Function worker() { return worker; }
    public Alias workerLive() { return workerLive; }
    public Bucket resultsBucket() { return resultsBucket; }
    public StateMachine stateMachine() { return stateMachine; }
    public CfnStackSet spokeStackSet() { return spokeStackSet; }
    public Topic noticeTopic() { return noticeTopic; }
    public Topic alarmTopic() { return alarmTopic; }
    HubAlarms alarms() { return alarms; }
    public Rule parameterChangeRule() { return parameterChangeRule; }
}
