package dev.accesskeyrotator.localaws;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * IAM users, their tags and access keys, and the credential report, with the AWS semantics a key rotator depends
 * on: at most two keys per user, paging with {@code MaxItems}/{@code Marker}, {@code NoSuchEntity} for missing users
 * and keys, dates from the shared clock. User names are unique regardless of case, as in IAM.
 * <p>
 * The plain Java methods below the API operations are test hooks for seeding state and asserting on it. All state
 * sits behind this object's lock, so API calls and hooks may run concurrently.
 */
public final class IamEmulator implements ServiceEmulator {
    static final String NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/";
    static final int MAX_KEYS_PER_USER = 2;
    static final int MAX_TAGS_PER_USER = 50;
    static final int DEFAULT_MAX_ITEMS = 100;
    static final int MAX_MAX_ITEMS = 1000;
    /** What GetAccessKeyLastUsed reports as service and region of a key that was never used. */
    static final String NOT_APPLICABLE = "N/A";

    private static final Pattern USER_NAME = Pattern.compile("[\\w+=,.@-]{1,64}");
    private static final String ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final String SECRET_ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    public enum KeyStatus {
        ACTIVE("Active"), INACTIVE("Inactive");

        private final String wireName;

        KeyStatus(String wireName) { this.wireName = wireName; }

        public String wireName() { return wireName; }

        static KeyStatus fromWire(String value) {
            for (KeyStatus status : values()) {
                if (status.wireName.equals(value)) {
                    return status;
                }
            }
            throw validation("Value '" + value + "' at 'status' failed to satisfy constraint: "
                    + "Member must satisfy enum value set: [Active, Inactive]");
        }
    }

    /** What IAM knows of an access key id that signs a request. */
    public enum SigningKeyState { ACTIVE, INACTIVE, DELETED }

    /** When, for which service and in which region a key was last used. */
    public record KeyUsage(Instant date, String serviceName, String region) { }

    /** An access key as stored, including its secret so tests can check where secrets travel. */
    public record KeySnapshot(String id, String userName, KeyStatus status, Instant createDate,
                              Optional<KeyUsage> lastUsed, String secret) {
        public boolean active() { return status == KeyStatus.ACTIVE; }
    }

    /** A user as stored; {@code keys} are ordered oldest first. */
    public record UserSnapshot(String name, String userId, String arn, String path, Instant createDate,
                               Map<String, String> tags, List<KeySnapshot> keys) { }

    private static final class User {
        final String name;
        final String id;
        final String path;
        final String arn;
        final Instant createDate;
        final Map<String, String> tags = new LinkedHashMap<>();
        /** Oldest first; the credential report calls the first one key 1. */
        final List<Key> keys = new ArrayList<>(MAX_KEYS_PER_USER);

        User(String name, String id, String path, String arn, Instant createDate) {
            this.name = name;
            this.id = id;
            this.path = path;
            this.arn = arn;
            this.createDate = createDate;
        }

        UserSnapshot snapshot() {
            return new UserSnapshot(name, id, arn, path, createDate, Map.copyOf(tags),
                    keys.stream().map(Key::snapshot).toList());
        }
    }

    private static final class Key {
        final String id;
        final String secret;
        final String userName;
        final Instant createDate;
        KeyStatus status;
        KeyUsage lastUsed;

        Key(String id, String secret, String userName, Instant createDate, KeyStatus status) {
            this.id = id;
            this.secret = secret;
            this.userName = userName;
            this.createDate = createDate;
            this.status = status;
        }

        KeySnapshot snapshot() {
            return new KeySnapshot(id, userName, status, createDate, Optional.ofNullable(lastUsed), secret);
        }
    }

    private final LocalAwsContext context;
    private final NavigableMap<String, User> users = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final Map<String, Key> keysById = new HashMap<>();
    /** Deleted keys stay known: AWS refuses a request they sign rather than treating them as strangers. */
    private final Set<String> deletedKeyIds = new HashSet<>();
    private final List<String> issuedSecrets = new ArrayList<>();
    private final CredentialReports credentialReports = new CredentialReports();

    public IamEmulator(LocalAwsContext context) {
        this.context = context;
    }

