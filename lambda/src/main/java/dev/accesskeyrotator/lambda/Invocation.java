package dev.accesskeyrotator.lambda;

import dev.accesskeyrotator.contract.ExposureEvent;
import dev.accesskeyrotator.service.EmergencyRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the function was invoked for, from the event as the Lambda runtime hands it over (plain maps and lists): the
 * schedule, an AWS Health exposure event, or an admin's emergency payload. Nothing else is interpreted.
 */
sealed interface Invocation {
    String HEALTH_SOURCE = ExposureEvent.SOURCE;
    String HEALTH_DETAIL_TYPE = ExposureEvent.DETAIL_TYPE;
    String EXPOSED_EVENT_TYPE = ExposureEvent.EVENT_TYPE_CODE;
    /** The admin payload's one top-level key: {@code {"emergency": {"accessKeyIds": [...], "reason": "..."}}}. */
    String EMERGENCY_KEY = ExposureEvent.ADMIN_PAYLOAD_KEY;

    /** The schedule's event (or any other event): one rotation run. */
    record Scheduled(Optional<String> eventId) implements Invocation {}

    /** Replace the named exposed keys now. */
    record Emergency(EmergencyRequest request, Optional<String> eventId) implements Invocation {}

    /** An event this function does not act on (another AWS Health event), or a malformed admin payload. */
    record Refused(String why) implements Invocation {}

    static Invocation of(Map<String, Object> event) {
        if (event == null) {
            return new Scheduled(Optional.empty());
        }
        Optional<String> eventId = text(event.get("id"));
        try {
            if (event.containsKey(EMERGENCY_KEY)) {
                return adminRequest(event.get(EMERGENCY_KEY));
            }
            if (HEALTH_SOURCE.equals(event.get("source"))) {
                return healthEvent(event, eventId);
            }
        } catch (IllegalArgumentException malformed) {
            return new Refused(malformed.getMessage());
        }
        return new Scheduled(eventId);
    }

    /** The documented shape: {@code detail.eventTypeCode} and the key ids in {@code detail.affectedEntities[].entityValue}. */
    private static Invocation healthEvent(Map<String, Object> event, Optional<String> eventId) {
        Map<?, ?> detail = event.get("detail") instanceof Map<?, ?> map ? map : Map.of();
        Object type = detail.get("eventTypeCode");
        if (!HEALTH_DETAIL_TYPE.equals(event.get("detail-type")) || !EXPOSED_EVENT_TYPE.equals(type)) {
            return new Refused("AWS Health event " + text(type).orElse("without an event type code")
                    + " is not an exposure; nothing done");
        }
        List<String> keyIds = new ArrayList<>();
        if (detail.get("affectedEntities") instanceof List<?> entities) {
            for (Object entity : entities) {
                if (entity instanceof Map<?, ?> fields) {
                    text(fields.get("entityValue")).ifPresent(keyIds::add);
                }
            }
        }
        String reason = "AWS Health event " + EXPOSED_EVENT_TYPE + text(detail.get("eventArn")).map(arn -> " " + arn)
                .orElse("");
        return new Emergency(new EmergencyRequest(EmergencyRequest.TRIGGER_HEALTH, keyIds, List.of(), reason, false),
                eventId);
    }

    private static Invocation adminRequest(Object payload) {
        if (!(payload instanceof Map<?, ?> fields)) {
            throw new IllegalArgumentException("\"" + EMERGENCY_KEY + "\" is an object with accessKeyIds or users,"
                    + " and reason");
        }
        for (Object name : fields.keySet()) {
            if (!List.of("accessKeyIds", "users", "reason", "dryRun").contains(name)) {
                throw new IllegalArgumentException("unknown field \"" + name + "\" in \"" + EMERGENCY_KEY + "\"");
            }
        }
        boolean dryRun = Boolean.TRUE.equals(fields.get("dryRun"));
        return new Emergency(new EmergencyRequest(EmergencyRequest.TRIGGER_ADMIN, strings(fields.get("accessKeyIds")),
                strings(fields.get("users")), text(fields.get("reason")).orElse(null), dryRun), Optional.empty());
    }

    private static List<String> strings(Object value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list) || list.stream().anyMatch(v -> !(v instanceof String))) {
            throw new IllegalArgumentException("accessKeyIds and users are lists of strings");
        }
        return list.stream().map(String.class::cast).toList();
    }

    private static Optional<String> text(Object value) {
        return value instanceof String s && !s.isBlank() ? Optional.of(s) : Optional.empty();
    }
}
