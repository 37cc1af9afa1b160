package dev.accesskeyrotator.log;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.accesskeyrotator.contract.Outcome;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One JSON object per line, so CloudWatch Logs Insights can query fields. Callers pass key ids, user names and
 * AWS error codes; never secret values or whole SDK responses.
 */
public final class JsonLog {
    /** The contract module is free of Jackson, so its vocabulary gets its JSON form here. */
    private static final ObjectMapper MAPPER = new ObjectMapper().addMixIn(Outcome.class, OutcomeAsLabel.class);

    private abstract static class OutcomeAsLabel {
        @JsonValue
        abstract String label();
    }

    private final Consumer<String> sink;
    private final Clock clock;

    public JsonLog(Consumer<String> sink, Clock clock) {
        this.sink = sink;
        this.clock = clock;
    }

    public static JsonLog toStandardOut(Clock clock) {
        return new JsonLog(System.out::println, clock);
    }

    public void info(String message, Object... keyValues) {
        write("INFO", message, keyValues);
    }

    public void warn(String message, Object... keyValues) {
        write("WARN", message, keyValues);
    }

    public void error(String message, Object... keyValues) {
        write("ERROR", message, keyValues);
    }

    /** Writes an already-serialized JSON document (the run report, an EMF metrics record) as one line. */
    public void raw(String jsonLine) {
        sink.accept(jsonLine);
    }

    private void write(String level, String message, Object... keyValues) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("timestamp", clock.instant().toString());
        line.put("level", level);
        line.put("message", message);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            line.put(String.valueOf(keyValues[i]), keyValues[i + 1]);
        }
        sink.accept(toJson(line));
    }

    public static String toJson(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize log line", e);
        }
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