    @Override public String service() { return "iam"; }
    @Override public String xmlNamespace() { return NAMESPACE; }

    @Override
    public Object handle(AwsRequest request) {
        return switch (request.operation()) {
            case "ListUsers" -> listUsers(request);
            case "GetUser" -> getUser(request);
            case "GetRolePolicy" -> getRolePolicy(request);
            case "CreateUser" -> createUser(request);
            case "DeleteUser" -> deleteUser(request);
            case "TagUser" -> tagUser(request);
            case "UntagUser" -> untagUser(request);
            case "ListUserTags" -> listUserTags(request);
            case "GetAccountAuthorizationDetails" -> getAccountAuthorizationDetails(request);
            case "ListAccessKeys" -> listAccessKeys(request);
            case "CreateAccessKey" -> createAccessKey(request);
            case "UpdateAccessKey" -> updateAccessKey(request);
            case "DeleteAccessKey" -> deleteAccessKey(request);
            case "GetAccessKeyLastUsed" -> getAccessKeyLastUsed(request);
            case "GenerateCredentialReport" -> generateCredentialReport();
            case "GetCredentialReport" -> getCredentialReport();
            default -> throw new AwsServiceError(400, "InvalidAction",
                    "Could not find operation " + request.operation() + " for version 2010-05-08");
        };
    }

    // ---- API operations ------------------------------------------------------------------------------------

    private synchronized Xml listUsers(AwsRequest request) {
        String pathPrefix = request.param("PathPrefix").orElse("/");
        Page<User> page = pageByName(request, user -> user.path.startsWith(pathPrefix));
        return Xml.create()
                .nested("Users", xml -> page.items().forEach(user -> xml.nested("member", m -> userFields(m, user))))
                .element("IsTruncated", page.truncated())
                .element("Marker", page.marker());
    }

    /**
     * A role's inline policy, as the role's stack put it ({@code PutRolePolicy}). Roles themselves live in
     * {@link StsEmulator}; IAM here only holds their inline policies.
     */
    public synchronized void putRolePolicy(String roleName, String policyName, String document) {
        rolePolicies.put(roleName + "/" + policyName, document);
    }

    /**
     * As IAM answers: the document URL-encoded (RFC 3986), which the SDK hands over as is; {@code NoSuchEntity}
     * (404) for a role or policy name it does not know.
     */
    private synchronized Xml getRolePolicy(AwsRequest request) {
        String roleName = required(request, "RoleName");
        String policyName = required(request, "PolicyName");
        String document = rolePolicies.get(roleName + "/" + policyName);
        if (document == null) {
            throw new AwsServiceError(404, "NoSuchEntity", "The role policy with name " + policyName
                    + " cannot be found.");
        }
        return Xml.create().element("RoleName", roleName).element("PolicyName", policyName)
                .element("PolicyDocument", java.net.URLEncoder.encode(document, java.nio.charset.StandardCharsets.UTF_8)
                        .replace("+", "%20"));
    }

    private synchronized Xml getUser(AwsRequest request) {
        User user = existingUser(callerOrNamedUser(request));
        return userElement(user);
    }

    private synchronized Xml createUser(AwsRequest request) {
        String path = request.param("Path").orElse("/");
        if (!path.startsWith("/") || !path.endsWith("/")) {
            throw validation("Value '" + path + "' at 'path' failed to satisfy constraint: "
                    + "Member must begin and end with a slash");
        }
        User user = addUser(required(request, "UserName"), path, tagsParam(request));
        return userElement(user);
    }

    private synchronized Xml deleteUser(AwsRequest request) {
        User user = existingUser(required(request, "UserName"));
        if (!user.keys.isEmpty()) {
            throw new AwsServiceError(409, "DeleteConflict", "Cannot delete entity, must delete access keys first.");
        }
        users.remove(user.name);
        return Xml.create();
    }

    private synchronized Xml tagUser(AwsRequest request) {
        User user = existingUser(required(request, "UserName"));
        Map<String, String> added = tagsParam(request);
        Map<String, String> merged = new LinkedHashMap<>(user.tags);
        merged.putAll(added);
        if (merged.size() > MAX_TAGS_PER_USER) {
            throw new AwsServiceError(409, "LimitExceeded",
                    "The number of tags has reached the maximum limit of " + MAX_TAGS_PER_USER + ".");
        }
        user.tags.putAll(added);
        return Xml.create();
    }

