package dev.accesskeyrotator.localaws;

import dev.accesskeyrotator.localaws.SnsEmulator.MessageAttribute;
import dev.accesskeyrotator.localaws.SnsFilterPolicy.Scope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnsFilterPolicyTest {

    /** Builds attributes from alternating name, type, value triples: {@code "user", "String", "alice"}. */
    private static Map<String, MessageAttribute> attributes(String... nameTypeValue) {
        Map<String, MessageAttribute> attributes = new LinkedHashMap<>();
        for (int i = 0; i < nameTypeValue.length; i += 3) {
            attributes.put(nameTypeValue[i], new MessageAttribute(nameTypeValue[i + 1], nameTypeValue[i + 2]));
        }
        return attributes;
    }

    private static boolean matches(String policy, Map<String, MessageAttribute> attributes) {
        return SnsFilterPolicy.parse(policy.replace('\'', '"'), Scope.MESSAGE_ATTRIBUTES).matches(attributes, "body");
    }

    private static boolean bodyMatches(String policy, String body) {
        return SnsFilterPolicy.parse(policy.replace('\'', '"'), Scope.MESSAGE_BODY)
                .matches(Map.of(), body.replace('\'', '"'));
    }

    @Test
    void exactStringsAreAlternatives() {
        String policy = "{'user_name':['alice','bob']}";
        assertTrue(matches(policy, attributes("user_name", "String", "alice")));
        assertTrue(matches(policy, attributes("user_name", "String", "bob")));
        assertFalse(matches(policy, attributes("user_name", "String", "carol")));
        assertFalse(matches(policy, attributes("user_name", "String", "Alice")));
        assertFalse(matches(policy, attributes()));
    }

    @Test
    void everyKeyMustMatch() {
        String policy = "{'user_name':['alice'],'event':['rotated']}";
        assertTrue(matches(policy, attributes("user_name", "String", "alice", "event", "String", "rotated")));
        assertFalse(matches(policy, attributes("user_name", "String", "alice", "event", "String", "failed")));
        assertFalse(matches(policy, attributes("user_name", "String", "alice")));
    }

    @Test
    void prefixSuffixAndIgnoreCase() {
        assertTrue(matches("{'env':[{'prefix':'prod'}]}", attributes("env", "String", "production")));
        assertFalse(matches("{'env':[{'prefix':'prod'}]}", attributes("env", "String", "preprod")));
        assertTrue(matches("{'file':[{'suffix':'.json'}]}", attributes("file", "String", "a.json")));
        assertTrue(matches("{'env':[{'equals-ignore-case':'PROD'}]}", attributes("env", "String", "prod")));
    }

    @Test
    void anythingButExcludesValuesOrAPrefixAndNeedsTheAttribute() {
        String policy = "{'event':[{'anything-but':['failed','skipped']}]}";
        assertTrue(matches(policy, attributes("event", "String", "rotated")));
        assertFalse(matches(policy, attributes("event", "String", "failed")));
        assertFalse(matches(policy, attributes()));
        assertTrue(matches("{'event':[{'anything-but':'failed'}]}", attributes("event", "String", "rotated")));
        assertFalse(matches("{'user':[{'anything-but':{'prefix':'svc-'}}]}", attributes("user", "String", "svc-ci")));
        assertTrue(matches("{'user':[{'anything-but':{'prefix':'svc-'}}]}", attributes("user", "String", "alice")));
    }

    @Test
    void existsTestsPresenceOnly() {
        assertTrue(matches("{'trace':[{'exists':true}]}", attributes("trace", "String", "x")));
        assertFalse(matches("{'trace':[{'exists':true}]}", attributes()));
        assertTrue(matches("{'trace':[{'exists':false}]}", attributes()));
        assertFalse(matches("{'trace':[{'exists':false}]}", attributes("trace", "String", "x")));
    }

    @Test
    void numbersMatchNumericConditionsOnly() {
        assertTrue(matches("{'age':[90]}", attributes("age", "Number", "90.0")));
        assertFalse(matches("{'age':['90']}", attributes("age", "Number", "90")));
        assertFalse(matches("{'age':[90]}", attributes("age", "String", "90")));
        String range = "{'age':[{'numeric':['>=',90,'<',365]}]}";
        assertTrue(matches(range, attributes("age", "Number", "90")));
        assertTrue(matches(range, attributes("age", "Number", "364.5")));
        assertFalse(matches(range, attributes("age", "Number", "365")));
        assertFalse(matches(range, attributes("age", "Number", "12")));
    }

    @Test
    void stringArrayMatchesWhenAnyElementDoes() {
        String policy = "{'users':['alice']}";
        assertTrue(matches(policy, attributes("users", "String.Array", "[\"bob\",\"alice\"]")));
        assertFalse(matches(policy, attributes("users", "String.Array", "[\"bob\"]")));
    }

    @Test
    void binaryAttributesAreIgnored() {
        assertFalse(matches("{'blob':[{'exists':true}]}", attributes("blob", "Binary", "YWxpY2U=")));
        assertTrue(matches("{'blob':[{'exists':false}]}", attributes("blob", "Binary", "YWxpY2U=")));
    }

    @Test
    void emptyPolicyMatchesEverything() {
        assertTrue(matches("{}", attributes()));
    }

    @Test
    void bodyScopeMatchesNestedJsonFields() {
        String policy = "{'detail':{'user':['alice'],'age':[{'numeric':['>',90]}]}}";
        assertTrue(bodyMatches(policy, "{'detail':{'user':'alice','age':120}}"));
        assertFalse(bodyMatches(policy, "{'detail':{'user':'alice','age':30}}"));
        assertFalse(bodyMatches(policy, "{'user':'alice','age':120}"));
        assertFalse(bodyMatches(policy, "not json"));
        assertTrue(bodyMatches("{'tags':['b']}", "{'tags':['a','b']}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "not json",
            "['alice']",
            "{'user':'alice'}",
            "{'user':[]}",
            "{'user':[{'wildcard':'a*'}]}",
            "{'user':[{'prefix':1}]}",
            "{'user':[{'exists':'yes'}]}",
            "{'age':[{'numeric':['~',1]}]}",
            "{'age':[{'numeric':['=',1,'<',2]}]}",
            "{'detail':{'user':['alice']}}",
            "{'a':['1'],'b':['1'],'c':['1'],'d':['1'],'e':['1'],'f':['1']}"
    })
    void policiesSnsRejectsAreRejected(String policy) {
        assertThrows(IllegalArgumentException.class,
                () -> SnsFilterPolicy.parse(policy.replace('\'', '"'), Scope.MESSAGE_ATTRIBUTES));
    }

    @Test
    void tooManyCombinationsAreRejected() {
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < 13; i++) {
            values.append(i == 0 ? "" : ",").append("'v").append(i).append('\'');
        }
        String policy = "{'a':[" + values + "],'b':[" + values + "]}";
        assertThrows(IllegalArgumentException.class,
                () -> SnsFilterPolicy.parse(policy.replace('\'', '"'), Scope.MESSAGE_ATTRIBUTES));
    }
}
