package dev.accesskeyrotator.localaws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the AWS SDK for Java v2 puts calls on the wire and expects answers back, for the two protocols the emulated
 * services use.
 * <ul>
 *   <li>Query (IAM, STS, SNS): {@code POST /} with an {@code application/x-www-form-urlencoded} body of
 *       {@code Action}, {@code Version} and flattened members ({@code Tags.member.1.Key}); XML responses.</li>
 *   <li>JSON 1.1 (SSM, Secrets Manager, Organizations): {@code POST /} with
 *       {@code X-Amz-Target: AmazonSSM.GetParameter} and a JSON body; JSON responses, errors named by {@code __type}
 *       and the {@code x-amzn-ErrorType} header.</li>
 *   <li>REST-XML (S3): the method and path name the operation and object; errors are {@code <Error>} documents.</li>
 * </ul>
 */
final class WireFormat {
    static final String QUERY_CONTENT_TYPE = "text/xml";
    static final String JSON_CONTENT_TYPE = "application/x-amz-json-1.1";

    /**
     * The SigV4 credential names the access key id the SDK signed with and, in its scope, the service it signed for:
     * {@code Credential=AKID/20260101/us-east-1/iam/aws4_request}.
     */
    private static final Pattern CREDENTIAL_SCOPE =
            Pattern.compile("Credential=([^/,\\s]+)/\\d{8}/[^/,\\s]+/([^/,\\s]+)/aws4_request");

    /** Used only when a Query request carries no SigV4 scope, e.g. a hand-made request in a test. */
    private static final Map<String, String> SERVICE_BY_QUERY_VERSION = Map.of(
            "2010-05-08", "iam",
            "2010-03-31", "sns",
            "2011-06-15", "sts");

    /** The part of {@code X-Amz-Target} before the dot names the service's JSON API. */
    private static final Map<String, String> SERVICE_BY_TARGET_PREFIX = Map.of(
            "AmazonSSM", "ssm",
            "secretsmanager", "secretsmanager",
            "TrentService", "kms",
            OrganizationsEmulator.TARGET_PREFIX, "organizations");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One HTTP answer, ready to send. */
    record Reply(int status, String contentType, Map<String, String> headers, byte[] body) { }

    private WireFormat() { }

    /** Parses a request; a request that names no operation fails with 400 {@code InvalidAction} in its protocol. */
    static AwsRequest decode(Map<String, List<String>> headers, byte[] body) {
        Optional<String> target = header(headers, "x-amz-target");
        if (target.isPresent()) {
            return decodeJson(headers, target.get(), body);
        }
        Map<String, String> params = parseForm(new String(body, StandardCharsets.UTF_8));
        String action = params.get("Action");
        if (action == null || action.isEmpty()) {
            throw new AwsServiceError(400, "InvalidAction", "Request names no Action and no X-Amz-Target");
        }
        String service = signedService(headers)
                .or(() -> Optional.ofNullable(SERVICE_BY_QUERY_VERSION.get(params.get("Version"))))
                .orElse("unknown");
        return new AwsRequest(service, action, AwsRequest.Protocol.QUERY_XML, Map.copyOf(params),
                NullNode.getInstance(), headers);
    }

    /** Tells which protocol a request that could not be decoded used, so that its error is still readable. */
    static AwsRequest.Protocol protocolOf(Map<String, List<String>> headers) {
        return header(headers, "x-amz-target").isPresent() ? AwsRequest.Protocol.JSON_1_1 : AwsRequest.Protocol.QUERY_XML;
    }

    private static AwsRequest decodeJson(Map<String, List<String>> headers, String target, byte[] body) {
        int dot = target.lastIndexOf('.');
        if (dot <= 0 || dot == target.length() - 1) {
            throw new AwsServiceError(400, "InvalidAction", "Malformed X-Amz-Target: " + target);
        }
        String service = Optional.ofNullable(SERVICE_BY_TARGET_PREFIX.get(target.substring(0, dot)))
                .or(() -> signedService(headers))
                .orElse("unknown");
        JsonNode json;
        try {
            json = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            throw new AwsServiceError(400, "SerializationException", "Request body is not JSON: " + e.getMessage());
        }
        return new AwsRequest(service, target.substring(dot + 1), AwsRequest.Protocol.JSON_1_1, Map.of(), json, headers);
    }

    static Optional<String> signedService(Map<String, List<String>> headers) {
        return credentialPart(headers, 2);
    }

    /** The access key id in the SigV4 {@code Authorization} header; empty for an unsigned request. */
    static Optional<String> signingAccessKeyId(Map<String, List<String>> headers) {
        return credentialPart(headers, 1);
    }