    private synchronized Xml untagUser(AwsRequest request) {
        User user = existingUser(required(request, "UserName"));
        members(request, "TagKeys.member").forEach(user.tags::remove);
        return Xml.create();
    }

    private synchronized Xml listUserTags(AwsRequest request) {
        User user = existingUser(required(request, "UserName"));
        Page<Map.Entry<String, String>> page = pageByIndex(request, List.copyOf(user.tags.entrySet()));
        return Xml.create()
                .nested("Tags", xml -> page.items().forEach(tag -> xml.nested("member", m -> m
                        .element("Key", tag.getKey())
                        .element("Value", tag.getValue()))))
                .element("IsTruncated", page.truncated())
                .element("Marker", page.marker());
    }

    private synchronized Xml getAccountAuthorizationDetails(AwsRequest request) {
        List<String> filter = members(request, "Filter.member");
        // Users are the only entities emulated; a filter without "User" asks for none of them.
        boolean wantUsers = filter.isEmpty() || filter.contains("User");
        Page<User> page = pageByName(request, user -> wantUsers);
        return Xml.create()
                .nested("UserDetailList", xml -> page.items().forEach(user -> xml.nested("member", m -> {
                    userFields(m, user);
                    m.nested("UserPolicyList", none -> { });
                    m.nested("GroupList", none -> { });
                    m.nested("AttachedManagedPolicies", none -> { });
                    m.nested("Tags", t -> tagMembers(t, user.tags));
                })))
                .nested("GroupDetailList", none -> { })
                .nested("RoleDetailList", none -> { })
                .nested("Policies", none -> { })
                .element("IsTruncated", page.truncated())
                .element("Marker", page.marker());
    }

    private synchronized Xml listAccessKeys(AwsRequest request) {
        User user = existingUser(callerOrNamedUser(request));
        Page<Key> page = pageByIndex(request, List.copyOf(user.keys));
        return Xml.create()
                .element("UserName", user.name)
                .nested("AccessKeyMetadata", xml -> page.items().forEach(key -> xml.nested("member", m -> m
                        .element("UserName", key.userName)
                        .element("AccessKeyId", key.id)
                        .element("Status", key.status.wireName())
                        .element("CreateDate", key.createDate))))
                .element("IsTruncated", page.truncated())
                .element("Marker", page.marker());
    }

    private synchronized Xml createAccessKey(AwsRequest request) {
        Key key = addKey(existingUser(callerOrNamedUser(request)), context.now(), KeyStatus.ACTIVE);
        return Xml.create().nested("AccessKey", xml -> xml
                .element("UserName", key.userName)
                .element("AccessKeyId", key.id)
                .element("Status", key.status.wireName())
                .element("SecretAccessKey", key.secret)
                .element("CreateDate", key.createDate));
    }

    private synchronized Xml updateAccessKey(AwsRequest request) {
        KeyStatus status = KeyStatus.fromWire(required(request, "Status"));
        ownedKey(request).status = status;
        return Xml.create();
    }

    private synchronized Xml deleteAccessKey(AwsRequest request) {
        Key key = ownedKey(request);
        users.get(key.userName).keys.remove(key);
        keysById.remove(key.id);
        deletedKeyIds.add(key.id);
        return Xml.create();
    }

    private synchronized Xml getAccessKeyLastUsed(AwsRequest request) {
        Key key = existingKey(required(request, "AccessKeyId"));
        return Xml.create()
                .element("UserName", key.userName)
                .nested("AccessKeyLastUsed", xml -> {
                    if (key.lastUsed == null) {
                        xml.element("ServiceName", NOT_APPLICABLE).element("Region", NOT_APPLICABLE);
                    } else {
                        xml.element("LastUsedDate", key.lastUsed.date())
                                .element("ServiceName", key.lastUsed.serviceName())
                                .element("Region", key.lastUsed.region());
                    }
                });
    }

