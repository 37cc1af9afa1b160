package dev.accesskeyrotator.infra;

import dev.accesskeyrotator.contract.OptInTag;
import dev.accesskeyrotator.contract.Notices.EventType;
import dev.accesskeyrotator.contract.Notices;
import software.amazon.awscdk.Arn;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.iam.AnyPrincipal;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.sns.StringConditions;
import software.amazon.awscdk.services.sns.SubscriptionFilter;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scheduled rotation of IAM user access keys: an EventBridge rule invokes the rotation function's {@code live}
 * alias; the function reads its configuration from Parameter Store, rotates keys of users carrying the opt-in tag,
 * stores each new key in that user's own secret and notifies through SNS. Administrators are told of every change to
 * a parameter. See docs/deploy.md and docs/security.md.
 *
 * <p>The stack is environment-agnostic (account and region are CloudFormation pseudo parameters), so it
 * synthesizes without AWS credentials.
 */
public final class RotatorStack extends Stack {
    // The function's own facts live with it (RotationFunction); named here too for the hub stack and the tests.
    public static final String HANDLER = RotationFunction.HANDLER;
    public static final String ALIAS_NAME = RotationFunction.ALIAS_NAME;
    public static final Duration FUNCTION_TIMEOUT = RotationFunction.TIMEOUT;
    public static final int MAX_CONCURRENCY = RotationFunction.MAX_CONCURRENCY;
    public static final String JAVA_TOOL_OPTIONS = RotationFunction.JAVA_TOOL_OPTIONS;

    /**
     * Encryption with a KMS key, in every form a service could use on the function's behalf (data keys, data key
     * pairs, re-encryption); denied for every key but the stack's. A Deny may name wildcards: it only ever takes.
     */
    public static final List<String> NEVER_WITH_ANOTHER_KEY_ACTIONS = List.of(
            "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*");
    /** Notice subscription protocols that reach a person or a queue the subscriber reads. */
    public static final List<String> SUBSCRIBER_PROTOCOLS = List.of("email", "email-json", "https", "sqs");

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
    private final ManagedPolicy noticeSubscriberPolicy;
    private final Rule parameterChangeRule;
    /** Rev 3: AWS Health's exposure event to the function. */
    private final Rule exposureRule;

    public RotatorStack(Construct scope, String id, RotatorStackProps props) {
        super(scope, id, props.stackProps());
        OptInTag optInTag = props.optInTag();
        Duration runInterval = Duration.seconds(props.schedule().interval().toSeconds());

        LogGroup functionLogs = RotationFunction.logGroup(this, props);

        // No managed policy, not even AWSLambdaBasicExecutionRole: every permission is listed below.
        this.functionRole = Role.Builder.create(this, "FunctionRole")
                .description("Access Key Rotator: rotates access keys of IAM users tagged " + optInTag)
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .build();

        this.userSecretsKey = Key.Builder.create(this, "UserSecretsKey")
                .description("Access Key Rotator: encrypts each user's access key secret")
                .enableKeyRotation(true)
                .policy(KeyPolicies.userSecretsKey(functionRole, props.secretNamePrefix(), props.delegatedReaders(),
                        props.keyAdminPrincipalArns()))
                // The user secrets are created by the function, not the stack, and outlive it: without this key
                // they could not be read any more.
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        // Key owners' tools find the key by this name (the key policy lets the account's users describe the key) and
        // compare the ARN it resolves to with their secret's.
        userSecretsKey.addAlias(props.secretsKeyAlias());
        this.topicsKey = Key.Builder.create(this, "TopicsKey")
                .description("Access Key Rotator: encrypts the notice and alarm topics")
                .enableKeyRotation(true)
                .policy(KeyPolicies.topicsKey(functionRole, props.keyAdminPrincipalArns()))
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
        props.alarmEmail().ifPresent(email -> subscribeAdministrators(email, alarmTopic, noticeTopic));

        this.deadLetterQueue = Queue.Builder.create(this, "DeadLetterQueue")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(14))
                .build();

        new DefaultParameters(this, "Parameters", props.parameterPrefix(), optInTag);

        RotationFunction function = new RotationFunction(this, props, functionLogs, functionRole, noticeTopic,
                userSecretsKey, deadLetterQueue);
        this.rotationFunction = function.function();
        this.liveAlias = function.liveAlias();

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

