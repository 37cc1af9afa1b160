package dev.accesskeyrotator.localaws;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keeps the newcomer's "try it locally" run working: it must tell the story it promises and exit 0. */
class TryItLocallyTest {

    @Test
    void theSampleRunRotatesBuildBotAndLeavesLegacyAdminAlone() {
        String savedKeyId = System.getProperty("aws.accessKeyId");

        TryItLocally.Result result = TryItLocally.capture();

        String output = result.output();
        assertEquals(0, result.exitCode(), output);
        assertFalse(output.contains("UNEXPECTED"), output);
        // The CLI's own report table, one row per opted-in user.
        assertTrue(Pattern.compile("(?m)^\\s*build-bot\\s+rotated\\s").matcher(output).find(), output);
        assertTrue(Pattern.compile("(?m)^\\s*old-ci\\s+blocked\\s").matcher(output).find(), output);
        assertTrue(Pattern.compile("(?m)^\\s*nightly-job\\s+reminded\\s").matcher(output).find(), output);
        assertTrue(Pattern.compile("(?m)^\\s*reporting-job\\s+unchanged").matcher(output).find(), output);
        assertTrue(Pattern.compile("(?m)^\\s*incident-user\\s+attention\\s").matcher(output).find(), output);
        assertFalse(Pattern.compile("(?m)^\\s*legacy-admin\\s+\\S").matcher(output.substring(
                output.indexOf("USER"), output.indexOf("usersScanned="))).find(), "legacy-admin is not in the report");
        // The explanation and the closing line.
        assertTrue(output.contains("build-bot: ROTATED"), output);
        assertTrue(output.contains("legacy-admin: UNTOUCHED"), output);
        assertTrue(output.contains("Subject: New AWS access key for IAM user build-bot"), output);
        assertTrue(output.contains("Secrets Manager secret access-key-rotation/build-bot"), output);
        assertTrue(output.contains("Done: build-bot was rotated, nightly-job's owner was reminded"), output);
        assertTrue(output.contains("Subject: AWS access key of IAM user nightly-job rotates soon"), output);
        assertFalse(output.contains("SecretAccessKey\":"), "no secret value is printed");
        // The status view of the same account.
        assertTrue(output.contains("6. Every key and what happens to it next"), output);
        assertTrue(Pattern.compile("(?m)^\\s*nightly-job\\s").matcher(output.substring(
                output.indexOf("6. Every key"))).find(), output);
        // The on-use cut-over, days later: the old key is disabled once idle, and only that is told.
        String later = output.substring(output.indexOf("7. 3 days later"));
        assertTrue(later.contains("build-bot: OLD KEY DISABLED"), output);
        assertTrue(later.contains("Notices this run (2): key-disabled build-bot, run-summary."), output);
        assertTrue(Pattern.compile("(?m)^\\s*build-bot\\s+disabled-old\\s").matcher(later).find(), output);
        // The run borrows the credential system properties and gives them back.
        assertEquals(savedKeyId, System.getProperty("aws.accessKeyId"));
    }

    @Test
    void eachNoticesDeliveredToLineNamesThatNoticesOwnerOrTheAdmins() {
        String output = TryItLocally.capture().output();
        Matcher notice = Pattern.compile("(?m)^\\s*event_type: (\\S+)\\s+user_name: (\\S+)\\s*\\n\\s*delivered to: (.*)$")
                .matcher(output);
        int notices = 0;
        while (notice.find()) {
            notices++;
            String type = notice.group(1);
            String user = notice.group(2);
            String deliveredTo = notice.group(3);
            Matcher wouldSubscribe = Pattern.compile("(\\S+)'s owner would subscribe with user_name=(\\S+)\\)")
                    .matcher(deliveredTo);
            if (wouldSubscribe.find()) {
                assertEquals(List.of(user, user), List.of(wouldSubscribe.group(1), wouldSubscribe.group(2)),
                        type + " about " + user + ": " + deliveredTo);
            }
            if (List.of("attention", "blocked", "run-summary").contains(type)) {
                assertTrue(deliveredTo.contains("platform-team@example.com"), type + " reaches the admins as"
                        + " documented: " + deliveredTo);
            }
        }
        assertTrue(notices >= 4, output);
        assertTrue(output.contains("delivered to: (no subscriber's filter matches in this demo: nightly-job's owner"
                + " would subscribe with user_name=nightly-job)"), output);
    }
}