    private synchronized Xml generateCredentialReport() {
        CredentialReports.Progress progress = credentialReports.generate(context.now(),
                () -> CredentialReports.render(context.accountId(), users.values().stream().map(User::snapshot).toList()));
        return Xml.create()
                .element("State", progress.state())
                .element("Description", progress.description());
    }

    private synchronized Xml getCredentialReport() {
        CredentialReports.Report report = credentialReports.get(context.now());
        return Xml.create()
                .element("Content", Base64.getEncoder().encodeToString(report.content()))
                .element("ReportFormat", "text/csv")
                .element("GeneratedTime", report.generatedTime());
    }

    // ---- test hooks ----------------------------------------------------------------------------------------

    /** Creates a user at path {@code /} as of the clock's now. */
    public synchronized UserSnapshot createUser(String name, Map<String, String> tags) {
        return addUser(name, "/", new LinkedHashMap<>(tags)).snapshot();
    }

    /** Issues a key with a chosen age and status; the two-key limit applies as it does for the API. */
    public synchronized KeySnapshot createAccessKey(String userName, Instant createDate, boolean active) {
        return addKey(existingUser(userName), createDate, active ? KeyStatus.ACTIVE : KeyStatus.INACTIVE).snapshot();
    }

    /** Records a use of the key, as AWS does when the key signs a request. */
    public synchronized void markKeyUsed(String keyId, Instant when, String serviceName, String region) {
        existingKey(keyId).lastUsed = new KeyUsage(when, serviceName, region);
    }

    public synchronized void setKeyStatus(String keyId, KeyStatus status) {
        existingKey(keyId).status = status;
    }

    /** Removes a user and its keys with no conflict checks, as if someone deleted it in the console mid-run. */
    public synchronized boolean deleteUserNow(String userName) {
        User user = users.remove(userName);
        if (user == null) {
            return false;
        }
        user.keys.forEach(key -> {
            keysById.remove(key.id);
            deletedKeyIds.add(key.id);
        });
        return true;
    }

    public synchronized Optional<UserSnapshot> user(String userName) {
        return Optional.ofNullable(users.get(userName)).map(User::snapshot);
    }

    /** The user's keys, oldest first; empty when the user does not exist. */
    public synchronized List<KeySnapshot> keys(String userName) {
        User user = users.get(userName);
        return user == null ? List.of() : user.keys.stream().map(Key::snapshot).toList();
    }

    /** Empty for a key id this account never issued, such as the tests' own {@code test} credentials. */
    public synchronized Optional<SigningKeyState> signingKeyState(String keyId) {
        Key key = keysById.get(keyId);
        if (key != null) {
            return Optional.of(key.status == KeyStatus.ACTIVE ? SigningKeyState.ACTIVE : SigningKeyState.INACTIVE);
        }
        return deletedKeyIds.contains(keyId) ? Optional.of(SigningKeyState.DELETED) : Optional.empty();
    }

    /**
     * A request signed with {@code keyId} reached AWS: its state, and for an active key the use IAM records (its
     * last-used date, service and region), in one step so that a key deleted meanwhile is never half-handled.
     */
    public synchronized Optional<SigningKeyState> signedWith(String keyId, Instant when, String serviceName,
                                                              String region) {
        Optional<SigningKeyState> state = signingKeyState(keyId);
        if (state.filter(SigningKeyState.ACTIVE::equals).isPresent()) {
            keysById.get(keyId).lastUsed = new KeyUsage(when, serviceName, region);
        }
        return state;
    }

    public synchronized Optional<KeySnapshot> accessKey(String keyId) {
        return Optional.ofNullable(keysById.get(keyId)).map(Key::snapshot);
    }

    /** User names in IAM's listing order. */
    public synchronized List<String> userNames() {
        return users.values().stream().map(user -> user.name).toList();
    }

    /** Every secret access key ever issued, including deleted keys, for asserting that none leaked. */
    public synchronized List<String> allSecretAccessKeys() {
        return List.copyOf(issuedSecrets);
    }

    /** How many further GenerateCredentialReport calls a started generation needs; default 1, 0 = immediate. */
    public synchronized void setCredentialReportPollsToComplete(int polls) {
        credentialReports.setPollsToComplete(polls);
    }

