package dev.accesskeyrotator.localaws;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.accesskeyrotator.localaws.DirectRequests.assertAwsError;
import static dev.accesskeyrotator.localaws.DirectRequests.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SsmEmulatorTest {
    private final MutableClock clock = MutableClock.startingAt("2026-01-01T00:00:00Z");
    private final SsmEmulator ssm = new SsmEmulator(new LocalAwsContext("123456789012", "us-east-1", clock));

    private JsonNode call(String operation, String body) {
        return (JsonNode) ssm.handle(json("ssm", operation, body));
    }

    private void put(String name, String value, String type) {
        call("PutParameter", "{'Name':'" + name + "','Value':'" + value + "','Type':'" + type + "'}");
    }

    @Test
    void getParameterReturnsEveryFieldTheSdkReads() {
        clock.advance(Duration.ofMillis(1500));
        put("/rotator/alice/key", "AKIA1", "String");

        JsonNode parameter = call("GetParameter", "{'Name':'/rotator/alice/key'}").get("Parameter");

        assertEquals("/rotator/alice/key", parameter.get("Name").asText());
        assertEquals("String", parameter.get("Type").asText());
        assertEquals("AKIA1", parameter.get("Value").asText());
        assertEquals(1, parameter.get("Version").asLong());
        assertEquals("arn:aws:ssm:us-east-1:123456789012:parameter/rotator/alice/key", parameter.get("ARN").asText());
        assertEquals("text", parameter.get("DataType").asText());
        assertTrue(parameter.get("LastModifiedDate").isNumber());
        assertEquals("1767225601.500", parameter.get("LastModifiedDate").decimalValue().toPlainString());
    }

    @Test
    void missingParameterIsParameterNotFound() {
        assertAwsError(400, "ParameterNotFound", () -> call("GetParameter", "{'Name':'/nope'}"));
        assertAwsError(400, "ParameterNotFound", () -> call("DeleteParameter", "{'Name':'/nope'}"));
    }

    @Test
    void putWithoutOverwriteOnAnExistingNameIsRefused() {
        put("/p", "one", "String");
        assertAwsError(400, "ParameterAlreadyExists", () -> put("/p", "two", "String"));
        assertEquals(Optional.of("one"), ssm.value("/p"));
    }

    @Test
    void overwriteIncrementsTheVersionAndKeepsTheTypeWhenNoneIsGiven() {
        put("/p", "one", "SecureString");
        JsonNode result = call("PutParameter", "{'Name':'/p','Value':'two','Overwrite':true}");

        assertEquals(2, result.get("Version").asLong());
        JsonNode parameter = call("GetParameter", "{'Name':'/p','WithDecryption':true}").get("Parameter");
        assertEquals("SecureString", parameter.get("Type").asText());
        assertEquals("two", parameter.get("Value").asText());
        assertEquals(2, parameter.get("Version").asLong());
    }

    @Test
    void putValidatesValueTypeAndName() {
        assertAwsError(400, "ValidationException", () -> put("/p", "", "String"));
        assertAwsError(400, "ValidationException", () -> call("PutParameter", "{'Name':'/p','Value':'v'}"));
        assertAwsError(400, "ValidationException", () -> put("/p", "v", "Text"));
        assertAwsError(400, "ValidationException", () -> put("a/b", "v", "String"));
        assertAwsError(400, "ValidationException", () -> put("/aws/thing", "v", "String"));
        assertAwsError(400, "ValidationException", () -> put("/has space", "v", "String"));
        assertAwsError(400, "ValidationException", () -> put("/p", "x".repeat(4097), "String"));
        assertEquals(Set.of(), ssm.names());
    }

    @Test
    void secureStringIsOnlyReadableWithDecryption() {
        put("/secret", "hunter2", "SecureString");

        String encrypted = call("GetParameter", "{'Name':'/secret'}").get("Parameter").get("Value").asText();
        String decrypted = call("GetParameter", "{'Name':'/secret','WithDecryption':true}")
                .get("Parameter").get("Value").asText();

        assertFalse(encrypted.contains("hunter2"));
        assertNotEquals("hunter2", encrypted);
        assertEquals("hunter2", decrypted);
    }

    @Test
    void getParametersSplitsFoundFromInvalidNames() {
        put("/a", "1", "String");
        put("/b", "2", "StringList");

        JsonNode result = call("GetParameters", "{'Names':['/a','/missing','/b']}");

        List<String> found = new ArrayList<>();
        result.get("Parameters").forEach(p -> found.add(p.get("Name").asText() + "=" + p.get("Value").asText()));
        assertEquals(List.of("/a=1", "/b=2"), found);
        assertEquals("[\"/missing\"]", result.get("InvalidParameters").toString());
    }

    @Test
    void getParametersTakesOneToTenNames() {
        assertAwsError(400, "ValidationException", () -> call("GetParameters", "{'Names':[]}"));
        assertAwsError(400, "ValidationException", () -> call("GetParameters",
                "{'Names':['/1','/2','/3','/4','/5','/6','/7','/8','/9','/10','/11']}"));
        assertAwsError(400, "ValidationException", () -> call("GetParameters", "{}"));
    }

    @Test
    void nonRecursivePathListsOnlyDirectChildren() {
        put("/app/a", "1", "String");
        put("/app/b", "2", "String");
        put("/app/nested/c", "3", "String");
        put("/application", "4", "String");

        assertEquals(List.of("/app/a", "/app/b"), names(call("GetParametersByPath", "{'Path':'/app'}")));
        assertEquals(List.of("/app/a", "/app/b", "/app/nested/c"),
                names(call("GetParametersByPath", "{'Path':'/app/','Recursive':true}")));
    }

    @Test
    void pathPagesFollowNextTokenWithoutRepeatsOrGaps() {
        for (int i = 1; i <= 7; i++) {
            put("/many/p" + i, "v" + i, "String");
        }
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            String tokenField = token == null ? "" : ",'NextToken':'" + token + "'";
            JsonNode page = call("GetParametersByPath", "{'Path':'/many','MaxResults':3" + tokenField + "}");
            seen.addAll(names(page));
            token = page.hasNonNull("NextToken") ? page.get("NextToken").asText() : null;
            pages++;
        } while (token != null);

        assertEquals(List.of("/many/p1", "/many/p2", "/many/p3", "/many/p4", "/many/p5", "/many/p6", "/many/p7"), seen);
        assertEquals(3, pages);
    }

    @Test
    void pathListingValidatesItsArguments() {
        assertAwsError(400, "ValidationException", () -> call("GetParametersByPath", "{'Path':'app'}"));
        assertAwsError(400, "ValidationException", () -> call("GetParametersByPath", "{'Path':'/','MaxResults':11}"));
        assertAwsError(400, "ValidationException", () -> call("GetParametersByPath", "{'Path':'/','MaxResults':0}"));
        assertAwsError(400, "InvalidNextToken", () -> call("GetParametersByPath", "{'Path':'/','NextToken':'bogus'}"));
    }

    @Test
    void deleteRemovesTheParameter() {
        put("/gone", "v", "String");
        call("DeleteParameter", "{'Name':'/gone'}");
        assertEquals(Optional.empty(), ssm.value("/gone"));
        assertAwsError(400, "ParameterNotFound", () -> call("GetParameter", "{'Name':'/gone'}"));
    }

    @Test
    void seedingHookBypassesValidation() {
        ssm.put("/empty", "");
        ssm.put("/empty", "");

        JsonNode parameter = call("GetParameter", "{'Name':'/empty'}").get("Parameter");
        assertEquals("", parameter.get("Value").asText());
        assertEquals(2, parameter.get("Version").asLong());
        assertEquals(Set.of("/empty"), ssm.names());
    }

    @Test
    void concurrentOverwritesEachGetTheirOwnVersion() throws Exception {
        put("/shared", "v0", "String");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (int i = 1; i <= 200; i++) {
                String value = "v" + i;
                writes.add(pool.submit(() -> call("PutParameter",
                        "{'Name':'/shared','Value':'" + value + "','Overwrite':true}")));
            }
            for (Future<?> write : writes) {
                write.get();
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(201, call("GetParameter", "{'Name':'/shared'}").get("Parameter").get("Version").asLong());
    }

    private static List<String> names(JsonNode page) {
        List<String> names = new ArrayList<>();
        page.get("Parameters").forEach(p -> names.add(p.get("Name").asText()));
        return names;
    }
}
