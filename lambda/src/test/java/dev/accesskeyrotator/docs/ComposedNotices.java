package dev.accesskeyrotator.docs;

import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.contract.Notices.EventType;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.domain.Step;
import dev.accesskeyrotator.port.Notifier.Notice;
import dev.accesskeyrotator.service.NoticeComposer;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.UserResult;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One notice of each event type as the function's own {@link NoticeComposer} writes it, so the doc tests compare
 * the docs with the message attributes the code really publishes, not with the contract's constants.
 */
final class ComposedNotices {
    private static final NoticeComposer COMPOSER = new NoticeComposer("eu-west-1", "111122223333",
            "your platform team");
    private static final Instant NOW = Instant.parse("2026-03-10T08:00:00Z");

    private ComposedNotices() {}

    /** The notice of {@code type}; per-user types are about {@code user}. */
    static Notice of(EventType type, String user) {
        String arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:access-key-rotation/" + user + "-AbCdEf";
        RotationConfig config = RotationConfig.defaults();
        // No default branch: a new event type does not compile until the doc tests know how to make its notice.
        return switch (type) {
            case KEY_EXPIRING -> COMPOSER.keyExpiring(user, "AKIAIOSFODNN7EXAMPLE", NOW.plusSeconds(86_400 * 7),
                    "access-key-rotation/" + user);
            case KEY_ROTATED -> COMPOSER.keyRotated(user, "access-key-rotation/" + user, arn, "AKIAI44QH8DHBEXAMPLE",
                    NOW, Optional.of("AKIAIOSFODNN7EXAMPLE"), config, config.maxKeyAgeDays());
            case KEY_DISABLED -> COMPOSER.keyDisabled(user, "AKIAIOSFODNN7EXAMPLE", "AKIAI44QH8DHBEXAMPLE", arn,
                    NOW.plusSeconds(86_400 * 30), Step.CutoverReason.values()[0], config);
            case KEY_EXPOSED -> COMPOSER.keyExposed(user, "AKIAIOSFODNN7EXAMPLE", Optional.of("AKIAI44QH8DHBEXAMPLE"),
                    "AKIAI44QH8DHBEXAMPLE", "access-key-rotation/" + user, arn, false,
                    "reported by AWS Health", NOW.plusSeconds(86_400 * 30));
            case ATTENTION -> COMPOSER.attention(user, "stray key AKIAIOSFODNN7EXAMPLE has been used; left alone");
            case BLOCKED -> COMPOSER.blocked(user, "two active keys made by people");
            case RUN_SUMMARY -> COMPOSER.runSummary(report(user));
        };
    }

    private static RunReport report(String user) {
        List<UserResult> users = List.of(UserResult.of(user, Outcome.ATTENTION, "needs a person"));
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("usersScanned", 1);
        for (Outcome outcome : Outcome.values()) {
            counts.put(outcome.label(), outcome == Outcome.ATTENTION ? 1 : 0);
        }
        return new RunReport("run-1", false, NOW.toString(), NOW.plusSeconds(60).toString(), "per-user",
                Map.of(), List.of(), counts, users);
    }
}
