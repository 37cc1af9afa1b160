package dev.accesskeyrotator.localaws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.accesskeyrotator.localaws.JsonRequests.bool;
import static dev.accesskeyrotator.localaws.JsonRequests.epochSeconds;
import static dev.accesskeyrotator.localaws.JsonRequests.optionalInt;
import static dev.accesskeyrotator.localaws.JsonRequests.optionalString;
import static dev.accesskeyrotator.localaws.JsonRequests.requireLength;
import static dev.accesskeyrotator.localaws.JsonRequests.requireRange;
import static dev.accesskeyrotator.localaws.JsonRequests.requiredString;
import static dev.accesskeyrotator.localaws.JsonRequests.stringList;
import static dev.accesskeyrotator.localaws.JsonRequests.validation;

/**
 * Secrets Manager over JSON 1.1 ({@code X-Amz-Target: secretsmanager.*}): secrets with versions and staging labels,
 * idempotent writes keyed by ClientRequestToken, tags, resource policies and scheduled deletion that completes
 * when the shared clock passes the end of the recovery window.
 */
public final class SecretsManagerEmulator implements ServiceEmulator {
    public static final String AWSCURRENT = "AWSCURRENT";
    public static final String AWSPREVIOUS = "AWSPREVIOUS";

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9/_+=.@\\-]{1,512}");
    private static final Pattern FILTER_VALUE = Pattern.compile("!?[a-zA-Z0-9 :_@/+=.\\-!]*");
    private static final Pattern WORD = Pattern.compile("[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+");
    private static final Set<String> FILTER_KEYS =
            Set.of("description", "name", "tag-key", "tag-value", "primary-region", "owning-service", "all");
    private static final String ARN_SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final int MAX_SECRET_STRING = 65536;
    private static final int DEFAULT_RECOVERY_DAYS = 30;
    private static final int MAX_LIST_RESULTS = 100;
    /** AWS keeps at most this many versions and drops the oldest unlabeled ones beyond it. */
    private static final int MAX_VERSIONS = 100;
    private static final PageTokens PAGE_TOKENS = new PageTokens("secrets-offset:");

    private final LocalAwsContext ctx;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Secret> secretsByName = new LinkedHashMap<>();

    /** A snapshot of one secret for assertions; {@code kmsKeyId}, {@code resourcePolicy}, {@code deletedDate} may be null. */
    public record SecretSnapshot(String arn, String name, String description, String kmsKeyId, Map<String, String> tags,
                                 String resourcePolicy, Instant deletedDate, List<VersionSnapshot> versions) {
    }

    /**
     * One version, oldest first in {@link SecretSnapshot#versions()}; {@code value} is the SecretString, null for
     * binary; {@code kmsKeyArn} the key it was encrypted with when written (a later re-key leaves it as it was).
     */
    public record VersionSnapshot(String id, String value, Set<String> stages, String kmsKeyArn) {
    }

    private static final class Version {
        final String id;
        final String secretString;
        final String secretBinary;
        final Instant created;
        final String kmsKeyArn;
        final Set<String> stages = new LinkedHashSet<>();

        Version(String id, String secretString, String secretBinary, Instant created, String kmsKeyArn) {
            this.id = id;
            this.secretString = secretString;
            this.secretBinary = secretBinary;
            this.created = created;
            this.kmsKeyArn = kmsKeyArn;
        }

        boolean sameValue(String otherString, String otherBinary) {
            return Objects.equals(secretString, otherString) && Objects.equals(secretBinary, otherBinary);
        }
    }

    private static final class Secret {
        final String arn;
        final String name;
        final Instant created;
        final long creationOrder;
        String description;
        String kmsKeyId;
        String resourcePolicy;
        Instant lastChanged;
        Instant lastAccessed;
        /** When DeleteSecret was called; null unless the secret is scheduled for deletion. */
        Instant deletedDate;
        /** When the recovery window ends and the secret is gone for good. */
        Instant deletionDate;
        final Map<String, String> tags = new LinkedHashMap<>();
        /** Oldest first. */
        final Map<String, Version> versions = new LinkedHashMap<>();

        Secret(String arn, String name, Instant created, long creationOrder) {
            this.arn = arn;
            this.name = name;
            this.created = created;
            this.creationOrder = creationOrder;
            this.lastChanged = created;
        }

        boolean scheduledForDeletion() {
            return deletedDate != null;
        }

        Optional<Version> withStage(String stage) {
            return versions.values().stream().filter(v -> v.stages.contains(stage)).findFirst();
        }
    }

    private final KmsKeys kms;
    private final Map<String, Set<String>> deniedOperationsByCaller = new java.util.concurrent.ConcurrentHashMap<>();

    public SecretsManagerEmulator(LocalAwsContext ctx, KmsKeys kms) {
        this.ctx = ctx;
        this.kms = kms;
    }

    @Override public String service() { return "secretsmanager"; }

    @Override public String xmlNamespace() { return null; }

    @Override
    public synchronized Object handle(AwsRequest request) {
        purgeExpiredDeletions();
        JsonNode body = request.json();
        Optional<String> caller = WireFormat.signingAccessKeyId(request.headers());
        if (caller.map(deniedOperationsByCaller::get).filter(ops -> ops.contains(request.operation())).isPresent()) {
            // IAM decides before the service looks at the secret: the answer is the same whether it exists or not.
            throw AwsServiceError.badRequest("AccessDeniedException", "User: " + caller.get()
                    + " is not authorized to perform: secretsmanager:" + request.operation()
                    + " because no identity-based policy allows the secretsmanager:" + request.operation()
                    + " action");
        }
        return switch (request.operation()) {
            case "CreateSecret" -> createSecret(body, caller);
            case "PutSecretValue" -> putSecretValue(body, caller);
            case "UpdateSecret" -> updateSecret(body, caller);
            case "GetSecretValue" -> getSecretValue(body, caller);
            case "DescribeSecret" -> describeSecret(body);
            case "ListSecrets" -> listSecrets(body);
            case "TagResource" -> tagResource(body);
            case "UntagResource" -> untagResource(body);
            case "PutResourcePolicy" -> putResourcePolicy(body);
            case "GetResourcePolicy" -> getResourcePolicy(body);
            case "DeleteSecret" -> deleteSecret(body);
            case "RestoreSecret" -> restoreSecret(body);
            default -> throw AwsServiceError.badRequest("InvalidAction",
                    "The action " + request.operation() + " is not valid for this endpoint.");
        };
    }

    // ---------------------------------------------------------------- test hooks

    /**
     * A caller signing with {@code accessKeyId} is refused these operations (for example {@code GetSecretValue}), as
     * an identity policy that does not allow them refuses them.
     */
    public void denyOperations(String accessKeyId, Set<String> operations) {
        deniedOperationsByCaller.put(accessKeyId, Set.copyOf(operations));
    }

    public synchronized Optional<SecretSnapshot> secret(String name) {
        purgeExpiredDeletions();
        return Optional.ofNullable(secretsByName.get(name)).map(SecretsManagerEmulator::snapshot);
    }

    /** The SecretString labeled AWSCURRENT, as GetSecretValue would return it. */
    public synchronized Optional<String> currentValue(String name) {
        purgeExpiredDeletions();
        return Optional.ofNullable(secretsByName.get(name))
                .flatMap(secret -> secret.withStage(AWSCURRENT))
                .map(version -> version.secretString);
    }

    /**
     * Stores {@code secretString} as the new AWSCURRENT version of {@code name}, creating the secret if needed and
     * adding {@code tags}, without any validation: for hostile values callers must survive, such as malformed JSON or
     * an empty string (which AWS itself refuses). Returns the secret's ARN.
     */
    public synchronized String seedRaw(String name, String secretString, Map<String, String> tags) {
        return seedRaw(name, secretString, tags, null);
    }

    /**
     * As {@link #seedRaw(String, String, Map)}, for a secret encrypted with {@code kmsKeyId} (null: the AWS managed
     * key): with the rotator's key it stands for a secret the rotator wrote.
     */
    public synchronized String seedRaw(String name, String secretString, Map<String, String> tags, String kmsKeyId) {
        Secret secret = secretsByName.computeIfAbsent(name, this::newSecret);
        if (secret.versions.isEmpty()) {
            secret.kmsKeyId = kmsKeyId;
        }
        secret.tags.putAll(tags);
        addVersion(secret, UUID.randomUUID().toString(), secretString, null, List.of(AWSCURRENT));
        return secret.arn;
    }

    /** Schedules {@code name} for deletion with the default 30-day recovery window, as DeleteSecret would. */
    public synchronized void scheduleDeletion(String name) {
        Secret secret = secretsByName.get(name);
        if (secret == null) {
            throw new IllegalArgumentException("No secret named " + name);
        }
        markDeleted(secret, Duration.ofDays(DEFAULT_RECOVERY_DAYS));
    }

    /** Every secret, including those scheduled for deletion, for checks across the whole store. */
    public synchronized List<SecretSnapshot> allSecrets() {
        purgeExpiredDeletions();
        return secretsByName.values().stream().map(SecretsManagerEmulator::snapshot).toList();
    }

    /** Every SecretString of every version of every secret, for checks that a value never ended up stored. */
    public synchronized List<String> allSecretStrings() {
        purgeExpiredDeletions();
        return secretsByName.values().stream()
                .flatMap(secret -> secret.versions.values().stream())
                .map(version -> version.secretString)
                .filter(Objects::nonNull)
                .toList();
    }

    // ---------------------------------------------------------------- operations

    private ObjectNode createSecret(JsonNode body, Optional<String> caller) {
        String name = requiredString(body, "Name");
        if (!NAME.matcher(name).matches()) {
            throw AwsServiceError.badRequest("InvalidParameterException",
                    "Invalid name. Must be a valid name containing alphanumeric characters, or any of the "
                            + "following: -/_+=.@!");
        }
        Optional<String> secretString = optionalString(body, "SecretString");
        Optional<String> secretBinary = optionalString(body, "SecretBinary");
        validateValue(secretString, secretBinary);
        Optional<String> description = optionalString(body, "Description");
        description.ifPresent(text -> requireLength("Description", text, 0, 2048));
        Secret existing = secretsByName.get(name);
        if (existing != null && existing.scheduledForDeletion()) {
            throw AwsServiceError.badRequest("InvalidRequestException",
                    "You can't create this secret because a secret with this name is already scheduled for deletion.");
        }
        if (existing != null) {
            throw AwsServiceError.badRequest("ResourceExistsException",
                    "The operation failed because the secret " + name + " already exists.");
        }
        Map<String, String> tags = tags(body.get("Tags"));
        String token = clientRequestToken(body);
        Optional<String> kmsKeyId = optionalString(body, "KmsKeyId");
        if (secretString.isPresent() || secretBinary.isPresent()) {
            kms.checkEncrypt(caller, kmsKeyId.orElse(null));
        }

        Secret secret = newSecret(name);
        secret.description = description.orElse(null);
        secret.kmsKeyId = kmsKeyId.orElse(null);
        secret.tags.putAll(tags);
        secretsByName.put(name, secret);

        ObjectNode response = identity(secret);
        // Without a value AWS creates the secret with no version at all.
        if (secretString.isPresent() || secretBinary.isPresent()) {
            Version version = addVersion(secret, token, secretString.orElse(null), secretBinary.orElse(null),
                    List.of(AWSCURRENT));
            response.put("VersionId", version.id);
        }
        return response;
    }

    private ObjectNode putSecretValue(JsonNode body, Optional<String> caller) {
        Secret secret = activeSecret(requiredString(body, "SecretId"));
        Optional<String> secretString = optionalString(body, "SecretString");
        Optional<String> secretBinary = optionalString(body, "SecretBinary");
        if (secretString.isEmpty() && secretBinary.isEmpty()) {
            throw AwsServiceError.badRequest("InvalidRequestException",
                    "You must provide either SecretString or SecretBinary.");
        }
        validateValue(secretString, secretBinary);
        List<String> stages = stringList(body, "VersionStages").orElse(List.of(AWSCURRENT));
        String token = clientRequestToken(body);

        Version version = secret.versions.get(token);
        if (version != null) {
            // A retried request with the same token must not create a second version; a different value under a
            // token already used is a conflict, because versions are immutable.
            if (!version.sameValue(secretString.orElse(null), secretBinary.orElse(null))) {
                throw AwsServiceError.badRequest("ResourceExistsException",
                        "You can't modify an existing version, you can only create a new version.");
            }
        } else {
            kms.checkEncrypt(caller, secret.kmsKeyId);
            version = addVersion(secret, token, secretString.orElse(null), secretBinary.orElse(null), stages);
        }
        ObjectNode response = identity(secret);
        response.put("VersionId", version.id);
        response.set("VersionStages", stringArray(version.stages));
        return response;
    }

    /**
     * A new KMS key applies to versions written from now on (AWS does not re-encrypt existing ones); a value given
     * with it becomes the new AWSCURRENT version, encrypted under the new key.
     */
    private ObjectNode updateSecret(JsonNode body, Optional<String> caller) {
        Secret secret = activeSecret(requiredString(body, "SecretId"));
        Optional<String> secretString = optionalString(body, "SecretString");
        Optional<String> secretBinary = optionalString(body, "SecretBinary");
        validateValue(secretString, secretBinary);
        Optional<String> description = optionalString(body, "Description");
        description.ifPresent(text -> requireLength("Description", text, 0, 2048));
        Optional<String> kmsKeyId = optionalString(body, "KmsKeyId");
        String keyForNewVersion = kmsKeyId.orElse(secret.kmsKeyId);
        if (secretString.isPresent() || secretBinary.isPresent()) {
            kms.checkEncrypt(caller, keyForNewVersion);
        }
        description.ifPresent(text -> secret.description = text);
        kmsKeyId.ifPresent(key -> secret.kmsKeyId = key);
        secret.lastChanged = ctx.now();
        ObjectNode response = identity(secret);
        if (secretString.isPresent() || secretBinary.isPresent()) {
            Version version = addVersion(secret, clientRequestToken(body), secretString.orElse(null),
                    secretBinary.orElse(null), List.of(AWSCURRENT));
            response.put("VersionId", version.id);
        }
        return response;
    }

    private ObjectNode getSecretValue(JsonNode body, Optional<String> caller) {
        Secret secret = activeSecret(requiredString(body, "SecretId"));
        kms.checkDecrypt(caller, secret.kmsKeyId);
        Optional<String> versionId = optionalString(body, "VersionId");
        Optional<String> stage = optionalString(body, "VersionStage");
        Version version = versionId.map(secret.versions::get).orElseGet(
                () -> secret.withStage(stage.orElse(AWSCURRENT)).orElse(null));
        boolean stageMismatch = version != null && versionId.isPresent() && stage.isPresent()
                && !version.stages.contains(stage.get());
        if (version == null || stageMismatch) {
            String which = versionId.map(id -> "VersionId: " + id)
                    .orElseGet(() -> "staging label: " + stage.orElse(AWSCURRENT));
            throw AwsServiceError.badRequest("ResourceNotFoundException",
                    "Secrets Manager can't find the specified secret value for " + which);
        }
        // AWS records access to the day only.
        secret.lastAccessed = ctx.now().truncatedTo(ChronoUnit.DAYS);

        ObjectNode response = identity(secret);
        response.put("VersionId", version.id);
        if (version.secretString != null) {
            response.put("SecretString", version.secretString);
        }
        if (version.secretBinary != null) {
            response.put("SecretBinary", version.secretBinary);
        }
        response.set("VersionStages", stringArray(version.stages));
        response.set("CreatedDate", epochSeconds(version.created));
        return response;
    }

    private ObjectNode describeSecret(JsonNode body) {
        return metadata(anySecret(requiredString(body, "SecretId")), "VersionIdsToStages");
    }

    private ObjectNode listSecrets(JsonNode body) {
        int maxResults = optionalInt(body, "MaxResults").orElse(MAX_LIST_RESULTS);
        requireRange("MaxResults", maxResults, 1, MAX_LIST_RESULTS);
        boolean includePlannedDeletion = bool(body, "IncludePlannedDeletion", false);
        Predicate<Secret> filter = filters(body.get("Filters"));
        Comparator<Secret> order = listOrder(body);

        List<Secret> matching = secretsByName.values().stream()
                .filter(secret -> includePlannedDeletion || !secret.scheduledForDeletion())
                .filter(filter)
                .sorted(order)
                .toList();
        int offset = optionalString(body, "NextToken").map(SecretsManagerEmulator::decodeOffset).orElse(0);
        int end = Math.min(matching.size(), offset + maxResults);

        ArrayNode list = JSON.arrayNode();
        for (Secret secret : matching.subList(Math.min(offset, matching.size()), end)) {
            list.add(metadata(secret, "SecretVersionsToStages"));
        }
        ObjectNode response = JSON.objectNode();
        response.set("SecretList", list);
        if (end < matching.size()) {
            response.put("NextToken", encodeOffset(end));
        }
        return response;
    }

    private ObjectNode tagResource(JsonNode body) {
        Secret secret = activeSecret(requiredString(body, "SecretId"));
        if (!body.hasNonNull("Tags")) {
            throw validation("1 validation error detected: Value null at 'tags' failed to satisfy constraint: "
                    + "Member must not be null");
        }
        secret.tags.putAll(tags(body.get("Tags")));
        secret.lastChanged = ctx.now();
        return JSON.objectNode();
    }

    private ObjectNode untagResource(JsonNode body) {
        Secret secret = activeSecret(requiredString(body, "SecretId"));
        List<String> keys = stringList(body, "TagKeys").orElseThrow(() -> validation(
                "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: "
                        + "Member must not be null"));
        keys.forEach(secret.tags::remove);
        secret.lastChanged = ctx.now();
        return JSON.objectNode();
    }

    private ObjectNode putResourcePolicy(JsonNode body) {
        Secret secret = activeSecret(requiredString(body, "SecretId"));
        String policy = requiredString(body, "ResourcePolicy");
        requireLength("ResourcePolicy", policy, 1, 20480);
        try {
            if (!MAPPER.readTree(policy).isObject()) {
                throw malformedPolicy();
            }
        } catch (JsonProcessingException e) {
            throw malformedPolicy();
        }
        secret.resourcePolicy = policy;
        secret.lastChanged = ctx.now();
        return identity(secret);
    }

    private ObjectNode getResourcePolicy(JsonNode body) {
        Secret secret = anySecret(requiredString(body, "SecretId"));
        ObjectNode response = identity(secret);
        putIfPresent(response, "ResourcePolicy", secret.resourcePolicy);
        return response;
    }

    private ObjectNode deleteSecret(JsonNode body) {
        Secret secret = anySecret(requiredString(body, "SecretId"));
        Optional<Integer> recoveryDays = optionalInt(body, "RecoveryWindowInDays");
        boolean force = bool(body, "ForceDeleteWithoutRecovery", false);
        if (force && recoveryDays.isPresent()) {
            throw AwsServiceError.badRequest("InvalidParameterException",
                    "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
        }
        int days = recoveryDays.orElse(DEFAULT_RECOVERY_DAYS);
        if (days < 7 || days > 30) {
            throw AwsServiceError.badRequest("InvalidParameterException",
                    "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
        }
        if (secret.scheduledForDeletion() && !force) {
            throw AwsServiceError.badRequest("InvalidRequestException",
                    "You can't perform this operation on the secret because it was already scheduled for deletion.");
        }
        ObjectNode response = identity(secret);
        if (force) {
            secretsByName.remove(secret.name);
            response.set("DeletionDate", epochSeconds(ctx.now()));
        } else {
            markDeleted(secret, Duration.ofDays(days));
            response.set("DeletionDate", epochSeconds(secret.deletionDate));
        }
        return response;
    }

    private ObjectNode restoreSecret(JsonNode body) {
        Secret secret = anySecret(requiredString(body, "SecretId"));
        secret.deletedDate = null;
        secret.deletionDate = null;
        secret.lastChanged = ctx.now();
        return identity(secret);
    }

    // ---------------------------------------------------------------- state changes

    private Secret newSecret(String name) {
        StringBuilder suffix = new StringBuilder(6);
        for (int i = 0; i < 6; i++) {
            suffix.append(ARN_SUFFIX_ALPHABET.charAt(random.nextInt(ARN_SUFFIX_ALPHABET.length())));
        }
        String arn = "arn:aws:secretsmanager:" + ctx.region() + ":" + ctx.accountId() + ":secret:" + name + "-" + suffix;
        return new Secret(arn, name, ctx.now(), ctx.nextSequence());
    }

    /** Adds a version holding {@code stages}, moving each label off the version that had it. */
    private Version addVersion(Secret secret, String id, String secretString, String secretBinary, List<String> stages) {
        Version version = new Version(id, secretString, secretBinary, ctx.now(), kms.resolve(secret.kmsKeyId));
        secret.versions.put(id, version);
        for (String stage : stages) {
            moveStage(secret, stage, version);
        }
        secret.lastChanged = ctx.now();
        pruneUnlabeledVersions(secret);
        return version;
    }

    /** The version losing AWSCURRENT becomes AWSPREVIOUS, so a rotation can always be rolled back one step. */
    private static void moveStage(Secret secret, String stage, Version target) {
        Optional<Version> holder = secret.withStage(stage);
        holder.ifPresent(previous -> previous.stages.remove(stage));
        target.stages.add(stage);
        if (AWSCURRENT.equals(stage) && holder.isPresent() && holder.get() != target) {
            secret.withStage(AWSPREVIOUS).ifPresent(older -> older.stages.remove(AWSPREVIOUS));
            holder.get().stages.add(AWSPREVIOUS);
        }
    }

    private static void pruneUnlabeledVersions(Secret secret) {
        var oldestFirst = secret.versions.values().iterator();
        while (secret.versions.size() > MAX_VERSIONS && oldestFirst.hasNext()) {
            if (oldestFirst.next().stages.isEmpty()) {
                oldestFirst.remove();
            }
        }
    }

    private void markDeleted(Secret secret, Duration recoveryWindow) {
        secret.deletedDate = ctx.now();
        secret.deletionDate = ctx.now().plus(recoveryWindow);
        secret.lastChanged = ctx.now();
    }

    /** Deletion completes lazily: whenever the emulator is used after the shared clock passed the recovery window. */
    private void purgeExpiredDeletions() {
        Instant now = ctx.now();
        secretsByName.values().removeIf(secret -> secret.deletionDate != null && !now.isBefore(secret.deletionDate));
    }

    // ---------------------------------------------------------------- lookups and validation

    /** A secret by name, full ARN or partial ARN (without the random suffix), even if scheduled for deletion. */
    private Secret anySecret(String secretId) {
        Secret byName = secretsByName.get(secretId);
        if (byName != null) {
            return byName;
        }
        for (Secret secret : secretsByName.values()) {
            if (secret.arn.equals(secretId)) {
                return secret;
            }
        }
        String partialArnPrefix = "arn:aws:secretsmanager:" + ctx.region() + ":" + ctx.accountId() + ":secret:";
        if (secretId.startsWith(partialArnPrefix)) {
            Secret byPartialArn = secretsByName.get(secretId.substring(partialArnPrefix.length()));
            if (byPartialArn != null) {
                return byPartialArn;
            }
        }
        throw AwsServiceError.badRequest("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    }

    /** A secret that is not scheduled for deletion; AWS refuses reads and writes on the others. */
    private Secret activeSecret(String secretId) {
        Secret secret = anySecret(secretId);
        if (secret.scheduledForDeletion()) {
            throw AwsServiceError.badRequest("InvalidRequestException",
                    "You can't perform this operation on the secret because it was marked for deletion.");
        }
        return secret;
    }

    private static void validateValue(Optional<String> secretString, Optional<String> secretBinary) {
        if (secretString.isPresent() && secretBinary.isPresent()) {
            throw AwsServiceError.badRequest("InvalidParameterException",
                    "You can't specify both a binary secret value and a string secret value in the same secret.");
        }
        secretString.ifPresent(value -> requireLength("SecretString", value, 1, MAX_SECRET_STRING));
    }

    private static String clientRequestToken(JsonNode body) {
        String token = optionalString(body, "ClientRequestToken").orElseGet(() -> UUID.randomUUID().toString());
        requireLength("ClientRequestToken", token, 32, 64);
        return token;
    }

    private static Map<String, String> tags(JsonNode tags) {
        Map<String, String> result = new LinkedHashMap<>();
        if (tags != null && !tags.isNull()) {
            for (JsonNode tag : tags) {
                String key = tag.path("Key").asText("");
                requireLength("Tags.member.Key", key, 1, 128);
                result.put(key, tag.path("Value").asText(""));
            }
        }
        return result;
    }

    private static AwsServiceError malformedPolicy() {
        return AwsServiceError.badRequest("MalformedPolicyDocumentException",
                "This resource policy contains a syntax error.");
    }

    // ---------------------------------------------------------------- ListSecrets filters and order

    /** Values of one filter are ORed, separate filters are ANDed; a leading {@code !} negates a value. */
    private Predicate<Secret> filters(JsonNode filters) {
        Predicate<Secret> all = secret -> true;
        if (filters == null || filters.isNull()) {
            return all;
        }
        for (JsonNode filter : filters) {
            String key = filter.path("Key").asText("");
            if (!FILTER_KEYS.contains(key)) {
                throw validation("1 validation error detected: Value '" + key + "' at 'filters.member.key' failed "
                        + "to satisfy constraint: Member must satisfy enum value set: " + FILTER_KEYS);
            }
            List<String> values = new ArrayList<>();
            filter.path("Values").forEach(value -> values.add(value.asText()));
            if (values.isEmpty() || values.size() > 10) {
                throw validation("1 validation error detected: Value at 'filters.member.values' failed to satisfy "
                        + "constraint: Member must have length between 1 and 10");
            }
            Predicate<Secret> anyValue = secret -> false;
            for (String value : values) {
                if (!FILTER_VALUE.matcher(value).matches()) {
                    throw validation("1 validation error detected: Value '" + value + "' at 'filters.member.values' "
                            + "failed to satisfy constraint: Member must satisfy regular expression pattern: "
                            + FILTER_VALUE.pattern());
                }
                anyValue = anyValue.or(valueMatcher(key, value));
            }
            all = all.and(anyValue);
        }
        return all;
    }

    private Predicate<Secret> valueMatcher(String key, String value) {
        boolean negated = value.startsWith("!");
        String term = negated ? value.substring(1) : value;
        Predicate<Secret> matcher = switch (key) {
            case "name" -> secret -> secret.name.startsWith(term);
            case "tag-key" -> secret -> secret.tags.keySet().stream().anyMatch(k -> k.startsWith(term));
            case "tag-value" -> secret -> secret.tags.values().stream().anyMatch(v -> v.startsWith(term));
            // "My Description" matches "Description of my secret": every word of the term, in any order and case.
            case "description" -> secret -> secret.description != null
                    && words(term).stream().allMatch(word -> startsAnyOf(word, words(secret.description)));
            // Split into words, any of which may match a word of the name, the description or a tag.
            case "all" -> secret -> words(term).stream().anyMatch(word -> startsAnyOf(word, searchableWords(secret)));
            case "primary-region" -> secret -> ctx.region().startsWith(term);
            // No secret here is managed by another service, so only an empty prefix matches.
            case "owning-service" -> secret -> term.isEmpty();
            default -> throw new IllegalStateException("unchecked filter key " + key);
        };
        return negated ? matcher.negate() : matcher;
    }

    private static boolean startsAnyOf(String prefix, List<String> words) {
        return words.stream().anyMatch(word -> word.startsWith(prefix));
    }

    private static List<String> searchableWords(Secret secret) {
        List<String> words = new ArrayList<>(words(secret.name));
        if (secret.description != null) {
            words.addAll(words(secret.description));
        }
        secret.tags.forEach((key, value) -> {
            words.addAll(words(key));
            words.addAll(words(value));
        });
        return words;
    }

    /** Words as Secrets Manager's search splits them: at case changes, letter/digit changes and punctuation; lower-cased. */
    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        Matcher matcher = WORD.matcher(text);
        while (matcher.find()) {
            words.add(matcher.group().toLowerCase(Locale.ROOT));
        }
        return words;
    }

    private static Comparator<Secret> listOrder(JsonNode body) {
        String sortBy = optionalString(body, "SortBy").orElse("created-date");
        Comparator<Secret> byCreation = Comparator.comparingLong(secret -> secret.creationOrder);
        Comparator<Secret> order = switch (sortBy) {
            case "created-date" -> Comparator.comparing((Secret secret) -> secret.created).thenComparing(byCreation);
            case "last-changed-date" -> Comparator.comparing((Secret secret) -> secret.lastChanged).thenComparing(byCreation);
            case "last-accessed-date" -> Comparator.comparing((Secret secret) -> secret.lastAccessed,
                    Comparator.nullsFirst(Comparator.naturalOrder())).thenComparing(byCreation);
            case "name" -> Comparator.comparing((Secret secret) -> secret.name);
            default -> throw validation("1 validation error detected: Value '" + sortBy + "' at 'sortBy' failed to "
                    + "satisfy constraint: Member must satisfy enum value set: [created-date, last-accessed-date, "
                    + "last-changed-date, name]");
        };
        String sortOrder = optionalString(body, "SortOrder").orElse("asc");
        return switch (sortOrder) {
            case "asc" -> order;
            case "desc" -> order.reversed();
            default -> throw validation("1 validation error detected: Value '" + sortOrder + "' at 'sortOrder' "
                    + "failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]");
        };
    }

    private static String encodeOffset(int offset) {
        return PAGE_TOKENS.encode(offset);
    }

    private static int decodeOffset(String token) {
        return PAGE_TOKENS.decode(token).orElseThrow(() -> AwsServiceError.badRequest("InvalidNextTokenException", "The NextToken value isn't valid."));
    }

    // ---------------------------------------------------------------- response shapes

    private static ObjectNode identity(Secret secret) {
        ObjectNode node = JSON.objectNode();
        node.put("ARN", secret.arn);
        node.put("Name", secret.name);
        return node;
    }

    /**
     * What DescribeSecret returns and each ListSecrets entry repeats; the two name the labeled-versions map
     * differently.
     */
    private static ObjectNode metadata(Secret secret, String versionsField) {
        ObjectNode node = identity(secret);
        putIfPresent(node, "Description", secret.description);
        putIfPresent(node, "KmsKeyId", secret.kmsKeyId);
        node.put("RotationEnabled", false);
        node.set("LastChangedDate", epochSeconds(secret.lastChanged));
        if (secret.lastAccessed != null) {
            node.set("LastAccessedDate", epochSeconds(secret.lastAccessed));
        }
        if (secret.deletedDate != null) {
            node.set("DeletedDate", epochSeconds(secret.deletedDate));
        }
        node.set("Tags", tagsJson(secret.tags));
        node.set(versionsField, versionsToStages(secret));
        node.set("CreatedDate", epochSeconds(secret.created));
        return node;
    }

    private static ObjectNode versionsToStages(Secret secret) {
        ObjectNode node = JSON.objectNode();
        for (Version version : secret.versions.values()) {
            if (!version.stages.isEmpty()) {
                node.set(version.id, stringArray(version.stages));
            }
        }
        return node;
    }

    private static ArrayNode tagsJson(Map<String, String> tags) {
        ArrayNode array = JSON.arrayNode();
        tags.forEach((key, value) -> array.addObject().put("Key", key).put("Value", value));
        return array;
    }

    private static ArrayNode stringArray(Iterable<String> values) {
        ArrayNode array = JSON.arrayNode();
        values.forEach(array::add);
        return array;
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static SecretSnapshot snapshot(Secret secret) {
        List<VersionSnapshot> versions = secret.versions.values().stream()
                .map(v -> new VersionSnapshot(v.id, v.secretString, Set.copyOf(v.stages), v.kmsKeyArn))
                .toList();
        return new SecretSnapshot(secret.arn, secret.name, secret.description, secret.kmsKeyId,
                Collections.unmodifiableMap(new LinkedHashMap<>(secret.tags)), secret.resourcePolicy, secret.deletedDate, versions);
    }
}
