package dev.accesskeyrotator.service;

import dev.accesskeyrotator.contract.Notices.EventType;
import dev.accesskeyrotator.contract.Notices;
import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.port.Notifier.Notice;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    private final String region;
    private final String contact;

    public NoticeComposer(String region, String contact) {
        this.region = region;
        this.contact = contact;
    }

    /** A new key is in the user's secret. */
    public Notice keyRotated(String userName, String secretName, String secretArn, String newKeyId,
                             Instant newKeyCreated, Optional<String> replacedKeyId, RotationConfig config,
                             int maxKeyAgeDays) {
        Instant disableAt = config.previousKeyDisableAt(newKeyCreated);
        Instant deleteAt = config.previousKeyDeleteAt(newKeyCreated);
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
        text.append("Fetch it with the AWS CLI, signed in as ").append(userName).append(":\n");
        text.append("  ").append(fetchCommand(secretArn)).append("\n\n");
        text.append("The result is JSON with AccessKeyId and SecretAccessKey (it also works as a credential_process"
                + " payload). Put the new key everywhere the old one is used.\n\n");
        replacedKeyId.ifPresent(old -> {
            text.append("What happens to the old key ").append(old).append(":\n");
            if (config.graceDays() == 0) {
                text.append("  - it has been disabled now.\n");
            } else {
                text.append("  - it stays active until ").append(DATE.format(disableAt))
                        .append("; switch to the new key before then.\n");
            }
            text.append("  - it will be deleted on or after ").append(DATE.format(deleteAt)).append(".\n");
            if (config.graceDays() > 0) {
                text.append("If something cannot switch in time, tell ").append(contact)
                        .append(" before the old key is disabled.\n");
            }
            text.append('\n');
        });
        text.append("Questions: contact ").append(contact).append(".\n");
        return new Notice(subject("New AWS access key for IAM user " + userName), text.toString(),
                attributes(userName, EventType.KEY_ROTATED));
    }

    /** The grace period ended and the previous key was disabled. */
    public Notice keyDisabled(String userName, String disabledKeyId, String currentKeyId, String secretArn,
                              Instant deleteAt) {
        String text = "Hello,\n\nThe old AWS access key " + disabledKeyId + " of IAM user " + userName
                + " has been disabled: its grace period is over. The key to use is " + currentKeyId
                + ", stored in Secrets Manager:\n  " + fetchCommand(secretArn) + "\n\n"
                + "The disabled key will be deleted on or after " + DATE.format(deleteAt) + ".\n"
                + "If something broke because it still used the old key, switch it to the new key, or contact "
                + contact + ".\n";
        return new Notice(subject("Old AWS access key disabled for IAM user " + userName), text,
                attributes(userName, EventType.KEY_DISABLED));
    }

    /** The rotator left a user alone and a person should look. */
    public Notice attention(String userName, String reason) {
        String text = "Hello,\n\nAccess key rotation for IAM user " + userName + " needs a person:\n  " + reason
                + "\n\nNothing was changed for this user. Contact " + contact + " if you are unsure what to do.\n";
        return new Notice(subject("Access key rotation needs attention: " + userName), text,
                attributes(userName, EventType.ATTENTION));
    }

    /** For admins after each run. */
    public Notice runSummary(RunReport report) {
        StringBuilder text = new StringBuilder();
        text.append("Access key rotation run ").append(report.runId()).append(" finished at ")
                .append(report.finishedAt()).append(".\n\n");
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
