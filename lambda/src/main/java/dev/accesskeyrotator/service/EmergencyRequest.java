package dev.accesskeyrotator.service;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Rev 3: a request to replace exposed keys now, naming access key ids (what AWS Health reports) or users (what an
 * admin knows), with the reason that is told to the owners. Only the named keys' users are read or changed.
 *
 * @param trigger      what asked: {@code aws-health} or {@code admin}
 * @param forceDryRun  plan and report only, whatever the dry-run parameter says
 */
public record EmergencyRequest(String trigger, List<String> accessKeyIds, List<String> userNames, String reason,
                               boolean forceDryRun) {
    public static final String TRIGGER_HEALTH = "aws-health";
    public static final String TRIGGER_ADMIN = "admin";
    /** One request is about a leak, not a sweep: more than this is a mistake, or a job for the schedule. */
    public static final int MAX_NAMED = 50;

    /** IAM's access key id format: uppercase letters and digits, 16 to 128 of them. */
    private static final Pattern ACCESS_KEY_ID = Pattern.compile("[A-Z0-9]{16,128}");
    private static final Pattern USER_NAME = Pattern.compile("[\\w+=,.@-]{1,64}");

    /** @throws IllegalArgumentException naming what is wrong (never echoing more than the offending field) */
    public EmergencyRequest {
        accessKeyIds = List.copyOf(accessKeyIds).stream().distinct().toList();
        userNames = List.copyOf(userNames).stream().distinct().toList();
        if (accessKeyIds.isEmpty() && userNames.isEmpty()) {
            throw new IllegalArgumentException("an emergency request names at least one access key id or user");
        }
        if (accessKeyIds.size() + userNames.size() > MAX_NAMED) {
            throw new IllegalArgumentException("an emergency request names at most " + MAX_NAMED
                    + " keys and users");
        }
        for (String id : accessKeyIds) {
            if (!ACCESS_KEY_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("not an access key id (16-128 uppercase letters and digits): "
                        + (id.length() > 20 ? id.substring(0, 4) + "..." : id));
            }
        }
        for (String name : userNames) {
            if (!USER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("not an IAM user name: " + name);
            }
        }
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("an emergency request gives a reason (it is told to the key owners)");
        }
        reason = reason.strip();
        if (reason.length() > 500) {
            reason = reason.substring(0, 500);
        }
    }
}