    /**
     * When false, GenerateCredentialReport fails with 500 {@code ServiceFailure} and GetCredentialReport with
     * 410 {@code ReportNotPresent}, as when the report cannot be produced for the account.
     */
    public synchronized void setCredentialReportAvailable(boolean available) {
        credentialReports.setAvailable(available);
    }

    /** From now on GetCredentialReport returns content that is not a credential report CSV. */
    public synchronized void corruptCredentialReport() {
        credentialReports.corrupt();
    }

    // ---- state ---------------------------------------------------------------------------------------------

    private User addUser(String name, String path, Map<String, String> tags) {
        if (!USER_NAME.matcher(name).matches()) {
            throw validation("Value '" + name + "' at 'userName' failed to satisfy constraint: "
                    + "Member must satisfy regular expression pattern: [\\w+=,.@-]+");
        }
        if (users.containsKey(name)) {
            throw new AwsServiceError(409, "EntityAlreadyExists", "User with name " + name + " already exists.");
        }
        if (tags.size() > MAX_TAGS_PER_USER) {
            throw new AwsServiceError(409, "LimitExceeded",
                    "The number of tags has reached the maximum limit of " + MAX_TAGS_PER_USER + ".");
        }
        String arn = "arn:aws:iam::" + context.accountId() + ":user" + path + name;
        User user = new User(name, "AIDA" + randomString(ID_ALPHABET, 17), path, arn, context.now());
        user.tags.putAll(tags);
        users.put(name, user);
        return user;
    }

    private Key addKey(User user, Instant createDate, KeyStatus status) {
        if (user.keys.size() >= MAX_KEYS_PER_USER) {
            throw new AwsServiceError(409, "LimitExceeded",
                    "Cannot exceed quota for AccessKeysPerUser: " + MAX_KEYS_PER_USER);
        }
        String id;
        do {
            id = "AKIA" + randomString(ID_ALPHABET, 16);
        } while (keysById.containsKey(id));
        Key key = new Key(id, randomString(SECRET_ALPHABET, 40), user.name, createDate, status);
        user.keys.add(key);
        // Seeded keys may be older than existing ones; key 1 in the credential report must stay the older one.
        user.keys.sort(Comparator.comparing(k -> k.createDate));
        keysById.put(id, key);
        issuedSecrets.add(key.secret);
        return key;
    }

    private final Map<String, String> rolePolicies = new java.util.HashMap<>();

    private User existingUser(String name) {
        User user = users.get(name);
        if (user == null) {
            throw new AwsServiceError(404, "NoSuchEntity", "The user with name " + name + " cannot be found.");
        }
        return user;
    }

    private Key existingKey(String keyId) {
        Key key = keysById.get(keyId);
        if (key == null) {
            throw noSuchKey(keyId);
        }
        return key;
    }

    /** The key named by AccessKeyId, which must belong to the user the request names (or the caller). */
    private Key ownedKey(AwsRequest request) {
        User user = existingUser(callerOrNamedUser(request));
        String keyId = required(request, "AccessKeyId");
        return user.keys.stream().filter(key -> key.id.equals(keyId)).findFirst()
                .orElseThrow(() -> noSuchKey(keyId));
    }

    /** Without UserName, IAM acts on the user whose credentials signed the request; here always the STS caller. */
    private static String callerOrNamedUser(AwsRequest request) {
        return request.param("UserName").orElse(StsEmulator.CALLER_USER_NAME);
    }

    private static AwsServiceError noSuchKey(String keyId) {
        return new AwsServiceError(404, "NoSuchEntity", "The Access Key with id " + keyId + " cannot be found.");
    }

    // ---- request parsing and paging ------------------------------------------------------------------------

    private record Page<T>(List<T> items, boolean truncated, String marker) { }

    /**
     * A page of users in name order. The marker carries the last name returned, so deleting users between pages
     * neither skips nor repeats the others.
     */
    private Page<User> pageByName(AwsRequest request, Predicate<User> filter) {
        int maxItems = maxItems(request);
        Map<String, User> rest = request.param("Marker").map(marker -> users.tailMap(decodeMarker(marker), false))
                .orElse(users);
        List<User> items = new ArrayList<>(Math.min(maxItems, users.size()));
        for (User user : rest.values()) {
            if (!filter.test(user)) {
                continue;
            }
            if (items.size() == maxItems) {
                return new Page<>(items, true, encodeMarker(items.get(items.size() - 1).name));
            }
            items.add(user);
        }
        return new Page<>(items, false, null);
    }

