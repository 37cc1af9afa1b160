package dev.accesskeyrotator.testing;

import dev.accesskeyrotator.localaws.LocalAccount;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.SecretsManagerEmulator;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Asserts the contract's second invariant: a secret access key exists only in IAM and in the user secret. Every
 * text a test captured (log lines, reports, notices, exception messages) is searched for every secret access key
 * the endpoint ever issued.
 */
public final class SecretLeakCheck {
    private SecretLeakCheck() {}

    public static void assertNoSecretLeaked(LocalAws aws, Collection<String> capturedTexts) {
        assertNoSecretLeaked(aws, aws.account(aws.accountId()), RotatorHarness.KMS_KEY, capturedTexts);
    }

    /**
     * The same for one member account of an organization run: its keys, its secrets under its own KMS key, and the
     * hub's (default account's) notices.
     */
    public static void assertNoSecretLeaked(LocalAws aws, LocalAccount account, String accountKmsKeyArn,
                                            Collection<String> capturedTexts) {
        List<String> secrets = account.iam().allSecretAccessKeys();
        List<String> texts = new ArrayList<>(capturedTexts);
        aws.sns().published().forEach(m -> {
            texts.add(m.subject());
            texts.add(m.message());
            texts.add(String.valueOf(m.attributes()));
        });
        assertTrue(texts.stream().anyMatch(t -> t != null && !t.isEmpty()), "nothing was captured to check");
        // The second place a key may be is a secret encrypted with the stack's key, never any other.
        for (SecretsManagerEmulator.SecretSnapshot secret : account.secretsManager().allSecrets()) {
            for (SecretsManagerEmulator.VersionSnapshot version : secret.versions()) {
                boolean holdsAKey = version.value() != null && secrets.stream().anyMatch(version.value()::contains);
                assertFalse(holdsAKey && !accountKmsKeyArn.equals(version.kmsKeyArn()), "a secret access key"
                        + " was stored in " + secret.name() + " under KMS key " + version.kmsKeyArn());
            }
        }
        for (String secret : secrets) {
            for (String text : texts) {
                assertFalse(text != null && text.contains(secret),
                        "a secret access key leaked into: " + (text == null ? "" : text.substring(0,
                                Math.min(120, text.length()))) + "...");
            }
        }
    }
}
