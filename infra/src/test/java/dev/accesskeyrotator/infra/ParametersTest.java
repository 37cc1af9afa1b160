package dev.accesskeyrotator.infra;

import dev.accesskeyrotator.contract.Parameter;
import dev.accesskeyrotator.contract.OptInTag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.assertions.Capture;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.accesskeyrotator.infra.Stacks.getAtt;
import static dev.accesskeyrotator.infra.Stacks.join;
import static dev.accesskeyrotator.infra.Stacks.ref;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParametersTest {
    private final RotatorStack stack = Stacks.defaultStack();
    private final Template template = Stacks.defaultTemplate();

    /** The PutParameter call that only creates a missing parameter, serialized as AwsCustomResource stores it. */
    private static Object createOnlyIfMissing(String name, String value) {
        return Match.serializedJson(Map.of(
                "service", "SSM",
                "action", "PutParameter",
                "parameters", Match.objectLike(Map.of(
                        "Name", name,
                        "Value", value,
                        "Type", "String",
                        "Overwrite", false)),
                "ignoreErrorCodesMatching", "ParameterAlreadyExists",
                "physicalResourceId", Map.of("id", name)));
    }

    @Test
    void createsEachParameterWithItsDefaultOnlyWhenMissing() {
        Map<String, String> defaults = Map.of(
                "max-key-age-days", "90",
                "user-tag", "access-key-rotation=enabled",
                "grace-days", "0",
                "delete-after-days", "30",
                "dry-run", "false",
                "max-rotations-per-run", "100",
                "cutover", "on-use",
                "max-grace-days", "7",
                "old-key-idle-hours", "24");
        Map<String, String> reminders = Map.of("reminder-days", "7", "attention-reminder-days", "7");
        template.resourceCountIs("Custom::RotationParameter", defaults.size() + reminders.size());
        defaults = new java.util.HashMap<>(defaults);
        defaults.putAll(reminders);
        defaults.forEach((parameter, value) -> {
            String name = "/access-key-rotation/" + parameter;
            template.hasResourceProperties("Custom::RotationParameter", Map.of(
                    "Create", createOnlyIfMissing(name, value),
                    // A later deployment runs the same non-overwriting call: new names are created, values kept.
                    "Update", createOnlyIfMissing(name, value),
                    "InstallLatestAwsSdk", false));
        });
    }

    @Test
    void neverDeletesOrOverwritesParameters() {
        template.allResourcesProperties("Custom::RotationParameter", Map.of(
                "Delete", Match.absent(),
                "Create", Match.serializedJson(Match.objectLike(Map.of(
                        "parameters", Match.objectLike(Map.of("Overwrite", false))))),
                "Update", Match.serializedJson(Match.objectLike(Map.of(
                        "parameters", Match.objectLike(Map.of("Overwrite", false)))))));
        // A CloudFormation-managed parameter would be reset to the template's value on a later deployment.
        template.resourceCountIs("AWS::SSM::Parameter", 0);
    }

    @Test
    void theProviderMayOnlyCreateTheseParameters() {
        String arnStart = ":parameter/access-key-rotation/";
        Map<String, Object> partition = ref("AWS::Partition");
        Map<String, Object> region = ref("AWS::Region");
        Map<String, Object> account = ref("AWS::AccountId");
        template.hasResourceProperties("AWS::IAM::Role", Map.of(
                "Policies", List.of(Map.of(
                        "PolicyName", "CreateMissingParameters",
                        "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectEquals(Map.of(
                                "Sid", "CreateRotationParameters",
                                "Effect", "Allow",
                                "Action", "ssm:PutParameter",
                                "Resource", List.of(
                                        join("arn:", partition, ":ssm:", region, ":", account,
                                                arnStart + "max-key-age-days"),
                                        join("arn:", partition, ":ssm:", region, ":", account, arnStart + "user-tag"),
                                        join("arn:", partition, ":ssm:", region, ":", account, arnStart + "grace-days"),
                                        join("arn:", partition, ":ssm:", region, ":", account,
                                                arnStart + "delete-after-days"),
                                        join("arn:", partition, ":ssm:", region, ":", account, arnStart + "dry-run"),
                                        join("arn:", partition, ":ssm:", region, ":", account,
                                                arnStart + "max-rotations-per-run"),
                                        join("arn:", partition, ":ssm:", region, ":", account, arnStart + "cutover"),
                                        join("arn:", partition, ":ssm:", region, ":", account,
                                                arnStart + "max-grace-days"),
                                        join("arn:", partition, ":ssm:", region, ":", account,
                                                arnStart + "old-key-idle-hours"),
                                        join("arn:", partition, ":ssm:", region, ":", account,
                                                arnStart + "reminder-days"),
                                        join("arn:", partition, ":ssm:", region, ":", account,
                                                arnStart + "attention-reminder-days")))))))))));
    }

    @Test
    void userTagDefaultFollowsTheOptInTagAndNamesFollowThePrefix() {
        Template custom = Stacks.template(RotatorStackProps.builder()
                .optInTag("team=platform").parameterPrefix("/platform/key-rotation/"));
        custom.hasResourceProperties("Custom::RotationParameter", Map.of(
                "Create", createOnlyIfMissing("/platform/key-rotation/user-tag", "team=platform")));
        custom.hasResourceProperties("Custom::RotationParameter", Map.of(
                "Create", createOnlyIfMissing("/platform/key-rotation/max-key-age-days", "90")));
    }

    /**
     * The AllowedPattern the stack's custom resource passes to PutParameter for {@code name}, on create and on
     * update alike (read from the synthesized template, not from the constants).
     */
    private static String allowedPattern(Template template, String name) {
        Map<String, Map<String, Object>> resources = template.findResources("Custom::RotationParameter", Map.of(
                "Properties", Map.of("Create", Match.serializedJson(Match.objectLike(Map.of(
                        "parameters", Match.objectLike(Map.of("Name", name))))))));
        assertEquals(1, resources.size(), name);
        Template only = Template.fromJSON(Map.of("Resources", resources));
        Capture onCreate = new Capture();
        Capture onUpdate = new Capture();
        only.hasResourceProperties("Custom::RotationParameter", Map.of(
                "Create", Match.serializedJson(Match.objectLike(Map.of(
                        "parameters", Match.objectLike(Map.of("AllowedPattern", onCreate))))),
                "Update", Match.serializedJson(Match.objectLike(Map.of(
                        "parameters", Match.objectLike(Map.of("AllowedPattern", onUpdate)))))));
        assertEquals(onCreate.asString(), onUpdate.asString());
        return onCreate.asString();
    }

    /** Parameter, its default, values Parameter Store must accept, values it must refuse. */
    static Stream<Arguments> patterns() {
        String key128 = "k".repeat(128);
        String value256 = "v".repeat(256);
        return Stream.of(
                Arguments.of("max-key-age-days", "90",
                        List.of("1", "9", "10", "99", "365", "999", "1000", "2999", "3000", "3599", "3600", "3649",
                                "3650"),
                        List.of("", " ", "0", "00", "090", "3651", "3700", "4000", "9999", "10000", "-1", "+90",
                                " 90", "90 ", "9.5", "1e2", "ninety", "90d")),
                Arguments.of("grace-days", "0",
                        List.of("0", "1", "7", "30", "3650"),
                        List.of("", "-0", "00", "07", "3651", "-1", "seven", " 0")),
                Arguments.of("delete-after-days", "30",
                        List.of("0", "1", "30", "365", "3650"),
                        List.of("", "030", "3651", "-30", "30.0", "thirty")),
                Arguments.of("max-rotations-per-run", "100",
                        List.of("1", "50", "100", "99999", "100000"),
                        List.of("", "0", "000", "0100", "100001", "999999", "-5", "1,000", " 100")),
                Arguments.of("cutover", "on-use",
                        List.of("on-use", "after-grace"),
                        List.of("", "ON-USE", "on use", "onuse", "after-grace ", "never")),
                Arguments.of("old-key-idle-hours", "24",
                        List.of("4", "9", "10", "99", "100", "699", "700", "719", "720"),
                        List.of("", "0", "3", "04", "721", "800", "1000", "-4", "24h")),
                Arguments.of("attention-reminder-days", "7",
                        List.of("0", "1", "99", "100", "299", "300", "359", "365"),
                        List.of("", "366", "400", "07", "-1", "weekly")),
                Arguments.of("dry-run", "false",
                        List.of("true", "false"),
                        List.of("", "TRUE", "True", "False", "yes", "no", "1", "0", " true", "false ", "truefalse")),
                Arguments.of("user-tag", "access-key-rotation=enabled",
                        List.of("rotate-me", "r", "team=platform", "team=", "team=a=b", "cost center=R and D",
                                "équipe=plateforme", "app:env/tier_1.x+y-z@w=v:1/2_3.4+5-6@7", key128,
                                key128 + "=" + value256),
                        List.of("", " ", "   ", "=enabled", "=", " team=x", "team =x", "team\t=x", "team=a*b",
                                "team*", "k".repeat(129), "team=" + "v".repeat(257), "team;x=y",
                                "team=\"quoted\"")));
    }

    @ParameterizedTest
    @MethodSource("patterns")
    void parameterStoreRefusesMalformedValues(String parameter, String defaultValue, List<String> accepted,
                                              List<String> refused) {
        String pattern = allowedPattern(template, "/access-key-rotation/" + parameter);
        // Parameter Store applies the pattern as written; an unanchored pattern would accept any value containing a
        // match, so the values are checked the way a search (not a whole-input match) would treat them.
        Pattern compiled = Pattern.compile(pattern);
        assertTrue(compiled.matcher(defaultValue).find(), parameter + " default " + defaultValue);
        for (String value : accepted) {
            assertTrue(compiled.matcher(value).find(), parameter + " must accept '" + value + "'");
        }
        for (String value : refused) {
            assertFalse(compiled.matcher(value).find(), parameter + " must refuse '" + value + "'");
        }
    }

    @Test
    void everyUserTagThePatternAcceptsIsAValidOptInTag() {
        // The stack's OptInTag mirrors the function's parser: what Parameter Store lets through, the run can parse.
        @SuppressWarnings("unchecked")
        List<String> accepted = (List<String>) patterns()
                .filter(arguments -> arguments.get()[0].equals("user-tag")).findFirst().orElseThrow().get()[2];
        Pattern userTag = Pattern.compile(allowedPattern(template, "/access-key-rotation/user-tag"));
        for (String value : accepted) {
            assertTrue(userTag.matcher(value).find(), value);
            assertDoesNotThrow(() -> OptInTag.parse(value), value);
        }
    }

    @Test
    void theUserTagPatternAcceptsEveryDeployableOptInTag() {
        for (String tag : List.of("team=platform", "rotate-me", "team=", "a b=c d")) {
            Template custom = Stacks.template(RotatorStackProps.builder().optInTag(tag));
            assertTrue(Pattern.compile(allowedPattern(custom, "/access-key-rotation/user-tag")).matcher(tag).find(),
                    tag);
        }
    }

    @Test
    void aDefaultOutsideItsPatternFailsTheSynth() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new DefaultParameters.Default("dry-run", "maybe", "", Parameter.DRY_RUN.allowedPattern()));
        assertTrue(error.getMessage().contains("dry-run"), error.getMessage());
    }

    @Test
    void everyParameterChangeUnderThePrefixNotifiesTheAdministrators() {
        String rule = Stacks.logicalId(stack, stack.parameterChangeRule());
        String alarmTopic = Stacks.logicalId(stack, stack.alarmTopic());
        template.hasResource("AWS::Events::Rule", Map.of("Properties", Map.of(
                "Description", Match.anyValue(),
                "State", "ENABLED",
                "EventPattern", Map.of(
                        "source", List.of("aws.ssm"),
                        "detail-type", List.of("Parameter Store Change"),
                        "detail", Map.of("name", List.of(Map.of("prefix", "/access-key-rotation/")))),
                "Targets", List.of(Map.of(
                        "Id", Match.anyValue(),
                        "Arn", ref(alarmTopic),
                        "InputTransformer", Map.of(
                                "InputPathsMap", Map.of(
                                        "detail-name", "$.detail.name",
                                        "detail-operation", "$.detail.operation",
                                        "time", "$.time",
                                        "account", "$.account",
                                        "region", "$.region"),
                                "InputTemplate", Match.stringLikeRegexp(
                                        "\"Access Key Rotator: parameter <detail-name> changed \\(<detail-operation>\\)"
                                                + " at <time> .*The next rotation run uses .*CloudTrail.*\"")))))));
        assertEquals(rule, template.getResourceId("AWS::Events::Rule",
                Map.of("Properties", Map.of("EventPattern", Match.objectLike(Map.of("source", List.of("aws.ssm")))))));
        // EventBridge may publish to the alarm topic for this rule only.
        template.hasResourceProperties("AWS::SNS::TopicPolicy", Map.of(
                "Topics", List.of(ref(alarmTopic)),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectEquals(Map.of(
                        "Sid", "EventBridgePublishesParameterChanges",
                        "Effect", "Allow",
                        "Principal", Map.of("Service", "events.amazonaws.com"),
                        "Action", "sns:Publish",
                        "Resource", ref(alarmTopic),
                        "Condition", Map.of("ArnEquals", Map.of("aws:SourceArn", getAtt(rule, "Arn"))))))))));
        // No other statement anywhere lets EventBridge publish (CDK's SnsTopic target would add one without
        // a condition).
        long eventBridgePublish = Stacks.allStatements(template).stream()
                .filter(s -> Map.of("Service", "events.amazonaws.com").equals(s.get("Principal")))
                .filter(s -> Stacks.actionsOf(s).contains("sns:Publish"))
                .count();
        assertEquals(1, eventBridgePublish);
    }

    @Test
    void aPrefixInsideAnotherIsCoveredByItAndSeparatePrefixesEachGetTheirMatcher() {
        assertEquals(List.of("/a/", "/ab/", "/b/"), ParameterChangeNotice.outermost(
                List.of("/b/", "/a/accounts/", "/ab/", "/a/", "/b/", "/a/accounts/1/")));
        assertThrows(IllegalArgumentException.class, () -> ParameterChangeNotice.outermost(List.of()));
    }

    @Test
    void theParameterChangeRuleFollowsThePrefix() {
        Stacks.template(RotatorStackProps.builder().parameterPrefix("/platform/key-rotation/"))
                .hasResourceProperties("AWS::Events::Rule", Map.of("EventPattern", Match.objectLike(Map.of(
                        "detail", Map.of("name", List.of(Map.of("prefix", "/platform/key-rotation/")))))));
    }
}
