package dev.accesskeyrotator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.localaws.IamEmulator.KeySnapshot;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.SecretsManagerEmulator.SecretSnapshot;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.SecretDocument;
import dev.accesskeyrotator.service.UserResult;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The contract's invariants, checked against the endpoint's state. {@link #watch} snapshots what must not change
 * and installs an observer on UpdateAccessKey that checks, at the moment a key is disabled, that it is not the
 * key in the user's secret (an active key is never disabled before its replacement is stored).
 */
public final class Invariants {
    private final RotatorHarness harness;
    private final LocalAws aws;
    private final Set<String> optedIn;
    private final Map<String, List<KeySnapshot>> othersBefore;
    /** The opted-in users' keys when watching began: made by people, unless the rotator replaced them since. */
    private final Map<String, List<KeySnapshot>> optedInBefore;
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private Set<String> handSeededSecrets = Set.of();
    private int maxNoticesPerRotation = 2;

    private Invariants(RotatorHarness harness, Set<String> optedIn) {
        this.harness = harness;
        this.aws = harness.aws();
        this.optedIn = Set.copyOf(optedIn);
        this.othersBefore = aws.iam().userNames().stream().filter(u -> !optedIn.contains(u))
                .collect(Collectors.toMap(u -> u, u -> aws.iam().keys(u)));
        this.optedInBefore = optedIn.stream().collect(Collectors.toMap(u -> u, u -> aws.iam().keys(u)));
        aws.faults().on("iam", "UpdateAccessKey").when(request -> {
            String user = request.text("UserName").orElse("");
            String keyId = request.text("AccessKeyId").orElse("");
            boolean disabling = "Inactive".equals(request.text("Status").orElse(""));
            Optional<String> stored = aws.secretsManager().currentValue(harness.secretName(user))
                    .flatMap(SecretDocument::currentKeyId);
            if (disabling && stored.filter(keyId::equals).isPresent()) {
                violations.add("disabled " + keyId + " of " + user + " while it was the key in the secret");
            }
            if (disabling && stored.isEmpty()) {
                violations.add("disabled " + keyId + " of " + user + " before any replacement was stored");
            }
            return false;
        }).error(500, "Unused", "observer only");
    }

    /**
     * Call after seeding, before the first run. Tests remove only their own fault rules afterwards
     * ({@code Faults.remove}), so the observer stays in place.
     */
    public static Invariants watch(RotatorHarness harness, Set<String> optedInUsers) {
        return new Invariants(harness, optedInUsers);
    }

    /** Users whose secret the test wrote by hand: no rotation notice is owed for their key. */
    public Invariants withHandSeededSecrets(Set<String> users) {
        this.handSeededSecrets = Set.copyOf(users);
        return this;
    }

    /**
     * Notices are at least once: normally one, two when a run dies between publishing and recording it. A Publish
     * that reports failure after SNS delivered it is retried by the SDK and by the next run, so it may go out more
     * often; tests of that fault raise the bound.
     */
    public Invariants withMaxNoticesPerRotation(int bound) {
        this.maxNoticesPerRotation = bound;
        return this;
    }

    /** Holds after every run, even one that crashed: no user is left without a working key they can fetch. */
    public void assertWorkingKeys() {
        for (String user : optedIn) {
            // A reservation (the rotator's secret before the user's first key) holds no key, like no secret at all.
            Optional<String> value = aws.secretsManager().currentValue(harness.secretName(user))
                    .filter(stored -> !SecretDocument.isReservation(stored));
            if (value.isEmpty()) {
                // A user who had an active key still has one: nothing was stored, so nothing may be retired.
                boolean hadActiveKey = optedInBefore.get(user).stream().anyMatch(KeySnapshot::active);
                assertTrue(!hadActiveKey || aws.iam().keys(user).stream().anyMatch(KeySnapshot::active),
                        user + " has no key stored and lost its active key: " + aws.iam().keys(user));
                continue;
            }
            JsonNode document = json(value.get());
            String keyId = document.get("AccessKeyId").asText();
            KeySnapshot key = aws.iam().accessKey(keyId).orElse(null);
            if (key == null || !key.active()) {
                fail(user + ": the key in the secret (" + keyId + ") is " + (key == null ? "gone" : "inactive"));
            }
            assertEquals(key.secret(), document.get("SecretAccessKey").asText(), user + ": secret does not match IAM");
            assertEquals(user, document.get("UserName").asText());
        }
        assertTrue(violations.isEmpty(), String.join("\n", violations));
    }

    /** Every invariant, after the run that follows a fault has ended. */
    public void assertAll(RunReport lastReport, int graceDays, Collection<String> capturedTexts) {
        assertWorkingKeys();
        Instant now = aws.clock().instant();
        Map<String, UserResult> reported = lastReport.users().stream()
                .collect(Collectors.toMap(UserResult::user, u -> u));
        assertEquals(optedIn, reported.keySet(), "every opted-in user has an outcome in the report");
        for (String user : optedIn) {
            List<KeySnapshot> keys = aws.iam().keys(user);
            Optional<SecretSnapshot> secret = aws.secretsManager().secret(harness.secretName(user));
            if (secret.isEmpty() || secret.get().deletedDate() != null) {
                continue;
            }
            JsonNode document = json(aws.secretsManager().currentValue(harness.secretName(user)).orElseThrow());
            String current = document.get("AccessKeyId").asText();
            String previous = document.path("PreviousAccessKeyId").asText(null);
            KeySnapshot currentKey = aws.iam().accessKey(current).orElseThrow();

            // The owner can fetch it: the resource policy names the user.
            String policy = secret.get().resourcePolicy();
            assertTrue(policy != null && policy.contains(aws.iam().user(user).orElseThrow().arn()),
                    user + ": secret policy does not let the owner read it: " + policy);

            // CIS 1.13 after the grace period.
            if (!now.isBefore(currentKey.createDate().plus(Duration.ofDays(graceDays)))) {
                long active = keys.stream().filter(KeySnapshot::active).count();
                assertTrue(active <= 1, user + " has " + active + " active keys after the grace period: " + keys);
            }

            // No orphan: every key is current, previous, or reported.
            String reason = Optional.ofNullable(reported.get(user).reason()).orElse("");
            for (KeySnapshot key : keys) {
                boolean known = key.id().equals(current) || key.id().equals(previous) || reason.contains(key.id());
                assertTrue(known, user + ": key " + key.id() + " is neither current, previous nor reported ("
                        + reported.get(user) + ")");
            }

            // The owner heard about the current key: at least once, normally exactly once.
            if (!handSeededSecrets.contains(user)) {
                long notices = aws.sns().published().stream()
                        .filter(m -> m.attribute("user_name").filter(user::equals).isPresent())
                        // An emergency rotation's key-exposed notice is the one that tells of its new key.
                        .filter(m -> m.attribute("event_type").filter(t -> t.equals("key-rotated")
                                || t.equals("key-exposed")).isPresent())
                        .filter(m -> m.message().contains(current)).count();
                assertTrue(notices >= 1 && notices <= maxNoticesPerRotation,
                        user + ": " + notices + " notices for key " + current);
            }
        }
        // Provenance: a key people made (those present when watching began) is disabled or deleted only once the
        // rotator has replaced it, as some version of the user's secret records.
        optedInBefore.forEach((user, before) -> {
            Set<String> replaced = aws.secretsManager().secret(harness.secretName(user)).stream()
                    .flatMap(secret -> secret.versions().stream()).map(v -> v.value())
                    .filter(java.util.Objects::nonNull).map(v -> SecretDocument.heldKey(v))
                    .flatMap(Optional::stream).map(h -> h.accessKeyId()).collect(Collectors.toSet());
            aws.secretsManager().secret(harness.secretName(user)).stream()
                    .flatMap(secret -> secret.versions().stream()).map(v -> v.value())
                    .filter(java.util.Objects::nonNull).forEach(v -> {
                        JsonNode doc = json(v);
                        if (doc.hasNonNull("PreviousAccessKeyId")) {
                            replaced.add(doc.get("PreviousAccessKeyId").asText());
                        }
                    });
            for (KeySnapshot key : before) {
                Optional<KeySnapshot> after = aws.iam().accessKey(key.id());
                boolean retired = after.isEmpty() || (key.active() && !after.get().active());
                assertTrue(!retired || replaced.contains(key.id()), user + ": key " + key.id()
                        + " was made by a person and never replaced, yet the rotator "
                        + (after.isEmpty() ? "deleted" : "disabled") + " it");
            }
        });
        // Users who are not opted in are never touched, not even listed for keys.
        othersBefore.forEach((user, before) -> {
            assertEquals(before, aws.iam().keys(user), user + " was changed");
            assertTrue(aws.calls().forUser(user).isEmpty(), user + " was looked at: " + aws.calls().forUser(user));
        });
        List<String> texts = new ArrayList<>(capturedTexts);
        texts.addAll(harness.logLines());
        texts.add(JsonLog.toJson(lastReport));
        SecretLeakCheck.assertNoSecretLeaked(aws, texts);
    }

    private static JsonNode json(String text) {
        try {
            return JsonLog.mapper().readTree(text);
        } catch (Exception e) {
            throw new AssertionError("secret is not JSON", e);
        }
    }
}
