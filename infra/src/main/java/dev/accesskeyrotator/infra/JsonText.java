package dev.accesskeyrotator.infra;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A synthesized template (maps and lists) as JSON text, for a StackSet's template body. */
final class JsonText {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonText() {}

    static String of(Object template) {
        try {
            return MAPPER.writeValueAsString(template);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the spoke template is not JSON", e);
        }
    }
}
