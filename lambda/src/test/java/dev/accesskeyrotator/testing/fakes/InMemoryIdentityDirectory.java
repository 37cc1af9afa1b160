package dev.accesskeyrotator.testing.fakes;

import dev.accesskeyrotator.domain.AccessKey;
import dev.accesskeyrotator.domain.KeyUse;
import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.port.IdentityDirectory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** IAM users and keys in memory, with IAM's two-key quota and not-found errors, for protocol tests. */
public final class InMemoryIdentityDirectory implements IdentityDirectory {

    /** A key as IAM keeps it, secret included, for assertions. */
    public static final class StoredKey {
        final String id;
        final String secret;
        final Instant created;
        boolean active = true;
        Instant lastUsed;

        StoredKey(String id, String secret, Instant created) {
            this.id = id;
            this.secret = secret;
            this.created = created;
        }

        public String id() { return id; }
        public String secret() { return secret; }
        public boolean active() { return active; }
    }

    private final PortFaults faults;
    private final Clock clock;
    private final Map<String, DirectoryUser> users = new LinkedHashMap<>();
    private final Map<String, List<StoredKey>> keysByUser = new LinkedHashMap<>();
    private final List<String> everIssuedSecrets = new ArrayList<>();
    private final java.util.Set<String> madeByPeople = new java.util.HashSet<>();
    private final java.util.Set<String> retired = new java.util.LinkedHashSet<>();
    private int sequence;

    public InMemoryIdentityDirectory(PortFaults faults, Clock clock) {
        this.faults = faults;
        this.clock = clock;
    }

    // ---- seeding and assertions (no faults) ----------------------------------------------------------------------

    public synchronized void addUser(String userName, Map<String, String> tags) {
        users.put(userName, new DirectoryUser(userName, "arn:aws:iam::123456789012:user/" + userName, tags));
        keysByUser.put(userName, new ArrayList<>());
    }

    public synchronized StoredKey addKey(String userName, Instant created, boolean active) {
        StoredKey key = addKeyLeftByADeadRun(userName, created);
        key.active = active;
        madeByPeople.add(key.id);
        return key;
    }

    /** A key the rotator created in a run that died before storing it. */
    public synchronized StoredKey addKeyLeftByADeadRun(String userName, Instant created) {
        StoredKey key = newKey(created);
        keysByUser.get(userName).add(key);
        return key;
    }

    public synchronized void markUsed(String keyId, Instant when) {
        find(keyId).orElseThrow().lastUsed = when;
    }

    public synchronized List<StoredKey> keys(String userName) {
        return List.copyOf(keysByUser.get(userName));
    }

    public synchronized Optional<StoredKey> key(String keyId) {
        return find(keyId);
    }

    /** Keys that were seeded (made by a person), not created through the port. */
    public synchronized boolean madeByPeople(String keyId) {
        return madeByPeople.contains(keyId);
    }

    /** Every key the port disabled or deleted. */
    public synchronized java.util.Set<String> retiredKeys() {
        return java.util.Set.copyOf(retired);
    }

    /** Every secret access key ever issued, to search captured text for leaks. */
    public synchronized List<String> everIssuedSecrets() {
        return List.copyOf(everIssuedSecrets);
    }

    // ---- the port -------------------------------------------------------------------------------------------------

    @Override
    public List<DirectoryUser> listUsersWithTags() {
        return faults.call("iam:GetAccountAuthorizationDetails", () -> {
            synchronized (this) {
                return List.copyOf(users.values());
            }
        });
    }

    @Override
    public List<AccessKey> listAccessKeys(String userName) {
        return faults.call("iam:ListAccessKeys", () -> {
            synchronized (this) {
                return keysOf(userName, "ListAccessKeys").stream()
                        .map(k -> new AccessKey(k.id, k.active, k.created)).toList();
            }
        });
    }

    @Override
    public Optional<String> userOfKey(String accessKeyId) {
        return faults.call("iam:GetAccessKeyLastUsed", () -> {
            synchronized (this) {
                return keysByUser.entrySet().stream().filter(e -> e.getValue().stream()
                        .anyMatch(k -> k.id.equals(accessKeyId))).map(Map.Entry::getKey).findFirst();
            }
        });
    }

    @Override
    public Optional<DirectoryUser> user(String userName) {
        return faults.call("iam:GetUser", () -> {
            synchronized (this) {
                return Optional.ofNullable(users.get(userName));
            }
        });
    }

    @Override
    public Optional<KeyUse> lastUsed(String userName, String accessKeyId) {
        return faults.call("iam:GetAccessKeyLastUsed", () -> {
            synchronized (this) {
                return find(accessKeyId).map(k -> k.lastUsed).map(when -> new KeyUse(when, Optional.of("us-east-1"),
                        Optional.of("s3")));
            }
        });
    }

    @Override
    public NewAccessKey createAccessKey(String userName) {
        return faults.call("iam:CreateAccessKey", () -> {
            synchronized (this) {
                List<StoredKey> keys = keysOf(userName, "CreateAccessKey");
                if (keys.size() >= 2) {
                    throw new AwsFailure(AwsFailure.Kind.LIMIT_EXCEEDED, "CreateAccessKey", "LimitExceeded",
                            "Cannot exceed quota for AccessKeysPerUser: 2", null);
                }
                StoredKey key = newKey(clock.instant());
                keys.add(key);
                return new NewAccessKey(userName, key.id, key.secret, key.created);
            }
        });
    }

    @Override
    public void deactivateAccessKey(String userName, String accessKeyId) {
        faults.run("iam:UpdateAccessKey", () -> {
            synchronized (this) {
                ownKey(userName, accessKeyId, "UpdateAccessKey").active = false;
                retired.add(accessKeyId);
            }
        });
    }

    @Override
    public void deleteAccessKey(String userName, String accessKeyId) {
        faults.run("iam:DeleteAccessKey", () -> {
            synchronized (this) {
                keysOf(userName, "DeleteAccessKey").remove(ownKey(userName, accessKeyId, "DeleteAccessKey"));
                retired.add(accessKeyId);
            }
        });
    }

    @Override
    public Optional<RawCredentialReport> credentialReport() {
        // Without a report every opted-in user gets a per-user look, which is what protocol tests exercise.
        return faults.call("iam:GetCredentialReport", Optional::empty);
    }

    private StoredKey newKey(Instant created) {
        sequence++;
        String id = String.format("AKIAFAKE%012d", sequence);
        String secret = "fakeSecret/" + sequence + "/wJalrXUtnFEMI";
        everIssuedSecrets.add(secret);
        return new StoredKey(id, secret, created);
    }

    private List<StoredKey> keysOf(String userName, String operation) {
        List<StoredKey> keys = keysByUser.get(userName);
        if (keys == null) {
            throw new AwsFailure(AwsFailure.Kind.NOT_FOUND, operation, "NoSuchEntity",
                    "The user with name " + userName + " cannot be found.", null);
        }
        return keys;
    }

    private StoredKey ownKey(String userName, String keyId, String operation) {
        return keysOf(userName, operation).stream().filter(k -> k.id.equals(keyId)).findFirst()
                .orElseThrow(() -> new AwsFailure(AwsFailure.Kind.NOT_FOUND, operation, "NoSuchEntity",
                        "The Access Key with id " + keyId + " cannot be found.", null));
    }

    private Optional<StoredKey> find(String keyId) {
        return keysByUser.values().stream().flatMap(List::stream).filter(k -> k.id.equals(keyId)).findFirst();
    }
}
