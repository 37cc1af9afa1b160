package dev.accesskeyrotator.service;

import dev.accesskeyrotator.contract.Notices.EventType;
import dev.accesskeyrotator.contract.Notices;
import dev.accesskeyrotator.contract.Parameter;
import dev.accesskeyrotator.contract.SecretField;
import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.contract.Parameter.Cutover;
import dev.accesskeyrotator.domain.KeySchedule;
import dev.accesskeyrotator.domain.KeyUse;
import dev.accesskeyrotator.domain.Step;
import dev.accesskeyrotator.port.Notifier.Notice;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Writes the plain-text notices. They say where the new key is and how to fetch it; they never contain a secret.
 */
public final class NoticeComposer {
    /** SNS wants subjects shorter than 100 characters. */
    public static final int MAX_SUBJECT = 99;
    /** Leaves room under SNS's 256 KB (262,144 bytes) for the closing line and the message attributes. */
    private static final int SUMMARY_LIST_BYTES = 200_000;

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    /** Users named per outcome in the summary; the run report in the log has them all. */
    private static final int SUMMARY_NAMES = 50;

    private final String region;
    private final String account;
    private final String contact;

    public NoticeComposer(String region, String account, String contact) {
        this.region = region;
        this.account = account;
        this.contact = contact;
    }

    /** A new key is in the user's secret. */
    public Notice keyRotated(String userName, String secretName, String secretArn, String newKeyId,
                             Instant newKeyCreated, Optional<String> replacedKeyId, RotationConfig config,
                             int maxKeyAgeDays) {
        KeySchedule schedule = new KeySchedule(config);
        Instant disableAt = schedule.earliestCutoverAt(newKeyCreated);
        Instant deadline = schedule.latestCutoverAt(newKeyCreated);
        boolean onUse = config.cutover() == Cutover.ON_USE;
        boolean disabledNow = !newKeyCreated.isBefore(deadline) || (!onUse && config.graceDays() == 0);
        StringBuilder text = new StringBuilder();
        text.append("Hello,\n\n");
        text.append(replacedKeyId
                .map(old -> "The AWS access key " + old + " of IAM user " + userName + " has been replaced by a new"
                        + " key, " + newKeyId + ".")
                .orElse("IAM user " + userName + " has a new AWS access key, " + newKeyId + "."));
        text.append(" Access keys are rotated when they are ").append(maxKeyAgeDays)
                .append(" days old.\n\n");
        text.append("Where the new key is (AWS Secrets Manager):\n");
        text.append("  Secret name: ").append(secretName).append('\n');
        text.append("  Secret ARN:  ").append(secretArn).append('\n');
        text.append("  Region:      ").append(region).append("\n\n");
        if (replacedKeyId.isPresent() && disabledNow) {
            // The old key no longer works, so it cannot be what the owner signs the fetch with.
            text.append("The old key is already disabled, so fetch the new key signed in as ").append(userName)
                    .append(" another way (the AWS console's CloudShell, for example):\n");
        } else {
            text.append("Fetch it with the AWS CLI, signed in as ").append(userName)
                    .append(replacedKeyId.isPresent() ? " (the old key still works for this):\n" : ":\n");
        }
        text.append("  ").append(fetchCommand(secretArn)).append("\n");
        text.append("A machine that holds this key can pick up each new key by itself: see \"Machines\" in the key"
                + " owner's guide (credential_process); set that up once and no rotation needs a person.\n\n");
        text.append("The result is JSON with ").append(SecretField.ACCESS_KEY_ID.field()).append(" and ")
                .append(SecretField.SECRET_ACCESS_KEY.field()).append(" (it also works as a credential_process"
                        + " payload). Put the new key everywhere the old one is used.\n\n");
        replacedKeyId.ifPresent(old -> {
            text.append("What happens to the old key ").append(old).append(":\n");
            if (disabledNow) {
                text.append("  - it has been disabled now.\n");
                text.append("  - it will be deleted on or after ")
                        .append(DATE.format(schedule.deletionAt(newKeyCreated))).append(".\n");
            } else if (onUse) {
                text.append("  - it stays active while it is in use: it is disabled once AWS shows no use of it for ")
                        .append(config.oldKeyIdleHours()).append(" hours")
                        .append(config.graceDays() > 0 ? ", not before " + DATE.format(disableAt) : "")
                        .append(", and on ").append(DATE.format(deadline))
                        .append(" at the latest; switch to the new key before then.\n");
                text.append("  - it will be deleted ").append(config.deleteAfterDays())
                        .append(" days after it is disabled.\n");
            } else {
                text.append("  - it stays active until ").append(DATE.format(disableAt))
                        .append("; switch to the new key before then.\n");
                text.append("  - it will be deleted on or after ")
                        .append(DATE.format(schedule.deletionAt(disableAt))).append(".\n");
            }
            if (!disabledNow) {
                text.append("If something cannot switch in time, tell ").append(contact)
                        .append(" before the old key is disabled.\n");
            }
            text.append('\n');
        });
        text.append("Questions: contact ").append(contact).append(".\n");
        return new Notice(subject("New AWS access key for IAM user " + userName), text.toString(),
                attributes(userName, EventType.KEY_ROTATED));
    }

