package dev.accesskeyrotator.localaws;

/**
 * An error the emulated service returns, encoded by the server in the protocol's error shape
 * (Query: {@code <ErrorResponse><Error><Type/><Code/><Message/></Error>}; JSON 1.1: {@code {"__type", "message"}}),
 * so the SDK parses it into the modeled exception with this error code.
 */
public class AwsServiceError extends RuntimeException {
    private final int httpStatus;
    private final String code;
    private final boolean senderFault;

    public AwsServiceError(int httpStatus, String code, String message) {
        this(httpStatus, code, message, httpStatus < 500);
    }

    public AwsServiceError(int httpStatus, String code, String message, boolean senderFault) {
        super(message);
        this.httpStatus = httpStatus;
        this.code = code;
        this.senderFault = senderFault;
    }

    public int httpStatus() { return httpStatus; }
    public String code() { return code; }
    public boolean senderFault() { return senderFault; }

    public static AwsServiceError badRequest(String code, String message) {
        return new AwsServiceError(400, code, message);
    }

    public static AwsServiceError notFound(String code, String message) {
        return new AwsServiceError(404, code, message);
    }
}
