package dev.accesskeyrotator.contract;

/**
 * Fields of the user secret's JSON document. The first four make it a {@code credential_process} payload as well.
 */
public enum SecretField {
    VERSION("Version"),
    ACCESS_KEY_ID("AccessKeyId"),
    SECRET_ACCESS_KEY("SecretAccessKey"),
    USER_NAME("UserName"),
    CREATE_DATE("CreateDate"),
    /** The key this one replaced, written with it so the record can never disagree with the value. */
    PREVIOUS_ACCESS_KEY_ID("PreviousAccessKeyId"),
    /**
     * When the rotator created the secret, in a document without a key: a reservation, made before the user's first
     * key so that the rotator's records have a home. A secret is created with this value rather than none, because
     * only a value written with the stack's KMS key shows that the rotator made the secret.
     */
    RESERVED_AT("ReservedAt");

    /** The document's format version, also what {@code credential_process} requires. */
    public static final int DOCUMENT_VERSION = 1;

    private final String field;

    SecretField(String field) {
        this.field = field;
    }

    public String field() {
        return field;
    }
}
