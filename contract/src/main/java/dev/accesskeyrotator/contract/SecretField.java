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
    PREVIOUS_ACCESS_KEY_ID("PreviousAccessKeyId");

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
