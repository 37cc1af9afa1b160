package dev.accesskeyrotator.bench;

import dev.accesskeyrotator.localaws.IamEmulator.KeySnapshot;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.service.SecretTags;
import dev.accesskeyrotator.testing.RotatorHarness;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * An account as the rotator leaves it day after day: every user opted in, each with one key and a secret that
 * holds it, and one user in a hundred whose key has just reached the threshold.
 */
final class SteadyStateAccount {
    static final String TOPIC_NAME = "access-key-rotation-notices";
    static final String SECRET_PREFIX = "access-key-rotation/";

    private SteadyStateAccount() {}

    static void seed(LocalAws aws, int users) {
        Instant now = aws.clock().instant();
        for (int i = 0; i < users; i++) {
            String user = String.format("user-%05d", i);
            aws.iam().createUser(user, Map.of("access-key-rotation", "enabled"));
            boolean due = i % 100 == 0;
            Instant created = now.minus(Duration.ofDays(due ? 90 : 1 + i % 89));
            KeySnapshot key = aws.iam().createAccessKey(user, created, true);
            String document = "{\"Version\":1,\"AccessKeyId\":\"" + key.id() + "\",\"SecretAccessKey\":\"" + key.secret()
                    + "\",\"UserName\":\"" + user + "\",\"CreateDate\":\"" + created + "\"}";
            Map<String, String> tags = new java.util.HashMap<>(Map.of(
                    SecretTags.USER, user,
                    SecretTags.NOTIFIED_KEY_ID, key.id(),
                    SecretTags.CURRENT_KEY_CREATED, SecretTags.seconds(created)));
            // Steady state with the default reminder-days (7): keys that entered the reminder window on earlier days
            // were reminded then; those entering it today (83 days old) are reminded in this run.
            if (Duration.between(created, now).toDays() > 90 - 7) {
                tags.put(SecretTags.REMINDED_KEY_ID, key.id());
            }
            aws.secretsManager().seedRaw(SECRET_PREFIX + user, document, tags, RotatorHarness.KMS_KEY);
        }
    }

    static int due(int users) {
        return (users + 99) / 100;
    }
}
