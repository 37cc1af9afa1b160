package dev.accesskeyrotator.localaws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * An SNS subscription filter policy: which published messages a subscription receives. Keys are ANDed, the
 * conditions listed for one key are ORed. Supported conditions are those SNS documents except IP address ({@code cidr})
 * matching: exact strings and numbers, {@code prefix}, {@code suffix}, {@code equals-ignore-case},
 * {@code anything-but} (values, or a prefix or suffix), {@code exists} and {@code numeric} ranges.
 *
 * <p>With scope {@link Scope#MESSAGE_ATTRIBUTES} the policy is flat and matches message attributes: String values
 * match string conditions, Number values numeric ones, each element of a String.Array either, and Binary values are
 * ignored as SNS ignores them. With {@link Scope#MESSAGE_BODY} the policy may nest and matches the message parsed as
 * a JSON object; a message that is not a JSON object matches nothing.
 */
public final class SnsFilterPolicy {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_KEYS = 5;
    private static final int MAX_COMBINATIONS = 150;

    public enum Scope {
        MESSAGE_ATTRIBUTES("MessageAttributes"), MESSAGE_BODY("MessageBody");

        private final String attributeValue;

        Scope(String attributeValue) {
            this.attributeValue = attributeValue;
        }

        /** The value of the FilterPolicyScope subscription attribute. */
        public String attributeValue() { return attributeValue; }

        public static Optional<Scope> fromAttribute(String value) {
            for (Scope scope : values()) {
                if (scope.attributeValue.equals(value)) {
                    return Optional.of(scope);
                }
            }
            return Optional.empty();
        }
    }

    private final Scope scope;
    private final Map<String, Rule> rules;

    private SnsFilterPolicy(Scope scope, Map<String, Rule> rules) {
        this.scope = scope;
        this.rules = rules;
    }

    /**
     * Parses and validates a policy.
     *
     * @throws IllegalArgumentException with the reason SNS would give, if the policy is not one SNS accepts
     */
    public static SnsFilterPolicy parse(String json, Scope scope) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("failed to parse JSON. " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("Filter policy must be a JSON object");
        }
        Map<String, Rule> rules = parseObject(root, scope == Scope.MESSAGE_BODY);
        int keys = leafCount(rules);
        if (keys > MAX_KEYS) {
            throw new IllegalArgumentException("Filter policy can not have more than " + MAX_KEYS + " keys");
        }
        if (combinations(rules) > MAX_COMBINATIONS) {
            throw new IllegalArgumentException("Filter policy is too complex");
        }
        return new SnsFilterPolicy(scope, rules);
    }

    public Scope scope() { return scope; }

    /** Whether a message with these attributes and this body passes the policy. */
    public boolean matches(Map<String, SnsEmulator.MessageAttribute> attributes, String message) {
        if (scope == Scope.MESSAGE_ATTRIBUTES) {
            return rules.entrySet().stream().allMatch(rule ->
                    ((Leaf) rule.getValue()).matches(attributeValues(attributes.get(rule.getKey()))));
        }
        JsonNode body;
        try {
            body = MAPPER.readTree(message);
        } catch (JsonProcessingException e) {
            return false;
        }
        return body != null && body.isObject() && matchesObject(rules, body);
    }

    // ---------------------------------------------------------------- matching

    private static boolean matchesObject(Map<String, Rule> rules, JsonNode object) {
        for (Map.Entry<String, Rule> entry : rules.entrySet()) {
            JsonNode field = object == null ? null : object.get(entry.getKey());
            if (!entry.getValue().matches(field)) {
                return false;
            }
        }
        return true;
    }

    /** The values a condition is tested against, or empty when the attribute counts as absent. */
    private static Optional<List<JsonNode>> attributeValues(SnsEmulator.MessageAttribute attribute) {
        if (attribute == null) {
            return Optional.empty();
        }
        String type = attribute.dataType();
        if (type.equals("String.Array")) {
            try {
                List<JsonNode> elements = new ArrayList<>();
                MAPPER.readTree(attribute.value()).forEach(elements::add);
                return Optional.of(elements);
            } catch (JsonProcessingException e) {
                return Optional.empty();
            }
        }
        if (type.equals("Number") || type.startsWith("Number.")) {
            return Optional.of(List.of(DecimalNode.valueOf(new BigDecimal(attribute.value()))));
        }
        if (type.equals("String") || type.startsWith("String.")) {
            return Optional.of(List.of(TextNode.valueOf(attribute.value())));
        }
        return Optional.empty();
    }

    private sealed interface Rule permits Nested, Leaf {
        /** @param field the message body member, null when absent */
        boolean matches(JsonNode field);
    }

    private record Nested(Map<String, Rule> children) implements Rule {
        @Override
        public boolean matches(JsonNode field) {
            if (field != null && field.isArray()) {
                for (JsonNode element : field) {
                    if (element.isObject() && matchesObject(children, element)) {
                        return true;
                    }
                }
                return false;
            }
            return matchesObject(children, field != null && field.isObject() ? field : null);
        }
    }

    private record Leaf(List<Condition> conditions) implements Rule {
        @Override
        public boolean matches(JsonNode field) {
            if (field == null) {
                return matches(Optional.empty());
            }
            List<JsonNode> values = new ArrayList<>();
            if (field.isArray()) {
                field.forEach(values::add);
            } else {
                values.add(field);
            }
            return matches(Optional.of(values));
        }

        boolean matches(Optional<List<JsonNode>> values) {
            if (values.isEmpty()) {
                return conditions.stream().anyMatch(Condition::matchesAbsent);
            }
            return conditions.stream().anyMatch(c -> values.get().stream().anyMatch(c::matchesValue));
        }
    }

    private interface Condition {
        boolean matchesValue(JsonNode value);

        /** Only {@code "exists": false} matches a key the message does not have. */
        default boolean matchesAbsent() { return false; }
    }

    private record Exists(boolean exists) implements Condition {
        @Override public boolean matchesValue(JsonNode value) { return exists; }
        @Override public boolean matchesAbsent() { return !exists; }
    }

    private record Equals(JsonNode expected) implements Condition {
        @Override
        public boolean matchesValue(JsonNode value) {
            if (expected.isNumber()) {
                return value.isNumber() && expected.decimalValue().compareTo(value.decimalValue()) == 0;
            }
            return expected.equals(value);
        }
    }

    private record StringTest(String operand, BiPredicate<String, String> test) implements Condition {
        @Override
        public boolean matchesValue(JsonNode value) {
            return value.isTextual() && test.test(value.asText(), operand);
        }
    }

    private record AnythingBut(List<Condition> excluded) implements Condition {
        @Override
        public boolean matchesValue(JsonNode value) {
            return excluded.stream().noneMatch(condition -> condition.matchesValue(value));
        }
    }

    /** {@code "numeric": [">", 0, "<=", 5]}: every comparison must hold. */
    private record NumericRange(List<String> operators, List<BigDecimal> operands) implements Condition {
        @Override
        public boolean matchesValue(JsonNode value) {
            if (!value.isNumber()) {
                return false;
            }
            BigDecimal number = value.decimalValue();
            for (int i = 0; i < operators.size(); i++) {
                int comparison = number.compareTo(operands.get(i));
                boolean holds = switch (operators.get(i)) {
                    case "=" -> comparison == 0;
                    case "<" -> comparison < 0;
                    case "<=" -> comparison <= 0;
                    case ">" -> comparison > 0;
                    case ">=" -> comparison >= 0;
                    default -> throw new IllegalStateException("unchecked operator " + operators.get(i));
                };
                if (!holds) {
                    return false;
                }
            }
            return true;
        }
    }

    // ---------------------------------------------------------------- parsing

    private static Map<String, Rule> parseObject(JsonNode object, boolean nestingAllowed) {
        Map<String, Rule> rules = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            if (value.isObject()) {
                if (!nestingAllowed) {
                    throw new IllegalArgumentException(
                            "Filter policy scope MessageAttributes does not support nested filter policy");
                }
                rules.put(field.getKey(), new Nested(parseObject(value, true)));
            } else if (value.isArray()) {
                if (value.isEmpty()) {
                    throw new IllegalArgumentException("Empty arrays are not allowed");
                }
                List<Condition> conditions = new ArrayList<>();
                value.forEach(condition -> conditions.add(parseCondition(condition)));
                rules.put(field.getKey(), new Leaf(conditions));
            } else {
                throw new IllegalArgumentException("Match value must be an array or an object: " + field.getKey());
            }
        }
        return rules;
    }

    private static Condition parseCondition(JsonNode condition) {
        if (condition.isTextual() || condition.isNumber() || condition.isBoolean() || condition.isNull()) {
            return new Equals(condition);
        }
        if (!condition.isObject() || condition.size() != 1) {
            throw new IllegalArgumentException("Match value must be String, number, true, false, or null");
        }
        Map.Entry<String, JsonNode> operator = condition.fields().next();
        JsonNode operand = operator.getValue();
        return switch (operator.getKey()) {
            case "exists" -> {
                if (!operand.isBoolean()) {
                    throw new IllegalArgumentException("exists match pattern must be either true or false.");
                }
                yield new Exists(operand.asBoolean());
            }
            case "prefix" -> new StringTest(textOperand("prefix", operand), String::startsWith);
            case "suffix" -> new StringTest(textOperand("suffix", operand), String::endsWith);
            case "equals-ignore-case" -> new StringTest(textOperand("equals-ignore-case", operand),
                    (value, expected) -> value.toLowerCase(Locale.ROOT).equals(expected.toLowerCase(Locale.ROOT)));
            case "anything-but" -> anythingBut(operand);
            case "numeric" -> numeric(operand);
            default -> throw new IllegalArgumentException("Unrecognized match type " + operator.getKey());
        };
    }

    private static String textOperand(String operator, JsonNode operand) {
        if (!operand.isTextual()) {
            throw new IllegalArgumentException(operator + " match pattern must be a string");
        }
        return operand.asText();
    }

    private static Condition anythingBut(JsonNode operand) {
        List<Condition> excluded = new ArrayList<>();
        if (operand.isObject()) {
            // Only a prefix or suffix may be negated as a pattern.
            Condition pattern = parseCondition(operand);
            if (!(pattern instanceof StringTest)) {
                throw new IllegalArgumentException("Unsupported anything-but pattern: " + operand);
            }
            excluded.add(pattern);
        } else if (operand.isArray()) {
            if (operand.isEmpty()) {
                throw new IllegalArgumentException("Empty arrays are not allowed");
            }
            for (JsonNode value : operand) {
                if (!value.isTextual() && !value.isNumber()) {
                    throw new IllegalArgumentException("Inside anything but list, start|null|boolean is not supported.");
                }
                excluded.add(new Equals(value));
            }
        } else if (operand.isTextual() || operand.isNumber()) {
            excluded.add(new Equals(operand));
        } else {
            throw new IllegalArgumentException("Value of anything-but must be an array or single string/number value.");
        }
        return new AnythingBut(excluded);
    }

    private static Condition numeric(JsonNode operand) {
        if (!operand.isArray() || operand.isEmpty() || operand.size() % 2 != 0 || operand.size() > 4) {
            throw new IllegalArgumentException("Value of numeric must be an array of operator and number pairs.");
        }
        List<String> operators = new ArrayList<>();
        List<BigDecimal> operands = new ArrayList<>();
        for (int i = 0; i < operand.size(); i += 2) {
            String operator = operand.get(i).asText();
            if (!List.of("=", "<", "<=", ">", ">=").contains(operator)) {
                throw new IllegalArgumentException("Unrecognized numeric range operator: " + operand.get(i));
            }
            if (!operand.get(i + 1).isNumber()) {
                throw new IllegalArgumentException("Value of " + operator + " must be numeric");
            }
            operators.add(operator);
            operands.add(operand.get(i + 1).decimalValue());
        }
        if (operators.contains("=") && operators.size() > 1) {
            throw new IllegalArgumentException("Bad numeric range operator: =");
        }
        return new NumericRange(operators, operands);
    }

    private static int leafCount(Map<String, Rule> rules) {
        int count = 0;
        for (Rule rule : rules.values()) {
            count += rule instanceof Nested nested ? leafCount(nested.children()) : 1;
        }
        return count;
    }

    /** SNS bounds a policy by the product of the number of conditions of each key. */
    private static long combinations(Map<String, Rule> rules) {
        long product = 1;
        for (Rule rule : rules.values()) {
            product *= rule instanceof Nested nested ? combinations(nested.children()) : ((Leaf) rule).conditions().size();
        }
        return product;
    }
}
