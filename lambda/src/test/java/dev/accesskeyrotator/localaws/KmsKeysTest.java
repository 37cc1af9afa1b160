package dev.accesskeyrotator.localaws;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secrets Manager's use of KMS through real SDK clients: each version is encrypted under the secret's key at write
 * time, with the caller's permissions; a caller restricted to some keys gets AWS's AccessDeniedException for any
 * other, and nothing is stored.
 */
class KmsKeysTest {
    private static final String OWN_KEY = "arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-0000-0000-0000-000000000001";
    private static final String RESTRICTED_KEY_ID = "ASIARESTRICTED000001";

    @RegisterExtension
    final LocalAwsExtension local = new LocalAwsExtension();
    private SecretsManagerClient restricted;

    @BeforeEach
    void start() {
        local.aws().kms().allowEncryptionOnlyWith(RESTRICTED_KEY_ID, Set.of(OWN_KEY));
        restricted = LocalAwsClients.configure(SecretsManagerClient.builder(), local.aws())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(RESTRICTED_KEY_ID, "restricted-secret")))
                .build();
    }

    @AfterEach
    void close() {
        restricted.close();
    }

    @Test
    void aSecretWithoutAKeyUsesTheAwsManagedKeyAndDescribeSecretOmitsIt() {
        local.secretsManagerClient().createSecret(r -> r.name("plain").secretString("v"));

        assertNull(local.secretsManagerClient().describeSecret(r -> r.secretId("plain")).kmsKeyId());
        KmsKeys kms = local.aws().kms();
        assertEquals(kms.secretsManagerManagedKeyArn(), version("plain", 0).kmsKeyArn());
        assertEquals(kms.secretsManagerManagedKeyArn(), kms.resolve("alias/aws/secretsmanager"));
        assertTrue(kms.secretsManagerManagedKeyArn().startsWith("arn:aws:kms:us-east-1:123456789012:key/"));
    }

    @Test
    void listSecretVersionIdsNamesTheKeyEachVersionWasWrittenWithEvenAfterTheSecretIsReKeyed() {
        SecretsManagerClient admin = local.secretsManagerClient();
        KmsKeys kms = local.aws().kms();
        // A key only someone else may encrypt with: AWS documents that UpdateSecret then re-encrypts nothing.
        String othersKey = "arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-0000-0000-0000-0000000000ee";
        kms.keyPolicyAllowsEncryptionOnlyBy(othersKey, java.util.Set.of("AKIASOMEONEELSE00001"));
        admin.createSecret(r -> r.name("rekeyed").secretString("v1"));
        admin.updateSecret(r -> r.secretId("rekeyed").kmsKeyId(othersKey));

        var versions = admin.listSecretVersionIds(r -> r.secretId("rekeyed")).versions();

        assertEquals(othersKey, admin.describeSecret(r -> r.secretId("rekeyed")).kmsKeyId());
        assertEquals(1, versions.size());
        assertEquals(List.of("AWSCURRENT"), versions.get(0).versionStages());
        assertEquals(List.of(kms.secretsManagerManagedKeyArn()), versions.get(0).kmsKeyIds(),
                "a re-key to a key the caller may not use re-encrypts nothing: the current version keeps its key");

        // A key the caller may use: the current version is re-encrypted with it, as AWS documents.
        admin.createSecret(r -> r.name("rekeyed-own").secretString("v1"));
        admin.updateSecret(r -> r.secretId("rekeyed-own").kmsKeyId(OWN_KEY));
        var current = admin.listSecretVersionIds(r -> r.secretId("rekeyed-own")).versions().stream()
                .filter(v -> v.versionStages().contains("AWSCURRENT")).findFirst().orElseThrow();
        assertEquals(List.of(OWN_KEY), current.kmsKeyIds());
    }

    @Test
    void aliasesResolveToKeyArns() {
        KmsKeys kms = local.aws().kms();
        kms.createAlias("alias/team", OWN_KEY);
        assertEquals(OWN_KEY, kms.resolve("alias/team"));
        assertEquals(OWN_KEY, kms.resolve("arn:aws:kms:us-east-1:123456789012:alias/team"));
        assertEquals(OWN_KEY, kms.resolve(OWN_KEY));
        assertEquals("arn:aws:kms:us-east-1:123456789012:key/bare-id", kms.resolve("bare-id"));
        assertEquals(kms.resolve("alias/unknown"), kms.resolve("alias/unknown"), "an unknown alias is one key");
        assertFalse(kms.resolve("alias/unknown").equals(OWN_KEY));
    }

    @Test
    void aRestrictedCallerWritesUnderItsKeyAndIsRefusedAnyOther() {
        restricted.createSecret(r -> r.name("own").kmsKeyId(OWN_KEY).secretString("v1"));
        restricted.putSecretValue(r -> r.secretId("own").secretString("v2"));
        assertEquals(OWN_KEY, version("own", 1).kmsKeyArn());

        SecretsManagerException created = assertThrows(SecretsManagerException.class,
                () -> restricted.createSecret(r -> r.name("managed").secretString("v")));
        assertAccessToKmsDenied(created);
        assertTrue(local.aws().secretsManager().secret("managed").isEmpty(), "nothing is created");
        // A secret without a value needs no encryption.
        restricted.createSecret(r -> r.name("empty").kmsKeyId("alias/other"));

        local.secretsManagerClient().createSecret(r -> r.name("others").kmsKeyId("alias/other").secretString("v"));
        SecretsManagerException put = assertThrows(SecretsManagerException.class,
                () -> restricted.putSecretValue(r -> r.secretId("others").secretString("stolen")));
        assertAccessToKmsDenied(put);
        assertEquals("v", local.aws().secretsManager().currentValue("others").orElseThrow(), "nothing is stored");
    }

    @Test
    void reKeyingByACallerWhoMayUseTheNewKeyReEncryptsTheLabelledVersionsAndThenRefusesTheRestrictedCaller() {
        restricted.createSecret(r -> r.name("victim").kmsKeyId(OWN_KEY).secretString("v1"));

        local.secretsManagerClient().updateSecret(r -> r.secretId("victim").kmsKeyId("alias/attacker"));

        assertEquals("alias/attacker", local.secretsManagerClient().describeSecret(r -> r.secretId("victim"))
                .kmsKeyId());
        assertEquals("alias/attacker", local.secretsManagerClient().listSecrets().secretList().get(0).kmsKeyId());
        assertEquals(local.aws().kms().resolve("alias/attacker"), version("victim", 0).kmsKeyArn(),
                "AWSCURRENT is re-encrypted for a caller who may use the new key");
        assertAccessToKmsDenied(assertThrows(SecretsManagerException.class,
                () -> restricted.putSecretValue(r -> r.secretId("victim").secretString("v2"))));
        assertAccessToKmsDenied(assertThrows(SecretsManagerException.class,
                () -> restricted.updateSecret(r -> r.secretId("victim").secretString("v2"))));

        local.secretsManagerClient().updateSecret(r -> r.secretId("victim").secretString("v3"));
        assertEquals("v3", local.aws().secretsManager().currentValue("victim").orElseThrow());
        assertEquals(local.aws().kms().resolve("alias/attacker"), version("victim", 1).kmsKeyArn());
        assertEquals(List.of("v1", "v3"), local.aws().secretsManager().secret("victim").orElseThrow().versions()
                .stream().map(SecretsManagerEmulator.VersionSnapshot::value).toList());
    }

    /**
     * The stack key's policy lets only the rotator encrypt. Anyone else can still make a secret name it: without a
     * value (no version, so no data key is asked for), or by re-keying a value of their own, which Secrets Manager
     * then leaves under its old key. Metadata alone proves nothing; a reader who may decrypt only with the stack key
     * is refused such a value.
     */
    @Test
    void aKeyNobodyElseMayEncryptWithCanStillBeNamedByASecretWithoutAValueOrByAReKeyThatDoesNotReEncrypt() {
        local.aws().kms().keyPolicyAllowsEncryptionOnlyBy(OWN_KEY, Set.of(RESTRICTED_KEY_ID));
        local.aws().kms().allowDecryptionOnlyWith(RESTRICTED_KEY_ID, Set.of(OWN_KEY));
        SecretsManagerClient other = local.secretsManagerClient();

        assertAccessToKmsDenied(assertThrows(SecretsManagerException.class,
                () -> other.createSecret(r -> r.name("with-value").kmsKeyId(OWN_KEY).secretString("forged"))));
        assertTrue(local.aws().secretsManager().secret("with-value").isEmpty(), "nothing is created");

        other.createSecret(r -> r.name("empty").kmsKeyId(OWN_KEY));
        assertEquals(OWN_KEY, other.describeSecret(r -> r.secretId("empty")).kmsKeyId());
        assertTrue(other.describeSecret(r -> r.secretId("empty")).versionIdsToStages().isEmpty(), "no version");

        other.createSecret(r -> r.name("re-keyed").secretString("forged"));
        other.updateSecret(r -> r.secretId("re-keyed").kmsKeyId(OWN_KEY));
        assertEquals(OWN_KEY, other.describeSecret(r -> r.secretId("re-keyed")).kmsKeyId());
        assertEquals(local.aws().kms().secretsManagerManagedKeyArn(), version("re-keyed", 0).kmsKeyArn(),
                "not re-encrypted: the caller may not encrypt with the new key");
        assertAccessToKmsDenied(assertThrows(SecretsManagerException.class,
                () -> restricted.getSecretValue(r -> r.secretId("re-keyed"))));

        restricted.putSecretValue(r -> r.secretId("empty").secretString("written by the key's user"));
        assertEquals("written by the key's user",
                restricted.getSecretValue(r -> r.secretId("empty")).secretString());
    }

    private SecretsManagerEmulator.VersionSnapshot version(String name, int index) {
        return local.aws().secretsManager().secret(name).orElseThrow().versions().get(index);
    }

    private static void assertAccessToKmsDenied(SecretsManagerException error) {
        assertEquals(400, error.statusCode());
        assertEquals("AccessDeniedException", error.awsErrorDetails().errorCode());
        assertEquals("Access to KMS is not allowed", error.awsErrorDetails().errorMessage());
    }

    @Test
    void aCallerDeniedDecryptOrGetSecretValueGetsAwsAccessDeniedWhileOthersReadTheValueAndMetadataStaysVisible() {
        local.secretsManagerClient().createSecret(r -> r.name("readable").secretString("value").kmsKeyId(OWN_KEY));
        local.aws().kms().denyDecrypt(RESTRICTED_KEY_ID);

        SecretsManagerException noDecrypt = assertThrows(SecretsManagerException.class,
                () -> restricted.getSecretValue(r -> r.secretId("readable")));
        assertEquals("AccessDeniedException", noDecrypt.awsErrorDetails().errorCode());
        assertEquals(KmsKeys.ACCESS_DENIED_MESSAGE, noDecrypt.awsErrorDetails().errorMessage());
        assertEquals("readable", restricted.describeSecret(r -> r.secretId("readable")).name());
        assertEquals(1, restricted.listSecrets(r -> { }).secretList().size());
        assertEquals("value", local.secretsManagerClient().getSecretValue(r -> r.secretId("readable")).secretString());

        local.aws().secretsManager().denyOperations(RESTRICTED_KEY_ID, Set.of("GetSecretValue"));
        SecretsManagerException noAction = assertThrows(SecretsManagerException.class,
                () -> restricted.getSecretValue(r -> r.secretId("does-not-exist")));
        assertEquals("AccessDeniedException", noAction.awsErrorDetails().errorCode());
        assertTrue(noAction.awsErrorDetails().errorMessage().contains("secretsmanager:GetSecretValue"),
                noAction.awsErrorDetails().errorMessage());
        assertEquals("readable", restricted.describeSecret(r -> r.secretId("readable")).name());
    }
}
