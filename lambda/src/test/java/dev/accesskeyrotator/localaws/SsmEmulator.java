package dev.accesskeyrotator.localaws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import static dev.accesskeyrotator.localaws.JsonRequests.bool;
import static dev.accesskeyrotator.localaws.JsonRequests.epochSeconds;
import static dev.accesskeyrotator.localaws.JsonRequests.optionalInt;
import static dev.accesskeyrotator.localaws.JsonRequests.optionalString;
import static dev.accesskeyrotator.localaws.JsonRequests.requireLength;
import static dev.accesskeyrotator.localaws.JsonRequests.requireRange;
import static dev.accesskeyrotator.localaws.JsonRequests.requiredString;
import static dev.accesskeyrotator.localaws.JsonRequests.stringList;
import static dev.accesskeyrotator.localaws.JsonRequests.validation;

/**
 * Systems Manager Parameter Store over JSON 1.1 ({@code X-Amz-Target: AmazonSSM.*}): GetParameter, GetParameters,
 * GetParametersByPath, DescribeParameters, PutParameter and DeleteParameter, with the error codes AWS returns.
 *
 * <p>A parameter keeps the {@code AllowedPattern} it was put with, and every later put is checked against it, as
 * Parameter Store does: an overwrite that names no pattern keeps and enforces the stored one, one that names a pattern
 * replaces it. Values are read as AWS's (Java) regular expression engine reads them and must match as a whole: the
 * AWS documentation's own example refuses {@code 10,000} under {@code \d{1,4}}. Like AWS, only the metadata
 * operation (DescribeParameters) reports the pattern; GetParameter(s) answer with values.
 */
public final class SsmEmulator implements ServiceEmulator {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Set<String> TYPES = Set.of("String", "StringList", "SecureString");
    private static final Pattern NAME_CHARACTERS = Pattern.compile("[a-zA-Z0-9_.\\-/]+");
    private static final int MAX_NAME_LENGTH = 2048;
    private static final int MAX_HIERARCHY_LEVELS = 15;
    private static final int STANDARD_TIER_MAX_VALUE = 4096;
    private static final int ADVANCED_TIER_MAX_VALUE = 8192;
    private static final int MAX_PAGE_SIZE = 10;
    private static final int MAX_DESCRIBE_PAGE_SIZE = 50;
    private static final int MAX_ALLOWED_PATTERN_LENGTH = 1024;
    private static final int MAX_DESCRIPTION_LENGTH = 1024;
    /** Distinguishes tokens this emulator issued from arbitrary strings, which AWS rejects. */
    private static final String TOKEN_MARKER = "ssm-path-after:";

    private final LocalAwsContext ctx;
    /** Sorted by name so GetParametersByPath pages are stable and a token can name where the last page stopped. */
    private final NavigableMap<String, Parameter> parameters = new TreeMap<>();

    /** {@code allowedPattern} and {@code description} are null when the parameter has none, as AWS omits them. */
    private record Parameter(String name, String type, String value, long version, Instant lastModified, String tier,
                             String allowedPattern, String description) {
    }

    public SsmEmulator(LocalAwsContext ctx) {
        this.ctx = ctx;
    }

    @Override public String service() { return "ssm"; }

    @Override public String xmlNamespace() { return null; }

    @Override
    public synchronized Object handle(AwsRequest request) {
        JsonNode body = request.json();
        return switch (request.operation()) {
            case "GetParameter" -> getParameter(body);
            case "GetParameters" -> getParameters(body);
            case "GetParametersByPath" -> getParametersByPath(body);
            case "DescribeParameters" -> describeParameters(body);
            case "PutParameter" -> putParameter(body);
            case "DeleteParameter" -> deleteParameter(body);
            default -> throw AwsServiceError.badRequest("InvalidAction",
                    "The action " + request.operation() + " is not valid for this endpoint.");
        };
    }

    /**
     * Test hook: stores a String parameter without any validation, so tests can seed values AWS would refuse. An
     * existing parameter keeps its pattern and description, which later API puts are still checked against.
     */
    public synchronized void put(String name, String value) {
        Parameter existing = parameters.get(name);
        long version = existing == null ? 1 : existing.version() + 1;
        parameters.put(name, new Parameter(name, "String", value, version, ctx.now(),
                existing == null ? "Standard" : existing.tier(),
                existing == null ? null : existing.allowedPattern(),
                existing == null ? null : existing.description()));
    }

    /** Test hook: the pattern Parameter Store checks the parameter's values against, if it has one. */
    public synchronized Optional<String> allowedPattern(String name) {
        return Optional.ofNullable(parameters.get(name)).map(Parameter::allowedPattern);
    }

