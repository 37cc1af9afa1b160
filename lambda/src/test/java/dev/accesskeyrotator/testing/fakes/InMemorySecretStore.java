package dev.accesskeyrotator.testing.fakes;

import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.port.SecretStore;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * User secrets in memory: values by idempotency token, tags, policy and KMS key, addressed by name or ARN. A secret
 * deleted and re-created gets a new ARN, as in Secrets Manager.
 */
public final class InMemorySecretStore implements SecretStore {

    /** One secret, for assertions. */
    public static final class StoredSecret {
        final String arn;
        final String name;
        final String kmsKeyId;
        final Map<String, String> tags = new LinkedHashMap<>();
        final Map<String, String> valuesByToken = new LinkedHashMap<>();
        String current;
        String policy;

        StoredSecret(String arn, String name, String kmsKeyId) {
            this.arn = arn;
            this.name = name;
            this.kmsKeyId = kmsKeyId;
        }

        public String arn() { return arn; }
        public Optional<String> current() { return Optional.ofNullable(current); }
        public Map<String, String> tags() { return Map.copyOf(tags); }
        public Optional<String> policy() { return Optional.ofNullable(policy); }
        public List<String> allValues() { return List.copyOf(valuesByToken.values()); }
    }

    private final PortFaults faults;
    private final Map<String, StoredSecret> byName = new LinkedHashMap<>();
    private int sequence;

    public InMemorySecretStore(PortFaults faults) {
        this.faults = faults;
    }

    public synchronized Optional<StoredSecret> secret(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Seeds a record the rotator writes, as a run left it. */
    public synchronized void putTag(String name, String tagKey, String value) {
        byName.get(name).tags.put(tagKey, value);
    }

    /** Seeds the state a run leaves when it dies before recording a notice. */
    public synchronized void removeTag(String name, String tagKey) {
        byName.get(name).tags.remove(tagKey);
    }

    public synchronized List<StoredSecret> all() {
        return new ArrayList<>(byName.values());
    }

    @Override
    public List<SecretSummary> listByNamePrefix(String namePrefix) {
        return faults.call("secretsmanager:ListSecrets", () -> {
            synchronized (this) {
                return byName.values().stream().filter(s -> s.name.startsWith(namePrefix)).map(this::summary).toList();
            }
        });
    }

    @Override
    public Optional<SecretValue> readCurrent(String secretId) {
        return faults.call("secretsmanager:GetSecretValue", () -> {
            synchronized (this) {
                return lookup(secretId).filter(s -> s.current != null)
                        .map(s -> new SecretValue(s.arn, s.name, s.current));
            }
        });
    }

    @Override
    public Optional<SecretSummary> describe(String secretId) {
        return faults.call("secretsmanager:DescribeSecret", () -> {
            synchronized (this) {
                return lookup(secretId).map(this::summary);
            }
        });
    }

    @Override
    public String create(String name, String secretString, String kmsKeyId, Map<String, String> tags,
                         String clientRequestToken) {
        return faults.call("secretsmanager:CreateSecret", () -> {
            synchronized (this) {
                StoredSecret existing = byName.get(name);
                if (existing != null) {
                    // A retried create with the same token and value is the same request, as in AWS.
                    if (secretString != null && secretString.equals(existing.valuesByToken.get(clientRequestToken))) {
                        return existing.arn;
                    }
                    throw new AwsFailure(AwsFailure.Kind.ALREADY_EXISTS, "CreateSecret", "ResourceExistsException",
                            "The operation failed because the secret " + name + " already exists.", null);
                }
                sequence++;
                StoredSecret secret = new StoredSecret("arn:aws:secretsmanager:us-east-1:123456789012:secret:" + name
                        + "-Fake" + String.format("%02d", sequence), name, kmsKeyId);
                secret.tags.putAll(tags);
                // Without a value AWS creates the secret with no version at all.
                if (secretString != null) {
                    secret.valuesByToken.put(clientRequestToken, secretString);
                    secret.current = secretString;
                }
                byName.put(name, secret);
                return secret.arn;
            }
        });
    }

    @Override
    public void putValue(String secretId, String secretString, String clientRequestToken) {
        faults.run("secretsmanager:PutSecretValue", () -> {
            synchronized (this) {
                StoredSecret secret = existing(secretId, "PutSecretValue");
                String earlier = secret.valuesByToken.get(clientRequestToken);
                if (earlier != null && !earlier.equals(secretString)) {
                    throw new AwsFailure(AwsFailure.Kind.ALREADY_EXISTS, "PutSecretValue", "ResourceExistsException",
                            "You can't modify an existing version, you can only create a new version.", null);
                }
                if (earlier == null) {
                    secret.valuesByToken.put(clientRequestToken, secretString);
                    secret.current = secretString;
                }
            }
        });
    }

    @Override
    public void putResourcePolicy(String secretId, String policyJson) {
        faults.run("secretsmanager:PutResourcePolicy", () -> {
            synchronized (this) {
                existing(secretId, "PutResourcePolicy").policy = policyJson;
            }
        });
    }

    @Override
    public void tag(String secretId, Map<String, String> tags) {
        faults.run("secretsmanager:TagResource", () -> {
            synchronized (this) {
                existing(secretId, "TagResource").tags.putAll(tags);
            }
        });
    }

    private SecretSummary summary(StoredSecret secret) {
        return new SecretSummary(secret.arn, secret.name, Map.copyOf(secret.tags), false,
                Optional.ofNullable(secret.kmsKeyId), secret.current != null);
    }

    private Optional<StoredSecret> lookup(String secretId) {
        StoredSecret byExactName = byName.get(secretId);
        if (byExactName != null) {
            return Optional.of(byExactName);
        }
        return byName.values().stream().filter(s -> s.arn.equals(secretId)).findFirst();
    }

    private StoredSecret existing(String secretId, String operation) {
        return lookup(secretId).orElseThrow(() -> new AwsFailure(AwsFailure.Kind.NOT_FOUND, operation,
                "ResourceNotFoundException", "Secrets Manager can't find the specified secret.", null));
    }
}
