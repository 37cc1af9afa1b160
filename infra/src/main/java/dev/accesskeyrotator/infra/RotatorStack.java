package dev.accesskeyrotator.infra;

import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Arn;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.ApplicationLogLevel;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.LoggingFormat;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.SystemLogLevel;
import software.amazon.awscdk.services.lambda.destinations.SqsDestination;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.sns.StringConditions;
import software.amazon.awscdk.services.sns.SubscriptionFilter;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scheduled rotation of IAM user access keys: an EventBridge rule invokes the rotation function's {@code live}
 * alias; the function reads its configuration from Parameter Store, rotates keys of users carrying the opt-in tag,
 * stores each new key in that user's own secret and notifies through SNS. See docs/deploy.md and docs/security.md.
 *
 * <p>The stack is environment-agnostic (account and region are CloudFormation pseudo parameters), so it
 * synthesizes without AWS credentials.
 */
public final class RotatorStack extends Stack {
    public static final String HANDLER = "dev.accesskeyrotator.lambda.RotationHandler::handleRequest";
    public static final String ALIAS_NAME = "live";
    /**
     * The Lambda maximum. The function stops starting new users when its remaining time runs short and reports them
     * as deferred, so the timeout is a ceiling, not a target: billing follows the actual duration. A large account
     * (thousands of opted-in users, IAM throttling with back-off) gets the whole window.
     */
    public static final Duration FUNCTION_TIMEOUT = Duration.minutes(15);
    /**
     * Users handled in parallel. IAM's control-plane API throttles at a low request rate per account, so more threads
     * would mostly buy throttling retries; 4 overlaps the API latency of several users without provoking that.
     */
    public static final int MAX_CONCURRENCY = 4;
    /**
     * C1-only JIT. A run lasts seconds to minutes with a fraction of a vCPU: C2 would spend that CPU compiling code
     * that finishes before the optimized version pays off. AWS recommends this for short-lived Java functions; with
     * SnapStart it also shortens the priming done before the snapshot.
     */
    public static final String JAVA_TOOL_OPTIONS = "-XX:+TieredCompilation -XX:TieredStopAtLevel=1";

    /** Key-changing and key-reading IAM calls; each is allowed only on users carrying the opt-in tag. */
    public static final List<String> KEY_ACTIONS = List.of(
            "iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys",
            "iam:GetAccessKeyLastUsed");

    private final Function rotationFunction;
    private final Alias liveAlias;
    private final Role functionRole;
    private final Key userSecretsKey;
    private final Key topicsKey;
    private final Topic noticeTopic;
    private final Topic alarmTopic;
    private final Queue deadLetterQueue;
    private final RotatorAlarms alarms;

    public RotatorStack(Construct scope, String id, RotatorStackProps props) {
        super(scope, id, props.stackProps());
        OptInTag optInTag = props.optInTag();
        Duration runInterval = Duration.seconds(props.schedule().interval().toSeconds());

        LogGroup functionLogs = LogGroup.Builder.create(this, "FunctionLogs")
                .retention(props.logRetention())
                // The rotation history (who, when, which key id) is an audit record; keep it after a destroy.
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();

        // No managed policy, not even AWSLambdaBasicExecutionRole: every permission is listed below.
        this.functionRole = Role.Builder.create(this, "FunctionRole")
                .description("Access Key Rotator: rotates access keys of IAM users tagged " + optInTag)
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .build();

        this.userSecretsKey = Key.Builder.create(this, "UserSecretsKey")
                .description("Access Key Rotator: encrypts each user's access key secret")
                .enableKeyRotation(true)
                .policy(KeyPolicies.userSecretsKey(functionRole, props.secretNamePrefix()))
                // The user secrets are created by the function, not the stack, and outlive it: without this key
                // they could not be read any more.
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        this.topicsKey = Key.Builder.create(this, "TopicsKey")
                .description("Access Key Rotator: encrypts the notice and alarm topics")
                .enableKeyRotation(true)
                .policy(KeyPolicies.topicsKey(functionRole))
                // Nothing outlives the topics encrypted with it.
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();

        this.noticeTopic = Topic.Builder.create(this, "NoticeTopic")
                .displayName("Access key rotation notices")
                .masterKey(topicsKey)
                .enforceSsl(true)
                .build();
        this.alarmTopic = Topic.Builder.create(this, "AlarmTopic")
                .displayName("Access key rotator alarms")
                .masterKey(topicsKey)
                .enforceSsl(true)
                .build();
        props.alarmEmail().ifPresent(email -> {
            alarmTopic.addSubscription(new EmailSubscription(email));
            // Administrators want the outcome of each run and what needs a person, not every user's notice.
            noticeTopic.addSubscription(EmailSubscription.Builder.create(email)
                    .filterPolicy(Map.of("event_type",
                            SubscriptionFilter.stringFilter(StringConditions.builder()
                                    .allowlist(List.of("run-summary", "attention")).build())))
                    .build());
        });

        this.deadLetterQueue = Queue.Builder.create(this, "DeadLetterQueue")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(14))
                .build();

