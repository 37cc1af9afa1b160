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
 * <p>Secrets Manager asks KMS for a data key only when it writes a value: its documentation says it requests a new
 * data key "whenever the secret value in a secret changes", and CreateSecret creates a version only "if you include
 * SecretString or SecretBinary". A secret created without a value therefore names a KMS key that was never used, and
 * any caller may name any key that way. Re-keying (UpdateSecret with a KmsKeyId) re-encrypts the AWSCURRENT,
 * AWSPENDING and AWSPREVIOUS versions only when the caller may use the new key ("If you don't have kms:Encrypt
 * permission to the new key, Secrets Manager does not re-encrypt existing secret versions"); otherwise they stay
 * encrypted under the key they were written with, whatever DescribeSecret now says.
 *
 * <p>Callers are told apart by the access key id they sign with. {@link #allowEncryptionOnlyWith} and
 * {@link #allowDecryptionOnlyWith} model an identity policy with an explicit {@code Deny} on the encrypt (decrypt)
 * actions for every key but the listed ones ({@code NotResource}), as the rotator's role has;
 * {@link #keyPolicyAllowsEncryptionOnlyBy} a key policy that names the only principals that may encrypt with a key
 * or take a value out from under it (a re-key re-encrypts only for a caller who may decrypt the old version), as the
 * stack's key has. Decrypting for GetSecretValue is not limited by that model: the stack's key policy also lets each
 * IAM user decrypt their own secret, which the endpoint does not tell apart. Keys are not otherwise enforced: every
 * caller may use every key unless restricted.
 *
 * <p>As the KMS service it answers {@code DescribeKey} (JSON 1.1, {@code TrentService}) for a key ARN, key id, alias
 * name or alias ARN: an alias that was never created is {@code NotFoundException}, as on AWS, and a caller refused
 * {@code kms:DescribeKey} ({@link #denyDescribeKey}) gets {@code AccessDeniedException}.
 */
public final class KmsKeys implements ServiceEmulator {
    static final String ACCESS_DENIED_MESSAGE = "Access to KMS is not allowed";
    private static final String SECRETS_MANAGER_MANAGED_ALIAS = "alias/aws/secretsmanager";

    private final LocalAwsContext ctx;
    private final Map<String, String> keyArnByAlias = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> encryptableKeysByCaller = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> decryptableKeysByCaller = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> encryptingCallersByKey = new ConcurrentHashMap<>();
    private final Set<String> callersDeniedDecrypt = ConcurrentHashMap.newKeySet();
    private final Set<String> callersDeniedDescribe = ConcurrentHashMap.newKeySet();
    /** Aliases created on purpose (and AWS's own): DescribeKey finds these only. */
    private final Set<String> createdAliases = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<String>> usableKeysByRole = new ConcurrentHashMap<>();
    /** The role a request's access key is a session of (set by the endpoint, which knows STS's sessions). */
    private volatile java.util.function.Function<String, Optional<String>> roleOfCaller = key -> Optional.empty();

    KmsKeys(LocalAwsContext ctx) {
        this.ctx = ctx;
        keyArnByAlias.put(SECRETS_MANAGER_MANAGED_ALIAS, keyArn(uuidFor(SECRETS_MANAGER_MANAGED_ALIAS)));
        createdAliases.add(SECRETS_MANAGER_MANAGED_ALIAS);
    }

    @Override public String service() { return "kms"; }

    @Override public String xmlNamespace() { return null; }

    @Override
    public Object handle(AwsRequest request) {
        if (!request.operation().equals("DescribeKey")) {
            throw AwsServiceError.badRequest("UnsupportedOperationException",
                    "The local endpoint's KMS answers DescribeKey only, not " + request.operation());
        }
        Optional<String> caller = WireFormat.signingAccessKeyId(request.headers());
        var keyIdNode = request.json().get("KeyId");
        if (keyIdNode == null || !keyIdNode.isTextual() || keyIdNode.asText().isEmpty()) {
            throw AwsServiceError.badRequest("ValidationException", "1 validation error detected: Value null at"
                    + " 'keyId' failed to satisfy constraint: Member must not be null");
        }
        String keyId = keyIdNode.asText();
        if (caller.filter(callersDeniedDescribe::contains).isPresent()) {
            throw AwsServiceError.badRequest("AccessDeniedException", "User: " + caller.get() + " is not authorized"
                    + " to perform: kms:DescribeKey on resource: " + keyId
                    + " because no resource-based policy allows the kms:DescribeKey action");
        }
        String alias = keyId.startsWith("arn:") && keyId.contains(":alias/")
                ? keyId.substring(keyId.indexOf(":alias/") + 1) : keyId;
        String arn;
        if (alias.startsWith("alias/")) {
            if (!createdAliases.contains(alias)) {
                throw AwsServiceError.badRequest("NotFoundException", "Alias " + "arn:aws:kms:" + ctx.region() + ":"
                        + ctx.accountId() + ":" + alias + " is not found.");
            }
            arn = keyArnByAlias.get(alias);
        } else {
            arn = resolve(keyId);
        }
        var response = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        var metadata = response.putObject("KeyMetadata");
        metadata.put("AWSAccountId", ctx.accountId());
        metadata.put("KeyId", arn.substring(arn.lastIndexOf('/') + 1));
        metadata.put("Arn", arn);
        metadata.put("Enabled", true);
        metadata.put("KeyState", "Enabled");
        metadata.put("KeyUsage", "ENCRYPT_DECRYPT");
        metadata.put("KeySpec", "SYMMETRIC_DEFAULT");
        metadata.put("KeyManager", arn.equals(secretsManagerManagedKeyArn()) ? "AWS" : "CUSTOMER");
        return response;
    }

    /** A caller signing with {@code accessKeyId} is refused {@code kms:DescribeKey}, as a key policy without it does. */
    public void denyDescribeKey(String accessKeyId) {
        callersDeniedDescribe.add(accessKeyId);
    }

    /** The ARN of the AWS managed key {@code aws/secretsmanager}, which encrypts secrets created without a key. */
    public String secretsManagerManagedKeyArn() {
        return keyArnByAlias.get(SECRETS_MANAGER_MANAGED_ALIAS);
    }

    /** Points an alias (for example {@code alias/team-key}) at a key, as {@code CreateAlias} does. */
    public void createAlias(String aliasName, String keyArn) {
        keyArnByAlias.put(aliasName, keyArn);
        createdAliases.add(aliasName);
    }

    /** A caller signing with {@code accessKeyId} may encrypt with these keys only. */
    public void allowEncryptionOnlyWith(String accessKeyId, Set<String> keyArns) {
        encryptableKeysByCaller.put(accessKeyId, Set.copyOf(keyArns));
    }

    /** A caller signing with {@code accessKeyId} may decrypt with these keys only. */
    public void allowDecryptionOnlyWith(String accessKeyId, Set<String> keyArns) {
        decryptableKeysByCaller.put(accessKeyId, Set.copyOf(keyArns));
    }

    /** The key policy of {@code keyArn} lets only callers signing with these key ids encrypt with it. */
    public void keyPolicyAllowsEncryptionOnlyBy(String keyArn, Set<String> accessKeyIds) {
        encryptingCallersByKey.put(keyArn, Set.copyOf(accessKeyIds));
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
        if (!mayEncrypt(callerAccessKeyId, secretKmsKeyId)) {
            throw AwsServiceError.badRequest("AccessDeniedException", ACCESS_DENIED_MESSAGE);
        }
    }

    /** Whether the caller's identity policy and the key's policy both let it encrypt under the secret's key. */
    boolean mayEncrypt(Optional<String> callerAccessKeyId, String secretKmsKeyId) {
        String keyArn = resolve(secretKmsKeyId);
        Set<String> allowed = callerAccessKeyId.map(encryptableKeysByCaller::get).orElse(null);
        Set<String> keyPolicy = encryptingCallersByKey.get(keyArn);
        return (allowed == null || allowed.contains(keyArn))
                && (keyPolicy == null || callerAccessKeyId.filter(keyPolicy::contains).isPresent())
                && roleMayUse(callerAccessKeyId, keyArn);
    }

    /** Throws Secrets Manager's error when the caller may not decrypt a version encrypted under {@code keyArn}. */
    void checkDecrypt(Optional<String> callerAccessKeyId, String keyArn) {
        if (!mayDecrypt(callerAccessKeyId, keyArn)) {
            throw AwsServiceError.badRequest("AccessDeniedException", ACCESS_DENIED_MESSAGE);
        }
    }

    /** Whether a re-key by the caller may decrypt a version under {@code keyArn} to re-encrypt it. */
    boolean mayReEncryptFrom(Optional<String> callerAccessKeyId, String keyArn) {
        Set<String> keyPolicy = encryptingCallersByKey.get(keyArn);
        return mayDecrypt(callerAccessKeyId, keyArn)
                && (keyPolicy == null || callerAccessKeyId.filter(keyPolicy::contains).isPresent());
    }

    boolean mayDecrypt(Optional<String> callerAccessKeyId, String keyArn) {
        Set<String> allowed = callerAccessKeyId.map(decryptableKeysByCaller::get).orElse(null);
        return callerAccessKeyId.filter(callersDeniedDecrypt::contains).isEmpty()
                && (allowed == null || allowed.contains(keyArn))
                && roleMayUse(callerAccessKeyId, keyArn);
    }

    /** Whether the role the caller is a session of (if confined, see usableKeysByRole) may use the key. */
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
