package dev.accesskeyrotator.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.aws.RotatorFactory;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.RotationService;
import dev.accesskeyrotator.service.RunReport;
import org.crac.Core;
import org.crac.Resource;

import java.time.Clock;
import java.time.Duration;

/**
 * The EventBridge-scheduled entry point: one rotation per event. Clients and configuration of the environment are
 * built once, at init (and, with SnapStart, before the snapshot), never per invocation.
 */
public class RotationHandler implements RequestHandler<ScheduledEvent, RunReport>, Resource {

    /** No user starts with less time left than this: a rotation takes seconds, the margin leaves room to report. */
    static final Duration DEADLINE_MARGIN = Duration.ofSeconds(60);

    private final RotationService service;
    private final JsonLog log;

    /** Used by the Lambda runtime; fails at init, naming the variable, if the stack did not set one. */
    public RotationHandler() {
        Clock clock = Clock.systemUTC();
        RotatorSettings settings = RotatorSettings.fromEnvironment(System.getenv());
        String region = System.getenv("AWS_REGION");
        if (region == null || region.isBlank()) {
            throw new IllegalStateException("required environment variable AWS_REGION is not set");
        }
        this.log = JsonLog.toStandardOut(clock);
        this.service = RotatorFactory.create(settings, new AwsClients(AwsClients.Options.forLambda(region)), clock,
                log);
        Core.getGlobalContext().register(this);
    }

    /** For tests: any service, for example one wired to a local endpoint. */
    public RotationHandler(RotationService service, JsonLog log) {
        this.service = service;
        this.log = log;
    }

    @Override
    public RunReport handleRequest(ScheduledEvent event, Context context) {
        log.info("run started", "eventId", event == null ? null : event.getId(),
                "requestId", context == null ? null : context.getAwsRequestId());
        RotationService.Deadline deadline = context == null ? RotationService.Deadline.none()
                : () -> context.getRemainingTimeInMillis() < DEADLINE_MARGIN.toMillis();
        return service.run(new RotationService.RunRequest(false, deadline));
    }

    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        Priming.prime();
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing to refresh: credentials come from the provider chain per call, the clock is the system clock.
    }
}
