package dev.accesskeyrotator.reliability;

import dev.accesskeyrotator.config.ConfigurationException;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every parameter, wrong in every way: the run stops before any change and names the parameter. */
class HostileConfigurationTest {
    private static final Set<String> MUTATING = Set.of("CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey",
            "CreateSecret", "PutSecretValue", "PutResourcePolicy", "TagResource", "Publish");

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();
    private RotatorHarness harness;

    @BeforeEach
    void seedAnAccountWithWorkToDo() {
        harness = new RotatorHarness(endpoint.aws());
        harness.optedInUser("due-user");
        harness.key("due-user", 200, true);
        harness.optedInUser("stale-previous");
        harness.key("stale-previous", 300, false);
        harness.key("stale-previous", 120, true);
    }

    @AfterEach
    void close() {
        harness.close();
    }

    static Stream<Arguments> hostileValues() {
        String huge = "7".repeat(100_000);
        return Stream.of(
                Arguments.of("max-key-age-days", "ninety", "wrong type"),
                Arguments.of("max-key-age-days", "", "empty"),
                Arguments.of("max-key-age-days", "0", "below range"),
                Arguments.of("max-key-age-days", "3651", "above range"),
                Arguments.of("max-key-age-days", huge, "huge"),
                Arguments.of("max-key-age-days", "٩٠", "unicode digits"),
                Arguments.of("max-key-age-days", "９０", "full-width digits"),
                Arguments.of("max-key-age-days", "90 days", "trailing text"),
                Arguments.of("grace-days", "-1", "negative"),
                Arguments.of("grace-days", "90", "not below max-key-age-days"),
                Arguments.of("grace-days", "1.5", "fraction"),
                Arguments.of("delete-after-days", "3651", "above range"),
                Arguments.of("delete-after-days", "thirty", "wrong type"),
                Arguments.of("dry-run", "yes", "not a boolean"),
                Arguments.of("dry-run", "", "empty"),
                Arguments.of("dry-run", "falsee", "typo"),
                Arguments.of("max-rotations-per-run", "0", "below range"),
                Arguments.of("max-rotations-per-run", "100001", "above range"),
                Arguments.of("max-rotations-per-run", huge, "huge"),
                Arguments.of("user-tag", "", "empty"),
                Arguments.of("user-tag", "=enabled", "no key"),
                Arguments.of("user-tag", "aws:reserved=1", "reserved prefix"),
                Arguments.of("user-tag", "bad#key=1", "character IAM refuses"),
                Arguments.of("user-tag", "k".repeat(129), "key too long"),
                Arguments.of("user-tag", "key=" + "v".repeat(257), "value too long"),
                Arguments.of("user-tag", "tab\tkey", "control character"),
                Arguments.of("user-tag", "key=\u0000", "NUL in value"));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("hostileValues")
    void invalidParameterChangesNothingAndNamesTheParameter(String parameter, String value, String why) {
        LocalAws aws = endpoint.aws();
        harness.parameter(parameter, value);

        ConfigurationException error = assertThrows(ConfigurationException.class, harness::run);

        assertEquals(parameter, error.setting());
        assertTrue(error.getMessage().startsWith("parameter '" + parameter + "' has value '"), error.getMessage());
        assertTrue(error.getMessage().contains("allowed:"), error.getMessage());
        assertTrue(error.getMessage().length() < 400, "the message stays readable: " + error.getMessage().length());
        assertEquals(0, aws.calls().all().stream().filter(c -> MUTATING.contains(c.operation())).count(),
                "no change at all");
        assertEquals(0, aws.calls().all().stream().filter(c -> c.operation().equals("ListAccessKeys")).count(),
                "no user is looked at");
        assertTrue(harness.logLines().stream().anyMatch(l -> l.contains("\"RunFailed\":1")));
    }
}
