package dev.accesskeyrotator.service;

import dev.accesskeyrotator.config.ConfigurationException;
import dev.accesskeyrotator.contract.OptInTag;
import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.domain.Step;
import dev.accesskeyrotator.port.Notifier.Notice;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The notices owners and admins read (contract, "The notice (SNS)"): what they say, the attributes subscribers
 * filter on, and the limits SNS puts on subject and message.
 */
class NoticeComposerTest {
    private static final String REGION = "eu-west-1";
    private static final String CONTACT = "the platform team (#platform-help)";
    private static final String OLD_KEY = "AKIAOLDKEY0000000001";
    private static final String NEW_KEY = "AKIANEWKEY0000000002";
    /** What a secret access key looks like; the composer never receives one, so it must never come out either. */
    private static final String FAKE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static final Instant CREATED = Instant.parse("2026-03-10T08:30:00Z");
    /** The characters a Secrets Manager ARN can hold (IAM names add + = , . @); none needs quoting in a shell. */
    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9:/_+=,.@-]+");
    /** SNS: at most 256 KB, counted in UTF-8 bytes of the message plus every attribute's name, type and value. */
    private static final int SNS_MAX_BYTES = 256 * 1024;

    private final NoticeComposer composer = new NoticeComposer(REGION, "123456789012", CONTACT);

    private static RotationConfig config(int maxAge, int grace, int deleteAfter) {
        return new RotationConfig(maxAge, OptInTag.parse("access-key-rotation=enabled"), grace,
                deleteAfter, false, 100);
    }

    private static String arn(String user) {
        return "arn:aws:secretsmanager:" + REGION + ":123456789012:secret:access-key-rotation/" + user + "-Ab1Cd2";
    }

    private Notice rotated(String user, int threshold, RotationConfig config) {
        return composer.keyRotated(user, "access-key-rotation/" + user, arn(user), NEW_KEY, CREATED,
                Optional.of(OLD_KEY), config, threshold);
    }

    // ---------------------------------------------------------------- key-rotated

    @Test
    void keyRotatedSaysWhichKeyWasReplacedWhereTheNewOneIsAndWhomToContact() {
        Notice notice = rotated("alice", 60, config(90, 0, 30));
        String text = notice.message();

        assertTrue(text.contains(OLD_KEY), text);
        assertTrue(text.contains(NEW_KEY), text);
        assertTrue(text.contains("alice"), text);
        assertTrue(text.contains("access-key-rotation/alice"), "secret name: " + text);
        assertTrue(text.contains(arn("alice")), "secret ARN: " + text);
        assertTrue(text.contains(REGION), "region: " + text);
        assertTrue(text.contains(CONTACT), "whom to contact: " + text);
        // The user's own threshold (a per-user override), not the configured one.
        assertTrue(text.contains("60 days"), text);
        assertFalse(text.contains("90 days"), text);

        assertEquals(Map.of("user_name", "alice", "event_type", "key-rotated"), notice.attributes());
        assertPlainText(notice);
        assertSubjectAcceptedBySns(notice.subject());
        assertTrue(notice.subject().contains("alice"), notice.subject());
    }

    @Test
    void keyRotatedCarriesAFetchCommandTheAwsCliAccepts() {
        String user = "svc.deploy+ci=prod,eu@example_team-1"; // every character IAM allows in a user name
        String arn = arn(user);
        assertTrue(SHELL_SAFE.matcher(arn).matches(), "no character of the ARN needs shell quoting: " + arn);
        Notice notice = composer.keyRotated(user, "access-key-rotation/" + user, arn, NEW_KEY, CREATED,
                Optional.of(OLD_KEY), config(90, 0, 30), 90);

        List<String> commands = notice.message().lines().map(String::strip).filter(l -> l.startsWith("aws "))
                .toList();
        assertEquals(1, commands.size(), notice.message());
        String command = commands.get(0);
        assertEquals(composer.fetchCommand(arn), command);

        List<String> tokens = Arrays.asList(command.split(" "));
        assertEquals(List.of("aws", "secretsmanager", "get-secret-value", "--secret-id", arn, "--region", REGION,
                "--query", "SecretString", "--output", "text"), tokens);
        for (String token : tokens) {
            assertTrue(SHELL_SAFE.matcher(token).matches(), "token needs no quoting: " + token);
        }
        // The region of the command is the ARN's own region: the CLI finds the secret where it is.
        assertEquals(arn.split(":")[3], tokens.get(tokens.indexOf("--region") + 1));
    }

    @Test
    void withoutGraceTheOldKeyIsDisabledNowAndDeletedAfterDeleteAfterDays() {
        String text = rotated("alice", 90, config(90, 0, 30)).message();

        assertTrue(text.contains("disabled now"), text);
        assertFalse(text.contains("stays active until"), text);
        // created 2026-03-10 08:30 + 0 + 30 days
        assertTrue(text.contains("deleted on or after 2026-04-09 08:30 UTC"), text);
    }

    @Test
    void withGraceTheNoticeGivesTheDisableAndDeleteDates() {
        String text = rotated("alice", 90, config(90, 7, 30)).message();

        assertFalse(text.contains("disabled now"), text);
        // disabled at creation + grace, deleted at creation + grace + delete-after
        assertTrue(text.contains("stays active until 2026-03-17 08:30 UTC"), text);
        assertTrue(text.contains("deleted on or after 2026-04-16 08:30 UTC"), text);
        assertTrue(text.contains(CONTACT + " before the old key is disabled"), text);
    }

    @Test
    void deleteAfterZeroDeletesWhenTheGraceEnds() {
        String text = rotated("alice", 90, config(90, 3, 0)).message();
        assertTrue(text.contains("stays active until 2026-03-13 08:30 UTC"), text);
        assertTrue(text.contains("deleted on or after 2026-03-13 08:30 UTC"), text);
    }

    @Test
    void aFirstKeyWithNothingReplacedHasNoOldKeySection() {
        Notice notice = composer.keyRotated("alice", "access-key-rotation/alice", arn("alice"), NEW_KEY, CREATED,
                Optional.empty(), config(90, 0, 30), 90);
        assertTrue(notice.message().contains(NEW_KEY), notice.message());
        assertFalse(notice.message().contains("old key"), notice.message());
        assertTrue(notice.message().contains(composer.fetchCommand(arn("alice"))), notice.message());
        assertTrue(notice.message().contains(CONTACT), notice.message());
        assertEquals("key-rotated", notice.attributes().get("event_type"));
    }

    // ---------------------------------------------------------------- subjects

    @Test
    void subjectsStayWithinSnsLimitsForTheLongestUserName() {
        String longest = "u".repeat(63) + "Z"; // IAM user names have at most 64 characters
        List<Notice> notices = List.of(
                rotated(longest, 90, config(90, 7, 30)),
                composer.keyDisabled(longest, OLD_KEY, NEW_KEY, arn(longest), CREATED, Step.CutoverReason.GRACE_OVER,
                        config(90, 7, 30)),
                composer.attention(longest, "the current key was disabled by someone else"),
                composer.runSummary(report(List.of(UserResult.of(longest, Outcome.ATTENTION, "why")))));
        for (Notice notice : notices) {
            assertSubjectAcceptedBySns(notice.subject());
            assertEquals(longest, notice.attributes().getOrDefault("user_name", longest),
                    "the attribute keeps the full name even when the subject is shortened");
        }
        // A 64-character name still fits whole in the key-rotated subject.
        assertTrue(notices.get(0).subject().endsWith(longest), notices.get(0).subject());
    }

    @Test
    void subjectTruncationKeepsSnsLimitOfLessThanOneHundredCharacters() {
        assertEquals("x".repeat(99), NoticeComposer.subject("x".repeat(99)));
        String cut = NoticeComposer.subject("x".repeat(100));
        assertEquals(99, cut.length());
        assertTrue(cut.endsWith("..."), cut);
    }

    // ---------------------------------------------------------------- key-disabled and attention

    @Test
    void keyDisabledNamesBothKeysHowToFetchAndTheDeletionDate() {
        Notice notice = composer.keyDisabled("bob", OLD_KEY, NEW_KEY, arn("bob"),
                Instant.parse("2026-05-01T00:00:00Z"), Step.CutoverReason.GRACE_OVER, config(90, 7, 30));
        String text = notice.message();
        assertEquals(Map.of("user_name", "bob", "event_type", "key-disabled"), notice.attributes());
        assertTrue(text.contains(OLD_KEY) && text.contains(NEW_KEY), text);
        assertTrue(text.contains(composer.fetchCommand(arn("bob"))), text);
        assertTrue(text.contains("deleted on or after 2026-05-01 00:00 UTC"), text);
        assertTrue(text.contains(CONTACT), text);
        assertPlainText(notice);
        assertSubjectAcceptedBySns(notice.subject());
    }

    @Test
    void attentionGivesTheReasonAndSaysNothingWasChanged() {
        String reason = "current key AKIACURRENT00000000001 was disabled by someone else; it is not re-enabled";
        Notice notice = composer.attention("carol", reason);
        assertEquals(Map.of("user_name", "carol", "event_type", "attention"), notice.attributes());
        assertTrue(notice.message().contains(reason), notice.message());
        assertTrue(notice.message().contains("Nothing was changed"), notice.message());
        assertTrue(notice.message().contains(CONTACT), notice.message());
        assertPlainText(notice);
        assertSubjectAcceptedBySns(notice.subject());
    }

    // ---------------------------------------------------------------- run-summary

    @Test
    void runSummaryGivesCountsAndListsUsersThatNeedPeopleWithReasons() {
        Notice notice = composer.runSummary(report(List.of(
                new UserResult("alice", Outcome.ROTATED, "rotated", OLD_KEY, NEW_KEY, null,
                        UserResult.Effects.NONE),
                UserResult.of("bob", Outcome.UNCHANGED, null),
                UserResult.of("carol", Outcome.ATTENTION, "current key was disabled by someone else"),
                UserResult.of("dave", Outcome.BLOCKED, "two active keys and neither is in the secret"),
                UserResult.of("erin", Outcome.FAILED, "AccessDenied: not authorized to perform iam:CreateAccessKey"),
                UserResult.of("frank", Outcome.DEFERRED, "max-rotations-per-run reached"))));
        String text = notice.message();

        assertEquals(Map.of("event_type", "run-summary"), notice.attributes(), "no user_name: owners' filters skip it");
        assertTrue(text.contains("rotated: 1"), text);
        assertTrue(text.contains("usersScanned: 6"), text);
        assertTrue(text.contains("attention: 1") && text.contains("blocked: 1") && text.contains("failed: 1"), text);
        assertTrue(text.contains("carol [attention] current key was disabled by someone else"), text);
        assertTrue(text.contains("dave [blocked] two active keys"), text);
        assertTrue(text.contains("erin [failed] AccessDenied"), text);
        assertTrue(text.contains("frank [deferred] max-rotations-per-run reached"), text);
        String needPeople = text.substring(text.indexOf("Users that need attention"));
        assertFalse(needPeople.contains("alice") || needPeople.contains("bob"), needPeople);
        assertEquals("Access key rotation: 1 rotated, 4 need attention", notice.subject());
        assertPlainText(notice);
        assertSubjectAcceptedBySns(notice.subject());
    }

    @Test
    void runSummaryWithNothingToReportHasNoAttentionSection() {
        Notice notice = composer.runSummary(report(List.of(UserResult.of("bob", Outcome.UNCHANGED, null))));
        assertFalse(notice.message().contains("need attention"), notice.message());
        assertEquals("Access key rotation: 0 rotated, 0 need attention", notice.subject());
    }

    @Test
    void runSummaryForTenThousandAttentionUsersStaysUnderTheSnsLimit() {
        List<UserResult> users = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            String name = String.format("user-%05d-", i) + "x".repeat(53); // 64 characters
            users.add(UserResult.of(name, Outcome.ATTENTION, "stray key AKIASTRAY" + i + " has been used; it is left"
                    + " alone, a person should decide whether it is still needed"));
        }
        Notice notice = composer.runSummary(report(users));
        assertUnderSnsLimit(notice);
        assertTrue(notice.message().contains("user-00000-"), "the first users are listed");
        assertTrue(notice.message().contains("more (see the run report"), "says that the list was cut");
        assertTrue(notice.message().contains("attention: 10000"), "the counts are complete");
    }

    @Test
    void runSummaryLimitCountsBytesNotCharacters() {
        // IAM tag values may be any Unicode letters; an invalid per-user override is quoted in the reason
        // (abbreviated to 80 characters), and each such character is three bytes in UTF-8.
        String hostileValue = "九十日".repeat(40);
        List<UserResult> users = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            String name = String.format("user-%05d-", i) + "x".repeat(53);
            String reason = "skipped: " + ConfigurationException.invalid("tag access-key-rotation:max-key-age-days",
                    hostileValue, "an integer from 1 to 3650").getMessage();
            users.add(UserResult.of(name, Outcome.ATTENTION, reason));
        }
        Notice notice = composer.runSummary(report(users));
        assertUnderSnsLimit(notice);
        assertTrue(notice.message().contains("more (see the run report"), "says that the list was cut");
    }

    // ---------------------------------------------------------------- secrets

    @Test
    void noNoticeContainsASecretAccessKey() {
        // Give every text input the composer has something secret-shaped next to it; the composer's signature has
        // no parameter for a secret access key, so the only way one could appear is through a free-text field.
        List<Notice> notices = List.of(
                rotated("alice", 90, config(90, 0, 30)),
                rotated("alice", 90, config(90, 7, 30)),
                composer.keyDisabled("alice", OLD_KEY, NEW_KEY, arn("alice"), CREATED, Step.CutoverReason.GRACE_OVER,
                        config(90, 7, 30)),
                composer.attention("alice", "stray key " + OLD_KEY + " has been used"),
                composer.runSummary(report(List.of(
                        new UserResult("alice", Outcome.ROTATED, "rotated " + OLD_KEY + " to " + NEW_KEY, OLD_KEY,
                                NEW_KEY, null, UserResult.Effects.NONE),
                        UserResult.of("bob", Outcome.FAILED, "ServiceFailure: IAM is unwell")))));
        for (Notice notice : notices) {
            String all = notice.subject() + "\n" + notice.message() + "\n" + notice.attributes();
            assertFalse(all.contains(FAKE_SECRET), all);
            assertFalse(all.contains("SecretAccessKey\":"), "no secret document is pasted: " + all);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static RunReport report(List<UserResult> users) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("usersScanned", users.size());
        counts.put("rotated", (int) users.stream().filter(u -> u.outcome() == Outcome.ROTATED).count());
        counts.put("disabledOld", 0);
        counts.put("deletedOld", 0);
        for (Outcome outcome : Outcome.values()) {
            counts.put(outcome.label(), (int) users.stream().filter(u -> u.outcome() == outcome).count());
        }
        return new RunReport("run-1", false, "2026-03-10T08:00:00Z", "2026-03-10T08:01:00Z", "per-user",
                Map.of("max-key-age-days", 90), List.of(), counts, users);
    }

    /** SNS accepts at most 100 characters with no line breaks or control characters. */
    private static void assertSubjectAcceptedBySns(String subject) {
        assertFalse(subject.isBlank());
        assertTrue(subject.length() < 100, subject.length() + " characters: " + subject);
        assertTrue(subject.codePoints().noneMatch(Character::isISOControl), "no line breaks: " + subject);
        assertTrue(subject.codePoints().allMatch(c -> c < 128), "ASCII, for mail subjects: " + subject);
    }

    private static void assertPlainText(Notice notice) {
        String text = notice.message();
        assertFalse(Pattern.compile("<\\s*/?\\s*(html|body|p|br|a|b|div|span|table)\\b", Pattern.CASE_INSENSITIVE)
                .matcher(text).find(), "no HTML: " + text);
        assertFalse(text.contains("&nbsp;") || text.contains("&lt;") || text.contains("&amp;"), text);
    }

    private static void assertUnderSnsLimit(Notice notice) {
        int bytes = notice.message().getBytes(StandardCharsets.UTF_8).length;
        for (Map.Entry<String, String> attribute : notice.attributes().entrySet()) {
            bytes += attribute.getKey().length() + "String".length()
                    + attribute.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        assertTrue(bytes <= SNS_MAX_BYTES, bytes + " bytes is over SNS's 256 KB");
    }
}
