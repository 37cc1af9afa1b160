package dev.accesskeyrotator.org;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.port.OrganizationDirectory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * AWS Organizations' JSON 1.1 API ({@code ListAccountsForParent}, {@code ListChildren}), signed with SigV4 by the
 * SDK's signer. Organizations is a global service with one endpoint per partition, signed for that endpoint's
 * region whatever region the caller runs in.
 */
public final class OrganizationsApi implements OrganizationDirectory {
    static final String TARGET_PREFIX = "AWSOrganizationsV20161128";
    /** The API's maximum page size. */
    static final int MAX_RESULTS = 20;

    /** The endpoint and signing region of each partition. */
    private static final Map<String, String[]> ENDPOINTS = Map.of(
            "aws", new String[] {"https://organizations.us-east-1.amazonaws.com", "us-east-1"},
            "aws-us-gov", new String[] {"https://organizations.us-gov-west-1.amazonaws.com", "us-gov-west-1"},
            "aws-cn", new String[] {"https://organizations.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1"});

    private final SignedHttp http;
    private final URI endpoint;

    /** @param endpointOverride a local endpoint for tests; signing keeps the partition's region */
    public OrganizationsApi(SdkHttpClient httpClient, AwsCredentialsProvider credentials, Region callerRegion,
                            Optional<URI> endpointOverride, SignedHttp.Sleeper sleeper) {
        String partition = PartitionMetadata.of(callerRegion).id();
        String[] global = Optional.ofNullable(ENDPOINTS.get(partition)).orElseThrow(() ->
                new IllegalArgumentException("no Organizations endpoint known for partition " + partition));
        this.endpoint = endpointOverride.orElse(URI.create(global[0]));
        this.http = new SignedHttp(httpClient, credentials, "organizations", global[1],
                OrganizationsApi::errorCode, sleeper);
    }

    @Override
    public List<OrgAccount> accountsForParent(String parentId) {
        List<OrgAccount> accounts = new ArrayList<>();
        forEachPage("ListAccountsForParent", parentId, null, page -> page.path("Accounts").forEach(account ->
                accounts.add(new OrgAccount(account.path("Id").asText(), account.path("Name").asText(),
                        account.hasNonNull("State") ? account.get("State").asText()
                                : account.path("Status").asText()))));
        return accounts;
    }

    @Override
    public String managementAccountId() {
        return call("DescribeOrganization", JsonLog.mapper().createObjectNode()).path("Organization")
                .path("MasterAccountId").asText();
    }

    @Override
    public List<String> organizationalUnitsUnder(String parentId) {
        List<String> units = new ArrayList<>();
        forEachPage("ListChildren", parentId, "ORGANIZATIONAL_UNIT",
                page -> page.path("Children").forEach(child -> units.add(child.path("Id").asText())));
        return units;
    }

    /** Follows NextToken until it is absent: a page may be short, or even empty, and still not be the last. */
    private void forEachPage(String operation, String parentId, String childType,
                             java.util.function.Consumer<JsonNode> page) {
        String token = null;
        do {
            ObjectNode request = JsonLog.mapper().createObjectNode().put("ParentId", parentId)
                    .put("MaxResults", MAX_RESULTS);
            if (childType != null) {
                request.put("ChildType", childType);
            }
            if (token != null) {
                request.put("NextToken", token);
            }
            JsonNode response = call(operation, request);
            page.accept(response);
            token = response.hasNonNull("NextToken") ? response.get("NextToken").asText() : null;
        } while (token != null);
    }

    private JsonNode call(String operation, ObjectNode request) {
        byte[] body = request.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        SignedHttp.Response response = http.send(operation, SdkHttpMethod.POST, endpoint, Map.of(
                "Content-Type", "application/x-amz-json-1.1",
                "X-Amz-Target", TARGET_PREFIX + "." + operation), body);
        try {
            JsonNode json = JsonLog.mapper().readTree(response.body());
            if (!response.ok()) {
                String message = json.hasNonNull("message") ? json.get("message").asText()
                        : json.path("Message").asText("HTTP " + response.status());
                throw SignedHttp.failure(operation, response, message);
            }
            return json;
        } catch (IOException e) {
            throw new AwsFailure(AwsFailure.Kind.OTHER, operation, "UnreadableResponse",
                    "HTTP " + response.status() + ", not JSON", e);
        }
    }

    /** JSON 1.1 names the error in {@code x-amzn-ErrorType} or {@code __type}, either maybe with a namespace prefix. */
    static String errorCode(int status, Map<String, List<String>> headers, byte[] body) {
        String raw = headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("x-amzn-ErrorType"))
                .flatMap(e -> e.getValue().stream()).findFirst().orElseGet(() -> {
                    try {
                        return JsonLog.mapper().readTree(body).path("__type").asText("");
                    } catch (IOException e) {
                        return "";
                    }
                });
        String code = raw.contains(":") ? raw.substring(0, raw.indexOf(':')) : raw;
        code = code.contains("#") ? code.substring(code.lastIndexOf('#') + 1) : code;
        return code.isEmpty() ? "HTTP" + status : code;
    }
}
