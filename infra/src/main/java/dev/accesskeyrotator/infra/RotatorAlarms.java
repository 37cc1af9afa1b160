package dev.accesskeyrotator.infra;

import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import dev.accesskeyrotator.contract.Metric;
import dev.accesskeyrotator.contract.Parameter;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.Stats;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sqs.Queue;
import software.constructs.Construct;

import java.util.List;

/**
 * Alarms that page the administrators (through the alarm topic) when rotation is not happening or not working.
 *
 * <p>The function's own metrics come as Embedded Metric Format log lines in namespace {@value #METRIC_NAMESPACE},
 * without dimensions: {@code Failed} (users whose rotation failed in a run), {@code RunFailed} (1 when a run
 * aborts, e.g. on invalid configuration), {@code RunSucceeded} (1 per completed run that could change keys) and
 * {@code DryRun} (1 per completed dry run, instead of {@code RunSucceeded}: a dry run rotates nothing).
 */
public final class RotatorAlarms extends Construct {
    public static final String METRIC_NAMESPACE = Metric.NAMESPACE;
    private static final String DRY_RUN = Parameter.DRY_RUN.parameterName();
    private static final Duration EVENT_PERIOD = Duration.minutes(5);
    private static final long ONE_DAY_SECONDS = 86_400;
    /** CloudWatch evaluates at most seven days of data. */
    private static final int MAX_DAILY_EVALUATION_PERIODS = 7;

    private final Alarm functionErrors;
    private final Alarm failedUsers;
    private final Alarm runFailed;
    private final Alarm undeliveredRuns;
    private final Alarm noSuccessfulRun;
    private final Alarm dryRunLeftOn;

    RotatorAlarms(Construct scope, String id, Function function, Queue deadLetterQueue, ITopic alarmTopic,
                  java.time.Duration runInterval) {
        super(scope, id);
        this.functionErrors = whenAtLeastOne("FunctionErrors",
                function.metricErrors(MetricOptions.builder().statistic(Stats.SUM).period(EVENT_PERIOD).build()),
                "The rotation function failed (crashed or timed out). Runs are safe to repeat; check its log group.");
        this.failedUsers = whenAtLeastOne("FailedUsers", rotatorMetric(Metric.FAILED, EVENT_PERIOD),
                "A run could not rotate or clean up at least one user; the run summary notice and the run report"
                        + " in the log name them and the reason.");
        // Named after the metric it watches (the construct id, hence the alarm's logical id, is the metric's name).
        this.runFailed = whenAtLeastOne(Metric.RUN_FAILED.metricName(),
                rotatorMetric(Metric.RUN_FAILED, EVENT_PERIOD),
                "A run stopped before changing anything, usually because a parameter under the parameter prefix"
                        + " is invalid; the log names the parameter, its value and the allowed range.");
        this.undeliveredRuns = whenAtLeastOne("UndeliveredRuns",
                deadLetterQueue.metricApproximateNumberOfMessagesVisible(MetricOptions.builder()
                        .statistic(Stats.MAXIMUM).period(EVENT_PERIOD).build()),
                "A scheduled run could not be delivered or failed after its retry; its event is in the"
                        + " dead-letter queue.");

        // A run may legitimately take up to the function timeout, so the window is never shorter than that.
        this.noSuccessfulRun = noSuccessWithinTwoPeriods(this, runInterval,
                RotatorStack.FUNCTION_TIMEOUT.toSeconds().longValue(),
                period -> rotatorMetric(Metric.RUN_SUCCEEDED, period),
                "No rotation run completed within two schedule periods: the schedule, the function"
                        + " or its configuration is broken, and keys are aging unrotated. Dry runs do not count:"
                        + " with " + DRY_RUN + "=true nothing is rotated (see the DryRunLeftOn alarm).");

        // One schedule period (a day at most, as above): the alarm stays in ALARM from a dry run until the next run,
        // and every further dry run after an OK period pages again, so dry-run=true cannot be left on quietly.
        this.dryRunLeftOn = whenAtLeastOne("DryRunLeftOn",
                rotatorMetric(Metric.DRY_RUN, oneSchedulePeriod(runInterval)),
                "A run was a dry run (parameter " + DRY_RUN + "=true): it planned and reported but"
                        + " rotated nothing, and keys keep aging until " + DRY_RUN + " is set back to false.");

        SnsAction notifyAdministrators = new SnsAction(alarmTopic);
        all().forEach(alarm -> alarm.addAlarmAction(notifyAdministrators));
    }