        DefaultParameters parameters = new DefaultParameters(this, "Parameters", props.parameterPrefix(), List.of(
                new DefaultParameters.Default("max-key-age-days", "90",
                        "Rotate an active access key at this age in days (1-3650)"),
                new DefaultParameters.Default("user-tag", optInTag.toString(),
                        "Opt-in tag, key=value or key; keep it equal to the stack's optInTag, which its IAM"
                                + " permissions allow"),
                new DefaultParameters.Default("grace-days", "0",
                        "Days the old key stays active after the new one is stored (0 to max-key-age-days - 1)"),
                new DefaultParameters.Default("delete-after-days", "30",
                        "Days after the grace period ends at which the disabled old key is deleted (0-3650)"),
                new DefaultParameters.Default("dry-run", "false",
                        "true: plan and report only, change nothing"),
                new DefaultParameters.Default("max-rotations-per-run", "100",
                        "Rotations per run; users past it are deferred to the next run (1-100000)")));

        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PARAMETER_PREFIX", props.parameterPrefix());
        environment.put("SECRET_NAME_PREFIX", props.secretNamePrefix());
        environment.put("NOTICE_TOPIC_ARN", noticeTopic.getTopicArn());
        environment.put("SECRET_KMS_KEY_ID", userSecretsKey.getKeyArn());
        environment.put("ADMIN_CONTACT", props.contact());
        environment.put("MAX_CONCURRENCY", Integer.toString(MAX_CONCURRENCY));
        environment.put("JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS);

        this.rotationFunction = Function.Builder.create(this, "RotationFunction")
                .description("Rotates access keys of IAM users tagged " + optInTag)
                .runtime(Runtime.JAVA_25)
                // Graviton: cheaper per GB-second and SnapStart supports it.
                .architecture(Architecture.ARM_64)
                .handler(HANDLER)
                .code(Code.fromAsset(props.functionJar().toString()))
                .memorySize(props.memorySize())
                .timeout(FUNCTION_TIMEOUT)
                // The snapshot is taken when a version is published; the alias below always points at one.
                .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS)
                // One run at a time, even when the schedule delivers twice or a retry overlaps a slow run.
                .reservedConcurrentExecutions(1)
                .role(functionRole)
                .logGroup(functionLogs)
                .loggingFormat(LoggingFormat.JSON)
                .applicationLogLevelV2(ApplicationLogLevel.INFO)
                .systemLogLevelV2(SystemLogLevel.INFO)
                .environment(environment)
                .build();

        // CDK warns that SnapStart applies to published versions only; the alias below runs exactly such a version.
        Annotations.of(rotationFunction).acknowledgeWarning("@aws-cdk/aws-lambda:snapStartRequirePublish",
                "The schedule invokes the live alias, which points at a version published from this function");

