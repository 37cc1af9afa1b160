package dev.accesskeyrotator.security;

import dev.accesskeyrotator.wiring.RotatorFactory;
import dev.accesskeyrotator.cli.Main;
import dev.accesskeyrotator.config.ConfigurationException;
import dev.accesskeyrotator.contract.OptInTag;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.service.RotationService;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Run-time parameters cannot silently disable or widen rotation: a dry run never counts as a successful rotation
 * run, and a {@code user-tag} that is not the deployed opt-in tag (or a narrowing of it) stops the run.
 */
class ParameterSafetyTest {
    private static final Set<String> MUTATING = Set.of("CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey",
            "CreateSecret", "PutSecretValue", "PutResourcePolicy", "TagResource", "Publish");

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();
    private LocalAws aws;
    private RotatorHarness harness;

    @BeforeEach
    void start() {
        aws = endpoint.aws();
        harness = new RotatorHarness(aws);
        harness.optedInUser("due-user");
        harness.key("due-user", 200, true);
    }

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void aDryRunLeftOnIsCountedAsADryRunNeverAsASuccessfulRun() {
        harness.parameter("dry-run", "true");

        RunReport report = harness.run();

        assertTrue(report.dryRun());
        List<String> metricLines = harness.logLines().stream().filter(l -> l.contains("\"_aws\"")).toList();
        assertEquals(1, metricLines.size(), metricLines.toString());
        assertTrue(metricLines.get(0).contains("\"DryRun\":1"), metricLines.get(0));
        assertFalse(metricLines.get(0).contains("RunSucceeded"), metricLines.get(0));

        harness.parameter("dry-run", "false");
        harness.run();
        assertTrue(harness.logLines().stream().anyMatch(l -> l.contains("\"RunSucceeded\":1")));
    }

    @Test
    void aUserTagWiderThanTheDeployedTagStopsTheRunNamingBoth() {
        harness.parameter("user-tag", "access-key-rotation");

        ConfigurationException error = assertThrows(ConfigurationException.class, harness::run);

        assertEquals("user-tag", error.setting());
        assertEquals("parameter 'user-tag' has value 'access-key-rotation', which is neither the stack's opt-in tag"
                + " 'access-key-rotation=enabled' nor a narrowing of it; allowed: 'access-key-rotation=enabled' (the"
                + " stack's IAM permissions allow no other tag; redeploy with -c optInTag=... to change it)",
                error.getMessage());
        assertNothingChanged();
    }

    @Test
    void aDifferentTagStopsTheRunToo() {
        harness.parameter("user-tag", "team=payments");

        ConfigurationException error = assertThrows(ConfigurationException.class, harness::run);

        assertTrue(error.getMessage().contains("'team=payments'") && error.getMessage().contains(
                "'access-key-rotation=enabled'"), error.getMessage());
        assertNothingChanged();
    }

    @Test
    void theCliStopsWithExitCodeTwoAndNamesBothTags() {
        harness.parameter("user-tag", "access-key-rotation");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> saved = new HashMap<>();
        for (String property : List.of("aws.accessKeyId", "aws.secretAccessKey")) {
            saved.put(property, System.getProperty(property));
        }
        System.setProperty("aws.accessKeyId", "AKIAADMIN00000000001");
        System.setProperty("aws.secretAccessKey", "admin-secret");
        int code;
        try {
            code = Main.run(List.of("run", "--endpoint-url", aws.endpoint().toString(), "--region", "us-east-1",
                            "--topic-arn", harness.topicArn(), "--kms-key-id", RotatorHarness.KMS_KEY,
                            "--function-role-arn", RotatorHarness.FUNCTION_ROLE_ARN,
                            "--opt-in-tag", RotatorHarness.OPT_IN_TAG), Map.of(),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        } finally {
            saved.forEach((property, value) -> {
                if (value == null) {
                    System.clearProperty(property);
                } else {
                    System.setProperty(property, value);
                }
            });
        }

        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, stderr);
        assertTrue(stderr.contains("configuration error: parameter 'user-tag' has value 'access-key-rotation',"
                + " which is neither the stack's opt-in tag 'access-key-rotation=enabled'"), stderr);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        assertNothingChanged();
    }

    @Test
    void aNarrowingOfAKeyOnlyDeployedTagIsAccepted() {
        // Deployed with the key only: any value is allowed, so choosing one value narrows it.
        RotatorSettings settings = new RotatorSettings(RotatorHarness.PARAMETER_PREFIX, RotatorHarness.SECRET_PREFIX,
                harness.topicArn(), Optional.of(RotatorHarness.KMS_KEY), "the platform team", 1,
                Optional.of(OptInTag.parse("access-key-rotation")),
                Optional.of(RotatorHarness.FUNCTION_ROLE_ARN), Optional.empty());
        harness.parameter("user-tag", "access-key-rotation=enabled");

        RunReport report = RotatorFactory.create(settings, harness.clients(), aws.clock(), harness.log(), pause -> { })
                .run(RotationService.RunRequest.normal());

        assertEquals(1, report.count("rotated"));
    }

    private void assertNothingChanged() {
        assertEquals(0, aws.calls().all().stream().filter(c -> MUTATING.contains(c.operation())).count(),
                "no change at all");
        assertTrue(aws.iam().keys("due-user").stream().allMatch(k -> k.active()));
    }
}
