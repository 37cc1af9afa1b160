package dev.accesskeyrotator.infra;

import dev.accesskeyrotator.contract.ExposureEvent;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rev 3: the EventBridge rule that hands an AWS Health exposure event to the function, delivered like the schedule's
 * event (the live alias, retries, the same dead-letter queue and so the same alarm). AWS Health sends IAM's events,
 * which are global, to US East (N. Virginia): the rule only ever fires in a stack deployed there (docs/operations.md).
 */
final class ExposureTrigger {
    /** An exposure is worth acting on for a day; the event's key stays exposed until then. */
    static final Duration MAX_EVENT_AGE = Duration.hours(24);
    static final int DELIVERY_RETRIES = 8;

    private ExposureTrigger() {}

    static Rule create(Construct scope, IFunction liveAlias, IQueue deadLetterQueue) {
        return Rule.Builder.create(scope, "ExposedKeyEvent")
                .description("Starts an emergency rotation when AWS Health reports an exposed access key")
                .eventPattern(EventPattern.builder()
                        .source(List.of(ExposureEvent.SOURCE))
                        .detailType(List.of(ExposureEvent.DETAIL_TYPE))
                        .detail(new TreeMap<>(Map.of("service", List.of(ExposureEvent.SERVICE),
                                "eventTypeCode", List.of(ExposureEvent.EVENT_TYPE_CODE))))
                        .build())
                .targets(List.of(LambdaFunction.Builder.create(liveAlias)
                        .retryAttempts(DELIVERY_RETRIES)
                        .maxEventAge(MAX_EVENT_AGE)
                        .deadLetterQueue(deadLetterQueue)
                        .build()))
                .build();
    }
}
