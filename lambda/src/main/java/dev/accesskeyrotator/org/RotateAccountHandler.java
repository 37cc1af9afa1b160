package dev.accesskeyrotator.org;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.aws.SnsNotifier;
import dev.accesskeyrotator.aws.SsmParameterSource;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.contract.Organization;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.RotationService;
import org.crac.Core;
import org.crac.Resource;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The Distributed Map's item processor: rotates the one account named in its input and returns that account's
 * result, failed or not. It throws only when its input names no account, so the Map's failure tolerance counts
 * workers that could not run at all (timeouts, crashes), while every account-level problem is reported by the
 * aggregator.
 *
 * <p>With SnapStart (the hub stack publishes versions and the state machine invokes the {@code live} alias), its
 * CRaC {@code beforeCheckpoint} hook primes the snapshot ({@link WorkerPriming}), so the many restored
 * environments of a run start their first account warm.
 */
public final class RotateAccountHandler implements RequestHandler<Map<String, Object>, Map<String, Object>>,
        Resource {
    /** The calls' worst case for the users in flight, with room to report (see AwsClients). */
    static final Duration DEADLINE_MARGIN = AwsClients.deadlineMargin();

    private final AccountWorker worker;
    /** The SnapStart priming; none for a handler built around a given worker (tests). */
    private final Runnable priming;

    /** Used by the Lambda runtime: clients built once per execution environment, settings from the environment. */
    public RotateAccountHandler() {
        Map<String, String> env = System.getenv();
        String region = Optional.ofNullable(env.get("AWS_REGION")).filter(r -> !r.isBlank()).orElseThrow(() ->
                new IllegalStateException("required environment variable AWS_REGION is not set"));
        Clock clock = Clock.systemUTC();
        RotatorSettings settings = RotatorSettings.fromEnvironment(env);
        AwsClients.Options options = AwsClients.Options.forLambda(region);
        AwsClients hub = new AwsClients(options);
        AssumedRoleAccounts accounts = new AssumedRoleAccounts(options, AwsClients::defaultRetryStrategy,
                Optional.ofNullable(env.get(Organization.Variable.SPOKE_ROLE_NAME.name()))
                        .orElse(Organization.DEFAULT_SPOKE_ROLE_NAME),
                pause -> Thread.sleep(pause.toMillis()));
        this.worker = new AccountWorker(settings, region, new SsmParameterSource(hub.ssm()),
                new SnsNotifier(hub.sns(), settings.noticeTopicArn()), accounts, clock, System.out::println,
                java.util.Set.copyOf(ListAccountsHandler.list(env, Organization.Variable.EXCLUDED_ACCOUNTS)));
        JsonLog log = JsonLog.toStandardOut(clock);
        this.priming = () -> log.info("primed for the snapshot", "steps",
                WorkerPriming.prime(hub, accounts, settings, clock));
        Core.getGlobalContext().register(this);
    }

    RotateAccountHandler(AccountWorker worker) {
        this.worker = worker;
        this.priming = () -> { };
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        Object accountId = input == null ? null : input.get(Organization.ACCOUNT_ID_FIELD);
        if (!(accountId instanceof String id) || id.isBlank()) {
            throw new IllegalArgumentException("input has no " + Organization.ACCOUNT_ID_FIELD + ": " + input);
        }
        Object name = input.get(Organization.ACCOUNT_NAME_FIELD);
        RotationService.Deadline deadline = context == null ? RotationService.Deadline.none()
                : () -> context.getRemainingTimeInMillis() < DEADLINE_MARGIN.toMillis();
        AccountResult result = worker.rotate(id, name instanceof String s && !s.isEmpty() ? s : null, deadline);
        return JsonLog.mapper().convertValue(result, ListAccountsHandler.PLAIN_JSON);
    }

    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        priming.run();
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing to refresh: credentials come from the provider chain per call, the clock is the system clock, and
        // each account's session is assumed when the account is entered.
    }
}
