package dev.accesskeyrotator.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.core.type.TypeReference;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.RotationService;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.EmergencyReport;
import dev.accesskeyrotator.wiring.RotatorFactory;
import org.crac.Core;
import org.crac.Resource;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The function's entry point: the schedule's event is one rotation run; an AWS Health
 * {@code AWS_RISK_CREDENTIALS_EXPOSED} event or an admin's {@code {"emergency": ...}} payload is an emergency
 * rotation of the named keys alone (see {@link Invocation}). Clients and configuration of the environment are
 * built once, at init (and, with SnapStart, before the snapshot), never per invocation.
 */
public class RotationHandler implements RequestHandler<Map<String, Object>, Map<String, Object>>, Resource {

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
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        String requestId = context == null ? null : context.getAwsRequestId();
        Invocation invocation = Invocation.of(event);
        if (invocation instanceof Invocation.Refused refused) {
            // Retrying cannot help a payload that is wrong: answered, logged, not failed.
            log.warn("event not acted on", "reason", refused.why(), "requestId", requestId);
            return Map.of("error", refused.why());
        }
        if (invocation instanceof Invocation.Emergency emergency) {
            log.info("emergency rotation received", "eventId", emergency.eventId().orElse(null),
                    "requestId", requestId);
            EmergencyReport report = service.runEmergency(emergency.request());
            if (report.unfinished()) {
                // Failing the invocation makes Lambda retry it, then hand it to the dead-letter queue and its alarm:
                // an exposure must not end quietly half done.
                throw new EmergencyUnfinished(report);
            }
            return JsonLog.mapper().convertValue(report, PLAIN_JSON);
        }
        log.info("run started", "eventId", ((Invocation.Scheduled) invocation).eventId().orElse(null),
                "requestId", requestId);
        RotationService.Deadline deadline = context == null ? RotationService.Deadline.none()
                : () -> context.getRemainingTimeInMillis() < DEADLINE_MARGIN.toMillis();
        RunReport report = service.run(new RotationService.RunRequest(false, deadline));
        return JsonLog.mapper().convertValue(report, PLAIN_JSON);
    }

    /** An emergency invocation that left an exposure to act on; its message names users and key ids only. */
    public static final class EmergencyUnfinished extends RuntimeException {
        private final transient EmergencyReport report;

        EmergencyUnfinished(EmergencyReport report) {
            super("emergency rotation unfinished for " + String.join(", ", report.users().stream()
                    .filter(u -> u.outcome() == dev.accesskeyrotator.contract.Outcome.FAILED
                            || u.outcome() == dev.accesskeyrotator.contract.Outcome.DEFERRED)
                    .map(u -> u.user() + " (" + u.outcome().label() + ")").toList()) + "; retried by Lambda");
            this.report = report;
        }

        public EmergencyReport report() {
            return report;
        }
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
