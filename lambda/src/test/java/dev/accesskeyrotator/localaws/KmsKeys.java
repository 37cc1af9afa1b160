package dev.accesskeyrotator.localaws;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The KMS side of Secrets Manager: which key encrypts a secret, and whether a caller may encrypt with it.
 *
 * <p>Secrets Manager encrypts every new secret version under the secret's KMS key with the caller's own KMS
 * permissions: a secret without a {@code KmsKeyId} uses the AWS managed key {@code aws/secretsmanager}; aliases resolve
 * to key ARNs, and IAM policies name keys by key ARN. A caller without permission gets Secrets Manager's
 * {@code AccessDeniedException: Access to KMS is not allowed}, and nothing is stored.
 *
 * <p>Callers are told apart by the access key id they sign with. {@link #allowEncryptionOnlyWith} models an identity
 * policy with an explicit {@code Deny} on the encrypt actions for every key but the listed ones ({@code NotResource}),
 * as the rotator's role has. Keys are not otherwise enforced: every caller may use every key unless restricted.
 */
public final class KmsKeys {
    static final String ACCESS_DENIED_MESSAGE = "Access to KMS is not allowed";
    private static final String SECRETS_MANAGER_MANAGED_ALIAS = "alias/aws/secretsmanager";

    private final LocalAwsContext ctx;
    private final Map<String, String> keyArnByAlias = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> encryptableKeysByCaller = new ConcurrentHashMap<>();
    private final Set<String> callersDeniedDecrypt = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<String>> usableKeysByRole = new ConcurrentHashMap<>();
    /** The role a request's access key is a session of (set by the endpoint, which knows STS's sessions). */
    private volatile java.util.function.Function<String, Optional<String>> roleOfCaller = key -> Optional.empty();

    KmsKeys(LocalAwsContext ctx) {
        this.ctx = ctx;
        keyArnByAlias.put(SECRETS_MANAGER_MANAGED_ALIAS, keyArn(uuidFor(SECRETS_MANAGER_MANAGED_ALIAS)));
    }

    /** The ARN of the AWS managed key {@code aws/secretsmanager}, which encrypts secrets created without a key. */
    public String secretsManagerManagedKeyArn() {
        return keyArnByAlias.get(SECRETS_MANAGER_MANAGED_ALIAS);
    }

    /** Points an alias (for example {@code alias/team-key}) at a key, as {@code CreateAlias} does. */
    public void createAlias(String aliasName, String keyArn) {
        keyArnByAlias.put(aliasName, keyArn);
    }

    /** A caller signing with {@code accessKeyId} may encrypt with these keys only. */
    public void allowEncryptionOnlyWith(String accessKeyId, Set<String> keyArns) {
        encryptableKeysByCaller.put(accessKeyId, Set.copyOf(keyArns));
    }

    /**
     * A caller signing with {@code accessKeyId} may not decrypt with any key: an identity policy with an explicit
     * {@code Deny} on {@code kms:Decrypt}, as an administrator's read-only role may have. Secrets Manager then refuses
     * to return a secret value, whatever the secret's own policy allows.
     */
    public void denyDecrypt(String accessKeyId) {
        callersDeniedDecrypt.add(accessKeyId);
    }

    /**
     * The key ARN a secret's {@code KmsKeyId} (key ARN, key id, alias name or alias ARN; null for none) stands for.
     * An alias nobody created stands for a key of its own, so tests may name keys by alias without creating them.
     */
    public String resolve(String kmsKeyId) {
        if (kmsKeyId == null) {
            return secretsManagerManagedKeyArn();
        }
        if (kmsKeyId.startsWith("arn:") && kmsKeyId.contains(":key/")) {
            return kmsKeyId;
        }
        String alias = kmsKeyId.startsWith("arn:") && kmsKeyId.contains(":alias/")
                ? kmsKeyId.substring(kmsKeyId.indexOf(":alias/") + 1) : kmsKeyId;
        if (alias.startsWith("alias/")) {
            return keyArnByAlias.computeIfAbsent(alias, name -> keyArn(uuidFor(name)));
        }
        return keyArn(kmsKeyId);
    }

    /**
     * Every session of {@code roleArn} may encrypt and decrypt with these keys only: an identity policy with an
     * explicit {@code Deny} on {@code kms:Decrypt}, {@code kms:Encrypt} and {@code kms:GenerateDataKey*} for every
     * other key ({@code NotResource}), as the spoke role has. An explicit Deny wins over any key policy, so a key
     * whose own policy admits the role is still refused.
     */
    public void restrictRoleToKeys(String roleArn, Set<String> keyArns) {
        usableKeysByRole.put(roleArn, Set.copyOf(keyArns));
    }

    void roleOfCaller(java.util.function.Function<String, Optional<String>> resolver) {
        this.roleOfCaller = resolver;
    }

    /** Throws Secrets Manager's error when the caller may not encrypt a new version under the secret's key. */
    void checkEncrypt(Optional<String> callerAccessKeyId, String secretKmsKeyId) {
        String keyArn = resolve(secretKmsKeyId);
        Set<String> allowed = callerAccessKeyId.map(encryptableKeysByCaller::get).orElse(null);
        if (allowed != null && !allowed.contains(keyArn) || !roleMayUse(callerAccessKeyId, keyArn)) {
            throw AwsServiceError.badRequest("AccessDeniedException", ACCESS_DENIED_MESSAGE);
        }
    }

    /** Throws Secrets Manager's error when the caller may not decrypt the secret's value under its key. */
    void checkDecrypt(Optional<String> callerAccessKeyId, String secretKmsKeyId) {
        if (callerAccessKeyId.filter(callersDeniedDecrypt::contains).isPresent()
                || !roleMayUse(callerAccessKeyId, resolve(secretKmsKeyId))) {
            throw AwsServiceError.badRequest("AccessDeniedException", ACCESS_DENIED_MESSAGE);
        }
    }

    private boolean roleMayUse(Optional<String> callerAccessKeyId, String keyArn) {
        return callerAccessKeyId.flatMap(roleOfCaller).map(usableKeysByRole::get)
                .map(keys -> keys.contains(keyArn)).orElse(true);
    }

    private String keyArn(String keyId) {
        return "arn:aws:kms:" + ctx.region() + ":" + ctx.accountId() + ":key/" + keyId;
    }

    private static String uuidFor(String alias) {
        return UUID.nameUUIDFromBytes(alias.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
