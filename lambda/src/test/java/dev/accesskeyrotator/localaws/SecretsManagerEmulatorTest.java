package dev.accesskeyrotator.localaws;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.accesskeyrotator.localaws.DirectRequests.assertAwsError;
import static dev.accesskeyrotator.localaws.DirectRequests.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretsManagerEmulatorTest {
    private static final String TOKEN_1 = "00000000-0000-0000-0000-000000000001";
    private static final String TOKEN_2 = "00000000-0000-0000-0000-000000000002";
    private static final String TOKEN_3 = "00000000-0000-0000-0000-000000000003";

    private final MutableClock clock = MutableClock.startingAt("2026-01-01T00:00:00Z");
    private final LocalAwsContext context = new LocalAwsContext("123456789012", "us-east-1", clock);
    private final KmsKeys kms = new KmsKeys(context);
    private final SecretsManagerEmulator secrets = new SecretsManagerEmulator(context, kms);

    private JsonNode call(String operation, String body) {
        return (JsonNode) secrets.handle(json("secretsmanager", operation, body));
    }

    private JsonNode create(String name, String value) {
        return call("CreateSecret", "{'Name':'" + name + "','SecretString':'" + value + "','ClientRequestToken':'"
                + TOKEN_1 + "'}");
    }

    private JsonNode putValue(String id, String value, String token) {
        return call("PutSecretValue", "{'SecretId':'" + id + "','SecretString':'" + value + "','ClientRequestToken':'"
                + token + "'}");
    }

    @Test
    void createdSecretHasAnAwsShapedArnAndItsFirstVersionIsCurrent() {
        JsonNode created = create("rotator/alice", "v1");

        assertTrue(created.get("ARN").asText()
                .matches("arn:aws:secretsmanager:us-east-1:123456789012:secret:rotator/alice-[A-Za-z0-9]{6}"));
        assertEquals(TOKEN_1, created.get("VersionId").asText());
        JsonNode value = call("GetSecretValue", "{'SecretId':'rotator/alice'}");
        assertEquals("v1", value.get("SecretString").asText());
        assertEquals(TOKEN_1, value.get("VersionId").asText());
        assertEquals("[\"AWSCURRENT\"]", value.get("VersionStages").toString());
        assertEquals(created.get("ARN"), value.get("ARN"));
        assertEquals(Instant.parse("2026-01-01T00:00:00Z").getEpochSecond(), value.get("CreatedDate").asLong());
    }

    @Test
    void creatingAnExistingNameIsResourceExists() {
        create("s", "v1");
        assertAwsError(400, "ResourceExistsException", () -> create("s", "v2"));
    }

    @Test
    void secretWithoutValueHasNoVersion() {
        JsonNode created = call("CreateSecret", "{'Name':'empty'}");
        assertFalse(created.has("VersionId"));
        assertAwsError(400, "ResourceNotFoundException", () -> call("GetSecretValue", "{'SecretId':'empty'}"));
    }

    @Test
    void missingSecretIsResourceNotFound() {
        assertAwsError(400, "ResourceNotFoundException", () -> call("GetSecretValue", "{'SecretId':'nope'}"));
        assertAwsError(400, "ResourceNotFoundException", () -> call("DescribeSecret", "{'SecretId':'nope'}"));
        assertAwsError(400, "ResourceNotFoundException", () -> putValue("nope", "v", TOKEN_2));
    }

    @Test
    void retryWithTheSameTokenAndValueIsANoOp() {
        create("s", "v1");
        JsonNode first = putValue("s", "v2", TOKEN_2);
        JsonNode retry = putValue("s", "v2", TOKEN_2);

        assertEquals(TOKEN_2, first.get("VersionId").asText());
        assertEquals(TOKEN_2, retry.get("VersionId").asText());
        assertEquals(2, secrets.secret("s").orElseThrow().versions().size());
        assertEquals(Optional.of("v2"), secrets.currentValue("s"));
    }

    @Test
    void sameTokenWithADifferentValueIsResourceExists() {
        create("s", "v1");
        putValue("s", "v2", TOKEN_2);

        assertAwsError(400, "ResourceExistsException", () -> putValue("s", "other", TOKEN_2));
        assertEquals(Optional.of("v2"), secrets.currentValue("s"));
    }

    @Test
    void newVersionTakesCurrentAndPushesTheOldCurrentToPrevious() {
        create("s", "v1");
        putValue("s", "v2", TOKEN_2);
        putValue("s", "v3", TOKEN_3);

        Map<String, Set<String>> stages = new HashMap<>();
        secrets.secret("s").orElseThrow().versions().forEach(v -> stages.put(v.value(), v.stages()));
        assertEquals(Map.of("v1", Set.of(), "v2", Set.of("AWSPREVIOUS"), "v3", Set.of("AWSCURRENT")), stages);

        assertEquals("v2", call("GetSecretValue", "{'SecretId':'s','VersionStage':'AWSPREVIOUS'}")
                .get("SecretString").asText());
        assertEquals("v1", call("GetSecretValue", "{'SecretId':'s','VersionId':'" + TOKEN_1 + "'}")
                .get("SecretString").asText());
        // Only labeled versions are listed; the unlabeled one is deprecated.
        JsonNode described = call("DescribeSecret", "{'SecretId':'s'}").get("VersionIdsToStages");
        assertEquals(2, described.size());
        assertEquals("[\"AWSCURRENT\"]", described.get(TOKEN_3).toString());
        assertEquals("[\"AWSPREVIOUS\"]", described.get(TOKEN_2).toString());
    }

    @Test
    void explicitStagesMoveWithoutTouchingCurrent() {
        create("s", "v1");
        call("PutSecretValue", "{'SecretId':'s','SecretString':'pending','ClientRequestToken':'" + TOKEN_2
                + "','VersionStages':['AWSPENDING']}");

        assertEquals(Optional.of("v1"), secrets.currentValue("s"));
        assertEquals("pending", call("GetSecretValue", "{'SecretId':'s','VersionStage':'AWSPENDING'}")
                .get("SecretString").asText());
        assertAwsError(400, "ResourceNotFoundException",
                () -> call("GetSecretValue", "{'SecretId':'s','VersionStage':'AWSPREVIOUS'}"));
    }

    @Test
    void secretIdMayBeTheFullOrPartialArn() {
        String arn = create("team/db", "v1").get("ARN").asText();
        String partialArn = arn.substring(0, arn.length() - 7);

        assertEquals("v1", call("GetSecretValue", "{'SecretId':'" + arn + "'}").get("SecretString").asText());
        assertEquals("v1", call("GetSecretValue", "{'SecretId':'" + partialArn + "'}").get("SecretString").asText());
    }

    @Test
    void secretScheduledForDeletionRefusesReadsWritesAndItsNameUntilTheWindowEnds() {
        create("s", "v1");
        JsonNode deleted = call("DeleteSecret", "{'SecretId':'s','RecoveryWindowInDays':7}");
        assertEquals(Instant.parse("2026-01-08T00:00:00Z").getEpochSecond(), deleted.get("DeletionDate").asLong());

        assertAwsError(400, "InvalidRequestException", () -> call("GetSecretValue", "{'SecretId':'s'}"));
        assertAwsError(400, "InvalidRequestException", () -> putValue("s", "v2", TOKEN_2));
        assertAwsError(400, "InvalidRequestException", () -> create("s", "again"));
        assertAwsError(400, "InvalidRequestException", () -> call("DeleteSecret", "{'SecretId':'s'}"));
        assertTrue(call("DescribeSecret", "{'SecretId':'s'}").get("DeletedDate").isNumber());

        clock.advance(Duration.ofDays(7));
        assertAwsError(400, "ResourceNotFoundException", () -> call("DescribeSecret", "{'SecretId':'s'}"));
        create("s", "reborn");
        assertEquals(Optional.of("reborn"), secrets.currentValue("s"));
    }

    @Test
    void restoreCancelsTheDeletion() {
        create("s", "v1");
        call("DeleteSecret", "{'SecretId':'s'}");
        call("RestoreSecret", "{'SecretId':'s'}");

        assertEquals("v1", call("GetSecretValue", "{'SecretId':'s'}").get("SecretString").asText());
        assertNull(secrets.secret("s").orElseThrow().deletedDate());
        assertFalse(call("DescribeSecret", "{'SecretId':'s'}").has("DeletedDate"));
    }

    @Test
    void deleteValidatesTheRecoveryWindowAndForceDeletesAtOnce() {
        create("s", "v1");
        assertAwsError(400, "InvalidParameterException",
                () -> call("DeleteSecret", "{'SecretId':'s','RecoveryWindowInDays':6}"));
        assertAwsError(400, "InvalidParameterException",
                () -> call("DeleteSecret", "{'SecretId':'s','RecoveryWindowInDays':31}"));
        assertAwsError(400, "InvalidParameterException", () -> call("DeleteSecret",
                "{'SecretId':'s','RecoveryWindowInDays':7,'ForceDeleteWithoutRecovery':true}"));

        call("DeleteSecret", "{'SecretId':'s','ForceDeleteWithoutRecovery':true}");
        assertEquals(Optional.empty(), secrets.secret("s"));
    }

    @Test
    void listSecretsHidesPlannedDeletionsUnlessAsked() {
        create("keep", "v");
        create("drop", "v");
        call("DeleteSecret", "{'SecretId':'drop'}");

        assertEquals(List.of("keep"), listedNames(call("ListSecrets", "{}")));
        JsonNode withDeleted = call("ListSecrets", "{'IncludePlannedDeletion':true}");
        assertEquals(List.of("keep", "drop"), listedNames(withDeleted));
        assertTrue(withDeleted.get("SecretList").get(1).get("DeletedDate").isNumber());
    }

    @Test
    void listSecretsEntriesCarryTagsAndVersionStages() {
        call("CreateSecret", "{'Name':'s','SecretString':'v','KmsKeyId':'alias/rotator','ClientRequestToken':'"
                + TOKEN_1 + "','Tags':[{'Key':'owner','Value':'alice'}]}");

        JsonNode entry = call("ListSecrets", "{}").get("SecretList").get(0);
        assertEquals("alias/rotator", entry.get("KmsKeyId").asText());
        assertEquals("[{\"Key\":\"owner\",\"Value\":\"alice\"}]", entry.get("Tags").toString());
        assertEquals("[\"AWSCURRENT\"]", entry.get("SecretVersionsToStages").get(TOKEN_1).toString());
        assertTrue(entry.get("LastChangedDate").isNumber());
        assertTrue(entry.get("CreatedDate").isNumber());
    }

    @Test
    void listFiltersMatchAsAwsDocumentsThem() {
        call("CreateSecret", "{'Name':'rotator/alice','Description':'Access key for Alice',"
                + "'Tags':[{'Key':'managed-by','Value':'rotator'}]}");
        call("CreateSecret", "{'Name':'rotator/bob','Tags':[{'Key':'team','Value':'payments'}]}");
        call("CreateSecret", "{'Name':'Rotator/carol'}");

        assertEquals(List.of("rotator/alice", "rotator/bob"), filtered("name", "rotator/"));
        assertEquals(List.of("Rotator/carol"), filtered("name", "!rotator"));
        assertEquals(List.of("rotator/alice"), filtered("tag-key", "managed"));
        assertEquals(List.of("rotator/bob"), filtered("tag-value", "pay"));
        assertEquals(List.of("rotator/alice"), filtered("description", "alice KEY"));
        assertEquals(List.of(), filtered("description", "bob"));
        assertEquals(List.of("rotator/bob", "Rotator/carol"), filtered("all", "payments CAROL"));
        assertEquals(List.of("rotator/alice", "rotator/bob"),
                listedNames(call("ListSecrets", "{'Filters':[{'Key':'name','Values':['rotator/a','rotator/b']}]}")));
        assertEquals(List.of("rotator/bob"), listedNames(call("ListSecrets",
                "{'Filters':[{'Key':'name','Values':['rotator']},{'Key':'tag-key','Values':['team']}]}")));
    }

    @Test
    void listValidatesFiltersPageSizeAndToken() {
        assertAwsError(400, "ValidationException", () -> call("ListSecrets", "{'MaxResults':0}"));
        assertAwsError(400, "ValidationException", () -> call("ListSecrets", "{'MaxResults':101}"));
        assertAwsError(400, "ValidationException",
                () -> call("ListSecrets", "{'Filters':[{'Key':'color','Values':['red']}]}"));
        assertAwsError(400, "ValidationException",
                () -> call("ListSecrets", "{'Filters':[{'Key':'name','Values':['a*']}]}"));
        assertAwsError(400, "InvalidNextTokenException", () -> call("ListSecrets", "{'NextToken':'bogus'}"));
    }

    @Test
    void listPagesCoverEverySecretOnce() {
        for (int i = 1; i <= 5; i++) {
            call("CreateSecret", "{'Name':'s" + i + "'}");
        }
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            String tokenField = token == null ? "" : ",'NextToken':'" + token + "'";
            JsonNode page = call("ListSecrets", "{'MaxResults':2" + tokenField + "}");
            seen.addAll(listedNames(page));
            token = page.hasNonNull("NextToken") ? page.get("NextToken").asText() : null;
            pages++;
        } while (token != null);

        assertEquals(List.of("s1", "s2", "s3", "s4", "s5"), seen);
        assertEquals(3, pages);
    }

    @Test
    void tagAndUntagChangeTheTagSet() {
        call("CreateSecret", "{'Name':'s','Tags':[{'Key':'a','Value':'1'}]}");
        call("TagResource", "{'SecretId':'s','Tags':[{'Key':'a','Value':'2'},{'Key':'b','Value':'3'}]}");
        call("UntagResource", "{'SecretId':'s','TagKeys':['b']}");

        assertEquals(Map.of("a", "2"), secrets.secret("s").orElseThrow().tags());
        assertEquals("[{\"Key\":\"a\",\"Value\":\"2\"}]",
                call("DescribeSecret", "{'SecretId':'s'}").get("Tags").toString());
    }

    @Test
    void resourcePolicyMustBeJson() {
        call("CreateSecret", "{'Name':'s'}");
        assertAwsError(400, "MalformedPolicyDocumentException",
                () -> call("PutResourcePolicy", "{'SecretId':'s','ResourcePolicy':'not json'}"));
        assertFalse(call("GetResourcePolicy", "{'SecretId':'s'}").has("ResourcePolicy"));

        call("PutResourcePolicy", "{'SecretId':'s','ResourcePolicy':'{}'}");
        assertEquals("{}", call("GetResourcePolicy", "{'SecretId':'s'}").get("ResourcePolicy").asText());
        assertEquals("{}", secrets.secret("s").orElseThrow().resourcePolicy());
    }

    @Test
    void putSecretValueNeedsAValueAndAValidToken() {
        create("s", "v1");
        assertAwsError(400, "InvalidRequestException",
                () -> call("PutSecretValue", "{'SecretId':'s','ClientRequestToken':'" + TOKEN_2 + "'}"));
        assertAwsError(400, "ValidationException", () -> putValue("s", "v2", "short"));
        assertAwsError(400, "InvalidParameterException", () -> call("PutSecretValue",
                "{'SecretId':'s','SecretString':'a','SecretBinary':'Yg==','ClientRequestToken':'" + TOKEN_2 + "'}"));
    }

    @Test
    void testHooksSeedAndExposeRawValues() {
        String arn = secrets.seedRaw("raw", "{not json", Map.of("owner", "alice"));
        secrets.seedRaw("raw", "", Map.of());

        assertEquals(Optional.of(""), secrets.currentValue("raw"));
        assertEquals(List.of("{not json", ""), secrets.allSecretStrings());
        SecretsManagerEmulator.SecretSnapshot snapshot = secrets.secret("raw").orElseThrow();
        assertEquals(arn, snapshot.arn());
        assertEquals(Map.of("owner", "alice"), snapshot.tags());
        assertEquals(Set.of("AWSPREVIOUS"), snapshot.versions().get(0).stages());

        secrets.scheduleDeletion("raw");
        assertNotNull(secrets.secret("raw").orElseThrow().deletedDate());
        assertAwsError(400, "InvalidRequestException", () -> call("GetSecretValue", "{'SecretId':'raw'}"));
    }

    @Test
    void concurrentWritersLeaveExactlyOneCurrentAndOnePreviousVersion() throws Exception {
        create("s", "v0");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (int i = 1; i <= 80; i++) {
                String value = "v" + i;
                writes.add(pool.submit(() -> putValue("s", value, UUID.randomUUID().toString())));
            }
            for (Future<?> write : writes) {
                write.get();
            }
        } finally {
            pool.shutdown();
        }

        List<SecretsManagerEmulator.VersionSnapshot> versions = secrets.secret("s").orElseThrow().versions();
        assertEquals(81, versions.size());
        assertEquals(1, versions.stream().filter(v -> v.stages().contains("AWSCURRENT")).count());
        assertEquals(1, versions.stream().filter(v -> v.stages().contains("AWSPREVIOUS")).count());
        assertEquals(versions.get(80).value(), secrets.currentValue("s").orElseThrow());
    }

    @Test
    void unlabeledVersionsBeyondOneHundredAreDropped() {
        create("s", "v0");
        for (int i = 1; i <= 104; i++) {
            putValue("s", "v" + i, UUID.randomUUID().toString());
        }
        List<SecretsManagerEmulator.VersionSnapshot> versions = secrets.secret("s").orElseThrow().versions();
        assertEquals(100, versions.size());
        assertEquals("v5", versions.get(0).value());
        assertEquals(Set.of("AWSPREVIOUS"), versions.get(98).stages());
        assertEquals(Set.of("AWSCURRENT"), versions.get(99).stages());
    }

    private List<String> filtered(String key, String value) {
        return listedNames(call("ListSecrets", "{'Filters':[{'Key':'" + key + "','Values':['" + value + "']}]}"));
    }

    private static List<String> listedNames(JsonNode page) {
        List<String> names = new ArrayList<>();
        page.get("SecretList").forEach(entry -> names.add(entry.get("Name").asText()));
        return names;
    }
}