    /** The cut-over disabled the previous key, for {@code reason}. */
    public Notice keyDisabled(String userName, String disabledKeyId, String currentKeyId, String secretArn,
                              Instant deleteAt, Step.CutoverReason reason, RotationConfig config) {
        String why = switch (reason) {
            case GRACE_OVER -> "its grace period is over";
            case IDLE -> "AWS has shown no use of it for " + config.oldKeyIdleHours() + " hours since the new key"
                    + " was stored";
            case DEADLINE -> "it was still in use, but " + Parameter.MAX_GRACE_DAYS.parameterName() + " ("
                    + config.maxGraceDays() + ") is reached";
        };
        String text = "Hello,\n\nThe old AWS access key " + disabledKeyId + " of IAM user " + userName
                + " has been disabled: " + why + ". The key to use is " + currentKeyId
                + ", stored in Secrets Manager:\n  " + fetchCommand(secretArn) + "\n\n"
                + "The disabled key will be deleted on or after " + DATE.format(deleteAt) + ".\n"
                + "If something broke because it still used the old key, switch it to the new key, or contact "
                + contact + ".\n";
        return new Notice(subject("Old AWS access key disabled for IAM user " + userName), text,
                attributes(userName, EventType.KEY_DISABLED));
    }

    /**
     * Rev 3: an exposed key was disabled at once, replaced first if it was the key in use. Says what happened, where
     * the key to use is, and what machines that held the exposed key must do; never a secret.
     *
     * @param newKeyId     the key that replaced the exposed one in this emergency, if it was the key in use
     * @param currentKeyId the key in the user secret now
     * @param madeByPeople the exposed key was made outside the rotator, which otherwise never disables such a key
     * @param why          what reported the exposure (an AWS Health event, an admin's reason)
     */
    public Notice keyExposed(String userName, String exposedKeyId, Optional<String> newKeyId, String currentKeyId,
                             String secretName, String secretArn, boolean madeByPeople, String why,
                             Instant deleteAt) {
        StringBuilder text = new StringBuilder();
        text.append("Hello,\n\nThe AWS access key ").append(exposedKeyId).append(" of IAM user ").append(userName)
                .append(" was reported exposed (").append(why).append(").\n\n");
        text.append("What the rotator did, in order:\n");
        newKeyId.ifPresent(id -> text.append("  - stored a new key, ").append(id)
                .append(", in the user's secret (below);\n"));
        text.append("  - disabled the exposed key ").append(exposedKeyId).append(" at once, with no grace period")
                .append(madeByPeople ? " (it was made outside the rotator, which otherwise never disables such a"
                        + " key: an exposed key is the one exception)" : "").append(";\n");
        text.append("  - it will delete the exposed key on or after ").append(DATE.format(deleteAt)).append(".\n\n");
        text.append("The key to use is ").append(currentKeyId).append(", in AWS Secrets Manager:\n");
        text.append("  Secret name: ").append(secretName).append('\n');
        text.append("  Secret ARN:  ").append(secretArn).append('\n');
        text.append("  Region:      ").append(region).append("\n\n");
        text.append("Machines that held the exposed key cannot fetch the new key with it: it no longer works. For each"
                + " one, a person fetches the key (signed in as ").append(userName).append(" another way, the AWS"
                + " console's CloudShell for example):\n  ").append(fetchCommand(secretArn)).append('\n');
        text.append("and sets the machine up again with it (\"credentials init\" in the key owner's guide), or gives it"
                + " a delegated reader. Delegated readers (roles an administrator named for this user) never held the"
                + " exposed key: they read the new key as before, and what they feed keeps working.\n\n");
        text.append("Find out where the exposed key was used (AWS CloudTrail) and remove it from wherever it leaked."
                + " Questions: contact ").append(contact).append(".\n");
        return new Notice(subject("Exposed AWS access key disabled for IAM user " + userName), text.toString(),
                attributes(userName, EventType.KEY_EXPOSED));
    }

