package dev.accesskeyrotator.localaws;

/**
 * One emulated AWS service. The server routes each call to the emulator whose {@link #service()} matches,
 * applies fault injection around it, and encodes what it returns:
 * <ul>
 *   <li>Query protocol (IAM, SNS, STS): {@link #handle} returns the inner XML of {@code <OperationResult>}
 *       (built with {@link Xml}); the server wraps it in {@code <OperationResponse xmlns=...>} with
 *       {@code ResponseMetadata}.</li>
 *   <li>JSON 1.1 (SSM, Secrets Manager): {@link #handle} returns a Jackson {@code JsonNode} body.</li>
 * </ul>
 * Errors are thrown as {@link AwsServiceError}. Emulators are thread-safe: the server handles calls concurrently.
 */
public interface ServiceEmulator {

    /** Service name as it appears in the SigV4 credential scope, e.g. {@code iam}. */
    String service();

    /** XML namespace of Query responses, e.g. {@code https://iam.amazonaws.com/doc/2010-05-08/}; null for JSON services. */
    String xmlNamespace();

    Object handle(AwsRequest request);
}
