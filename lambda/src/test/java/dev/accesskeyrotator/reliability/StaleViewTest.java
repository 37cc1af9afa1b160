package dev.accesskeyrotator.reliability;

import dev.accesskeyrotator.aws.IamDirectory;
import dev.accesskeyrotator.aws.SecretsManagerStore;
import dev.accesskeyrotator.aws.SnsNotifier;
import dev.accesskeyrotator.aws.SsmParameterSource;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.localaws.IamEmulator.KeySnapshot;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.port.SecretStore;
import dev.accesskeyrotator.service.RotationService;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.SecretDocument;
import dev.accesskeyrotator.testing.RotatorHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ListSecrets is eventually consistent and read once per run. A run whose listing predates another run's
 * rotation must not mistake the freshly stored key for a stray.
 */
class StaleViewTest {

    @RegisterExtension
    final LocalAwsExtension endpoint = new LocalAwsExtension();
    private RotatorHarness harness;

    @BeforeEach
    void start() {
        harness = new RotatorHarness(endpoint.aws());
    }

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void aSecretMissingFromAStaleListingIsReadByNameBeforeAnythingIsDeleted() {
        LocalAws aws = endpoint.aws();
        harness.parameter("grace-days", "3");
        harness.optedInUser("alice");
        harness.key("alice", 120, true);
        harness.run();
        String stored = SecretDocument.currentKeyId(
                aws.secretsManager().currentValue(harness.secretName("alice")).orElseThrow()).orElseThrow();
        aws.clock().advance(Duration.ofMinutes(20));

        RunReport report = serviceWithListing(List.of()).run(RotationService.RunRequest.normal());

        KeySnapshot key = aws.iam().accessKey(stored).orElseThrow(() -> new AssertionError("the stored key was deleted"));
        assertTrue(key.active());
        assertEquals(2, aws.iam().keys("alice").size(), "both keys stay during the grace period");
        assertEquals(Outcome.UNCHANGED, report.users().get(0).outcome(), report.users().toString());
        assertEquals(1, harness.noticesFor("alice", "key-rotated"), "the owner is not told twice");
    }

    @Test
    void tagsWithoutValuesDoNotBreakTheRun() {
        LocalAws aws = endpoint.aws();
        harness.optedInUser("alice");
        harness.key("alice", 120, true);
        Map<String, String> keyOnly = new HashMap<>();
        keyOnly.put("reviewed", "");
        aws.secretsManager().seedRaw(harness.secretName("someone-else"), "{}", keyOnly);
        RunReport report = harness.run();
        assertEquals(1, report.count("rotated"));
    }

    /** The production service with a secret store whose listing is as stale as the test says. */
    private RotationService serviceWithListing(List<SecretStore.SecretSummary> listing) {
        SecretsManagerStore real = new SecretsManagerStore(harness.clients().secretsManager());
        SecretStore stale = new SecretStore() {
            @Override public List<SecretSummary> listByNamePrefix(String prefix) { return listing; }
            @Override public Optional<SecretValue> readCurrent(String id) { return real.readCurrent(id); }
            @Override public Optional<SecretSummary> describe(String id) { return real.describe(id); }
            @Override public String create(String name, String value, String kms, Map<String, String> tags,
                                           String token) { return real.create(name, value, kms, tags, token); }
            @Override public void putValue(String id, String value, String token) { real.putValue(id, value, token); }
            @Override public void putResourcePolicy(String id, String policy) { real.putResourcePolicy(id, policy); }
            @Override public void tag(String id, Map<String, String> tags) { real.tag(id, tags); }
        };
        return new RotationService(harness.settings(), "us-east-1",
                new SsmParameterSource(harness.clients().ssm()),
                new IamDirectory(harness.clients().iam(), pause -> { }), stale,
                new SnsNotifier(harness.clients().sns(), harness.topicArn()), endpoint.aws().clock(), harness.log());
    }
}
