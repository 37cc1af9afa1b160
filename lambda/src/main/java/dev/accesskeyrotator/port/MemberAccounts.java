package dev.accesskeyrotator.port;

/**
 * The member accounts of an organization, as the hub's worker enters them: one role per account, whose
 * credentials reach that account's IAM users, user secrets and spoke parameters.
 */
public interface MemberAccounts {

    /**
     * Assumes the spoke role of {@code accountId}.
     *
     * @throws AwsFailure when the role cannot be assumed (it does not exist or does not trust the hub: access
     *                    denied; STS throttled after retries; a network failure)
     */
    MemberAccount enter(String accountId);

    /** One entered account; closing it releases its clients. */
    interface MemberAccount extends AutoCloseable {
        String accountId();

        /** The assumed role: the principal that user secrets' resource policies let change them. */
        String roleArn();

        /** The AWS partition of the account ({@code aws}, {@code aws-cn}, {@code aws-us-gov}). */
        String partition();

        IdentityDirectory iam();

        SecretStore secrets();

        /**
         * The KMS key the spoke role may use, as the spoke template wrote it into the role's own policy (a member
         * principal needs IAM permissions to change it); empty when the role has no such policy.
         *
         * @throws AwsFailure when the policy cannot be read
         */
        java.util.Optional<String> spokeKeyArn();

        @Override
        void close();
    }
}
