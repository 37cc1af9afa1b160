package dev.accesskeyrotator.infra;

import software.amazon.awscdk.interfaces.events.IRuleRef;
import software.amazon.awscdk.services.events.EventField;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.IRuleTarget;
import software.amazon.awscdk.services.events.Match;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.RuleTargetConfig;
import software.amazon.awscdk.services.events.RuleTargetInput;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.sns.Topic;
import software.constructs.Construct;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Every change to a parameter under the prefixes a stack reads reaches the administrators (its alarm topic): a
 * parameter can switch rotation to dry-run, stretch the key age or change whom it selects, so no change should go
 * unnoticed even when it is valid. Parameter Store sends these events to the default event bus on its own. Used by
 * the single-account stack and the organization hub alike; the topics key lets EventBridge publish
 * ({@link KeyPolicies#topicsKey}, statement {@value #SID}).
 */
final class ParameterChangeNotice {
    static final String ID = "ParameterChangeNotice";
    static final String SID = "EventBridgePublishesParameterChanges";

    private ParameterChangeNotice() {}

    /**
     * @param prefixes the parameter paths the stack reads; one nested in another is already covered by it and is left
     *                 out of the pattern
     */
    static Rule create(Construct scope, List<String> prefixes, Topic adminTopic) {
        Rule rule = Rule.Builder.create(scope, ID)
                .description("Tells the administrators about every change to an access key rotation parameter")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.ssm"))
                        .detailType(List.of("Parameter Store Change"))
                        // One prefix matcher per path, merged into the field's one list of matchers.
                        .detail(Map.of("name", Match.anyOf(outermost(prefixes).stream()
                                .map(Match::prefix).toArray())))
                        .build())
                .build();
        RuleTargetInput message = RuleTargetInput.fromText("Access Key Rotator: parameter "
                + EventField.fromPath("$.detail.name") + " changed (" + EventField.fromPath("$.detail.operation")
                + ") at " + EventField.fromPath("$.time") + " in account " + EventField.fromPath("$.account")
                + ", region " + EventField.fromPath("$.region") + ". The next rotation run uses the parameters as"
                + " they are then (a deleted one takes its default). If nobody meant to make this change, find the"
                + " caller in CloudTrail (PutParameter, DeleteParameter) and restore the value.");
        rule.addTarget(new AdminTopicTarget(adminTopic, message));
        adminTopic.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid(SID)
                .principals(List.of(new ServicePrincipal("events.amazonaws.com")))
                .actions(List.of("sns:Publish"))
                .resources(List.of(adminTopic.getTopicArn()))
                .conditions(Map.of("ArnEquals", Map.of("aws:SourceArn", rule.getRuleArn())))
                .build());
        return rule;
    }

    /** The prefixes, sorted, without those another one already starts (an event matches either way). */
    static List<String> outermost(List<String> prefixes) {
        List<String> kept = new ArrayList<>();
        for (String prefix : new TreeSet<>(prefixes)) {
            // Sorted, a prefix comes right after any prefix of it that is kept.
            if (kept.isEmpty() || !prefix.startsWith(kept.get(kept.size() - 1))) {
                kept.add(prefix);
            }
        }
        if (kept.isEmpty()) {
            throw new IllegalArgumentException("a parameter change notice needs at least one prefix");
        }
        return kept;
    }

    /**
     * The admin topic as a rule target, without CDK's SnsTopic grants: those would let any rule publish (no
     * aws:SourceArn) and add a wildcard {@code kms:GenerateDataKey*} to the key policy. The topic policy above and
     * the topics key policy grant exactly what delivery needs.
     */
    private record AdminTopicTarget(Topic topic, RuleTargetInput message) implements IRuleTarget {
        @Override
        public RuleTargetConfig bind(IRuleRef rule, String id) {
            return RuleTargetConfig.builder().arn(topic.getTopicArn()).input(message).targetResource(topic).build();
        }

        @Override
        public RuleTargetConfig bind(IRuleRef rule) {
            return bind(rule, null);
        }
    }
}
