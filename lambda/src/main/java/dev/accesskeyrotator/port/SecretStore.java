package dev.accesskeyrotator.port;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The Secrets Manager side: one secret per user. */
public interface SecretStore {

    /**
     * A secret as ListSecrets or DescribeSecret shows it: no value.
     *
     * @param kmsKeyId   the KmsKeyId Secrets Manager reports (as the creator gave it); empty for the AWS managed key
     * @param holdsValue whether a version carries AWSCURRENT; a secret created without a value has no version, so
     *                   its KmsKeyId names a key nothing was ever encrypted with
     */
    record SecretSummary(String arn, String name, Map<String, String> tags, boolean scheduledForDeletion,
                         Optional<String> kmsKeyId, boolean holdsValue) {}

    /** The current value of a secret. {@link #toString()} hides the value. */
    record SecretValue(String arn, String name, String secretString) {
        @Override
        public String toString() {
            return "SecretValue[arn=" + arn + ", name=" + name + ", secretString=***]";
        }
    }

    /** Every secret whose name starts with the prefix, including those scheduled for deletion; all pages. */
    List<SecretSummary> listByNamePrefix(String namePrefix);

    /** The AWSCURRENT value; empty if the secret does not exist. */
    Optional<SecretValue> readCurrent(String secretId);

    /** The secret's metadata (DescribeSecret); empty if the secret does not exist. */
    Optional<SecretSummary> describe(String secretId);

    /** Creates the secret; fails with {@link AwsFailure.Kind#ALREADY_EXISTS} if it exists. Returns the ARN. */
    String create(String name, String secretString, String kmsKeyId, Map<String, String> tags, String clientRequestToken);

    /**
     * Stores a new AWSCURRENT version; the same token with the same value is a no-op. Secrets Manager encrypts it
     * with the secret's current KMS key, so a secret re-keyed to a key the caller may not use refuses the write.
     */
    void putValue(String secretId, String secretString, String clientRequestToken);

    void putResourcePolicy(String secretId, String policyJson);

    void tag(String secretId, Map<String, String> tags);
}