    /** Test hook: the plain-text value of a parameter. */
    public synchronized Optional<String> value(String name) {
        return Optional.ofNullable(parameters.get(name)).map(Parameter::value);
    }

    /** Test hook: every parameter name, sorted. */
    public synchronized Set<String> names() {
        return Collections.unmodifiableSet(new TreeSet<>(parameters.keySet()));
    }

    private ObjectNode getParameter(JsonNode body) {
        String name = requiredString(body, "Name");
        boolean decrypt = bool(body, "WithDecryption", false);
        ObjectNode response = JSON.objectNode();
        response.set("Parameter", toJson(existing(name), decrypt));
        return response;
    }

    private ObjectNode getParameters(JsonNode body) {
        List<String> names = stringList(body, "Names").orElseThrow(() -> validation(
                "1 validation error detected: Value null at 'names' failed to satisfy constraint: Member must not be null"));
        if (names.isEmpty() || names.size() > MAX_PAGE_SIZE) {
            throw validation("1 validation error detected: Value '" + names + "' at 'names' failed to satisfy "
                    + "constraint: Member must have length less than or equal to 10 and greater than or equal to 1");
        }
        boolean decrypt = bool(body, "WithDecryption", false);
        ArrayNode found = JSON.arrayNode();
        ArrayNode invalid = JSON.arrayNode();
        for (String name : new LinkedHashSet<>(names)) {
            Parameter parameter = parameters.get(name);
            if (parameter == null) {
                invalid.add(name);
            } else {
                found.add(toJson(parameter, decrypt));
            }
        }
        ObjectNode response = JSON.objectNode();
        response.set("Parameters", found);
        response.set("InvalidParameters", invalid);
        return response;
    }

    private ObjectNode getParametersByPath(JsonNode body) {
        String path = requiredString(body, "Path");
        if (!path.startsWith("/")) {
            throw validation("The parameter doesn't meet the parameter name requirements. The parameter name "
                    + "must begin with a forward slash \"/\".");
        }
        if (body.hasNonNull("ParameterFilters")) {
            throw validation("ParameterFilters are not supported by this local endpoint.");
        }
        boolean recursive = bool(body, "Recursive", false);
        boolean decrypt = bool(body, "WithDecryption", false);
        int maxResults = optionalInt(body, "MaxResults").orElse(MAX_PAGE_SIZE);
        requireRange("MaxResults", maxResults, 1, MAX_PAGE_SIZE);
        String prefix = path.endsWith("/") ? path : path + "/";

        // The token names the last parameter of the previous page, so parameters added or removed between pages
        // neither repeat nor shift the remaining ones.
        Map<String, Parameter> candidates = optionalString(body, "NextToken")
                .map(token -> parameters.tailMap(decodeToken(token), false))
                .orElse(parameters);
        List<Parameter> page = new ArrayList<>();
        String nextToken = null;
        for (Parameter parameter : candidates.values()) {
            if (!isUnder(parameter.name(), prefix, recursive)) {
                continue;
            }
            if (page.size() == maxResults) {
                nextToken = encodeToken(page.get(page.size() - 1).name());
                break;
            }
            page.add(parameter);
        }
        ArrayNode items = JSON.arrayNode();
        page.forEach(parameter -> items.add(toJson(parameter, decrypt)));
        ObjectNode response = JSON.objectNode();
        response.set("Parameters", items);
        if (nextToken != null) {
            response.put("NextToken", nextToken);
        }
        return response;
    }