    private static Optional<String> credentialPart(Map<String, List<String>> headers, int group) {
        return header(headers, "authorization").flatMap(authorization -> {
            Matcher matcher = CREDENTIAL_SCOPE.matcher(authorization);
            return matcher.find() ? Optional.of(matcher.group(group)) : Optional.empty();
        });
    }

    private static Optional<String> header(Map<String, List<String>> headers, String lowerCaseName) {
        List<String> values = headers.get(lowerCaseName);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    private static Map<String, String> parseForm(String form) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : form.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            params.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return params;
    }

    /** Encodes what an emulator returned: inner result XML for Query, a {@link JsonNode} for JSON 1.1. */
    static Reply success(AwsRequest request, String xmlNamespace, Object result) {
        String requestId = newRequestId();
        if (request.protocol() == AwsRequest.Protocol.JSON_1_1) {
            JsonNode body = result == null ? JSON.createObjectNode() : (JsonNode) result;
            return new Reply(200, JSON_CONTENT_TYPE, Map.of("x-amzn-RequestId", requestId), toBytes(body));
        }
        String operation = request.operation();
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
                .append('<').append(operation).append("Response xmlns=\"").append(xmlNamespace).append("\">");
        String inner = result == null ? "" : result.toString();
        // Operations without output (DeleteAccessKey, TagUser, ...) answer with ResponseMetadata only, as AWS does.
        if (!inner.isEmpty()) {
            xml.append('<').append(operation).append("Result>").append(inner)
                    .append("</").append(operation).append("Result>");
        }
        xml.append("<ResponseMetadata><RequestId>").append(requestId).append("</RequestId></ResponseMetadata>")
                .append("</").append(operation).append("Response>");
        return new Reply(200, QUERY_CONTENT_TYPE, Map.of("x-amzn-RequestId", requestId),
                xml.toString().getBytes(StandardCharsets.UTF_8));
    }

    static Reply error(AwsRequest.Protocol protocol, String xmlNamespace, AwsServiceError error) {
        return error(protocol, xmlNamespace, error, Map.of());
    }

    /** Encodes an error so that the SDK maps {@link AwsServiceError#code()} to the service's modeled exception. */
    static Reply error(AwsRequest.Protocol protocol, String xmlNamespace, AwsServiceError error,
                       Map<String, String> extraHeaders) {
        String requestId = newRequestId();
        Map<String, String> headers = new LinkedHashMap<>(extraHeaders);
        headers.put("x-amzn-RequestId", requestId);
        String message = error.getMessage() == null ? "" : error.getMessage();
        if (protocol == AwsRequest.Protocol.REST_XML) {
            String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + Xml.escape(error.code())
                    + "</Code><Message>" + Xml.escape(message) + "</Message><RequestId>" + requestId
                    + "</RequestId></Error>";
            return new Reply(error.httpStatus(), "application/xml", headers, xml.getBytes(StandardCharsets.UTF_8));
        }
        if (protocol == AwsRequest.Protocol.JSON_1_1) {
            headers.put("x-amzn-ErrorType", error.code());
            ObjectNode body = JSON.createObjectNode().put("__type", error.code()).put("message", message);
            return new Reply(error.httpStatus(), JSON_CONTENT_TYPE, headers, toBytes(body));
        }
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                + "<ErrorResponse xmlns=\"" + (xmlNamespace == null ? "" : xmlNamespace) + "\"><Error>"
                + "<Type>" + (error.senderFault() ? "Sender" : "Receiver") + "</Type>"
                + "<Code>" + Xml.escape(error.code()) + "</Code>"
                + "<Message>" + Xml.escape(message) + "</Message>"
                + "</Error><RequestId>" + requestId + "</RequestId></ErrorResponse>";
        return new Reply(error.httpStatus(), QUERY_CONTENT_TYPE, headers, xml.getBytes(StandardCharsets.UTF_8));
    }

    /** The throttling error each protocol's services really return; both codes are on the SDK's retry-with-backoff list. */
    static AwsServiceError throttling(AwsRequest.Protocol protocol) {
        if (protocol == AwsRequest.Protocol.REST_XML) {
            return new AwsServiceError(503, "SlowDown", "Please reduce your request rate.");
        }
        String code = protocol == AwsRequest.Protocol.JSON_1_1 ? "ThrottlingException" : "Throttling";
        return new AwsServiceError(400, code, "Rate exceeded");
    }

    private static byte[] toBytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Emulator returned a body Jackson cannot write", e);
        }
    }

    private static String newRequestId() {
        return UUID.randomUUID().toString();
    }
}
