package dev.accesskeyrotator.contract;

/** The function's environment, as the stack sets it; each constant's name is the variable's name. */
public enum EnvironmentVariable {
    /** Parameter Store path of the parameters, starting and ending with '/'. */
    PARAMETER_PREFIX,
    /** Name prefix of the user secrets: {@code <prefix><UserName>}. */
    SECRET_NAME_PREFIX,
    NOTICE_TOPIC_ARN,
    /** ARN of the stack's KMS key for user secrets; ownership of a secret is decided by comparing it. */
    SECRET_KMS_KEY_ID,
    /** Whom notices tell owners to contact. */
    ADMIN_CONTACT,
    /** Users handled in parallel. */
    MAX_CONCURRENCY,
    /** The deployed opt-in tag, which the function's IAM permissions allow. */
    OPT_IN_TAG,
    /** The function's own role: with the break-glass principal, the only one a user secret lets change it. */
    FUNCTION_ROLE_ARN,
    BREAK_GLASS_PRINCIPAL_ARN;

    public static final String DEFAULT_PARAMETER_PREFIX = "/access-key-rotation/";
    public static final String DEFAULT_SECRET_NAME_PREFIX = "access-key-rotation/";
    public static final String DEFAULT_CONTACT = "your platform team";
    /**
     * IAM's control-plane API throttles at a low request rate per account, so more threads would mostly buy
     * throttling retries; 4 overlaps the API latency of several users without provoking that.
     */
    public static final int DEFAULT_MAX_CONCURRENCY = 4;
    public static final int MAX_MAX_CONCURRENCY = 32;
}
