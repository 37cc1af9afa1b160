package dev.accesskeyrotator.org;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.contract.Organization;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.port.ObjectStore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what a Distributed Map's {@code ResultWriter} wrote: a {@code manifest.json} naming result files by status,
 * each file a JSON array of child executions with their {@code Input} and {@code Output} as JSON strings.
 * SUCCEEDED entries are the workers' {@link AccountResult}s; a FAILED entry (the worker itself failed: timeout, out
 * of memory) and a PENDING one (never run: the Map was stopped or failed past its tolerance) become failed results.
 */
final class ResultFiles {
    private final ObjectStore objects;

    ResultFiles(ObjectStore objects) {
        this.objects = objects;
    }

    List<AccountResult> read(String bucket, String manifestKey) {
        JsonNode manifest = parse(objects.get(bucket, manifestKey), manifestKey);
        List<AccountResult> results = new ArrayList<>();
        JsonNode files = manifest.path("ResultFiles");
        for (String status : List.of("SUCCEEDED", "FAILED", "PENDING")) {
            for (JsonNode file : files.path(status)) {
                String key = file.path("Key").asText();
                for (JsonNode execution : parse(objects.get(bucket, key), key)) {
                    results.add(resultOf(status, execution));
                }
            }
        }
        return results;
    }

    private static AccountResult resultOf(String status, JsonNode execution) {
        if (status.equals("SUCCEEDED")) {
            try {
                return JsonLog.mapper().readValue(execution.path("Output").asText(), AccountResult.class);
            } catch (IOException e) {
                throw new IllegalStateException("a worker's output is not an account result: " + e.getMessage(), e);
            }
        }
        JsonNode input = parseText(execution.path("Input").asText("{}"));
        String accountId = input.path(Organization.ACCOUNT_ID_FIELD).asText("unknown");
        String accountName = input.path(Organization.ACCOUNT_NAME_FIELD).asText(null);
        String stopped = execution.path("StopDate").isMissingNode() ? null : execution.path("StopDate").asText();
        if (status.equals("FAILED")) {
            return AccountResult.failed(accountId, accountName, AccountResult.STAGE_WORKER,
                    execution.path("Error").asText("WorkerFailed"), execution.path("Cause").asText(""),
                    execution.path("StartDate").asText(null), stopped);
        }
        return AccountResult.notRotated(accountId, accountName, AccountResult.NOT_RUN, "NotRun",
                "the Map stopped before running this account");
    }

    private static JsonNode parse(byte[] body, String key) {
        try {
            return JsonLog.mapper().readTree(body);
        } catch (IOException e) {
            throw new AwsFailure(AwsFailure.Kind.OTHER, "GetObject", "UnreadableResult",
                    key + " is not JSON: " + e.getMessage(), e);
        }
    }

    private static JsonNode parseText(String text) {
        try {
            return JsonLog.mapper().readTree(text);
        } catch (IOException e) {
            return JsonLog.mapper().createObjectNode();
        }
    }
}