    private ObjectNode putParameter(JsonNode body) {
        String name = requiredString(body, "Name");
        String value = requiredString(body, "Value");
        validateName(name);
        if (value.isEmpty()) {
            throw validation("1 validation error detected: Value at 'value' failed to satisfy constraint: "
                    + "Member must have length greater than or equal to 1");
        }
        String tier = optionalString(body, "Tier").orElse("Standard");
        int maxValue = "Advanced".equals(tier) ? ADVANCED_TIER_MAX_VALUE : STANDARD_TIER_MAX_VALUE;
        if (value.length() > maxValue) {
            throw validation(tier + " tier parameters support a maximum parameter value of " + maxValue
                    + " characters.");
        }
        Optional<String> requestedType = optionalString(body, "Type");
        requestedType.filter(type -> !TYPES.contains(type)).ifPresent(type -> {
            throw validation("1 validation error detected: Value '" + type + "' at 'type' failed to satisfy "
                    + "constraint: Member must satisfy enum value set: [SecureString, StringList, String]");
        });
        Optional<String> requestedPattern = optionalString(body, "AllowedPattern");
        requestedPattern.ifPresent(SsmEmulator::compileAllowedPattern);
        Optional<String> requestedDescription = optionalString(body, "Description");
        requestedDescription.ifPresent(description -> requireLength("Description", description, 0,
                MAX_DESCRIPTION_LENGTH));

        Parameter existing = parameters.get(name);
        if (existing != null && !bool(body, "Overwrite", false)) {
            throw AwsServiceError.badRequest("ParameterAlreadyExists",
                    "The parameter already exists. To overwrite this value, set the overwrite option in the "
                            + "request to true.");
        }
        // A pattern in the request replaces the stored one; without one, the stored pattern still binds the value.
        String allowedPattern = requestedPattern.orElse(existing == null ? null : existing.allowedPattern());
        if (allowedPattern != null && !Pattern.compile(allowedPattern).matcher(value).matches()) {
            throw AwsServiceError.badRequest("ParameterPatternMismatchException",
                    "Parameter value, cannot be validated against allowedPattern: " + allowedPattern);
        }
        // Only a new parameter needs a type; an overwrite without one keeps the type it had.
        String type = requestedType.orElseGet(() -> {
            if (existing == null) {
                throw validation("A parameter type is required when you create a parameter.");
            }
            return existing.type();
        });
        long version = existing == null ? 1 : existing.version() + 1;
        String description = requestedDescription.orElse(existing == null ? null : existing.description());
        parameters.put(name, new Parameter(name, type, value, version, ctx.now(), tier, allowedPattern, description));

        ObjectNode response = JSON.objectNode();
        response.put("Version", version);
        response.put("Tier", tier);
        return response;
    }

    /**
     * The metadata of the parameters that pass every filter. Supported filters are the ones a test needs to find
     * parameters by name or path ({@code Name} with {@code Equals} or {@code BeginsWith}, {@code Path} with
     * {@code OneLevel} or {@code Recursive}, {@code Type} with {@code Equals}); any other is refused rather than
     * silently ignored, so a test cannot pass on a filter the emulator does not apply.
     */
    private ObjectNode describeParameters(JsonNode body) {
        if (body.hasNonNull("Filters")) {
            throw validation("Filters are not supported by this local endpoint; use ParameterFilters.");
        }
        List<java.util.function.Predicate<Parameter>> filters = new ArrayList<>();
        JsonNode parameterFilters = body.path("ParameterFilters");
        for (JsonNode filter : parameterFilters) {
            filters.add(parameterFilter(filter));
        }
        int maxResults = optionalInt(body, "MaxResults").orElse(MAX_DESCRIBE_PAGE_SIZE);
        requireRange("MaxResults", maxResults, 1, MAX_DESCRIBE_PAGE_SIZE);

        Map<String, Parameter> candidates = optionalString(body, "NextToken")
                .map(token -> parameters.tailMap(decodeToken(token), false))
                .orElse(parameters);
        List<Parameter> page = new ArrayList<>();
        String nextToken = null;
        for (Parameter parameter : candidates.values()) {
            if (!filters.stream().allMatch(filter -> filter.test(parameter))) {
                continue;
            }
            if (page.size() == maxResults) {
                nextToken = encodeToken(page.get(page.size() - 1).name());
                break;
            }
            page.add(parameter);
        }
        ArrayNode items = JSON.arrayNode();
        page.forEach(parameter -> items.add(metadata(parameter)));
        ObjectNode response = JSON.objectNode();
        response.set("Parameters", items);
        if (nextToken != null) {
            response.put("NextToken", nextToken);
        }
        return response;
    }

    private static java.util.function.Predicate<Parameter> parameterFilter(JsonNode filter) {
        String key = requiredString(filter, "Key");
        List<String> values = stringList(filter, "Values").orElse(List.of());
        String option = optionalString(filter, "Option").orElse(key.equals("Path") ? "OneLevel" : "Equals");
        if (values.isEmpty()) {
            throw AwsServiceError.badRequest("InvalidFilterValue",
                    "The filter value is not valid: filter key " + key + " needs at least one value.");
        }
        return switch (key + ":" + option) {
            case "Name:Equals" -> parameter -> values.stream().anyMatch(v -> fullName(v).equals(parameter.name()));
            case "Name:BeginsWith" ->
                    parameter -> values.stream().anyMatch(v -> parameter.name().startsWith(fullName(v)));
            case "Type:Equals" -> parameter -> values.contains(parameter.type());
            case "Path:OneLevel", "Path:Recursive" -> parameter -> values.stream().anyMatch(path -> isUnder(
                    parameter.name(), path.endsWith("/") ? path : path + "/", option.equals("Recursive")));
            default -> throw validation("ParameterFilters with key " + key + " and option " + option
                    + " are not supported by this local endpoint.");
        };
    }

    /** Name filters accept a name without its leading slash, as AWS does. */
    private static String fullName(String name) {
        return name.startsWith("/") ? name : "/" + name;
    }