    /** The rotator left a user alone and a person should look. */
    public Notice attention(String userName, String reason) {
        String text = "Hello,\n\nAccess key rotation for IAM user " + userName + " needs a person:\n  " + reason
                + "\n\nNothing was changed for this user. Contact " + contact + " if you are unsure what to do.\n";
        return new Notice(subject("Access key rotation needs attention: " + userName), text,
                attributes(userName, EventType.ATTENTION));
    }

    /** A rotation is due but cannot happen until a person acts. */
    public Notice blocked(String userName, String reason) {
        String text = "Hello,\n\nThe access key of IAM user " + userName + " is due for rotation, but the rotator"
                + " cannot rotate it until a person acts:\n  " + reason + "\n\nNothing was changed for this user."
                + " Contact " + contact + " if you are unsure what to do.\n";
        return new Notice(subject("Access key rotation blocked: " + userName), text,
                attributes(userName, EventType.BLOCKED));
    }

    /** One reminder before a key reaches its threshold. */
    public Notice keyExpiring(String userName, String keyId, Instant rotationDue, String secretName) {
        String text = "Hello,\n\nThe AWS access key " + keyId + " of IAM user " + userName + " will be rotated on or"
                + " after " + DATE.format(rotationDue) + ". Nothing changes for you until then.\n\n"
                + "The new key will be stored in Secrets Manager as " + secretName + " (region " + region
                + "), and you will be told when it is there. The old key keeps working until what uses it has"
                + " switched.\n\nA machine that holds this key can pick up the new key by itself: set up"
                + " credential_process once, as \"Machines\" in the key owner's guide describes, and this rotation"
                + " needs no person.\n\nQuestions: contact " + contact + ".\n";
        return new Notice(subject("AWS access key of IAM user " + userName + " rotates soon"), text,
                attributes(userName, EventType.KEY_EXPIRING));
    }

    /** With on-use: the replaced key is still in use shortly before it is disabled regardless. */
    public Notice graceReminder(String userName, String previousKeyId, KeyUse lastUse, Instant deadline,
                                String currentKeyId, String secretArn) {
        String text = "Hello,\n\nThe old AWS access key " + previousKeyId + " of IAM user " + userName + " is still"
                + " in use, and it will be disabled on " + DATE.format(deadline) + " whether or not it is.\n\n"
                + "These callers still use the old key: last used " + DATE.format(lastUse.when())
                + lastUse.region().map(r -> " in " + r).orElse("")
                + lastUse.service().map(service -> " by " + service).orElse("") + ".\n\n"
                + "Switch them to the new key " + currentKeyId + ":\n  " + fetchCommand(secretArn) + "\n\n"
                + "Questions: contact " + contact + ".\n";
        return new Notice(subject("Old AWS access key of IAM user " + userName + " still in use"), text,
                attributes(userName, EventType.KEY_EXPIRING));
    }

