package dev.accesskeyrotator.localaws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * SNS over the Query protocol: topics, subscriptions with filter policies, and Publish with the validation SNS applies.
 * Nothing leaves the process: each published message is recorded and "delivered" to every subscription of its topic
 * whose filter policy matches, whether or not the subscription was confirmed, so tests can check routing.
 */
public final class SnsEmulator implements ServiceEmulator {
    public static final String NAMESPACE = "http://sns.amazonaws.com/doc/2010-03-31/";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern TOPIC_NAME = Pattern.compile("[A-Za-z0-9_-]{1,256}");
    private static final Pattern ATTRIBUTE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,256}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final Pattern PUNCTUATION = Pattern.compile("\\p{Punct}");
    private static final Set<String> PROTOCOLS =
            Set.of("http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose");
    /** Protocols whose endpoint must confirm before SNS delivers; the others are confirmed on subscribe. */
    private static final Set<String> CONFIRMED_BY_ENDPOINT = Set.of("http", "https", "email", "email-json");
    private static final int MAX_SUBJECT_LENGTH = 100;
    private static final int MAX_MESSAGE_BYTES = 256 * 1024;
    private static final int SUBSCRIPTIONS_PAGE_SIZE = 100;
    private static final PageTokens PAGE_TOKENS = new PageTokens("subscriptions-offset:");

    private final LocalAwsContext ctx;
    private final Map<String, Topic> topicsByArn = new LinkedHashMap<>();
    private final Map<String, Subscription> subscriptionsByArn = new LinkedHashMap<>();
    private final List<PublishedMessage> published = new ArrayList<>();
    private final Map<String, List<PublishedMessage>> deliveries = new LinkedHashMap<>();

    /** A message attribute; {@code value} is the StringValue, or the base64 BinaryValue for Binary types. */
    public record MessageAttribute(String dataType, String value) {
    }

    public record PublishedMessage(String topicArn, String subject, String message,
                                   Map<String, MessageAttribute> attributes, String messageId) {
        /** The value of attribute {@code name}, if the message has it. */
        public Optional<String> attribute(String name) {
            return Optional.ofNullable(attributes.get(name)).map(MessageAttribute::value);
        }
    }

    public record Subscription(String subscriptionArn, String topicArn, String protocol, String endpoint,
                               boolean pendingConfirmation, Map<String, String> attributes) {
    }

    private record Topic(String arn, Map<String, String> attributes, Map<String, String> tags) {
    }

    public SnsEmulator(LocalAwsContext ctx) {
        this.ctx = ctx;
    }

    @Override public String service() { return "sns"; }

    @Override public String xmlNamespace() { return NAMESPACE; }

    @Override
    public synchronized Object handle(AwsRequest request) {
        return switch (request.operation()) {
            case "CreateTopic" -> createTopic(request);
            case "Publish" -> publish(request);
            case "Subscribe" -> subscribe(request);
            case "Unsubscribe" -> unsubscribe(request);
            case "ListSubscriptionsByTopic" -> listSubscriptionsByTopic(request);
            case "SetSubscriptionAttributes" -> setSubscriptionAttributes(request);
            default -> throw AwsServiceError.badRequest("InvalidAction",
                    "The action " + request.operation() + " is not valid for this endpoint.");
        };
    }

    // ---------------------------------------------------------------- test hooks

    /** Every accepted Publish, oldest first. */
    public synchronized List<PublishedMessage> published() {
        return List.copyOf(published);
    }

    /** The messages routed to a subscription, oldest first; kept after the subscription is removed. */
    public synchronized List<PublishedMessage> deliveredTo(String subscriptionArn) {
        return List.copyOf(deliveries.getOrDefault(subscriptionArn, List.of()));
    }

    /** Confirms every pending subscription, as if each endpoint had followed its confirmation link. */
    public synchronized void confirmAll() {
        subscriptionsByArn.replaceAll((arn, subscription) -> new Subscription(arn, subscription.topicArn(),
                subscription.protocol(), subscription.endpoint(), false, subscription.attributes()));
    }

    public synchronized List<Subscription> subscriptions(String topicArn) {
        return subscriptionsByArn.values().stream().filter(s -> s.topicArn().equals(topicArn)).toList();
    }

    // ---------------------------------------------------------------- operations

    private String createTopic(AwsRequest request) {
        String name = required(request, "Name");
        Map<String, String> attributes = entries(request, "Attributes.entry.", "key", "value");
        if (name.endsWith(".fifo") || "true".equalsIgnoreCase(attributes.get("FifoTopic"))) {
            throw invalidParameter("Topic Name Reason: FIFO topics are not supported by this local endpoint");
        }
        if (!TOPIC_NAME.matcher(name).matches()) {
            throw invalidParameter("Topic Name");
        }
        Map<String, String> tags = entries(request, "Tags.member.", "Key", "Value");
        String arn = "arn:aws:sns:" + ctx.region() + ":" + ctx.accountId() + ":" + name;
        Topic existing = topicsByArn.get(arn);
        if (existing == null) {
            topicsByArn.put(arn, new Topic(arn, attributes, tags));
        } else {
            // CreateTopic is idempotent only for a request that agrees with the topic as it is.
            if (!attributes.isEmpty() && !existing.attributes().equals(attributes)) {
                throw invalidParameter("Attributes Reason: Topic already exists with different attributes");
            }
            if (!tags.isEmpty() && !existing.tags().equals(tags)) {
                throw invalidParameter("Tags Reason: Topic already exists with different tags");
            }
        }
        return Xml.create().element("TopicArn", arn).toString();
    }

    private String publish(AwsRequest request) {
        if (request.param("PhoneNumber").isPresent()) {
            throw invalidParameter("PhoneNumber Reason: SMS is not supported by this local endpoint");
        }
        String topicArn = request.param("TopicArn").or(() -> request.param("TargetArn")).orElseThrow(
                () -> invalidParameter("TopicArn or TargetArn Reason: no value for required parameter"));
        String message = required(request, "Message");
        if (message.isEmpty()) {
            throw invalidParameter("Empty message");
        }
        Optional<String> subject = request.param("Subject");
        subject.ifPresent(SnsEmulator::validateSubject);
        Map<String, MessageAttribute> attributes = messageAttributes(request);
        if (messageBytes(message, attributes) > MAX_MESSAGE_BYTES) {
            throw invalidParameter("Message too long");
        }
        JsonNode perProtocol = "json".equals(request.param("MessageStructure").orElse(null))
                ? perProtocolMessages(message) : null;
        requireTopic(topicArn);

        String messageId = UUID.randomUUID().toString();
        PublishedMessage publishedMessage =
                new PublishedMessage(topicArn, subject.orElse(null), message, attributes, messageId);
        published.add(publishedMessage);
        for (Subscription subscription : subscriptions(topicArn)) {
            PublishedMessage delivered = perProtocol == null ? publishedMessage : new PublishedMessage(topicArn,
                    subject.orElse(null), perProtocol.path(subscription.protocol()).asText(
                            perProtocol.get("default").asText()), attributes, messageId);
            if (filterPolicy(subscription.attributes()).map(p -> p.matches(attributes, delivered.message()))
                    .orElse(true)) {
                deliveries.computeIfAbsent(subscription.subscriptionArn(), arn -> new ArrayList<>()).add(delivered);
            }
        }
        return Xml.create().element("MessageId", messageId).toString();
    }

    private String subscribe(AwsRequest request) {
        String topicArn = required(request, "TopicArn");
        String protocol = required(request, "Protocol");
        requireTopic(topicArn);
        if (!PROTOCOLS.contains(protocol)) {
            throw invalidParameter("Amazon SNS does not support this protocol string: " + protocol);
        }
        String endpoint = request.param("Endpoint").filter(e -> !e.isEmpty())
                .orElseThrow(() -> invalidParameter("Endpoint"));
        validateEndpoint(protocol, endpoint);
        Map<String, String> requested = entries(request, "Attributes.entry.", "key", "value");
        boolean returnArn = Boolean.parseBoolean(request.param("ReturnSubscriptionArn").orElse("false"));

        Optional<Subscription> existing = subscriptions(topicArn).stream()
                .filter(s -> s.protocol().equals(protocol) && s.endpoint().equals(endpoint))
                .findFirst();
        Subscription subscription;
        if (existing.isPresent()) {
            subscription = existing.get();
            if (!requested.isEmpty() && !requested.equals(subscription.attributes())) {
                throw invalidParameter("Attributes Reason: Subscription already exists with different attributes");
            }
        } else {
            validateAttributes(requested);
            String arn = topicArn + ":" + UUID.randomUUID();
            subscription = new Subscription(arn, topicArn, protocol, endpoint,
                    CONFIRMED_BY_ENDPOINT.contains(protocol), Collections.unmodifiableMap(requested));
            subscriptionsByArn.put(arn, subscription);
        }
        String shownArn = subscription.pendingConfirmation() && !returnArn
                ? "pending confirmation" : subscription.subscriptionArn();
        return Xml.create().element("SubscriptionArn", shownArn).toString();
    }

    private String unsubscribe(AwsRequest request) {
        String arn = required(request, "SubscriptionArn");
        requireArnFormat("SubscriptionArn", arn);
        // SNS answers success for a subscription that is already gone.
        subscriptionsByArn.remove(arn);
        return "";
    }

    private String listSubscriptionsByTopic(AwsRequest request) {
        String topicArn = required(request, "TopicArn");
        requireTopic(topicArn);
        List<Subscription> all = subscriptions(topicArn);
        int offset = request.param("NextToken").map(SnsEmulator::decodeOffset).orElse(0);
        int end = Math.min(all.size(), offset + SUBSCRIPTIONS_PAGE_SIZE);
        List<Subscription> page = all.subList(Math.min(offset, all.size()), end);
        Xml xml = Xml.create().nested("Subscriptions", list -> page.forEach(s -> list.nested("member", member -> member
                .element("SubscriptionArn", s.pendingConfirmation() ? "PendingConfirmation" : s.subscriptionArn())
                .element("Owner", ctx.accountId())
                .element("Protocol", s.protocol())
                .element("Endpoint", s.endpoint())
                .element("TopicArn", s.topicArn()))));
        if (end < all.size()) {
            xml.element("NextToken", encodeOffset(end));
        }
        return xml.toString();
    }

    private String setSubscriptionAttributes(AwsRequest request) {
        String arn = required(request, "SubscriptionArn");
        String name = required(request, "AttributeName");
        String value = request.param("AttributeValue").orElse("");
        requireArnFormat("SubscriptionArn", arn);
        Subscription subscription = subscriptionsByArn.get(arn);
        if (subscription == null) {
            throw AwsServiceError.notFound("NotFound", "Subscription does not exist");
        }
        Map<String, String> attributes = new LinkedHashMap<>(subscription.attributes());
        // An empty FilterPolicy removes the policy, so the subscription receives everything again.
        if ("FilterPolicy".equals(name) && value.isEmpty()) {
            attributes.remove(name);
        } else {
            attributes.put(name, value);
        }
        validateAttributes(attributes);
        subscriptionsByArn.put(arn, new Subscription(arn, subscription.topicArn(), subscription.protocol(),
                subscription.endpoint(), subscription.pendingConfirmation(), Collections.unmodifiableMap(attributes)));
        return "";
    }

    // ---------------------------------------------------------------- validation

    /**
     * SNS accepts a subject of at most 100 characters that starts with a letter, digit or punctuation mark and has no
     * line breaks or other control characters: mail subjects are built from it.
     */
    private static void validateSubject(String subject) {
        boolean valid = !subject.isEmpty()
                && subject.length() <= MAX_SUBJECT_LENGTH
                && (Character.isLetterOrDigit(subject.codePointAt(0))
                        || PUNCTUATION.matcher(subject.substring(0, 1)).matches())
                && subject.codePoints().noneMatch(Character::isISOControl);
        if (!valid) {
            throw invalidParameter("Subject");
        }
    }

    private static void validateEndpoint(String protocol, String endpoint) {
        boolean valid = switch (protocol) {
            case "email", "email-json" -> EMAIL.matcher(endpoint).matches();
            case "http" -> endpoint.startsWith("http://");
            case "https" -> endpoint.startsWith("https://");
            case "sqs" -> endpoint.startsWith("arn:aws:sqs:");
            case "lambda" -> endpoint.startsWith("arn:aws:lambda:");
            case "firehose" -> endpoint.startsWith("arn:aws:firehose:");
            default -> true;
        };
        if (!valid) {
            throw invalidParameter(protocol.startsWith("email") ? "Email address"
                    : "Endpoint Reason: the endpoint does not match protocol " + protocol);
        }
    }

    private static void validateAttributes(Map<String, String> attributes) {
        for (Map.Entry<String, String> attribute : attributes.entrySet()) {
            String value = attribute.getValue();
            switch (attribute.getKey()) {
                case "RawMessageDelivery" -> {
                    if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                        throw invalidParameter("Attributes Reason: RawMessageDelivery: Invalid value [" + value
                                + "]. Must be true or false.");
                    }
                }
                case "FilterPolicyScope" -> SnsFilterPolicy.Scope.fromAttribute(value).orElseThrow(
                        () -> invalidParameter("Attributes Reason: FilterPolicyScope: Invalid value [" + value
                                + "]. Please use either MessageBody or MessageAttributes"));
                case "DeliveryPolicy", "RedrivePolicy", "ReplayPolicy" -> requireJson(attribute.getKey(), value);
                case "FilterPolicy", "SubscriptionRoleArn" -> {
                    // FilterPolicy is checked below together with its scope.
                }
                default -> throw invalidParameter("AttributeName");
            }
        }
        filterPolicy(attributes);
    }

    /** The subscription's parsed policy, empty when it has none; an invalid one fails as SNS fails it. */
    private static Optional<SnsFilterPolicy> filterPolicy(Map<String, String> attributes) {
        String policy = attributes.get("FilterPolicy");
        if (policy == null) {
            return Optional.empty();
        }
        SnsFilterPolicy.Scope scope = SnsFilterPolicy.Scope
                .fromAttribute(attributes.getOrDefault("FilterPolicyScope", "MessageAttributes"))
                .orElseThrow();
        try {
            return Optional.of(SnsFilterPolicy.parse(policy, scope));
        } catch (IllegalArgumentException e) {
            throw invalidParameter("FilterPolicy: " + e.getMessage());
        }
    }

    private static void requireJson(String attribute, String value) {
        try {
            MAPPER.readTree(value);
        } catch (JsonProcessingException e) {
            throw invalidParameter(attribute + ": failed to parse JSON");
        }
    }

    /** Reads {@code MessageAttributes.entry.N.Name / .Value.DataType / .Value.StringValue|BinaryValue}. */
    private static Map<String, MessageAttribute> messageAttributes(AwsRequest request) {
        Map<String, MessageAttribute> attributes = new LinkedHashMap<>();
        for (int n = 1; ; n++) {
            String prefix = "MessageAttributes.entry." + n + ".";
            Optional<String> name = request.param(prefix + "Name");
            if (name.isEmpty()) {
                return Collections.unmodifiableMap(attributes);
            }
            String attributeName = name.get();
            if (!ATTRIBUTE_NAME.matcher(attributeName).matches() || attributeName.startsWith(".")
                    || attributeName.endsWith(".") || attributeName.contains("..")) {
                throw invalidParameterValue("The message attribute name '" + attributeName + "' is invalid.");
            }
            String dataType = request.param(prefix + "Value.DataType").orElseThrow(() -> invalidParameterValue(
                    "The message attribute '" + attributeName + "' must contain non-empty message attribute type."));
            String baseType = dataType.split("\\.", 2)[0];
            String value = switch (baseType) {
                case "String", "Number" -> request.param(prefix + "Value.StringValue").filter(v -> !v.isEmpty())
                        .orElseThrow(() -> emptyAttributeValue(attributeName, dataType));
                case "Binary" -> request.param(prefix + "Value.BinaryValue").filter(v -> !v.isEmpty())
                        .orElseThrow(() -> emptyAttributeValue(attributeName, dataType));
                default -> throw invalidParameterValue("The message attribute '" + attributeName + "' has an invalid "
                        + "message attribute type, the set of supported type prefixes is Binary, Number, and String.");
            };
            validateAttributeValue(attributeName, dataType, baseType, value);
            attributes.put(attributeName, new MessageAttribute(dataType, value));
        }
    }

    private static void validateAttributeValue(String name, String dataType, String baseType, String value) {
        if (baseType.equals("Binary")) {
            try {
                Base64.getDecoder().decode(value);
            } catch (IllegalArgumentException e) {
                throw invalidParameterValue("The message attribute '" + name + "' has an invalid binary value.");
            }
        }
        if (baseType.equals("Number")) {
            try {
                new BigDecimal(value);
            } catch (NumberFormatException e) {
                throw invalidParameterValue("Could not cast message attribute '" + name + "' value to number.");
            }
        }
        if (dataType.equals("String.Array")) {
            boolean array;
            try {
                array = MAPPER.readTree(value).isArray();
            } catch (JsonProcessingException e) {
                array = false;
            }
            if (!array) {
                throw invalidParameterValue("The message attribute '" + name + "' with type 'String.Array' has an "
                        + "invalid value: it must be a JSON array.");
            }
        }
    }

    /** SNS counts the message and every attribute's name, type and value against the 256 KB limit. */
    private static int messageBytes(String message, Map<String, MessageAttribute> attributes) {
        int bytes = utf8Length(message);
        for (Map.Entry<String, MessageAttribute> attribute : attributes.entrySet()) {
            bytes += utf8Length(attribute.getKey()) + utf8Length(attribute.getValue().dataType());
            bytes += attribute.getValue().dataType().startsWith("Binary")
                    ? Base64.getDecoder().decode(attribute.getValue().value()).length
                    : utf8Length(attribute.getValue().value());
        }
        return bytes;
    }

    /** With MessageStructure=json the message is a JSON object of per-protocol texts with a required default. */
    private static JsonNode perProtocolMessages(String message) {
        JsonNode messages;
        try {
            messages = MAPPER.readTree(message);
        } catch (JsonProcessingException e) {
            throw invalidParameter("Message Structure - JSON message body failed to parse");
        }
        if (messages == null || !messages.isObject() || !messages.path("default").isTextual()) {
            throw invalidParameter("Message Structure - No default entry in JSON message body");
        }
        return messages;
    }

    private void requireTopic(String topicArn) {
        requireArnFormat("TopicArn", topicArn);
        if (!topicsByArn.containsKey(topicArn)) {
            throw AwsServiceError.notFound("NotFound", "Topic does not exist");
        }
    }

    private static void requireArnFormat(String parameter, String arn) {
        String[] parts = arn.split(":", -1);
        if (parts.length < 6 || !parts[0].equals("arn")) {
            throw invalidParameter(parameter + " Reason: An ARN must have at least 6 elements, not " + parts.length);
        }
    }

    // ---------------------------------------------------------------- Query helpers

    /** A required Query parameter; SNS reports a missing one as a ValidationError, not an InvalidParameter. */
    private static String required(AwsRequest request, String name) {
        return request.param(name).orElseThrow(() -> AwsServiceError.badRequest("ValidationError",
                "1 validation error detected: Value null at '" + Character.toLowerCase(name.charAt(0))
                        + name.substring(1) + "' failed to satisfy constraint: Member must not be null"));
    }

    /** Reads a flattened map such as {@code Attributes.entry.N.key / .value} in the order the SDK numbered it. */
    private static Map<String, String> entries(AwsRequest request, String prefix, String keyField, String valueField) {
        Map<String, String> entries = new LinkedHashMap<>();
        for (int n = 1; ; n++) {
            Optional<String> key = request.param(prefix + n + "." + keyField);
            if (key.isEmpty()) {
                return entries;
            }
            entries.put(key.get(), request.param(prefix + n + "." + valueField).orElse(""));
        }
    }

    private static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String encodeOffset(int offset) {
        return PAGE_TOKENS.encode(offset);
    }

    private static int decodeOffset(String token) {
        return PAGE_TOKENS.decode(token).orElseThrow(() -> invalidParameter("NextToken"));
    }

    private static AwsServiceError invalidParameter(String detail) {
        return AwsServiceError.badRequest("InvalidParameter", "Invalid parameter: " + detail);
    }

    private static AwsServiceError invalidParameterValue(String message) {
        return AwsServiceError.badRequest("ParameterValueInvalid", message);
    }

    private static AwsServiceError emptyAttributeValue(String name, String dataType) {
        return invalidParameterValue("The message attribute '" + name + "' must contain non-empty message attribute "
                + "value for message attribute type '" + dataType.split("\\.", 2)[0] + "'.");
    }
}
