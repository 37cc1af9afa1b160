package dev.accesskeyrotator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.RotationService;

import java.io.PrintStream;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The service's JSON log lines as short lines for a person: {@code warning: ...}. The report and metrics documents
 * are dropped (the report is on standard output already), and so is the line a failed run logs before the command
 * explains the failure itself, so that nothing is said twice.
 */
final class HumanLog implements Consumer<String> {
    /** Fields that identify a line for a log query, not for a person reading a terminal. */
    private static final Set<String> NOT_SHOWN = Set.of("timestamp", "level", "message", "runId");

    private final PrintStream err;
    private final boolean debug;

    HumanLog(PrintStream err, boolean debug) {
        this.err = err;
        this.debug = debug;
    }

    @Override
    public void accept(String jsonLine) {
        JsonNode line;
        try {
            line = JsonLog.mapper().readTree(jsonLine);
        } catch (Exception e) {
            return;
        }
        String level = line.path("level").asText("");
        String message = line.path("message").asText("");
        if (level.isEmpty() || message.equals(RotationService.STOPPED_BEFORE_ANY_CHANGE)) {
            return;
        }
        if (message.equals("progress")) {
            // The function's progress every 200 users, for its log; a person gets ProgressLines instead.
            return;
        }
        if (level.equals("INFO") && !debug) {
            return;
        }
        StringBuilder text = new StringBuilder(switch (level) {
            case "WARN" -> "warning: ";
            case "ERROR" -> "error: ";
            default -> "info: ";
        }).append(message);
        StringBuilder details = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> fields = line.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!NOT_SHOWN.contains(field.getKey())) {
                String value = field.getValue().isTextual() ? field.getValue().asText() : field.getValue().toString();
                details.append(details.length() == 0 ? "" : ", ").append(field.getKey()).append(' ')
                        .append(debug ? value : CliAws.firstLine(value));
            }
        }
        err.println(details.length() == 0 ? text : text.append(" (").append(details).append(')'));
    }
}
