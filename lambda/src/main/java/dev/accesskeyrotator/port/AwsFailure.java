package dev.accesskeyrotator.port;

/**
 * An AWS call that failed, translated at the adapter boundary so that the service never sees SDK types.
 * The message carries the AWS error code and message, never request or response bodies.
 */
public class AwsFailure extends RuntimeException {

    public enum Kind {
        /** NoSuchEntity, ResourceNotFoundException, ParameterNotFound, NotFound. */
        NOT_FOUND,
        /** LimitExceeded: for access keys, the two-keys-per-user quota. */
        LIMIT_EXCEEDED,
        /** ResourceExistsException, EntityAlreadyExists. */
        ALREADY_EXISTS,
        /** InvalidRequestException and the like: the resource is in a state that forbids the call. */
        INVALID_STATE,
        /** Still throttled after the SDK's retries. */
        THROTTLED,
        ACCESS_DENIED,
        OTHER
    }

    private final Kind kind;
    private final String operation;
    private final String errorCode;
    private final String awsMessage;

    public AwsFailure(Kind kind, String operation, String errorCode, String awsMessage, Throwable cause) {
        super(operation + " failed: " + errorCode + ": " + awsMessage, cause);
        this.kind = kind;
        this.operation = operation;
        this.errorCode = errorCode;
        this.awsMessage = awsMessage;
    }

    /** The same failure, with what it means where it happened added to its message. */
    public AwsFailure explained(String meaning) {
        return new AwsFailure(kind, operation, errorCode, awsMessage + " (" + meaning + ")", this);
    }

    public Kind kind() { return kind; }
    public String operation() { return operation; }
    public String errorCode() { return errorCode; }

    public boolean is(Kind expected) {
        return kind == expected;
    }
}