    private ObjectNode metadata(Parameter parameter) {
        ObjectNode node = JSON.objectNode();
        node.put("Name", parameter.name());
        node.put("ARN", arn(parameter.name()));
        node.put("Type", parameter.type());
        node.set("LastModifiedDate", epochSeconds(parameter.lastModified()));
        if (parameter.description() != null) {
            node.put("Description", parameter.description());
        }
        if (parameter.allowedPattern() != null) {
            node.put("AllowedPattern", parameter.allowedPattern());
        }
        node.put("Version", parameter.version());
        node.put("Tier", parameter.tier());
        node.set("Policies", JSON.arrayNode());
        node.put("DataType", "text");
        return node;
    }

    /**
     * AWS checks the pattern's length as a model constraint (ValidationException) and its syntax as a regular
     * expression (InvalidAllowedPatternException), before it looks at the value.
     */
    private static Pattern compileAllowedPattern(String allowedPattern) {
        requireLength("AllowedPattern", allowedPattern, 0, MAX_ALLOWED_PATTERN_LENGTH);
        try {
            return Pattern.compile(allowedPattern);
        } catch (PatternSyntaxException e) {
            throw AwsServiceError.badRequest("InvalidAllowedPatternException",
                    "The request doesn't meet the regular expression requirement.");
        }
    }

    private ObjectNode deleteParameter(JsonNode body) {
        String name = requiredString(body, "Name");
        existing(name);
        parameters.remove(name);
        return JSON.objectNode();
    }

    private Parameter existing(String name) {
        Parameter parameter = parameters.get(name);
        if (parameter == null) {
            throw AwsServiceError.badRequest("ParameterNotFound", "Parameter " + name + " not found.");
        }
        return parameter;
    }

    private static void validateName(String name) {
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw validation("1 validation error detected: Value at 'name' failed to satisfy constraint: "
                    + "Member must have length between 1 and " + MAX_NAME_LENGTH);
        }
        if (!NAME_CHARACTERS.matcher(name).matches()) {
            throw validation("Parameter name: can't contain characters other than a-z, A-Z, 0-9, _, ., - and /.");
        }
        if (name.contains("/") && !name.startsWith("/")) {
            throw validation("Parameter name must be a fully qualified name.");
        }
        if (name.chars().filter(c -> c == '/').count() > MAX_HIERARCHY_LEVELS) {
            throw AwsServiceError.badRequest("HierarchyLevelLimitExceededException",
                    "Parameter name hierarchy can't exceed " + MAX_HIERARCHY_LEVELS + " levels.");
        }
        String firstSegment = name.startsWith("/") ? name.substring(1) : name;
        String lower = firstSegment.toLowerCase(Locale.ROOT);
        if (lower.startsWith("aws") || lower.startsWith("ssm")) {
            throw validation("Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive).");
        }
    }

    private static boolean isUnder(String name, String prefix, boolean recursive) {
        return name.startsWith(prefix) && name.length() > prefix.length()
                && (recursive || name.indexOf('/', prefix.length()) < 0);
    }

    private ObjectNode toJson(Parameter parameter, boolean decrypt) {
        ObjectNode node = JSON.objectNode();
        node.put("Name", parameter.name());
        node.put("Type", parameter.type());
        node.put("Value", "SecureString".equals(parameter.type()) && !decrypt
                ? ciphertext(parameter) : parameter.value());
        node.put("Version", parameter.version());
        node.set("LastModifiedDate", epochSeconds(parameter.lastModified()));
        node.put("ARN", arn(parameter.name()));
        node.put("DataType", "text");
        return node;
    }

    /**
     * Without WithDecryption AWS returns the KMS ciphertext of a SecureString, never the plain text; an opaque blob
     * that does not contain the value makes a forgotten WithDecryption visible in tests.
     */
    private String ciphertext(Parameter parameter) {
        String blob = "kms:" + ctx.region() + ":" + arn(parameter.name()) + ":" + parameter.version();
        return Base64.getEncoder().encodeToString(blob.getBytes(StandardCharsets.UTF_8));
    }

    private String arn(String name) {
        String resource = name.startsWith("/") ? name.substring(1) : name;
        return "arn:aws:ssm:" + ctx.region() + ":" + ctx.accountId() + ":parameter/" + resource;
    }

    private static String encodeToken(String lastName) {
        return Base64.getUrlEncoder().encodeToString((TOKEN_MARKER + lastName).getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeToken(String token) {
        String decoded;
        try {
            decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            decoded = "";
        }
        if (!decoded.startsWith(TOKEN_MARKER)) {
            throw AwsServiceError.badRequest("InvalidNextToken", "The specified token isn't valid.");
        }
        return decoded.substring(TOKEN_MARKER.length());
    }
}
