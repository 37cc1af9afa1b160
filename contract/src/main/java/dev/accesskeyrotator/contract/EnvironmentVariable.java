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
    BREAK_GLASS_PRINCIPAL_ARN,
    /**
     * Per user, the IAM roles an administrator named at deploy time that may read that user's secret: entries
     * {@code USER ROLE_ARN [ROLE_ARN...]} separated by {@link #DELEGATED_READERS_ENTRY_SEPARATOR}. Neither a user
     * name nor an ARN can contain a space or a semicolon, so no quoting is needed; JSON would spend more of the 4 KB
     * Lambda allows for all variables together.
     */
    DELEGATED_READERS;

    public static final String DEFAULT_PARAMETER_PREFIX = "/access-key-rotation/";
    public static final String DEFAULT_SECRET_NAME_PREFIX = "access-key-rotation/";
    public static final String DEFAULT_CONTACT = "your platform team";
    /**
     * IAM's control-plane API throttles at a low request rate per account, so more threads would mostly buy
     * throttling retries; 4 overlaps the API latency of several users without provoking that.
     */
    public static final int DEFAULT_MAX_CONCURRENCY = 4;
    public static final int MAX_MAX_CONCURRENCY = 32;
    /** Between the entries (users) of {@link #DELEGATED_READERS}. */
    public static final String DELEGATED_READERS_ENTRY_SEPARATOR = ";";
    /** Between a user name and its role ARNs, and between the ARNs, in one entry of {@link #DELEGATED_READERS}. */
    public static final String DELEGATED_READERS_FIELD_SEPARATOR = " ";
    /**
     * An IAM role ARN, with an optional path; no wildcards. Both the stack (at synth) and the function check
     * delegated readers against it, so the two cannot disagree on what a role is.
     */
    public static final String ROLE_ARN_PATTERN = "arn:aws[a-z-]*:iam::\\d{12}:role/([\\w+=,.@-]+/)*[\\w+=,.@-]{1,64}";
    /** An IAM user name, as IAM allows it. */
    public static final String USER_NAME_PATTERN = "[\\w+=,.@-]{1,64}";
}
