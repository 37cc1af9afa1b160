package dev.accesskeyrotator.localaws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One parsed AWS API call as the server hands it to a {@link ServiceEmulator}.
 *
 * @param service   lower-case service name as in the SigV4 scope: iam, sts, sns, ssm, secretsmanager, organizations, s3
 * @param operation API action, for example {@code CreateAccessKey}
 * @param protocol  wire protocol the SDK used, which decides how the response is encoded
 * @param params    form parameters of a Query-protocol call (flattened, e.g. {@code Tags.member.1.Key}); empty for JSON;
 *                  {@code Bucket} and {@code Key} of an S3 call
 * @param json      body of a JSON 1.1 call; {@link NullNode} for Query calls
 * @param headers   request headers, lower-case names
 */
public record AwsRequest(String service, String operation, Protocol protocol, Map<String, String> params,
                         JsonNode json, Map<String, List<String>> headers) {

    public enum Protocol { QUERY_XML, JSON_1_1, REST_XML }

    public Optional<String> param(String name) {
        return Optional.ofNullable(params.get(name));
    }

    /** A request parameter by name, whichever protocol carried it (top-level JSON field or Query parameter). */
    public Optional<String> text(String name) {
        if (protocol == Protocol.JSON_1_1) {
            JsonNode node = json.get(name);
            return node == null || node.isNull() ? Optional.empty() : Optional.of(node.asText());
        }
        return param(name);
    }
}
