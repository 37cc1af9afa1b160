package dev.accesskeyrotator.config;

import dev.accesskeyrotator.contract.OptInTag;
import org.junit.jupiter.api.Test;
import dev.accesskeyrotator.contract.Parameter.Cutover;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RotationConfigParserTest {
    private static final String KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";


    @Test
    void missingParametersTakeTheirDefaultsAndAreListed() {
        RotationConfigParser.Parsed parsed = RotationConfigParser.parse(Map.of());
        assertEquals(RotationConfig.defaults(), parsed.config());
        assertEquals(List.of("max-key-age-days", "user-tag", "grace-days", "delete-after-days", "dry-run",
                "max-rotations-per-run", "cutover", "max-grace-days", "old-key-idle-hours", "reminder-days",
                "attention-reminder-days"), parsed.defaulted());
        RotationConfig defaults = parsed.config();
        assertEquals(Cutover.ON_USE, defaults.cutover());
        assertEquals(List.of(0, 7, 24, 7, 7), List.of(defaults.graceDays(), defaults.maxGraceDays(),
                defaults.oldKeyIdleHours(), defaults.reminderDays(), defaults.attentionReminderDays()));
    }

    @Test
    void cutOverParametersAreReadAndValidatedTogether() {
        RotationConfig config = RotationConfigParser.parse(Map.of("cutover", "after-grace", "grace-days", "3",
                "max-grace-days", "10", "old-key-idle-hours", "48", "reminder-days", "14",
                "attention-reminder-days", "0")).config();
        assertEquals(new RotationConfig(90, OptInTag.parse(OptInTag.DEFAULT), 3, 30, false, 100, Cutover.AFTER_GRACE,
                10, 48, 14, 0), config);
        // A grace period longer than the default deadline moves the deadline with it.
        assertEquals(20, RotationConfigParser.parse(Map.of("grace-days", "20")).config().maxGraceDays());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "cutover, on-first-use, on-use or after-grace",
            "max-grace-days, 2, an integer from 3 (grace-days) to 89 (max-key-age-days - 1)",
            "max-grace-days, 90, an integer from 3 (grace-days) to 89 (max-key-age-days - 1)",
            "old-key-idle-hours, 3, an integer from 4 to 720",
            "old-key-idle-hours, 721, an integer from 4 to 720",
            "reminder-days, 90, an integer from 0 to 89 (max-key-age-days - 1)",
            "attention-reminder-days, 366, an integer from 0 to 365"})
    void cutOverParametersOutsideTheirRangeNameParameterValueAndRange(String parameter, String value, String allowed) {
        ConfigurationException error = assertThrows(ConfigurationException.class,
                () -> RotationConfigParser.parse(Map.of("grace-days", "3", parameter, value)));
        assertEquals("parameter '" + parameter + "' has value '" + value + "'; allowed: " + allowed,
                error.getMessage());
    }

    @Test
    void validValuesAreRead() {
        RotationConfig config = RotationConfigParser.parse(Map.of("max-key-age-days", "30", "user-tag", "team",
                "grace-days", "29", "delete-after-days", "0", "dry-run", "TRUE", "max-rotations-per-run", "100000"))
                .config();
        assertEquals(new RotationConfig(30, new OptInTag("team", Optional.empty()), 29, 0, true, 100_000,
                Cutover.ON_USE, 29, 24, 7, 7), config);
    }

    @ParameterizedTest(name = "{0} = ''{1}''")
    @CsvSource(delimiter = '|', value = {
            "max-key-age-days|0", "max-key-age-days|3651", "max-key-age-days|ninety", "max-key-age-days|''",
            "max-key-age-days|90.0", "max-key-age-days|-1", "max-key-age-days|99999999999999999999",
            "max-key-age-days|٩٠",
            "grace-days|90", "grace-days|-1", "grace-days|x",
            "delete-after-days|3651", "delete-after-days|-3",
            "dry-run|yes", "dry-run|1", "dry-run|''",
            "max-rotations-per-run|0", "max-rotations-per-run|100001",
            "user-tag|''", "user-tag|=enabled", "user-tag|aws:internal=x", "user-tag|bad#key", "user-tag|' padded'"})
    void invalidValueStopsTheRunNamingParameterValueAndRange(String parameter, String value) {
        Map<String, String> raw = new HashMap<>();
        raw.put(parameter, value);
        ConfigurationException error = assertThrows(ConfigurationException.class, () -> RotationConfigParser.parse(raw));
        assertEquals(parameter, error.setting());
        assertTrue(error.getMessage().contains("'" + parameter + "'"), error.getMessage());
        assertTrue(error.getMessage().contains("allowed:"), error.getMessage());
    }

    @Test
    void graceRangeFollowsTheThreshold() {
        ConfigurationException error = assertThrows(ConfigurationException.class,
                () -> RotationConfigParser.parse(Map.of("max-key-age-days", "30", "grace-days", "30")));
        assertTrue(error.getMessage().contains("0 to 29"), error.getMessage());
    }

    @Test
    void hugeValuesAreAbbreviatedInTheMessage() {
        String huge = "9".repeat(5000);
        ConfigurationException error = assertThrows(ConfigurationException.class,
                () -> RotationConfigParser.parse(Map.of("delete-after-days", huge)));
        assertTrue(error.getMessage().length() < 300, error.getMessage());
    }

    @Test
    void unicodeTagValuesAllowedByIamAreAccepted() {
        OptInTag tag = RotationConfigParser.parse(Map.of("user-tag", "rotación=sí")).config().userTag();
        assertTrue(tag.matches(Map.of("rotación", "sí")));
        assertTrue(!tag.matches(Map.of("rotación", "no")));
    }

    @Test
    void keyOnlyTagMatchesAnyValue() {
        OptInTag tag = OptInTag.parse("access-key-rotation");
        assertTrue(tag.matches(Map.of("access-key-rotation", "whatever")));
        assertTrue(!tag.matches(Map.of("other", "x")));
    }

    @Test
    void settingsRequireTheTopicAndNameTheMissingVariable() {
        ConfigurationException error = assertThrows(ConfigurationException.class,
                () -> RotatorSettings.fromEnvironment(Map.of("SECRET_KMS_KEY_ID", KEY_ARN)));
        assertTrue(error.getMessage().contains("NOTICE_TOPIC_ARN"));
        RotatorSettings settings = RotatorSettings.fromEnvironment(Map.of("NOTICE_TOPIC_ARN", "t",
                "SECRET_KMS_KEY_ID", KEY_ARN));
        assertEquals("/access-key-rotation/", settings.parameterPrefix());
        assertEquals("access-key-rotation/", settings.secretNamePrefix());
        assertEquals(4, settings.maxConcurrency());
        assertEquals(Optional.of(KEY_ARN), settings.secretKmsKeyArn());
    }

    @Test
    void changesNeedTheKmsKeyAndTheFunctionRoleButADryRunDoesNot() {
        RotatorSettings dryRunOnly = RotatorSettings.fromEnvironment(Map.of("NOTICE_TOPIC_ARN", "t"));
        ConfigurationException error = assertThrows(ConfigurationException.class, dryRunOnly::requireWhatChangesNeed);
        assertEquals("required environment variables SECRET_KMS_KEY_ID and FUNCTION_ROLE_ARN not set (only a dry"
                + " run goes without)", error.getMessage());
        RotatorSettings complete = RotatorSettings.fromEnvironment(Map.of("NOTICE_TOPIC_ARN", "t",
                "SECRET_KMS_KEY_ID", KEY_ARN, "FUNCTION_ROLE_ARN", "arn:aws:iam::123456789012:role/rotator",
                "BREAK_GLASS_PRINCIPAL_ARN", "arn:aws:iam::123456789012:root"));
        complete.requireWhatChangesNeed();
        assertEquals(List.of("arn:aws:iam::123456789012:role/rotator", "arn:aws:iam::123456789012:root"),
                complete.secretPrincipals().writers());
    }

    @Test
    void theKmsKeyMustBeAKeyArnAndPrincipalsMustBeIamArns() {
        for (String notAKeyArn : List.of("alias/access-key-rotation", "11111111-2222-3333-4444-555555555555",
                "arn:aws:kms:us-east-1:123456789012:alias/access-key-rotation")) {
            ConfigurationException error = assertThrows(ConfigurationException.class,
                    () -> RotatorSettings.fromEnvironment(Map.of("NOTICE_TOPIC_ARN", "t", "SECRET_KMS_KEY_ID",
                            notAKeyArn)));
            assertEquals("environment variable SECRET_KMS_KEY_ID has value '" + notAKeyArn + "'; allowed: a KMS key"
                    + " ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), not an alias or a bare key id", error.getMessage());
        }
        ConfigurationException error = assertThrows(ConfigurationException.class,
                () -> RotatorSettings.fromEnvironment(Map.of("NOTICE_TOPIC_ARN", "t", "FUNCTION_ROLE_ARN", "*")));
        assertTrue(error.getMessage().startsWith("environment variable FUNCTION_ROLE_ARN has value '*'"),
                error.getMessage());
        error = assertThrows(ConfigurationException.class, () -> RotatorSettings.fromEnvironment(Map.of(
                "NOTICE_TOPIC_ARN", "t", "BREAK_GLASS_PRINCIPAL_ARN", "arn:aws:sts::123456789012:assumed-role/x/y")));
        assertTrue(error.getMessage().startsWith("environment variable BREAK_GLASS_PRINCIPAL_ARN"), error.getMessage());
    }
}
