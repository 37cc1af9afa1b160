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

    @Test
    void aValueOutsideTheStoredPatternIsRefusedAsAwsRefusesIt() {
        // The AWS documentation's walk-through: a pattern of one to four digits, then a value with a comma.
        call("PutParameter", "{'Name':'/MyService/Test/MaxConnections','Value':'100','Type':'String',"
                + "'AllowedPattern':'\\\\d{1,4}'}");

        AwsServiceError refused = assertAwsError(400, "ParameterPatternMismatchException", () -> call("PutParameter",
                "{'Name':'/MyService/Test/MaxConnections','Value':'10,000','Type':'String','Overwrite':true}"));

        assertEquals("Parameter value, cannot be validated against allowedPattern: \\d{1,4}", refused.getMessage());
        JsonNode parameter = call("GetParameter", "{'Name':'/MyService/Test/MaxConnections'}").get("Parameter");
        assertEquals("100", parameter.get("Value").asText());
        assertEquals(1, parameter.get("Version").asLong(), "a refused put is no new version");
    }

    @Test
    void theWholeValueMustMatchNotJustAPartOfIt() {
        call("PutParameter", "{'Name':'/digits','Value':'1','Type':'String','AllowedPattern':'[0-9]+'}");

        assertAwsError(400, "ParameterPatternMismatchException",
                () -> call("PutParameter", "{'Name':'/digits','Value':'12a','Overwrite':true}"));
        call("PutParameter", "{'Name':'/digits','Value':'12','Overwrite':true}");
        assertEquals(Optional.of("12"), ssm.value("/digits"));
    }

    @Test
    void anOverwriteWithoutAPatternKeepsAndEnforcesTheStoredOne() {
        call("PutParameter", "{'Name':'/flag','Value':'false','Type':'String','AllowedPattern':'^(true|false)$'}");
        call("PutParameter", "{'Name':'/flag','Value':'true','Type':'String','Overwrite':true}");

        assertEquals(Optional.of("^(true|false)$"), ssm.allowedPattern("/flag"));
        assertAwsError(400, "ParameterPatternMismatchException",
                () -> call("PutParameter", "{'Name':'/flag','Value':'yes','Overwrite':true}"));
        assertEquals(Optional.of("true"), ssm.value("/flag"));
    }

    @Test
    void anOverwriteWithAPatternReplacesTheStoredOneAndIsCheckedAgainstIt() {
        call("PutParameter", "{'Name':'/flag','Value':'false','Type':'String','AllowedPattern':'^(true|false)$'}");

        // The new pattern binds the value in the same request: a value outside it is refused and nothing changes.
        assertAwsError(400, "ParameterPatternMismatchException", () -> call("PutParameter",
                "{'Name':'/flag','Value':'maybe','Overwrite':true,'AllowedPattern':'^(yes|no)$'}"));
        assertEquals(Optional.of("^(true|false)$"), ssm.allowedPattern("/flag"));

        call("PutParameter", "{'Name':'/flag','Value':'yes','Overwrite':true,'AllowedPattern':'^(yes|no)$'}");
        assertEquals(Optional.of("^(yes|no)$"), ssm.allowedPattern("/flag"));
        assertAwsError(400, "ParameterPatternMismatchException",
                () -> call("PutParameter", "{'Name':'/flag','Value':'true','Overwrite':true}"));
    }

    @Test
    void aNewParameterMustMatchItsOwnPattern() {
        assertAwsError(400, "ParameterPatternMismatchException", () -> call("PutParameter",
                "{'Name':'/n','Value':'ninety','Type':'String','AllowedPattern':'^[0-9]+$'}"));
        assertEquals(Set.of(), ssm.names());
    }

    @Test
    void thePatternItselfIsValidated() {
        AwsServiceError invalid = assertAwsError(400, "InvalidAllowedPatternException", () -> call("PutParameter",
                "{'Name':'/p','Value':'v','Type':'String','AllowedPattern':'^(unclosed$'}"));
        assertEquals("The request doesn't meet the regular expression requirement.", invalid.getMessage());
        assertAwsError(400, "ValidationException", () -> call("PutParameter",
                "{'Name':'/p','Value':'v','Type':'String','AllowedPattern':'" + "a".repeat(1025) + "'}"));
        assertEquals(Set.of(), ssm.names());
    }

    @Test
    void theSeedingHookKeepsThePatternForLaterPuts() {
        call("PutParameter", "{'Name':'/n','Value':'1','Type':'String','AllowedPattern':'^[0-9]+$'}");
        ssm.put("/n", "seeded, unchecked");

        assertEquals(Optional.of("seeded, unchecked"), ssm.value("/n"));
        assertAwsError(400, "ParameterPatternMismatchException",
                () -> call("PutParameter", "{'Name':'/n','Value':'x','Overwrite':true}"));
    }

    @Test
    void describeParametersReportsThePatternAndDescriptionWhichGetParameterDoesNot() {
        call("PutParameter", "{'Name':'/cfg/days','Value':'90','Type':'String','AllowedPattern':'^[0-9]+$',"
                + "'Description':'Rotate at this age.'}");
        put("/cfg/plain", "x", "String");
        call("PutParameter", "{'Name':'/cfg/days','Value':'60','Overwrite':true}");

        JsonNode described = call("DescribeParameters",
                "{'ParameterFilters':[{'Key':'Name','Option':'Equals','Values':['/cfg/days']}]}").get("Parameters");

        assertEquals(1, described.size());
        JsonNode metadata = described.get(0);
        assertEquals("/cfg/days", metadata.get("Name").asText());
        assertEquals("^[0-9]+$", metadata.get("AllowedPattern").asText());
        assertEquals("Rotate at this age.", metadata.get("Description").asText(), "an overwrite keeps it");
        assertEquals(2, metadata.get("Version").asLong());
        assertEquals("Standard", metadata.get("Tier").asText());
        assertFalse(metadata.has("Value"), "metadata, not values");
        JsonNode plain = call("DescribeParameters",
                "{'ParameterFilters':[{'Key':'Name','Values':['cfg/plain']}]}").get("Parameters").get(0);
        assertFalse(plain.has("AllowedPattern"));
        assertFalse(call("GetParameter", "{'Name':'/cfg/days'}").get("Parameter").has("AllowedPattern"));
    }

    @Test
    void describeParametersFiltersByPathAndPages() {
        for (int i = 1; i <= 5; i++) {
            put("/cfg/p" + i, "v", "String");
        }
        put("/cfg/deeper/q", "v", "String");
        put("/other", "v", "String");

        assertEquals(List.of("/cfg/p1", "/cfg/p2", "/cfg/p3", "/cfg/p4", "/cfg/p5"), names(call("DescribeParameters",
                "{'ParameterFilters':[{'Key':'Path','Values':['/cfg']}]}")));
        assertEquals(7, names(call("DescribeParameters", "{}")).size());

        List<String> seen = new ArrayList<>();
        String token = null;
        do {
            String tokenField = token == null ? "" : ",'NextToken':'" + token + "'";
            JsonNode page = call("DescribeParameters", "{'ParameterFilters':[{'Key':'Path','Option':'Recursive',"
                    + "'Values':['/cfg/']}],'MaxResults':4" + tokenField + "}");
            seen.addAll(names(page));
            token = page.hasNonNull("NextToken") ? page.get("NextToken").asText() : null;
        } while (token != null);
        assertEquals(List.of("/cfg/deeper/q", "/cfg/p1", "/cfg/p2", "/cfg/p3", "/cfg/p4", "/cfg/p5"), seen);

        assertAwsError(400, "ValidationException", () -> call("DescribeParameters",
                "{'ParameterFilters':[{'Key':'tag:team','Values':['x']}]}"));
        assertAwsError(400, "ValidationException", () -> call("DescribeParameters", "{'MaxResults':51}"));
    }

    private static List<String> names(JsonNode page) {
        List<String> names = new ArrayList<>();
        page.get("Parameters").forEach(p -> names.add(p.get("Name").asText()));
        return names;
    }
}
