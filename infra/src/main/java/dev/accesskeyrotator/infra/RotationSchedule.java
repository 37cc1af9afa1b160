package dev.accesskeyrotator.infra;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The EventBridge schedule expression and the time expected between two runs.
 *
 * <p>The interval drives the "no successful run" alarm and how long a late run may still be delivered. For
 * {@code rate(...)} it is read from the expression; a {@code cron(...)} expression can describe irregular times, so
 * its interval is given separately (context {@code runIntervalHours}, default one day).
 */
public record RotationSchedule(String expression, Duration interval) {
    /** EventBridge's own rule: singular unit for 1, plural otherwise. */
    private static final Pattern RATE = Pattern.compile("rate\\((\\d+) (minute|minutes|hour|hours|day|days)\\)");
    /** Six space-separated fields, as EventBridge cron expressions have. */
    private static final Pattern CRON = Pattern.compile("cron\\(\\S+( \\S+){5}\\)");
    static final Duration DEFAULT_CRON_INTERVAL = Duration.ofDays(1);

    public RotationSchedule {
        if (interval.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new ContextValueRefused("the interval between runs must be at least one minute, got " + interval);
        }
    }

    public static RotationSchedule parse(String expression, Optional<Duration> cronInterval) {
        String trimmed = expression.strip();
        Matcher rate = RATE.matcher(trimmed);
        if (rate.matches()) {
            long amount = Long.parseLong(rate.group(1));
            String unit = rate.group(2);
            boolean singularUnit = !unit.endsWith("s");
            if (amount < 1 || (amount == 1) != singularUnit) {
                throw invalid(expression);
            }
            Duration interval = switch (unit.replaceAll("s$", "")) {
                case "minute" -> Duration.ofMinutes(amount);
                case "hour" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
            return new RotationSchedule(trimmed, interval);
        }
        if (CRON.matcher(trimmed).matches()) {
            return new RotationSchedule(trimmed, cronInterval.orElse(DEFAULT_CRON_INTERVAL));
        }
        throw invalid(expression);
    }

    private static ContextValueRefused invalid(String expression) {
        return new ContextValueRefused("schedule '" + expression + "' is not an EventBridge schedule expression:"
                + " use rate(1 day), rate(12 hours), rate(30 minutes) or cron(minutes hours day-of-month month"
                + " day-of-week year), e.g. cron(0 6 * * ? *)");
    }
}
