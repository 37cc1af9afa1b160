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

        /** The member account's own Parameter Store, where its spoke stack records what the worker needs. */
        ParameterSource parameters();

        @Override
        void close();
    }
}
