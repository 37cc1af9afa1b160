package dev.accesskeyrotator.infra;

import dev.accesskeyrotator.contract.Metric;
import dev.accesskeyrotator.contract.Organization.OrganizationMetric;
import dev.accesskeyrotator.contract.Notices;
import dev.accesskeyrotator.contract.Parameter;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.Stats;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.constructs.Construct;

import java.util.List;

/**
 * The hub's alarms, each notifying the alarm topic: an organization run that failed or timed out (Step Functions'
 * own metrics of the state machine), accounts that failed or were not run, no successful run for two schedule
 * periods, and any account left in dry run. The account-level metrics are the aggregator's EMF lines (namespace
 * {@value Metric#NAMESPACE}, no dimension; the same names with dimension {@code AccountId} say which account).
 */
final class HubAlarms extends Construct {
    private static final Duration EVENT_PERIOD = Duration.minutes(5);
    private static final String DRY_RUN = Parameter.DRY_RUN.parameterName();
    private static final String RUN_SUMMARY = Notices.EventType.RUN_SUMMARY.value();

    private final List<Alarm> alarms;

    HubAlarms(Construct scope, String id, StateMachine stateMachine, ITopic alarmTopic, java.time.Duration runInterval) {
        super(scope, id);
        MetricOptions sumPerEvent = MetricOptions.builder().statistic(Stats.SUM).period(EVENT_PERIOD).build();
        Alarm executionsFailed = whenAtLeastOne("ExecutionsFailed", stateMachine.metricFailed(sumPerEvent),
                "An organization rotation run ended failed: accounts failed or were not run, or the listing or the"
                        + " Map failed. The " + RUN_SUMMARY + " notice and the organization report in the results"
                        + " bucket say which accounts and why.");
        Alarm executionsTimedOut = whenAtLeastOne("ExecutionsTimedOut", stateMachine.metricTimedOut(sumPerEvent),
                "An organization rotation run timed out before its report was written; see the execution's history.");
        Alarm accountsFailed = whenAtLeastOne("AccountsFailed",
                hubMetric(OrganizationMetric.ACCOUNTS_FAILED.metricName(), EVENT_PERIOD),
                "At least one member account should have been rotated and was not (failed or not run). The metric"
                        + " with dimension AccountId names it; the organization report says why.");

        // As in single-account mode: two schedule periods without a run that ended successfully.
        Alarm noSuccessfulRun = RotatorAlarms.noSuccessWithinTwoPeriods(this, runInterval, 3600,
                period -> stateMachine.metricSucceeded(MetricOptions.builder().statistic(Stats.SUM).period(period)
                        .build()),
                "No organization rotation run succeeded within two schedule periods: the schedule,"
                        + " the state machine or accounts keep failing, and keys are aging unrotated.");
        Alarm dryRunLeftOn = whenAtLeastOne("DryRunLeftOn",
                hubMetric(OrganizationMetric.ACCOUNTS_IN_DRY_RUN.metricName(),
                        RotatorAlarms.oneSchedulePeriod(runInterval)),
                "At least one member account's run was a dry run (hub parameter " + DRY_RUN
                        + "=true, or an account override): nothing was rotated there. The metric "
                        + OrganizationMetric.ACCOUNTS_IN_DRY_RUN.metricName() + " with dimension AccountId names the"
                        + " accounts, as does the " + RUN_SUMMARY + " notice.");
        this.alarms = List.of(executionsFailed, executionsTimedOut, accountsFailed, noSuccessfulRun, dryRunLeftOn);
        SnsAction notifyAdministrators = new SnsAction(alarmTopic);
        alarms.forEach(alarm -> alarm.addAlarmAction(notifyAdministrators));
    }

    private Alarm whenAtLeastOne(String id, IMetric metric, String description) {
        return RotatorAlarms.whenAtLeastOne(this, id, metric, description);
    }

    private static IMetric hubMetric(String name, Duration period) {
        return RotatorAlarms.sumOf(name, period);
    }

    List<Alarm> all() {
        return alarms;
    }
}
