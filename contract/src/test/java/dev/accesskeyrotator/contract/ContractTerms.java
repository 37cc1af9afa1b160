package dev.accesskeyrotator.contract;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every name the contract owns that main code elsewhere must take from it rather than spell, and the rule that decides
 * whether a string literal spells one.
 */
final class ContractTerms {

    private ContractTerms() {}

    /** Term to the contract constant that owns it, for a failure message that says what to use instead. */
    static Map<String, String> all() {
        Map<String, String> terms = new LinkedHashMap<>();
        for (Parameter parameter : Parameter.values()) {
            terms.put(parameter.parameterName(), "Parameter." + parameter.name() + ".parameterName()");
        }
        for (EnvironmentVariable variable : EnvironmentVariable.values()) {
            terms.put(variable.name(), "EnvironmentVariable." + variable.name() + ".name()");
        }
        for (Metric metric : Metric.values()) {
            terms.put(metric.metricName(), "Metric." + metric.name() + ".metricName()");
        }
        terms.put(Metric.NAMESPACE, "Metric.NAMESPACE");
        terms.put(Notices.USER_NAME, "Notices.USER_NAME");
        terms.put(Notices.EVENT_TYPE, "Notices.EVENT_TYPE");
        for (Notices.EventType type : Notices.EventType.values()) {
            terms.put(type.value(), "Notices.EventType." + type.name() + ".value()");
        }
        for (SecretField field : SecretField.values()) {
            terms.put(field.field(), "SecretField." + field.name() + ".field()");
        }
        return terms;
    }

    /**
     * A distinctive term ({@code max-key-age-days}, {@code SECRET_KMS_KEY_ID}, {@code UserName}) is spelled wherever it
     * stands as a whole token: in a path, a JSON document, a sentence. A plain lower-case word ({@code attention},
     * {@code blocked}) is an ordinary word in messages too, so it counts only as the whole literal, which is how a
     * value such as an event type is written.
     */
    static boolean isDistinctive(String term) {
        return term.chars().anyMatch(c -> c == '-' || c == '_' || Character.isUpperCase(c));
    }

    /** The terms {@code literal} spells, in the order of {@code terms}. */
    static List<String> spelledIn(String literal, Iterable<String> terms) {
        List<String> found = new ArrayList<>();
        for (String term : terms) {
            if (isDistinctive(term) ? containsAsToken(literal, term) : literal.equals(term)) {
                found.add(term);
            }
        }
        return found;
    }

    private static boolean containsAsToken(String literal, String term) {
        for (int at = literal.indexOf(term); at >= 0; at = literal.indexOf(term, at + 1)) {
            int end = at + term.length();
            boolean bounded = (at == 0 || !isTokenCharacter(literal.charAt(at - 1)))
                    && (end == literal.length() || !isTokenCharacter(literal.charAt(end)));
            if (bounded && !isXmlElementName(literal, at)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code <UserName>} and {@code </UserName>}: IAM's and STS's query protocol answers in XML whose element names
     * are AWS's, not ours; that one of them equals a secret field ({@code UserName}, {@code AccessKeyId},
     * {@code SecretAccessKey}, {@code CreateDate}) is a coincidence of AWS's naming, and changing the contract must
     * not change what is parsed from or written as AWS's wire format.
     */
    private static boolean isXmlElementName(String literal, int at) {
        return at >= 1 && literal.charAt(at - 1) == '<'
                || at >= 2 && literal.charAt(at - 1) == '/' && literal.charAt(at - 2) == '<';
    }

    private static boolean isTokenCharacter(char c) {
        return Character.isLetterOrDigit(c) || c == '-' || c == '_';
    }

    /** Only to name the terms in messages. */
    static String describe(List<String> terms, Map<String, String> owners) {
        return String.join(", ", terms.stream().map(t -> "'" + t + "' (" + owners.get(t) + ")").toList());
    }
}
