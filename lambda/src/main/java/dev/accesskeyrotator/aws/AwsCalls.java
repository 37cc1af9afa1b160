package dev.accesskeyrotator.aws;

import dev.accesskeyrotator.port.AwsFailure;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The adapter boundary: runs one SDK call and turns its exceptions into {@link AwsFailure}, keeping only the
 * operation, the AWS error code and AWS's message.
 */
final class AwsCalls {
    private static final Set<String> NOT_FOUND = Set.of("NoSuchEntity", "ResourceNotFoundException",
            "ParameterNotFound", "NotFound", "ReportNotPresent");
    private static final Set<String> ALREADY_EXISTS = Set.of("ResourceExistsException", "EntityAlreadyExists");
    private static final Set<String> INVALID_STATE = Set.of("InvalidRequestException", "ReportInProgress",
            "ReportExpired");

    private AwsCalls() {}

    static <T> T call(String operation, Supplier<T> call) {
        try {
            return call.get();
        } catch (SdkException e) {
            throw translate(operation, e);
        }
    }

    static void run(String operation, Runnable call) {
        call(operation, () -> {
            call.run();
            return null;
        });
    }

    /** SDK tag lists (each service has its own Tag type) as a map; a tag may have a key and no value. */
    static <T> Map<String, String> tagMap(List<T> tags, Function<T, String> key, Function<T, String> value) {
        return tags.stream().collect(Collectors.toMap(key, t -> value.apply(t) == null ? "" : value.apply(t),
                (first, second) -> second));
    }

    static AwsFailure translate(String operation, SdkException e) {
        rethrowJvmError(e);
        if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
            String code = service.awsErrorDetails().errorCode();
            String message = service.awsErrorDetails().errorMessage();
            if (code == null || code.isBlank()) {
                // A proxy, an emulator or a gateway answered in place of AWS: say that, not "null: null".
                code = "HTTP" + service.statusCode();
                message = "a reply with HTTP status " + service.statusCode() + " and no AWS error code (a proxy or"
                        + " a service other than AWS answered)" + (message == null ? "" : ": " + firstLine(message));
                return new AwsFailure(service.statusCode() == 403 ? AwsFailure.Kind.ACCESS_DENIED
                        : AwsFailure.Kind.OTHER, operation, code, message, null);
            }
            return new AwsFailure(kindOf(code, service), operation, code, message == null ? "" : message, null);
        }
        // Client-side failures (network, timeouts, exhausted retries) carry no AWS code; keep only the class.
        return new AwsFailure(AwsFailure.Kind.OTHER, operation, e.getClass().getSimpleName(), firstLine(e.getMessage()), null);
    }

    private static AwsFailure.Kind kindOf(String code, AwsServiceException e) {
        if (NOT_FOUND.contains(code)) {
            return AwsFailure.Kind.NOT_FOUND;
        }
        if ("LimitExceeded".equals(code)) {
            return AwsFailure.Kind.LIMIT_EXCEEDED;
        }
        if (ALREADY_EXISTS.contains(code)) {
            return AwsFailure.Kind.ALREADY_EXISTS;
        }
        if (INVALID_STATE.contains(code)) {
            return AwsFailure.Kind.INVALID_STATE;
        }
        if (e.isThrottlingException()) {
            return AwsFailure.Kind.THROTTLED;
        }
        if (code.toLowerCase(Locale.ROOT).contains("accessdenied")) {
            return AwsFailure.Kind.ACCESS_DENIED;
        }
        return AwsFailure.Kind.OTHER;
    }

    /** A JVM error raised inside the SDK (for example by an interceptor) must end the run, not one user. */
    private static void rethrowJvmError(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof Error error) {
                throw error;
            }
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
