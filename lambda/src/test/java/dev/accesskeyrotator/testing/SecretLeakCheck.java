package dev.accesskeyrotator.testing;

import dev.accesskeyrotator.localaws.LocalAws;

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
        List<String> secrets = aws.iam().allSecretAccessKeys();
        List<String> texts = new ArrayList<>(capturedTexts);
        aws.sns().published().forEach(m -> {
            texts.add(m.subject());
            texts.add(m.message());
            texts.add(String.valueOf(m.attributes()));
        });
        assertTrue(texts.stream().anyMatch(t -> t != null && !t.isEmpty()), "nothing was captured to check");
        for (String secret : secrets) {
            for (String text : texts) {
                assertFalse(text != null && text.contains(secret),
                        "a secret access key leaked into: " + (text == null ? "" : text.substring(0,
                                Math.min(120, text.length()))) + "...");
            }
        }
    }
}
