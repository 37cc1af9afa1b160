package dev.accesskeyrotator.infra;

import dev.accesskeyrotator.contract.EnvironmentVariable;
import dev.accesskeyrotator.contract.OptInTag;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.ApplicationLogLevel;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.DestinationConfig;
import software.amazon.awscdk.services.lambda.DestinationOptions;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.IDestination;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.lambda.LoggingFormat;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.SystemLogLevel;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sqs.Queue;
import software.constructs.Construct;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The rotation function as the schedule and AWS Health invoke it: the jar on Java 25 on Graviton, its memory and
 * timeout, SnapStart, the settings it reads from its environment, the log group it writes to, and the {@code live}
 * alias that always runs a published version and sends a run that failed twice to the dead-letter queue.
 *
 * <p>Its resources are made in the stack's own scope under the ids they have always had, as {@link ExposureTrigger}'s
 * are: a construct of its own would put its id in front of every logical id, and CloudFormation would then replace
 * the function and its alias and orphan the retained log group on the next deploy. What the function may do (its
 * role's policy) stays with the stack, which owns the resources it is allowed on.
 */
final class RotationFunction {
    static final String HANDLER = "dev.accesskeyrotator.lambda.RotationHandler::handleRequest";
    static final String ALIAS_NAME = "live";
    /**
     * The Lambda maximum. The function stops starting new users when its remaining time runs short and reports them
     * as deferred, so the timeout is a ceiling, not a target: billing follows the actual duration. A large account
     * (thousands of opted-in users, IAM throttling with back-off) gets the whole window.
     */
    static final Duration TIMEOUT = Duration.minutes(15);
    /** Users handled in parallel (see {@link EnvironmentVariable#DEFAULT_MAX_CONCURRENCY} for why 4). */
    static final int MAX_CONCURRENCY = EnvironmentVariable.DEFAULT_MAX_CONCURRENCY;
    /**
     * C1-only JIT. A run lasts seconds to minutes with a fraction of a vCPU: C2 would spend that CPU compiling code
     * that finishes before the optimized version pays off. AWS recommends this for short-lived Java functions; with
     * SnapStart it also shortens the priming done before the snapshot.
     */
    static final String JAVA_TOOL_OPTIONS = "-XX:+TieredCompilation -XX:TieredStopAtLevel=1";
    /** A failed run's event is retried for at most this long, and never once the next scheduled run is due. */
    static final Duration MAX_RETRY_AGE = Duration.hours(6);

    private final Function function;
    private final Alias liveAlias;

    /**
     * The log group the function writes to. Apart from the constructor because the stack makes it first, where the
     * template has always had it, and the role's policy names it before the function exists.
     */
    static LogGroup logGroup(Construct scope, RotatorStackProps props) {
        return LogGroup.Builder.create(scope, "FunctionLogs")
                .retention(props.logRetention())
                // The rotation history (who, when, which key id) is an audit record; keep it after a destroy.
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
    }

    /**
     * @param role            the function's execution role, whose policy the stack writes
     * @param noticeTopic     where the function publishes notices
     * @param userSecretsKey  the key the function encrypts user secrets with
     * @param deadLetterQueue where a run that failed twice ends up
     */
    RotationFunction(Construct scope, RotatorStackProps props, LogGroup logs, Role role, Topic noticeTopic,
                     Key userSecretsKey, Queue deadLetterQueue) {
        this.function = Function.Builder.create(scope, "RotationFunction")
                .description("Rotates access keys of IAM users tagged " + props.optInTag())
                .runtime(Runtime.JAVA_25)
                // Graviton: cheaper per GB-second and SnapStart supports it.
                .architecture(Architecture.ARM_64)
                .handler(HANDLER)
                .code(Code.fromAsset(props.functionJar().toString()))
                .memorySize(props.memorySize())
                .timeout(TIMEOUT)
                // The snapshot is taken when a version is published; the alias below always points at one.
                .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS)
                // One run at a time, even when the schedule delivers twice or a retry overlaps a slow run.
                .reservedConcurrentExecutions(1)
                .role(role)
                .logGroup(logs)
                .loggingFormat(LoggingFormat.JSON)
                .applicationLogLevelV2(ApplicationLogLevel.INFO)
                .systemLogLevelV2(SystemLogLevel.INFO)
                .environment(environment(props, role, noticeTopic, userSecretsKey))
                .build();

        // CDK warns that SnapStart applies to published versions only; the alias below runs exactly such a version.
        Annotations.of(function).acknowledgeWarning("@aws-cdk/aws-lambda:snapStartRequirePublish",
                "The schedule invokes the live alias, which points at a version published from this function");

        long runIntervalSeconds = props.schedule().interval().toSeconds();
        this.liveAlias = Alias.Builder.create(scope, "LiveAlias")
                .aliasName(ALIAS_NAME)
                .version(function.getCurrentVersion())
                // Runs are idempotent, so a failed run is tried once more (after about a minute) before its event
                // lands in the dead-letter queue and raises the alarm; later the next scheduled run retries anyway.
                .retryAttempts(1)
                .maxEventAge(Duration.seconds(Math.min(runIntervalSeconds, MAX_RETRY_AGE.toSeconds().longValue())))
                .onFailure(new SendOnlyQueueDestination(deadLetterQueue))
                .build();
    }

    /** The deploy-time settings the function reads (config.RotatorSettings), named by the contract. */
    private static Map<String, String> environment(RotatorStackProps props, Role role, Topic noticeTopic,
                                                   Key userSecretsKey) {
        OptInTag optInTag = props.optInTag();
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put(EnvironmentVariable.PARAMETER_PREFIX.name(), props.parameterPrefix());
        environment.put(EnvironmentVariable.SECRET_NAME_PREFIX.name(), props.secretNamePrefix());
        environment.put(EnvironmentVariable.NOTICE_TOPIC_ARN.name(), noticeTopic.getTopicArn());
        environment.put(EnvironmentVariable.SECRET_KMS_KEY_ID.name(), userSecretsKey.getKeyArn());
        environment.put(EnvironmentVariable.ADMIN_CONTACT.name(), props.contact());
        environment.put(EnvironmentVariable.MAX_CONCURRENCY.name(), Integer.toString(MAX_CONCURRENCY));
        environment.put("JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS);
        // The function refuses a user-tag parameter that selects users this tag (its IAM permissions) does not.
        environment.put(EnvironmentVariable.OPT_IN_TAG.name(), optInTag.toString());
        // The two principals the function's secret resource policy lets change a user secret.
        environment.put(EnvironmentVariable.FUNCTION_ROLE_ARN.name(), role.getRoleArn());
        environment.put(EnvironmentVariable.BREAK_GLASS_PRINCIPAL_ARN.name(), props.breakGlassPrincipalArn());
        // The same readers as the key policy's, for the secret resource policy the function writes.
        if (!props.delegatedReaders().isEmpty()) {
            environment.put(EnvironmentVariable.DELEGATED_READERS.name(),
                    RotatorStackProps.delegatedReadersVariable(props.delegatedReaders()));
        }
        return environment;
    }

    Function function() {
        return function;
    }

    Alias liveAlias() {
        return liveAlias;
    }

    /**
     * The dead-letter queue as the on-failure destination, granting only {@code sqs:SendMessage}: Lambda needs
     * nothing else to deliver a failed invocation record, while CDK's SqsDestination would also grant
     * {@code sqs:GetQueueAttributes} and {@code sqs:GetQueueUrl}, which nothing calls.
     */
    private record SendOnlyQueueDestination(Queue queue) implements IDestination {
        @Override
        public DestinationConfig bind(Construct scope, IFunction function, DestinationOptions options) {
            queue.grant(function, "sqs:SendMessage");
            return DestinationConfig.builder().destination(queue.getQueueArn()).build();
        }

        @Override
        public DestinationConfig bind(Construct scope, IFunction function) {
            return bind(scope, function, null);
        }
    }
}
