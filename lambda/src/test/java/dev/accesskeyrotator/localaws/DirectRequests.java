package dev.accesskeyrotator.localaws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import org.junit.jupiter.api.function.Executable;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Builds {@link AwsRequest}s as the server would decode them, for tests that call an emulator without HTTP. */
final class DirectRequests {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DirectRequests() {
    }

    /** A JSON 1.1 call; {@code json} may use single quotes for readability. */
    static AwsRequest json(String service, String operation, String json) {
        try {
            JsonNode body = MAPPER.readTree(json.replace('\'', '"'));
            return new AwsRequest(service, operation, AwsRequest.Protocol.JSON_1_1, Map.of(), body, Map.of());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad test JSON: " + json, e);
        }
    }

    /** A Query call from alternating parameter names and values. */
    static AwsRequest query(String service, String operation, String... namesAndValues) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("Action", operation);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            params.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return new AwsRequest(service, operation, AwsRequest.Protocol.QUERY_XML, params, NullNode.getInstance(),
                Map.of());
    }

    /** Asserts the call fails with this AWS error code and HTTP status, and returns the error for further checks. */
    static AwsServiceError assertAwsError(int status, String code, Executable call) {
        AwsServiceError error = assertThrows(AwsServiceError.class, call);
        assertEquals(code, error.code(), error.getMessage());
        assertEquals(status, error.httpStatus(), error.getMessage());
        return error;
    }
}