        this.exposureRule = ExposureTrigger.create(this, liveAlias, deadLetterQueue);

        grantRotationPermissions(props, functionLogs);
        this.noticeSubscriberPolicy = restrictNoticeSubscriptions();
        this.parameterChangeRule = ParameterChangeNotice.create(this, List.of(props.parameterPrefix()), alarmTopic);
        this.alarms = new RotatorAlarms(this, "Alarms", rotationFunction, deadLetterQueue, alarmTopic,
                props.schedule().interval());
        CdkNagAcknowledgements.acknowledgeRotatorFindings(functionRole, deadLetterQueue, props);

        CfnOutput.Builder.create(this, "NoticeTopicArn").value(noticeTopic.getTopicArn())
                .description("Subscribe users (filter on " + Notices.USER_NAME + ") and admins (filter on "
                        + Notices.EVENT_TYPE + ") here").build();
        CfnOutput.Builder.create(this, "AlarmTopicArn").value(alarmTopic.getTopicArn())
                .description("Receives the rotator's CloudWatch alarms").build();
        CfnOutput.Builder.create(this, "FunctionName").value(rotationFunction.getFunctionName()).build();
        CfnOutput.Builder.create(this, "UserSecretsKeyAlias").value(props.secretsKeyAlias()).build();
        CfnOutput.Builder.create(this, "LiveAliasArn").value(liveAlias.getFunctionArn())
                .description("Invoke this to run a rotation now").build();
        CfnOutput.Builder.create(this, "UserSecretsKeyArn").value(userSecretsKey.getKeyArn()).build();
        CfnOutput.Builder.create(this, "ParameterPrefix").value(props.parameterPrefix()).build();
        CfnOutput.Builder.create(this, "SecretNamePrefix").value(props.secretNamePrefix()).build();
        CfnOutput.Builder.create(this, "OptInTag").value(optInTag.toString())
                .description("Users carrying this tag are rotated; the IAM permissions allow no other").build();
        CfnOutput.Builder.create(this, "BreakGlassPrincipalArn").value(props.breakGlassPrincipalArn())
                .description("Besides the function, the only principal that may change or delete a user secret")
                .build();
        CfnOutput.Builder.create(this, "NoticeSubscriberPolicyArn")
                .value(noticeSubscriberPolicy.getManagedPolicyArn())
                .description("Attach to key owners (or their group) so they can subscribe to their own notices")
                .build();
    }

    /**
     * The function role's identity policy: exactly the calls the function makes, on the narrowest resources
     * (OperationsMatchPermissionsTest compares it with the calls in the function jar).
     */
    private void grantRotationPermissions(RotatorStackProps props, LogGroup functionLogs) {
        String anyUser = arn("iam", "", "user", "*");
        String userSecrets = arn("secretsmanager", null, "secret", props.secretNamePrefix() + "*");
        String parameterPath = arn("ssm", null, "parameter",
                props.parameterPrefix().substring(1, props.parameterPrefix().length() - 1));
        OptInTag tag = props.optInTag();

        List<PolicyStatement> statements = new ArrayList<>();
        statements.add(statement("WriteOwnLogs", List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                List.of(functionLogs.getLogGroupArn())));
        statements.addAll(RotationRolePolicy.rotateKeysIntoOwnedSecrets(tag, anyUser, userSecrets,
                userSecretsKey.getKeyArn(), "Stack", true));
        statements.add(statement("PublishNotices", List.of("sns:Publish"), List.of(noticeTopic.getTopicArn())));
        statements.add(PolicyStatement.Builder.create()
                .sid("EncryptNoticesThroughSns")
                .actions(List.of("kms:Decrypt", "kms:GenerateDataKey"))
                .resources(List.of(topicsKey.getKeyArn()))
                .conditions(Map.of("StringEquals", Map.of("kms:ViaService", KeyPolicies.SNS_SERVICE)))
                .build());
        // GetParametersByPath is authorized against the requested path, not the parameters it returns.
        statements.add(statement("ReadConfigurationPath", List.of("ssm:GetParametersByPath"),
                List.of(parameterPath)));
        // A secret re-keyed (or pre-created) under another KMS key between the function's ownership check and its
        // write must make the write fail, not hand the new access key to whoever controls that key. Secrets Manager
        // and SNS generate data keys with the caller's permissions, so this Deny reaches every key but the stack's
        // two, AWS managed keys such as aws/secretsmanager included (their key policies allow the whole account).
        // The stack's keys need no exception by service here: the Allow statements above and both key policies
        // already admit them only through Secrets Manager and SNS.
        statements.add(PolicyStatement.Builder.create()
                .sid("NeverEncryptWithAnotherKey")
                .effect(Effect.DENY)
                .actions(NEVER_WITH_ANOTHER_KEY_ACTIONS)
                .notResources(List.of(userSecretsKey.getKeyArn(), topicsKey.getKeyArn()))
                .build());
        // And never decrypt with another: then a secret value the function can read was encrypted with the stack's
        // key, which only the function may encrypt with, so the function wrote it. Without this, a value written
        // under the AWS managed key (which the whole account may use) and then re-keyed to the stack's key (Secrets
        // Manager leaves it as it was when the caller may not use the new key) would read as the rotator's.
        // Single-account role only: the organization's spoke role is issue "Organizations on real AWS".
        statements.add(PolicyStatement.Builder.create()
                .sid("NeverDecryptWithAnotherKey")
                .effect(Effect.DENY)
                .actions(List.of("kms:Decrypt"))
                .notResources(List.of(userSecretsKey.getKeyArn(), topicsKey.getKeyArn()))
                .build());
        statements.forEach(functionRole::addToPrincipalPolicy);
    }

    /**
     * Notices name users and dates but never carry a key, yet who receives them is still the stack's business:
     * nobody outside the account may subscribe, and inside it a principal needs an identity policy allowing
     * {@code sns:Subscribe} (the topic policy grants none). The returned customer managed policy is what
     * administrators attach to key owners or their group.
     */
    private ManagedPolicy restrictNoticeSubscriptions() {
        noticeTopic.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("NoSubscriptionsFromOtherAccounts")
                .effect(Effect.DENY)
                .principals(List.of(new AnyPrincipal()))
                // Subscribe only: deliveries (and the function's, CloudWatch's and EventBridge's Publish) are
                // other actions, so no service integration is affected by this statement.
                .actions(List.of("sns:Subscribe"))
                .resources(List.of(noticeTopic.getTopicArn()))
                .conditions(Map.of("StringNotEquals", Map.of("aws:PrincipalAccount", Aws.ACCOUNT_ID)))
                .build());
        // An owner subscribes with a filter policy on their own user_name, e.g.
        // aws sns subscribe --protocol email --notification-endpoint ME --attributes
        // '{"FilterPolicy":"{\"user_name\":[\"alice\"]}"}'. IAM has no condition key for the filter policy, so
        // this policy cannot force that filter: a holder may subscribe to every user's notices. That is accepted
        // because a notice holds no secret (names, key ids, dates); reading a key always needs the owner's own
        // secret. Protocols are limited to ones that reach a person or a queue, not Lambda or SMS/mobile push.
        return ManagedPolicy.Builder.create(this, "NoticeSubscriberPolicy")
                .description("Access Key Rotator: subscribe to the rotation notice topic by email, HTTPS or SQS;"
                        + " set a filter policy on your own " + Notices.USER_NAME)
                .statements(List.of(PolicyStatement.Builder.create()
                        .sid("SubscribeToRotationNotices")
                        .actions(List.of("sns:Subscribe"))
                        .resources(List.of(noticeTopic.getTopicArn()))
                        .conditions(Map.of("StringEquals", Map.of("sns:Protocol", SUBSCRIBER_PROTOCOLS)))
                        .build()))
                .build();
    }

    /**
     * {@code -c alarmEmail}, in both modes: every alarm, and of the notices the outcome of each run and what needs a
     * person ({@link EventType#forAdministrators}), not every user's routine notice.
     */
    static void subscribeAdministrators(String email, Topic alarmTopic, Topic noticeTopic) {
        alarmTopic.addSubscription(new EmailSubscription(email));
        noticeTopic.addSubscription(EmailSubscription.Builder.create(email)
                .filterPolicy(Map.of(Notices.EVENT_TYPE, SubscriptionFilter.stringFilter(StringConditions.builder()
                        .allowlist(EventType.forAdministrators()).build())))
                .build());
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

    public ManagedPolicy noticeSubscriberPolicy() {
        return noticeSubscriberPolicy;
    }

    public Rule exposureRule() {
        return exposureRule;
    }

    public Rule parameterChangeRule() {
        return parameterChangeRule;
    }
}
