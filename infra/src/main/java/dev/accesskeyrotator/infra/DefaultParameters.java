package dev.accesskeyrotator.infra;

import dev.accesskeyrotator.contract.OptInTag;
import dev.accesskeyrotator.contract.Parameter;
import software.amazon.awscdk.Arn;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.customresources.AwsCustomResource;
import software.amazon.awscdk.customresources.AwsSdkCall;
import software.amazon.awscdk.customresources.PhysicalResourceId;
import software.amazon.awscdk.services.iam.PolicyDocument;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Creates the rotation parameters in Parameter Store with their defaults, once, and never overwrites them.
 *
 * <p>The parameters belong to the administrators after the first deployment: they tune them with
 * {@code aws ssm put-parameter --overwrite}. A CloudFormation-managed {@code AWS::SSM::Parameter} would put the
 * template's value back on the next deployment that touches it, silently undoing their change. Instead each
 * parameter is created by a custom resource that calls {@code PutParameter} with {@code Overwrite=false} and treats
 * {@code ParameterAlreadyExists} as success:
 * <ul>
 *   <li>on create, a missing parameter gets its default and an existing one (an earlier install) is kept;</li>
 *   <li>on update (e.g. a new {@code optInTag} or {@code parameterPrefix} in context) the same call runs, so a
 *       parameter under a new prefix is created while an existing value is never changed;</li>
 *   <li>on delete nothing is called: the values outlive the stack, like the user secrets do.</li>
 * </ul>
 *
 * <p>Each parameter is created with an {@code AllowedPattern}, which Parameter Store keeps with the parameter. The
 * stack relies on Parameter Store checking later overwrites that pass no pattern of their own against it, so that a
 * malformed value is refused at {@code put-parameter} rather than stopping the next run. The pattern guards against
 * mistakes, not intent: a writer may pass a new pattern with the value, which is why every change also raises an
 * administrator notice. A parameter that existed before the patterns were introduced keeps none, since it is never
 * overwritten.
 */
final class DefaultParameters extends Construct {

    /**
     * One parameter: its name under the prefix, default value, what it means (stored as its description) and the
     * regular expression Parameter Store checks every value against.
     */
    record Default(String name, String value, String description, String allowedPattern) {
        Default {
            // A default outside its own pattern would fail the deployment at PutParameter; fail the synth instead.
            if (!Pattern.compile(allowedPattern).matcher(value).matches()) {
                throw new ContextValueRefused("default '" + value + "' of parameter " + name
                        + " does not match its AllowedPattern " + allowedPattern);
            }
        }
    }

    static final String PUT_PARAMETER_ALREADY_EXISTS = "ParameterAlreadyExists";

    /** Every parameter of the catalogue; {@code user-tag} defaults to the stack's opt-in tag. */
    DefaultParameters(Construct scope, String id, String parameterPrefix, OptInTag optInTag) {
        this(scope, id, parameterPrefix, fromCatalogue(optInTag));
    }

    DefaultParameters(Construct scope, String id, String parameterPrefix, List<Default> defaults) {
        super(scope, id);
        Stack stack = Stack.of(this);
        Map<String, String> parameterArns = new LinkedHashMap<>();
        for (Default parameter : defaults) {
            String name = parameterPrefix + parameter.name();
            parameterArns.put(name, Arn.format(ArnComponents.builder()
                    .service("ssm").resource("parameter")
                    // A parameter ARN has no second slash: arn:...:parameter/access-key-rotation/dry-run
                    .resourceName(name.substring(1))
                    .arnFormat(ArnFormat.SLASH_RESOURCE_NAME)
                    .build(), stack));
        }

        // One role for the provider function shared by every AwsCustomResource of the stack: it may only create
        // these parameters and write its own logs, so no managed policy (AWSLambdaBasicExecutionRole) is attached.
        LogGroup providerLogs = LogGroup.Builder.create(this, "ProviderLogs")
                .retention(RetentionDays.ONE_MONTH)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        Role providerRole = Role.Builder.create(this, "ProviderRole")
                .description("Creates the access key rotation parameters if missing; never overwrites them")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .inlinePolicies(Map.of("CreateMissingParameters", PolicyDocument.Builder.create()
                        .statements(List.of(
                                PolicyStatement.Builder.create()
                                        .sid("CreateRotationParameters")
                                        .actions(List.of("ssm:PutParameter"))
                                        .resources(new ArrayList<>(parameterArns.values()))
                                        .build(),
                                PolicyStatement.Builder.create()
                                        .sid("WriteProviderLogs")
                                        .actions(List.of("logs:CreateLogStream", "logs:PutLogEvents"))
                                        .resources(List.of(providerLogs.getLogGroupArn()))
                                        .build()))
                        .build()))
                .build();

        for (Default parameter : defaults) {
            String name = parameterPrefix + parameter.name();
            AwsSdkCall createIfMissing = AwsSdkCall.builder()
                    .service("SSM")
                    .action("PutParameter")
                    .parameters(new TreeMap<>(Map.of(
                            "Name", name,
                            "Value", parameter.value(),
                            "Type", "String",
                            "Description", parameter.description(),
                            "AllowedPattern", parameter.allowedPattern(),
                            "Overwrite", false)))
                    .ignoreErrorCodesMatching(PUT_PARAMETER_ALREADY_EXISTS)
                    .physicalResourceId(PhysicalResourceId.of(name))
                    .build();
            AwsCustomResource.Builder.create(this, constructId(parameter.name()))
                    .resourceType("Custom::RotationParameter")
                    .onCreate(createIfMissing)
                    .onUpdate(createIfMissing)
                    // No onDelete: the parameters are the administrators' configuration and outlive the stack.
                    .role(providerRole)
                    .logGroup(providerLogs)
                    // The SDK in the Lambda runtime has PutParameter; downloading one at deploy time would only add
                    // a network dependency and a moving part.
                    .installLatestAwsSdk(false)
                    .build();
        }
    }

    static List<Default> fromCatalogue(OptInTag optInTag) {
        return Arrays.stream(Parameter.values()).map(parameter -> new Default(parameter.parameterName(),
                        parameter == Parameter.USER_TAG ? optInTag.toString() : parameter.defaultValue(),
                        // Parameter Store shows the description as plain text.
                        parameter.meaning().replace("`", ""), parameter.allowedPattern()))
                .toList();
    }

    /** {@code max-key-age-days} becomes {@code MaxKeyAgeDays}. */
    private static String constructId(String parameterName) {
        StringBuilder id = new StringBuilder();
        for (String word : parameterName.split("-")) {
            id.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
        }
        return id.toString();
    }
}
