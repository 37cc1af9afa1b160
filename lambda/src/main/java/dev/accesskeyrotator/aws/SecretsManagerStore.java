package dev.accesskeyrotator.aws;

import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.port.SecretStore;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.FilterNameStringType;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Secrets Manager through SDK v2. */
public final class SecretsManagerStore implements SecretStore {
    private final SecretsManagerClient secretsManager;

    /** ListSecrets allows 100 secrets per page. */
    public static final int LIST_PAGE_SIZE = 100;

    public SecretsManagerStore(SecretsManagerClient secretsManager) {
        this.secretsManager = secretsManager;
    }

    @Override
    public List<SecretSummary> listByNamePrefix(String namePrefix) {
        return AwsCalls.call("ListSecrets", () -> {
            List<SecretSummary> found = new ArrayList<>();
            secretsManager.listSecretsPaginator(r -> r.maxResults(LIST_PAGE_SIZE).includePlannedDeletion(true)
                            .filters(f -> f.key(FilterNameStringType.NAME).values(namePrefix)))
                    .forEach(page -> page.secretList().forEach(s -> found.add(new SecretSummary(
                            s.arn(), s.name(), tags(s.tags()), s.deletedDate() != null,
                            Optional.ofNullable(s.kmsKeyId()), holdsCurrent(s.secretVersionsToStages())))));
            return found;
        });
    }

    @Override
    public Optional<SecretValue> readCurrent(String secretId) {
        try {
            return AwsCalls.call("GetSecretValue", () -> {
                var value = secretsManager.getSecretValue(r -> r.secretId(secretId));
                return Optional.of(new SecretValue(value.arn(), value.name(), value.secretString()));
            });
        } catch (AwsFailure failure) {
            if (failure.is(AwsFailure.Kind.NOT_FOUND)) {
                return Optional.empty();
            }
            throw failure;
        }
    }

    @Override
    public Optional<SecretSummary> describe(String secretId) {
        try {
            return AwsCalls.call("DescribeSecret", () -> {
                var described = secretsManager.describeSecret(r -> r.secretId(secretId));
                return Optional.of(new SecretSummary(described.arn(), described.name(), tags(described.tags()),
                        described.deletedDate() != null, Optional.ofNullable(described.kmsKeyId()),
                        holdsCurrent(described.versionIdsToStages())));
            });
        } catch (AwsFailure failure) {
            if (failure.is(AwsFailure.Kind.NOT_FOUND)) {
                return Optional.empty();
            }
            throw failure;
        }
    }

    @Override
    public String create(String name, String secretString, String kmsKeyId, Map<String, String> tags,
                         String clientRequestToken) {
        return AwsCalls.call("CreateSecret", () -> secretsManager.createSecret(r -> r.name(name)
                .secretString(secretString)
                .kmsKeyId(kmsKeyId)
                .clientRequestToken(clientRequestToken)
                .description("Access key of IAM user " + tags.getOrDefault("access-key-rotation:user", name)
                        + ", kept current by Access Key Rotator")
                .tags(toSdkTags(tags))).arn());
    }

    @Override
    public void putValue(String secretId, String secretString, String clientRequestToken) {
        AwsCalls.run("PutSecretValue", () -> secretsManager.putSecretValue(r -> r.secretId(secretId)
                .secretString(secretString).clientRequestToken(clientRequestToken)));
    }

    @Override
    public void putResourcePolicy(String secretId, String policyJson) {
        AwsCalls.run("PutResourcePolicy", () -> secretsManager.putResourcePolicy(r -> r.secretId(secretId)
                .resourcePolicy(policyJson).blockPublicPolicy(true)));
    }

    @Override
    public void tag(String secretId, Map<String, String> tags) {
        AwsCalls.run("TagResource", () -> secretsManager.tagResource(r -> r.secretId(secretId)
                .tags(toSdkTags(tags))));
    }

    private static List<Tag> toSdkTags(Map<String, String> tags) {
        return tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
    }

    private static Map<String, String> tags(List<Tag> tags) {
        return AwsCalls.tagMap(tags, Tag::key, Tag::value);
    }

    private static boolean holdsCurrent(Map<String, List<String>> versionsToStages) {
        return versionsToStages != null && versionsToStages.values().stream()
                .anyMatch(stages -> stages.contains("AWSCURRENT"));
    }
}
