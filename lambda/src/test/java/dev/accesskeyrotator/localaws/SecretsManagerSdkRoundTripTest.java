package dev.accesskeyrotator.localaws;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.FilterNameStringType;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.InvalidParameterException;
import software.amazon.awssdk.services.secretsmanager.model.InvalidRequestException;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretsResponse;
import software.amazon.awssdk.services.secretsmanager.model.MalformedPolicyDocumentException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceExistsException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Secrets Manager emulator through a real SDK v2 client, including the SDK's auto-filled ClientRequestToken. */
class SecretsManagerSdkRoundTripTest {
    private static final String TOKEN = "11111111-2222-3333-4444-555555555555";

    @RegisterExtension
    final LocalAwsExtension local = new LocalAwsExtension();

    @Test
    void createGetAndDescribeParseDatesStagesAndTags() {
        SecretsManagerClient secrets = local.secretsManagerClient();
        local.aws().clock().advance(Duration.ofMillis(1234));
        Instant now = local.aws().clock().instant();

        CreateSecretResponse created = secrets.createSecret(r -> r.name("rotator/alice").secretString("{\"k\":1}")
                .kmsKeyId("alias/rotator").description("Alice's key")
                .tags(Tag.builder().key("owner").value("alice").build()));
        GetSecretValueResponse value = secrets.getSecretValue(r -> r.secretId(created.arn()));
        DescribeSecretResponse described = secrets.describeSecret(r -> r.secretId("rotator/alice"));

        assertEquals("{\"k\":1}", value.secretString());
        assertEquals(created.versionId(), value.versionId());
        assertEquals(List.of("AWSCURRENT"), value.versionStages());
        assertEquals(now, value.createdDate());
        assertEquals(created.arn(), described.arn());
        assertEquals("alias/rotator", described.kmsKeyId());
        assertEquals("Alice's key", described.description());
        assertEquals(List.of(Tag.builder().key("owner").value("alice").build()), described.tags());
        assertEquals(Map.of(created.versionId(), List.of("AWSCURRENT")), described.versionIdsToStages());
        assertEquals(now, described.createdDate());
        assertEquals(now, described.lastChangedDate());
    }

    @Test
    void clientRequestTokenMakesRetriesIdempotentAndConflictsVisible() {
        SecretsManagerClient secrets = local.secretsManagerClient();
        secrets.createSecret(r -> r.name("s").secretString("v1"));

        String first = secrets.putSecretValue(r -> r.secretId("s").secretString("v2").clientRequestToken(TOKEN))
                .versionId();
        String retried = secrets.putSecretValue(r -> r.secretId("s").secretString("v2").clientRequestToken(TOKEN))
                .versionId();

        assertEquals(TOKEN, first);
        assertEquals(first, retried);
        assertThrows(ResourceExistsException.class,
                () -> secrets.putSecretValue(r -> r.secretId("s").secretString("other").clientRequestToken(TOKEN)));
        assertThrows(ResourceExistsException.class, () -> secrets.createSecret(r -> r.name("s").secretString("x")));
    }

    @Test
    void stagesMoveFromCurrentToPrevious() {
        SecretsManagerClient secrets = local.secretsManagerClient();
        String v1 = secrets.createSecret(r -> r.name("s").secretString("v1")).versionId();
        String v2 = secrets.putSecretValue(r -> r.secretId("s").secretString("v2")).versionId();

        assertEquals(Map.of(v1, List.of("AWSPREVIOUS"), v2, List.of("AWSCURRENT")),
                secrets.describeSecret(r -> r.secretId("s")).versionIdsToStages());
        assertEquals("v1", secrets.getSecretValue(r -> r.secretId("s").versionStage("AWSPREVIOUS")).secretString());
    }

    @Test
    void missingAndDeletedSecretsRaiseTheModeledExceptions() {
        SecretsManagerClient secrets = local.secretsManagerClient();
        ResourceNotFoundException missing = assertThrows(ResourceNotFoundException.class,
                () -> secrets.getSecretValue(r -> r.secretId("nope")));
        assertEquals(400, missing.statusCode());

        secrets.createSecret(r -> r.name("s").secretString("v1"));
        assertThrows(InvalidParameterException.class,
                () -> secrets.deleteSecret(r -> r.secretId("s").recoveryWindowInDays(3L)));
        Instant deletion = secrets.deleteSecret(r -> r.secretId("s").recoveryWindowInDays(7L)).deletionDate();

        assertEquals(local.aws().clock().instant().plus(Duration.ofDays(7)), deletion);
        assertThrows(InvalidRequestException.class, () -> secrets.getSecretValue(r -> r.secretId("s")));
        assertThrows(InvalidRequestException.class,
                () -> secrets.putSecretValue(r -> r.secretId("s").secretString("v2")));
        assertThrows(InvalidRequestException.class, () -> secrets.createSecret(r -> r.name("s").secretString("v")));
        assertEquals(local.aws().clock().instant(), secrets.describeSecret(r -> r.secretId("s")).deletedDate());

        secrets.restoreSecret(r -> r.secretId("s"));
        assertEquals("v1", secrets.getSecretValue(r -> r.secretId("s")).secretString());
    }

    @Test
    void listSecretsPaginatorWalksFilteredPages() {
        SecretsManagerClient secrets = local.secretsManagerClient();
        for (int i = 1; i <= 5; i++) {
            local.aws().secretsManager().seedRaw("rotator/u" + i, "v" + i, Map.of("managed-by", "rotator"));
        }
        local.aws().secretsManager().seedRaw("other/x", "v", Map.of());

        List<ListSecretsResponse> pages = secrets.listSecretsPaginator(r -> r.maxResults(2)
                .filters(f -> f.key(FilterNameStringType.NAME).values("rotator/"))).stream().toList();

        assertEquals(3, pages.size());
        List<SecretListEntry> entries = pages.stream().flatMap(page -> page.secretList().stream()).toList();
        assertEquals(List.of("rotator/u1", "rotator/u2", "rotator/u3", "rotator/u4", "rotator/u5"),
                entries.stream().map(SecretListEntry::name).toList());
        SecretListEntry first = entries.get(0);
        assertEquals(List.of(Tag.builder().key("managed-by").value("rotator").build()), first.tags());
        assertEquals(List.of("AWSCURRENT"), first.secretVersionsToStages().values().iterator().next());
        assertEquals(local.aws().clock().instant(), first.lastChangedDate());
    }

    @Test
    void validationFailuresReachTheCaller() {
        SecretsManagerClient secrets = local.secretsManagerClient();
        secrets.createSecret(r -> r.name("s").secretString("v1"));

        assertThrows(MalformedPolicyDocumentException.class,
                () -> secrets.putResourcePolicy(r -> r.secretId("s").resourcePolicy("{not json")));
        SecretsManagerException badPageSize = assertThrows(SecretsManagerException.class,
                () -> secrets.listSecrets(r -> r.maxResults(0)));
        assertEquals("ValidationException", badPageSize.awsErrorDetails().errorCode());

        secrets.putResourcePolicy(r -> r.secretId("s").resourcePolicy("{\"Version\":\"2012-10-17\"}"));
        assertTrue(secrets.getResourcePolicy(r -> r.secretId("s")).resourcePolicy().contains("2012-10-17"));
    }
}
