package dev.accesskeyrotator.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.core.type.TypeReference;
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
import java.util.Map;
import java.util.Optional;

/**
 * The EventBridge-scheduled entry point: one rotation per event. Clients and configuration of the environment are
 * built once, at init (and, with SnapStart, before the snapshot), never per invocation.
 */
public class RotationHandler implements RequestHandler<ScheduledEvent, Map<String, Object>>, Resource {

    /** The calls' worst case for the users in flight, with room to report (see AwsClients). */
    static final Duration DEADLINE_MARGIN = AwsClients.deadlineMargin();

    private final RotationService service;
    private final JsonLog log;
    /** What SnapStart priming uses; absent for a handler built around a given service (tests). */
    private final Optional<Primable> primable;

    private record Primable(AwsClients clients, RotatorSettings settings, Clock clock) {}

    /** Used by the Lambda runtime; fails at init, naming the variable, if the stack did not set one. */
    public RotationHandler() {
        Clock clock = Clock.systemUTC();
        RotatorSettings settings = RotatorSettings.fromEnvironment(System.getenv());
        String region = System.getenv("AWS_REGION");
        if (region == null || region.isBlank()) {
            throw new IllegalStateException("required environment variable AWS_REGION is not set");
        }
        this.log = JsonLog.toStandardOut(clock);
        AwsClients clients = new AwsClients(AwsClients.Options.forLambda(region)).buildAll();
        this.service = RotatorFactory.create(settings, clients, clock, log);
        this.primable = Optional.of(new Primable(clients, settings, clock));
        Core.getGlobalContext().register(this);
    }

    /** For tests: any service, for example one wired to a local endpoint. */
    public RotationHandler(RotationService service, JsonLog log) {
        this.service = service;
        this.log = log;
        this.primable = Optional.empty();
    }

    /**
     * Returns the run report as plain maps and lists, exactly as it is logged: the Lambda runtime serializes the
     * response with its own JSON library, which would not honour this project's Jackson annotations.
     */
    @Override
    public Map<String, Object> handleRequest(ScheduledEvent event, Context context) {
        log.info("run started", "eventId", event == null ? null : event.getId(),
                "requestId", context == null ? null : context.getAwsRequestId());
        RotationService.Deadline deadline = context == null ? RotationService.Deadline.none()
                : () -> context.getRemainingTimeInMillis() < DEADLINE_MARGIN.toMillis();
        RunReport report = service.run(new RotationService.RunRequest(false, deadline));
        return JsonLog.mapper().convertValue(report, PLAIN_JSON);
    }

    private static final TypeReference<Map<String, Object>> PLAIN_JSON = new TypeReference<>() { };

    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        primable.ifPresent(p -> log.info("primed for the snapshot", "steps",
                Priming.prime(p.clients(), p.settings(), p.clock())));
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing to refresh: credentials come from the provider chain per call, the clock is the system clock.
    }
}
