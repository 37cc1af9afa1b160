package dev.accesskeyrotator.config;

import dev.accesskeyrotator.contract.OptInTag;
import dev.accesskeyrotator.contract.Parameter;

import java.time.Duration;
import java.time.Instant;

/**
 * The rotation settings of one run, read once from Parameter Store and validated as a whole.
 *
 * @param maxKeyAgeDays       rotate an active key at this age
 * @param userTag             opt-in tag
 * @param graceDays           the old key stays active this long after the new one is stored
 * @param deleteAfterDays     a disabled previous key is deleted this long after the grace period ended
 * @param dryRun              plan and report only
 * @param maxRotationsPerRun  blast-radius cap; due users past it are deferred
 */
public record RotationConfig(int maxKeyAgeDays, OptInTag userTag, int graceDays, int deleteAfterDays,
                             boolean dryRun, int maxRotationsPerRun) {

    public RotationConfig {
        if (maxKeyAgeDays < 1 || maxKeyAgeDays > Parameter.MAX_DAYS) {
            throw ConfigurationException.invalid(Parameter.MAX_KEY_AGE_DAYS.parameterName(),
                    String.valueOf(maxKeyAgeDays), "an integer from 1 to " + Parameter.MAX_DAYS);
        }
        if (graceDays < 0 || graceDays > maxKeyAgeDays - 1) {
            throw ConfigurationException.invalid(Parameter.GRACE_DAYS.parameterName(),
                    String.valueOf(graceDays), "an integer from 0 to " + (maxKeyAgeDays - 1)
                            + " (max-key-age-days - 1)");
        }
        if (deleteAfterDays < 0 || deleteAfterDays > Parameter.MAX_DAYS) {
            throw ConfigurationException.invalid(Parameter.DELETE_AFTER_DAYS.parameterName(),
                    String.valueOf(deleteAfterDays), "an integer from 0 to " + Parameter.MAX_DAYS);
        }
        if (maxRotationsPerRun < 1 || maxRotationsPerRun > Parameter.MAX_ROTATIONS_LIMIT) {
            throw ConfigurationException.invalid(Parameter.MAX_ROTATIONS_PER_RUN.parameterName(),
                    String.valueOf(maxRotationsPerRun), "an integer from 1 to " + Parameter.MAX_ROTATIONS_LIMIT);
        }
    }

    /** When the key a rotation replaced is disabled: grace-days after its replacement was created. */
    public Instant previousKeyDisableAt(Instant replacementCreated) {
        return replacementCreated.plus(Duration.ofDays(graceDays));
    }

    /** When the key a rotation replaced is deleted: delete-after-days after it was disabled. */
    public Instant previousKeyDeleteAt(Instant replacementCreated) {
        return previousKeyDisableAt(replacementCreated).plus(Duration.ofDays(deleteAfterDays));
    }

    public static RotationConfig defaults() {
        return RotationConfigParser.parse(java.util.Map.of()).config();
    }

    public RotationConfig withDryRun(boolean forced) {
        return new RotationConfig(maxKeyAgeDays, userTag, graceDays, deleteAfterDays, dryRun || forced,
                maxRotationsPerRun);
    }
}