    private Alarm whenAtLeastOne(String id, IMetric metric, String description) {
        return whenAtLeastOne(this, id, metric, description);
    }

    /** An alarm on one or more events in a period; the hub's alarms are built the same way. */
    static Alarm whenAtLeastOne(Construct scope, String id, IMetric metric, String description) {
        return Alarm.Builder.create(scope, id)
                .alarmDescription(description)
                .metric(metric)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .threshold(1)
                .evaluationPeriods(1)
                // Between runs there is no data, and that is not a failure.
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
    }

    /**
     * {@code NoSuccessfulRun}: no successful run within two schedule periods (the hub's is built the same way). Past a
     * day the period is a day and the window that many days, at most seven (all CloudWatch evaluates); periods are
     * whole minutes. No data is exactly the failure this alarm is for.
     *
     * @param minimumPeriodSeconds the shortest period that can hold one whole run
     */
    static Alarm noSuccessWithinTwoPeriods(Construct scope, java.time.Duration runInterval, long minimumPeriodSeconds,
                                           java.util.function.Function<Duration, IMetric> succeeded,
                                           String description) {
        long periodSeconds = Math.max(runInterval.toSeconds(), minimumPeriodSeconds);
        int evaluationPeriods = 2;
        if (periodSeconds > ONE_DAY_SECONDS) {
            evaluationPeriods = (int) Math.min(MAX_DAILY_EVALUATION_PERIODS,
                    (2 * periodSeconds + ONE_DAY_SECONDS - 1) / ONE_DAY_SECONDS);
            periodSeconds = ONE_DAY_SECONDS;
        }
        periodSeconds = (periodSeconds + 59) / 60 * 60;
        return Alarm.Builder.create(scope, "NoSuccessfulRun")
                .alarmDescription(description)
                .metric(succeeded.apply(Duration.seconds(periodSeconds)))
                .comparisonOperator(ComparisonOperator.LESS_THAN_THRESHOLD)
                .threshold(1)
                .evaluationPeriods(evaluationPeriods)
                .datapointsToAlarm(evaluationPeriods)
                .treatMissingData(TreatMissingData.BREACHING)
                .build();
    }

    /** One schedule period, a day at most, in whole minutes: the period of a dry-run alarm. */
    static Duration oneSchedulePeriod(java.time.Duration runInterval) {
        return Duration.seconds(Math.min(ONE_DAY_SECONDS, (runInterval.toSeconds() + 59) / 60 * 60));
    }

    private static IMetric rotatorMetric(Metric metric, Duration period) {
        return sumOf(metric.metricName(), period);
    }

    /** The sum of one of the rotator's metrics (single account or hub) over {@code period}. */
    static IMetric sumOf(String metricName, Duration period) {
        return software.amazon.awscdk.services.cloudwatch.Metric.Builder.create()
                .namespace(METRIC_NAMESPACE).metricName(metricName)
                .statistic(Stats.SUM).period(period)
                .build();
    }

    public List<Alarm> all() {
        return List.of(functionErrors, failedUsers, runFailed, undeliveredRuns, noSuccessfulRun, dryRunLeftOn);
    }

    public Alarm dryRunLeftOn() {
        return dryRunLeftOn;
    }

    public Alarm noSuccessfulRun() {
        return noSuccessfulRun;
    }
}