    /**
     * Whether a run is worth a summary: something happened, or something went wrong that the admins have not heard
     * of yet. A cause that stays the same is told again with the owner's cadence (attention-reminder-days), so a run
     * with nothing new sends nothing.
     */
    public static boolean summaryWorthSending(RunReport report) {
        boolean changed = Stream.of(ReportCount.ROTATED, ReportCount.DISABLED_OLD, ReportCount.DELETED_OLD,
                ReportCount.FAILED, ReportCount.DEFERRED).anyMatch(count -> report.count(count) > 0);
        boolean newProblem = report.users().stream()
                .anyMatch(u -> (u.outcome() == Outcome.ATTENTION || u.outcome() == Outcome.BLOCKED)
                        && u.effects().notices() > 0);
        return changed || newProblem;
    }

    /** For admins after a run in which something happened or went wrong. */
    public Notice runSummary(RunReport report) {
        StringBuilder text = new StringBuilder();
        text.append("Access key rotation run ").append(report.runId()).append(" in account ").append(account)
                .append(", region ").append(region).append(", finished at ").append(report.finishedAt())
                .append(".\n\n");
        for (Outcome named : List.of(Outcome.ROTATED, Outcome.DISABLED_OLD, Outcome.DELETED_OLD)) {
            List<String> users = report.users().stream().filter(u -> u.outcome() == named).map(UserResult::user)
                    .toList();
            if (!users.isEmpty()) {
                text.append(named.label()).append(" (").append(users.size()).append("): ")
                        .append(String.join(", ", users.subList(0, Math.min(users.size(), SUMMARY_NAMES))))
                        .append(users.size() > SUMMARY_NAMES ? ", ..." : "").append('\n');
            }
        }
        text.append('\n');
        report.counts().forEach((name, count) -> text.append("  ").append(name).append(": ").append(count)
                .append('\n'));
        List<UserResult> needPeople = report.users().stream()
                .filter(u -> switch (u.outcome()) {
                    case ATTENTION, BLOCKED, FAILED, DEFERRED -> true;
                    default -> false;
                }).toList();
        if (!needPeople.isEmpty()) {
            text.append("\nUsers that need attention:\n");
            int shown = 0;
            // SNS messages are capped at 256 KB counted in UTF-8 bytes (reasons may quote non-ASCII tag values);
            // the full list is in the run report log line.
            int bytes = text.toString().getBytes(StandardCharsets.UTF_8).length;
            for (UserResult user : needPeople) {
                String line = "  - " + user.user() + " [" + user.outcome().label() + "] " + user.reason() + '\n';
                int lineBytes = line.getBytes(StandardCharsets.UTF_8).length;
                if (bytes + lineBytes > SUMMARY_LIST_BYTES) {
                    text.append("  ... and ").append(needPeople.size() - shown).append(" more (see the run report"
                            + " in the function's log)\n");
                    break;
                }
                text.append(line);
                bytes += lineBytes;
                shown++;
            }
        }
        String subject = "Access key rotation: " + report.count(ReportCount.ROTATED) + " rotated, " + needPeople.size()
                + " need attention";
        return new Notice(subject(subject), text.toString(),
                Map.of(Notices.EVENT_TYPE, EventType.RUN_SUMMARY.value()));
    }

    /** A valid AWS CLI command the owner can paste. */
    public String fetchCommand(String secretArn) {
        return "aws secretsmanager get-secret-value --secret-id " + secretArn + " --region " + region
                + " --query SecretString --output text";
    }

    static String subject(String text) {
        return text.length() <= MAX_SUBJECT ? text : text.substring(0, MAX_SUBJECT - 3) + "...";
    }

    private static Map<String, String> attributes(String userName, EventType eventType) {
        return Map.of(Notices.USER_NAME, userName, Notices.EVENT_TYPE, eventType.value());
    }
}
