package dev.accesskeyrotator.bench;

import dev.accesskeyrotator.localaws.IamEmulator.KeySnapshot;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.service.SecretDocument;
import dev.accesskeyrotator.service.SecretTags;
import dev.accesskeyrotator.testing.RotatorHarness;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * An account as the rotator leaves it day after day: every user opted in, each with one key and a secret that
 * holds it, and one user in a hundred whose key has just reached the threshold. The due users mix later rotations
 * with first ones: a third have a secret holding their key, a third were opted in with an old key and have no secret
 * yet, and a third were opted in a week ago, reminded, and have the secret reserved for that reminder's record.
 */
final class SteadyStateAccount {
    static final String TOPIC_NAME = "access-key-rotation-notices";
    static final String SECRET_PREFIX = "access-key-rotation/";

    private SteadyStateAccount() {}

    static void seed(LocalAws aws, int users) {
        Instant now = aws.clock().instant();
        for (int i = 0; i < users; i++) {
            String user = userName(i);
            aws.iam().createUser(user, Map.of("access-key-rotation", "enabled"));
            boolean due = i % 100 == 0;
            Instant created = now.minus(Duration.ofDays(due ? 90 : 1 + i % 89));
            KeySnapshot key = aws.iam().createAccessKey(user, created, true);
            FirstOrLater kind = due ? dueKind(i) : FirstOrLater.LATER;
            if (kind == FirstOrLater.FIRST_WITHOUT_SECRET) {
                continue;
            }
            if (kind == FirstOrLater.FIRST_REMINDED) {
                Map<String, String> reserved = new java.util.HashMap<>(SecretTags.atCreation(user));
                reserved.put(SecretTags.REMINDED_KEY_ID, key.id());
                aws.secretsManager().seedRaw(SECRET_PREFIX + user,
                        SecretDocument.renderReservation(user, now.minus(Duration.ofDays(7))), reserved,
                        RotatorHarness.KMS_KEY);
                continue;
            }
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

    /** What a due user's rotation is: a later one, or a first one with no secret or a reserved one. */
    enum FirstOrLater { LATER, FIRST_WITHOUT_SECRET, FIRST_REMINDED }

    static FirstOrLater dueKind(int userIndex) {
        return FirstOrLater.values()[(userIndex / 100) % 3];
    }

    static String userName(int userIndex) {
        return String.format("user-%05d", userIndex);
    }

    static int due(int users) {
        return (users + 99) / 100;
    }
}