    /** A page of a short list (tags, keys), the marker carrying the index to continue from. */
    private static <T> Page<T> pageByIndex(AwsRequest request, List<T> all) {
        int maxItems = maxItems(request);
        int from = request.param("Marker").map(marker -> parseIndex(decodeMarker(marker), all.size())).orElse(0);
        int to = Math.min(all.size(), from + maxItems);
        boolean truncated = to < all.size();
        return new Page<>(all.subList(from, to), truncated, truncated ? encodeMarker(Integer.toString(to)) : null);
    }

    private static int parseIndex(String text, int size) {
        try {
            int index = Integer.parseInt(text);
            if (index >= 0 && index <= size) {
                return index;
            }
        } catch (NumberFormatException e) {
            // reported below like any other marker this endpoint did not issue
        }
        throw validation("Invalid Marker.");
    }

    private static int maxItems(AwsRequest request) {
        Optional<String> text = request.param("MaxItems");
        if (text.isEmpty()) {
            return DEFAULT_MAX_ITEMS;
        }
        int value;
        try {
            value = Integer.parseInt(text.get());
        } catch (NumberFormatException e) {
            throw validation("Value '" + text.get() + "' at 'maxItems' failed to satisfy constraint: "
                    + "Member must be a number");
        }
        if (value < 1 || value > MAX_MAX_ITEMS) {
            throw validation("Value '" + value + "' at 'maxItems' failed to satisfy constraint: "
                    + "Member must have value between 1 and " + MAX_MAX_ITEMS);
        }
        return value;
    }

    private static String encodeMarker(String position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeMarker(String marker) {
        try {
            return new String(Base64.getUrlDecoder().decode(marker), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw validation("Invalid Marker.");
        }
    }

    private static String required(AwsRequest request, String name) {
        return request.param(name).orElseThrow(() -> validation("Value null at '"
                + Character.toLowerCase(name.charAt(0)) + name.substring(1)
                + "' failed to satisfy constraint: Member must not be null"));
    }

    /** Values of a flattened list: {@code TagKeys.member.1}, {@code TagKeys.member.2}, ... */
    private static List<String> members(AwsRequest request, String prefix) {
        List<String> values = new ArrayList<>();
        for (int i = 1; request.params().containsKey(prefix + "." + i); i++) {
            values.add(request.params().get(prefix + "." + i));
        }
        return values;
    }

    /** A flattened tag list: {@code Tags.member.1.Key}, {@code Tags.member.1.Value}, ... */
    private static Map<String, String> tagsParam(AwsRequest request) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (int i = 1; request.params().containsKey("Tags.member." + i + ".Key"); i++) {
            tags.put(request.params().get("Tags.member." + i + ".Key"),
                    request.params().getOrDefault("Tags.member." + i + ".Value", ""));
        }
        return tags;
    }

    private static AwsServiceError validation(String detail) {
        return new AwsServiceError(400, "ValidationError", "1 validation error detected: " + detail);
    }

    // ---- response fragments --------------------------------------------------------------------------------

    private static void userFields(Xml xml, User user) {
        xml.element("Path", user.path)
                .element("UserName", user.name)
                .element("UserId", user.id)
                .element("Arn", user.arn)
                .element("CreateDate", user.createDate);
    }

    /** The {@code User} element of GetUser and CreateUser, which unlike list entries carries the tags. */
    private static Xml userElement(User user) {
        return Xml.create().nested("User", xml -> {
            userFields(xml, user);
            if (!user.tags.isEmpty()) {
                xml.nested("Tags", t -> tagMembers(t, user.tags));
            }
        });
    }

    private static void tagMembers(Xml xml, Map<String, String> tags) {
        tags.forEach((key, value) -> xml.nested("member", m -> m.element("Key", key).element("Value", value)));
    }

    private static String randomString(String alphabet, int length) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = alphabet.charAt(random.nextInt(alphabet.length()));
        }
        return new String(chars);
    }
}