        Duration maxEventAge = cap(runInterval, Duration.hours(6));
        this.liveAlias = Alias.Builder.create(this, "LiveAlias")
                .aliasName(ALIAS_NAME)
                .version(rotationFunction.getCurrentVersion())
                // Runs are idempotent, so a failed run is tried once more (after about a minute) before its event
                // lands in the dead-letter queue and raises the alarm; later the next scheduled run retries anyway.
                .retryAttempts(1)
                .maxEventAge(maxEventAge)
                .onFailure(new SqsDestination(deadLetterQueue))
                .build();

        Rule.Builder.create(this, "RotationSchedule")
                .description("Starts an access key rotation run")
                .schedule(Schedule.expression(props.schedule().expression()))
                .targets(List.of(LambdaFunction.Builder.create(liveAlias)
                        // Delivery failures (e.g. a throttled Invoke call) are transient: retry with back-off.
                        .retryAttempts(8)
                        // A run that could not be delivered before the next one is due is dropped to the DLQ.
                        .maxEventAge(cap(runInterval, Duration.hours(24)))
                        .deadLetterQueue(deadLetterQueue)
                        .build()))
                .build();

        grantRotationPermissions(props, functionLogs, parameters);
        this.alarms = new RotatorAlarms(this, "Alarms", rotationFunction, deadLetterQueue, alarmTopic,
                props.schedule().interval());
        CdkNagAcknowledgements.acknowledgeRotatorFindings(functionRole, deadLetterQueue, props);

