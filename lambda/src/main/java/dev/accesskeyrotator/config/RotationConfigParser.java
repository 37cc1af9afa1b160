package dev.accesskeyrotator.config;

import dev.accesskeyrotator.contract.OptInTag;
import dev.accesskeyrotator.contract.Parameter;
import dev.accesskeyrotator.contract.Parameter.Cutover;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns the raw parameter values found under the prefix into a validated {@link RotationConfig}.
 * Missing parameters take their defaults (and are listed so the run can say so); any invalid value stops the run.
 */
public final class RotationConfigParser {
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,9}");

    public record Parsed(RotationConfig config, List<String> defaulted) {}

    private RotationConfigParser() {}

    /** @param rawByName parameter values keyed by short name ({@code max-key-age-days}, ...) */
    public static Parsed parse(Map<String, String> rawByName) {
        List<String> defaulted = new ArrayList<>();
        int maxAge = integer(Parameter.MAX_KEY_AGE_DAYS, rawByName, defaulted, 1, Parameter.MAX_DAYS);
        OptInTag tag = optInTag(Parameter.USER_TAG.parameterName(),
                valueOrDefault(Parameter.USER_TAG, rawByName, defaulted));
        int grace = integer(Parameter.GRACE_DAYS, rawByName, defaulted, 0, maxAge - 1);
        int deleteAfter = integer(Parameter.DELETE_AFTER_DAYS, rawByName, defaulted, 0, Parameter.MAX_DAYS);
        boolean dryRun = bool(Parameter.DRY_RUN, rawByName, defaulted);
        int maxRotations = integer(Parameter.MAX_ROTATIONS_PER_RUN, rawByName, defaulted, 1,
                Parameter.MAX_ROTATIONS_LIMIT);
        Cutover cutover = cutover(valueOrDefault(Parameter.CUTOVER, rawByName, defaulted));
        // Ranges that depend on another parameter are checked as a whole by RotationConfig.
        int maxGrace = integer(Parameter.MAX_GRACE_DAYS, rawByName, defaulted, 0, Parameter.MAX_DAYS);
        int idleHours = integer(Parameter.OLD_KEY_IDLE_HOURS, rawByName, defaulted, Parameter.MIN_IDLE_HOURS,
                Parameter.MAX_IDLE_HOURS);
        int reminder = integer(Parameter.REMINDER_DAYS, rawByName, defaulted, 0, Parameter.MAX_DAYS);
        int attentionReminder = integer(Parameter.ATTENTION_REMINDER_DAYS, rawByName, defaulted, 0,
                Parameter.MAX_ATTENTION_REMINDER_DAYS);
        // Defaults fit the other values: a grace period longer than the default cut-over deadline makes that deadline
        // the grace period, and a short threshold shortens the default deadline and reminder. Values set explicitly
        // are checked as given.
        if (!rawByName.containsKey(Parameter.MAX_GRACE_DAYS.parameterName())) {
            maxGrace = Math.max(Math.min(maxGrace, maxAge - 1), grace);
        }
        if (!rawByName.containsKey(Parameter.REMINDER_DAYS.parameterName())) {
            reminder = Math.min(reminder, maxAge - 1);
        }
        return new Parsed(new RotationConfig(maxAge, tag, grace, deleteAfter, dryRun, maxRotations, cutover,
                maxGrace, idleHours, reminder, attentionReminder), List.copyOf(defaulted));
    }

    private static Cutover cutover(String raw) {
        String value = raw.strip().toLowerCase(Locale.ROOT);
        for (Cutover cutover : Cutover.values()) {
            if (cutover.value().equals(value)) {
                return cutover;
            }
        }
        throw ConfigurationException.invalid(Parameter.CUTOVER.parameterName(), raw,
                Cutover.ON_USE.value() + " or " + Cutover.AFTER_GRACE.value());
    }

    /** An opt-in tag; a malformed one fails naming {@code setting}, the value and what is allowed. */
    public static OptInTag optInTag(String setting, String text) {
        try {
            return OptInTag.parse(text);
        } catch (IllegalArgumentException e) {
            throw ConfigurationException.invalid(setting, text, OptInTag.ALLOWED);
        }
    }

    /** Parses a day count the same way the parameters are parsed; used for per-user override tags too. */
    public static int parseDays(String setting, String raw, int min, int max) {
        String trimmed = raw == null ? "" : raw.strip();
        if (!DECIMAL.matcher(trimmed).matches()) {
            throw ConfigurationException.invalid(setting, raw, "an integer from " + min + " to " + max);
        }
        int value = Integer.parseInt(trimmed);
        if (value < min || value > max) {
            throw ConfigurationException.invalid(setting, raw, "an integer from " + min + " to " + max);
        }
        return value;
    }

    private static String valueOrDefault(Parameter parameter, Map<String, String> raw, List<String> defaulted) {
        String value = raw.get(parameter.parameterName());
        if (value == null) {
            defaulted.add(parameter.parameterName());
            return parameter.defaultValue();
        }
        return value;
    }

    private static int integer(Parameter parameter, Map<String, String> raw, List<String> defaulted,
                               int min, int max) {
        return parseDays(parameter.parameterName(), valueOrDefault(parameter, raw, defaulted), min, max);
    }

    private static boolean bool(Parameter parameter, Map<String, String> raw, List<String> defaulted) {
        String value = valueOrDefault(parameter, raw, defaulted);
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ConfigurationException.invalid(parameter.parameterName(), value, "true or false");
        };
    }
}
