package dev.accesskeyrotator.config;

import dev.accesskeyrotator.contract.OptInTag;
import dev.accesskeyrotator.contract.Parameter;
import dev.accesskeyrotator.contract.Parameter.Cutover;


/**
 * The rotation settings of one run, read once from Parameter Store and validated as a whole.
 *
 * @param maxKeyAgeDays         rotate an active key at this age
 * @param userTag               opt-in tag
 * @param graceDays             the old key stays active at least this long after the new one is stored
 * @param deleteAfterDays       a disabled previous key is deleted this long after it was disabled
 * @param dryRun                plan and report only
 * @param maxRotationsPerRun    blast-radius cap; due users past it are deferred, oldest keys first
 * @param cutover               when the replaced key is disabled: once unused, or after the grace period
 * @param maxGraceDays          with on-use: the replaced key is disabled at this age of the new key at the latest
 * @param oldKeyIdleHours       with on-use: no use for this long since the new key was stored counts as unused
 * @param reminderDays          one key-expiring notice this long before the threshold; 0 for none
 * @param attentionReminderDays an unchanged attention or blocked cause is re-sent at most this often; 0 for once
 */
public record RotationConfig(int maxKeyAgeDays, OptInTag userTag, int graceDays, int deleteAfterDays,
                             boolean dryRun, int maxRotationsPerRun, Cutover cutover, int maxGraceDays,
                             int oldKeyIdleHours, int reminderDays, int attentionReminderDays) {

    public RotationConfig {
        if (maxKeyAgeDays < 1 || maxKeyAgeDays > Parameter.MAX_DAYS) {
            throw ConfigurationException.invalid(Parameter.MAX_KEY_AGE_DAYS.parameterName(),
                    String.valueOf(maxKeyAgeDays), "an integer from 1 to " + Parameter.MAX_DAYS);
        }
        if (graceDays < 0 || graceDays > maxKeyAgeDays - 1) {
            throw ConfigurationException.invalid(Parameter.GRACE_DAYS.parameterName(),
                    String.valueOf(graceDays), "an integer from 0 to " + (maxKeyAgeDays - 1)
                            + " (" + Parameter.MAX_KEY_AGE_DAYS.parameterName() + " - 1)");
        }
        if (maxGraceDays < graceDays || maxGraceDays > maxKeyAgeDays - 1) {
            throw ConfigurationException.invalid(Parameter.MAX_GRACE_DAYS.parameterName(),
                    String.valueOf(maxGraceDays), "an integer from " + graceDays + " ("
                            + Parameter.GRACE_DAYS.parameterName() + ") to " + (maxKeyAgeDays - 1) + " ("
                            + Parameter.MAX_KEY_AGE_DAYS.parameterName() + " - 1)");
        }
        if (deleteAfterDays < 0 || deleteAfterDays > Parameter.MAX_DAYS) {
            throw ConfigurationException.invalid(Parameter.DELETE_AFTER_DAYS.parameterName(),
                    String.valueOf(deleteAfterDays), "an integer from 0 to " + Parameter.MAX_DAYS);
        }
        if (maxRotationsPerRun < 1 || maxRotationsPerRun > Parameter.MAX_ROTATIONS_LIMIT) {
            throw ConfigurationException.invalid(Parameter.MAX_ROTATIONS_PER_RUN.parameterName(),
                    String.valueOf(maxRotationsPerRun), "an integer from 1 to " + Parameter.MAX_ROTATIONS_LIMIT);
        }
        if (oldKeyIdleHours < Parameter.MIN_IDLE_HOURS || oldKeyIdleHours > Parameter.MAX_IDLE_HOURS) {
            throw ConfigurationException.invalid(Parameter.OLD_KEY_IDLE_HOURS.parameterName(),
                    String.valueOf(oldKeyIdleHours), "an integer from " + Parameter.MIN_IDLE_HOURS + " to "
                            + Parameter.MAX_IDLE_HOURS);
        }
        if (reminderDays < 0 || reminderDays > maxKeyAgeDays - 1) {
            throw ConfigurationException.invalid(Parameter.REMINDER_DAYS.parameterName(),
                    String.valueOf(reminderDays), "an integer from 0 to " + (maxKeyAgeDays - 1) + " ("
                            + Parameter.MAX_KEY_AGE_DAYS.parameterName() + " - 1)");
        }
        if (attentionReminderDays < 0 || attentionReminderDays > Parameter.MAX_ATTENTION_REMINDER_DAYS) {
            throw ConfigurationException.invalid(Parameter.ATTENTION_REMINDER_DAYS.parameterName(),
                    String.valueOf(attentionReminderDays), "an integer from 0 to "
                            + Parameter.MAX_ATTENTION_REMINDER_DAYS);
        }
    }

    /**
     * The revision-1 behaviour: the replaced key is disabled on the timer ({@code after-grace}), no reminders.
     * Rule tests that predate cut-over on use state their settings this way.
     */
    public RotationConfig(int maxKeyAgeDays, OptInTag userTag, int graceDays, int deleteAfterDays, boolean dryRun,
                          int maxRotationsPerRun) {
        this(maxKeyAgeDays, userTag, graceDays, deleteAfterDays, dryRun, maxRotationsPerRun, Cutover.AFTER_GRACE,
                graceDays, 24, 0, 7);
    }

    public static RotationConfig defaults() {
        return RotationConfigParser.parse(java.util.Map.of()).config();
    }

    public RotationConfig withDryRun(boolean forced) {
        return new RotationConfig(maxKeyAgeDays, userTag, graceDays, deleteAfterDays, dryRun || forced,
                maxRotationsPerRun, cutover, maxGraceDays, oldKeyIdleHours, reminderDays, attentionReminderDays);
    }
}
