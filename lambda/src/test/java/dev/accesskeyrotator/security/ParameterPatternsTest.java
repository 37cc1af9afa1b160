package dev.accesskeyrotator.security;

import dev.accesskeyrotator.config.ConfigurationException;
import dev.accesskeyrotator.contract.Parameter;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.service.ReportCount;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterAlreadyExistsException;
import software.amazon.awssdk.services.ssm.model.ParameterPatternMismatchException;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.ValidationException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parameter Store itself refuses a malformed parameter value: each parameter is created as the stack's custom resource
 * creates it (the catalogue's default, description and {@code AllowedPattern}, {@code Overwrite=false}) through a real
 * SDK client, and an administrator's {@code put-parameter --overwrite} with a value outside the pattern fails with
 * {@code ParameterPatternMismatchException} instead of stopping the next run. What the patterns cannot say (the
 * {@code aws:} key prefix, ranges that depend on another parameter) the run still checks.
 */
class ParameterPatternsTest {
    private static final String WHITESPACE = " ";

    /** Values an administrator could plausibly type that the function would refuse, per parameter. */
    private static final Map<Parameter, List<String>> MALFORMED = Map.ofEntries(
            entry(Parameter.MAX_KEY_AGE_DAYS, List.of("ninety", "0", "3651", "-1", "1.5", "090", "+90", " 90", "90 ",
                    "1e3", WHITESPACE)),
            entry(Parameter.USER_TAG, List.of(" access-key-rotation", "access-key-rotation ", "=enabled", "bad#tag",
                    "k".repeat(129), "key=" + "v".repeat(257), WHITESPACE)),
            entry(Parameter.GRACE_DAYS, List.of("ninety", "-1", "3651", "1.5", "07", WHITESPACE)),
            entry(Parameter.DELETE_AFTER_DAYS, List.of("thirty", "-1", "3651", "1.5", "030", WHITESPACE)),
            // The function reads any case; the pattern takes lower case only (docs/operations.md says so).
            entry(Parameter.DRY_RUN, List.of("yes", "no", "1", "TRUE", "True", " true", WHITESPACE)),
            entry(Parameter.MAX_ROTATIONS_PER_RUN, List.of("0", "100001", "-1", "1.5", "ten", "0100", WHITESPACE)),
            entry(Parameter.CUTOVER, List.of("onuse", "ON-USE", "on_use", "after grace", "never", WHITESPACE)),
            entry(Parameter.MAX_GRACE_DAYS, List.of("seven", "-1", "3651", "1.5", "07", WHITESPACE)),
            entry(Parameter.OLD_KEY_IDLE_HOURS, List.of("0", "3", "721", "24h", "-4", "1.5", "024", WHITESPACE)),
            entry(Parameter.REMINDER_DAYS, List.of("seven", "-1", "3651", "1.5", "07", WHITESPACE)),
            entry(Parameter.ATTENTION_REMINDER_DAYS, List.of("week", "-1", "366", "1.5", "07", WHITESPACE)));

    /** Values inside each range, boundaries included: the patterns must not refuse what the function accepts. */
    private static final Map<Parameter, List<String>> WELL_FORMED = Map.ofEntries(
            entry(Parameter.MAX_KEY_AGE_DAYS, List.of("1", "9", "10", "99", "365", "999", "1000", "2999", "3599",
                    "3649", "3650")),
            entry(Parameter.USER_TAG, List.of("access-key-rotation", "access-key-rotation=", "team=payments and billing",
                    "k".repeat(128) + "=" + "v".repeat(256), "a:b/c.d_e+f-g@h=x=y")),
            entry(Parameter.GRACE_DAYS, List.of("0", "1", "89", "3650")),
            entry(Parameter.DELETE_AFTER_DAYS, List.of("0", "30", "3650")),
            entry(Parameter.DRY_RUN, List.of("true", "false")),
            entry(Parameter.MAX_ROTATIONS_PER_RUN, List.of("1", "50", "99999", "100000")),
            entry(Parameter.CUTOVER, List.of("on-use", "after-grace")),
            entry(Parameter.MAX_GRACE_DAYS, List.of("0", "7", "3650")),
            entry(Parameter.OLD_KEY_IDLE_HOURS, List.of("4", "9", "10", "99", "100", "699", "700", "719", "720")),
            entry(Parameter.REMINDER_DAYS, List.of("0", "7", "3650")),
            entry(Parameter.ATTENTION_REMINDER_DAYS, List.of("0", "1", "99", "100", "299", "359", "365")));

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();
    private RotatorHarness harness;
    private SsmClient ssm;

    @BeforeEach
    void deployParameters() {
        harness = new RotatorHarness(endpoint.aws());
        harness.optedInUser("due-user");
        harness.key("due-user", 200, true);
        ssm = endpoint.ssmClient();
        // A first deployment: the harness seeds parameters for the suites that share it, which a new account lacks.
        ssm.getParametersByPathPaginator(r -> r.path(RotatorHarness.PARAMETER_PREFIX).recursive(true)).stream()
                .flatMap(page -> page.parameters().stream()).toList().forEach(seeded -> ssm.deleteParameter(r -> r.name(seeded.name())));
        for (Parameter parameter : Parameter.values()) {
            createIfMissing(parameter);
        }
    }

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void theCataloguePatternsCoverEveryParameter() {
        assertEquals(Set.of(Parameter.values()), MALFORMED.keySet());
        assertEquals(Set.of(Parameter.values()), WELL_FORMED.keySet());
    }

    @Test
    void everyDefaultIsStoredWithItsPatternAndARedeployKeepsTheAdministratorsValue() {
        for (Parameter parameter : Parameter.values()) {
            assertEquals(parameter.defaultValue(), value(parameter));
            assertEquals(Optional.of(parameter.allowedPattern()),
                    endpoint.aws().ssm().allowedPattern(name(parameter)));
        }
        overwrite(Parameter.MAX_KEY_AGE_DAYS, "60");

        // The next deployment's create-if-missing call is refused, and the stack treats that as success.
        assertThrows(ParameterAlreadyExistsException.class, () -> createIfMissing(Parameter.MAX_KEY_AGE_DAYS));
        assertEquals("60", value(Parameter.MAX_KEY_AGE_DAYS));
    }

    @Test
    void wellFormedValuesAreAccepted() {
        WELL_FORMED.forEach((parameter, values) -> values.forEach(value -> {
            overwrite(parameter, value);
            assertEquals(value, value(parameter));
        }));
    }

    @Test
    void malformedValuesAreRefusedAtPutParameterAndNeverReachARun() {
        List<String> accepted = new ArrayList<>();
        MALFORMED.forEach((parameter, values) -> values.forEach(value -> {
            try {
                overwrite(parameter, value);
                accepted.add(parameter.parameterName() + "='" + value + "'");
            } catch (ParameterPatternMismatchException refused) {
                assertEquals(400, refused.statusCode());
                assertEquals("Parameter value, cannot be validated against allowedPattern: "
                        + parameter.allowedPattern(), refused.awsErrorDetails().errorMessage());
            }
            assertEquals(parameter.defaultValue(), value(parameter), "a refused put leaves the value as it was");
        }));
        assertEquals(List.of(), accepted, "Parameter Store accepted malformed values");
        // An empty value never gets as far as the pattern: the API's length constraint refuses it first.
        for (Parameter parameter : Parameter.values()) {
            assertThrows(ValidationException.class, () -> overwrite(parameter, ""));
        }

        RunReport report = harness.run();

        Map<String, String> used = new LinkedHashMap<>();
        report.configuration().forEach((name, value) -> used.put(name, String.valueOf(value)));
        Map<String, String> defaults = new LinkedHashMap<>();
        for (Parameter parameter : Parameter.values()) {
            defaults.put(parameter.parameterName(), parameter.defaultValue());
        }
        assertEquals(defaults, used, "the run used the values Parameter Store kept");
        assertEquals(List.of(), report.defaultedParameters(), "every parameter was read from Parameter Store");
        assertEquals(1, report.count(ReportCount.ROTATED));
    }

    @Test
    void anAwsPrefixedTagKeyPassesThePatternButStopsTheRun() {
        // A regular expression without look-ahead cannot refuse the reserved "aws:" prefix clearly (see
        // OptInTag.ALLOWED_PATTERN), so Parameter Store stores it; the function refuses it before any change.
        overwrite(Parameter.USER_TAG, "aws:x");
        assertEquals("aws:x", value(Parameter.USER_TAG));

        ConfigurationException stopped = assertThrows(ConfigurationException.class, harness::run);

        assertEquals(Parameter.USER_TAG.parameterName(), stopped.setting());
        assertTrue(stopped.getMessage().contains("aws:"), stopped.getMessage());
        assertTrue(endpoint.aws().iam().keys("due-user").stream().allMatch(key -> key.active()));
        assertEquals(1, endpoint.aws().iam().keys("due-user").size(), "no key was created");
    }

    /** As the stack's custom resource calls it (DefaultParameters): the catalogue's facts, never overwriting. */
    private void createIfMissing(Parameter parameter) {
        ssm.putParameter(r -> r.name(name(parameter)).value(parameter.defaultValue()).type(ParameterType.STRING)
                .description(parameter.meaning().replace("`", "")).allowedPattern(parameter.allowedPattern())
                .overwrite(false));
    }

    /** {@code aws ssm put-parameter --name ... --value ... --overwrite}: no type, no pattern of its own. */
    private void overwrite(Parameter parameter, String value) {
        ssm.putParameter(r -> r.name(name(parameter)).value(value).overwrite(true));
    }

    private String value(Parameter parameter) {
        return ssm.getParameter(r -> r.name(name(parameter))).parameter().value();
    }

    private static String name(Parameter parameter) {
        return RotatorHarness.PARAMETER_PREFIX + parameter.parameterName();
    }
}
