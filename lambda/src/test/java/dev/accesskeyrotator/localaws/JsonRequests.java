package dev.accesskeyrotator.localaws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DecimalNode;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reading JSON 1.1 request members and writing timestamps the way AWS JSON services do. The SDK does not
 * check required members or length constraints client-side, so the emulators must, with the
 * {@code ValidationException} wording the AWS front end uses for model constraint violations.
 */
final class JsonRequests {
    private JsonRequests() {
    }

    static Optional<String> optionalString(JsonNode body, String field) {
        JsonNode node = body.get(field);
        return node == null || node.isNull() ? Optional.empty() : Optional.of(node.asText());
    }

    static String requiredString(JsonNode body, String field) {
        return optionalString(body, field).orElseThrow(() -> validation(
                "1 validation error detected: Value null at '" + memberName(field)
                        + "' failed to satisfy constraint: Member must not be null"));
    }

    static Optional<Integer> optionalInt(JsonNode body, String field) {
        JsonNode node = body.get(field);
        return node == null || node.isNull() ? Optional.empty() : Optional.of(node.asInt());
    }

    static boolean bool(JsonNode body, String field, boolean absent) {
        JsonNode node = body.get(field);
        return node == null || node.isNull() ? absent : node.asBoolean();
    }

    /** The strings of an array member; absent when the member is absent, so callers can tell "missing" from "empty". */
    static Optional<List<String>> stringList(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        List<String> values = new ArrayList<>();
        node.forEach(element -> values.add(element.asText()));
        return Optional.of(values);
    }

    static void requireRange(String field, int value, int min, int max) {
        if (value < min) {
            throw validation("1 validation error detected: Value '" + value + "' at '" + memberName(field)
                    + "' failed to satisfy constraint: Member must have value greater than or equal to " + min);
        }
        if (value > max) {
            throw validation("1 validation error detected: Value '" + value + "' at '" + memberName(field)
                    + "' failed to satisfy constraint: Member must have value less than or equal to " + max);
        }
    }

    static void requireLength(String field, String value, int min, int max) {
        if (value.length() < min) {
            throw validation("1 validation error detected: Value at '" + memberName(field)
                    + "' failed to satisfy constraint: Member must have length greater than or equal to " + min);
        }
        if (value.length() > max) {
            throw validation("1 validation error detected: Value at '" + memberName(field)
                    + "' failed to satisfy constraint: Member must have length less than or equal to " + max);
        }
    }

    /** AWS JSON services send timestamps as epoch seconds with a fraction, which is what the SDK parses. */
    static DecimalNode epochSeconds(Instant instant) {
        return DecimalNode.valueOf(BigDecimal.valueOf(instant.toEpochMilli(), 3));
    }

    static AwsServiceError validation(String message) {
        return AwsServiceError.badRequest("ValidationException", message);
    }

    /** AWS names members in validation messages in lower camel case: {@code MaxResults} becomes {@code maxResults}. */
    private static String memberName(String field) {
        return Character.toLowerCase(field.charAt(0)) + field.substring(1);
    }
}
