package dev.accesskeyrotator.contract;

/**
 * Organization mode: the names that the hub's functions, its state machine and the spoke template in every member
 * account must agree on. The single-account deployment uses none of them.
 */
public final class Organization {
    /** The role the spoke StackSet creates in every member account, and the worker assumes there. */
    public static final String DEFAULT_SPOKE_ROLE_NAME = "AccessKeyRotatorSpoke";

    /**
     * The spoke role's inline policy that confines it to the account's own KMS key for user secrets: explicit Denies
     * of KMS use for every other key. The worker learns the account's key from this policy (statement
     * {@link #SPOKE_KEY_STATEMENT}, its {@code NotResource}): the StackSet wrote it, and changing it takes IAM
     * permissions in the member account, where a parameter or a stack output would take much less.
     */
    public static final String SPOKE_KEY_POLICY_NAME = "AccessKeyRotatorSpokeKey";
    /** The statement of {@link #SPOKE_KEY_POLICY_NAME} whose {@code NotResource} is the account's key ARN. */
    public static final String SPOKE_KEY_STATEMENT = "NeverDecryptWithAnotherKey";

    /** Per-account parameter overrides sit in the hub under {@code <prefix>accounts/<account-id>/}. */
    public static final String ACCOUNT_OVERRIDES_DIRECTORY = "accounts/";

    /** Notice attribute naming the member account a notice is about (the organization summary has none). */
    public static final String ACCOUNT_ID_ATTRIBUTE = "account_id";

    /** Field of a Map item (the worker's input) and of the lister's output entries: the 12-digit account id. */
    public static final String ACCOUNT_ID_FIELD = "accountId";
    public static final String ACCOUNT_NAME_FIELD = "accountName";
    /** Field of the lister's output that the Distributed Map iterates over. */
    public static final String ACCOUNTS_FIELD = "accounts";

    /**
     * Key prefix (no trailing slash) in the hub's results bucket: the Distributed Map's ResultWriter writes
     * {@code <prefix>/<map run id>/manifest.json} and its result files there, the aggregator the report beside them.
     */
    public static final String RESULTS_PREFIX = "results";

    /**
     * Key prefix (no trailing slash) in the hub's results bucket where the lister writes each run's accounts
     * ({@code <prefix>/<execution name>/accounts.json}, the Map's ItemReader input) and whole listing
     * ({@code listing.json}, the aggregator's): the Map's input never passes through the state (256 KiB).
     */
    public static final String LISTINGS_PREFIX = "listings";

    /** EMF dimension of the per-account metrics the aggregator emits. */
    public static final String ACCOUNT_DIMENSION = "AccountId";

    private Organization() {}

    /** Environment of the hub's three functions (in addition to {@link EnvironmentVariable}). */
    public enum Variable {
        /** Name of the spoke role in every member account. */
        SPOKE_ROLE_NAME,
        /** Comma-separated OU or root ids whose accounts are listed, recursively. */
        ORGANIZATION_UNITS,
        /** Comma-separated account ids: an explicit list instead of OUs. */
        ACCOUNTS,
        /** Comma-separated account ids never listed (exempt), whatever OU they are in. */
        EXCLUDED_ACCOUNTS,
        /** The hub's results bucket: where the aggregator finds a failed Map's result files and writes reports. */
        RESULTS_BUCKET
    }

    /** Metrics (namespace {@link Metric#NAMESPACE}) the aggregator emits once per organization run. */
    public enum OrganizationMetric {
        /** Every account the run knows of, whatever its state. */
        ACCOUNTS_LISTED("AccountsListed"),
        /** Accounts whose rotation ran to the end, for real or as a dry run. */
        ACCOUNTS_COMPLETED("AccountsCompleted"),
        /**
         * Accounts that should have been rotated and were not: failed (misconfigured spoke, throttled, worker
         * failed) or not run (the Map stopped first). Also per account (dimension {@link #ACCOUNT_DIMENSION}).
         */
        ACCOUNTS_FAILED("AccountsFailed"),
        /**
         * Accounts whose run was a dry run (hub parameter or account override). Also per account, 1 or 0
         * (dimension {@link #ACCOUNT_DIMENSION}), so the account that was left in dry run is named.
         */
        ACCOUNTS_IN_DRY_RUN("AccountsInDryRun"),
        /** Accounts without a spoke: the management account, accounts not ACTIVE, role cannot be assumed. */
        ACCOUNTS_NOT_ENROLLED("AccountsNotEnrolled"),
        /** 1 when the run itself stopped early (listing failed, or the Map failed past its tolerance). */
        RUN_INCOMPLETE("RunIncomplete");

        private final String metricName;

        OrganizationMetric(String metricName) {
            this.metricName = metricName;
        }

        public String metricName() {
            return metricName;
        }
    }
}