        CfnOutput.Builder.create(this, "NoticeTopicArn").value(noticeTopic.getTopicArn())
                .description("Subscribe users (filter on user_name) and admins (filter on event_type) here").build();
        CfnOutput.Builder.create(this, "AlarmTopicArn").value(alarmTopic.getTopicArn())
                .description("Receives the rotator's CloudWatch alarms").build();
        CfnOutput.Builder.create(this, "FunctionName").value(rotationFunction.getFunctionName()).build();
        CfnOutput.Builder.create(this, "LiveAliasArn").value(liveAlias.getFunctionArn())
                .description("Invoke this to run a rotation now").build();
        CfnOutput.Builder.create(this, "UserSecretsKeyArn").value(userSecretsKey.getKeyArn()).build();
        CfnOutput.Builder.create(this, "ParameterPrefix").value(props.parameterPrefix()).build();
        CfnOutput.Builder.create(this, "SecretNamePrefix").value(props.secretNamePrefix()).build();
        CfnOutput.Builder.create(this, "OptInTag").value(optInTag.toString())
                .description("Users carrying this tag are rotated; the IAM permissions allow no other").build();
    }

    /** The function role's identity policy: exactly the calls the function makes, on the narrowest resources. */
    private void grantRotationPermissions(RotatorStackProps props, LogGroup functionLogs,
                                          DefaultParameters parameters) {
        String anyUser = arn("iam", "", "user", "*");
        String userSecrets = arn("secretsmanager", null, "secret", props.secretNamePrefix() + "*");
        String parameterPath = arn("ssm", null, "parameter",
                props.parameterPrefix().substring(1, props.parameterPrefix().length() - 1));
        OptInTag tag = props.optInTag();

        List<PolicyStatement> statements = new ArrayList<>();
        statements.add(statement("WriteOwnLogs", List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                List.of(functionLogs.getLogGroupArn())));
        statements.add(statement("DiscoverUsersReadOnly", List.of(
                        "iam:GetAccountAuthorizationDetails", "iam:ListUsers",
                        "iam:GenerateCredentialReport", "iam:GetCredentialReport"),
                List.of("*")));
        statements.add(statement("ReadUsersAndTheirTags", List.of("iam:GetUser", "iam:ListUserTags"),
                List.of(anyUser)));
        statements.add(PolicyStatement.Builder.create()
                .sid("ManageKeysOfOptedInUsersOnly")
                .actions(KEY_ACTIONS)
                .resources(List.of(anyUser))
                .conditions(tag.value()
                        .<Map<String, Object>>map(value -> Map.of(
                                "StringEquals", Map.of(tag.resourceTagConditionKey(), value)))
                        // A key-only opt-in tag: the user must carry the tag, with any value.
                        .orElseGet(() -> Map.of("Null", Map.of(tag.resourceTagConditionKey(), "false"))))
                .build());
        statements.add(PolicyStatement.Builder.create()
                .sid("CreateUserSecretsOnlyWithTheStackKey")
                .actions(List.of("secretsmanager:CreateSecret"))
                .resources(List.of(userSecrets))
                .conditions(Map.of("StringEquals", Map.of("secretsmanager:KmsKeyId", userSecretsKey.getKeyArn())))
                .build());
        statements.add(PolicyStatement.Builder.create()
                .sid("ShareUserSecretsOnlyWithPublicPolicyBlocked")
                .actions(List.of("secretsmanager:PutResourcePolicy"))
                .resources(List.of(userSecrets))
                .conditions(Map.of("Bool", Map.of("secretsmanager:BlockPublicPolicy", "true")))
                .build());
        statements.add(statement("MaintainUserSecrets", List.of(
                        "secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
                        "secretsmanager:PutSecretValue", "secretsmanager:TagResource",
                        "secretsmanager:UntagResource"),
                List.of(userSecrets)));
        statements.add(statement("ListSecrets", List.of("secretsmanager:ListSecrets"), List.of("*")));
        statements.add(PolicyStatement.Builder.create()
                .sid("UseUserSecretsKeyThroughSecretsManager")
                .actions(List.of("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"))
                .resources(List.of(userSecretsKey.getKeyArn()))
                .conditions(Map.of("StringEquals", Map.of("kms:ViaService", KeyPolicies.SECRETS_MANAGER_SERVICE)))
                .build());
        statements.add(statement("PublishNotices", List.of("sns:Publish"), List.of(noticeTopic.getTopicArn())));
        statements.add(PolicyStatement.Builder.create()
                .sid("EncryptNoticesThroughSns")
                .actions(List.of("kms:Decrypt", "kms:GenerateDataKey"))
                .resources(List.of(topicsKey.getKeyArn()))
                .conditions(Map.of("StringEquals", Map.of("kms:ViaService", KeyPolicies.SNS_SERVICE)))
                .build());
        statements.add(statement("ReadConfigurationParameters", List.of("ssm:GetParameter", "ssm:GetParameters"),
                new ArrayList<>(parameters.parameterArns().values())));
        // GetParametersByPath is authorized against the requested path, not the parameters it returns.
        statements.add(statement("ReadConfigurationPath", List.of("ssm:GetParametersByPath"),
                List.of(parameterPath)));
        statements.forEach(functionRole::addToPrincipalPolicy);
    }

    private static PolicyStatement statement(String sid, List<String> actions, List<String> resources) {
        return PolicyStatement.Builder.create().sid(sid).actions(actions).resources(resources).build();
    }

    /** An ARN in this stack's partition/account, in this region unless {@code region} is given ("" for global). */
    private String arn(String service, String region, String resource, String resourceName) {
        ArnComponents.Builder components = ArnComponents.builder()
                .service(service).resource(resource).resourceName(resourceName)
                .arnFormat(service.equals("secretsmanager") ? ArnFormat.COLON_RESOURCE_NAME
                        : ArnFormat.SLASH_RESOURCE_NAME);
        if (region != null) {
            components.region(region);
        }
        return Arn.format(components.build(), this);
    }

    private static Duration cap(Duration value, Duration max) {
        return Duration.seconds(Math.min(value.toSeconds().longValue(), max.toSeconds().longValue()));
    }

    public Function rotationFunction() {
        return rotationFunction;
    }

    public Alias liveAlias() {
        return liveAlias;
    }

    public Role functionRole() {
        return functionRole;
    }

    public Key userSecretsKey() {
        return userSecretsKey;
    }

    public Key topicsKey() {
        return topicsKey;
    }

    public Topic noticeTopic() {
        return noticeTopic;
    }

    public Topic alarmTopic() {
        return alarmTopic;
    }

    public Queue deadLetterQueue() {
        return deadLetterQueue;
    }

    public RotatorAlarms alarms() {
        return alarms;
    }
}
