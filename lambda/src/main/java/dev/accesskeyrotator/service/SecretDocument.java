package dev.accesskeyrotator.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.accesskeyrotator.domain.SecretState;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.IdentityDirectory.NewAccessKey;

import java.util.Optional;

/**
 * The user secret's value: the key the user should use now, in a shape that also works as a
 * {@code credential_process} payload ({@code Version: 1}). {@code PreviousAccessKeyId} records which key this one
 * replaced; it is written in the same call as the new key, so the record can never disagree with the value.
 */
public final class SecretDocument {
    static final String ACCESS_KEY_ID = "AccessKeyId";
    static final String SECRET_ACCESS_KEY = "SecretAccessKey";
    static final String USER_NAME = "UserName";
    static final String CREATE_DATE = "CreateDate";
    static final String VERSION = "Version";
    static final String PREVIOUS_ACCESS_KEY_ID = "PreviousAccessKeyId";

    private SecretDocument() {}

    public static String render(NewAccessKey key, String replacedKeyId) {
        ObjectNode document = JsonLog.mapper().createObjectNode();
        document.put(VERSION, 1);
        document.put(ACCESS_KEY_ID, key.accessKeyId());
        document.put(SECRET_ACCESS_KEY, key.secretAccessKey());
        document.put(USER_NAME, key.userName());
        document.put(CREATE_DATE, key.createDate().toString());
        document.put(PREVIOUS_ACCESS_KEY_ID, replacedKeyId);
        return document.toString();
    }

    /**
     * Reads what the rules need from a secret value. Problems are described without quoting the value: a
     * malformed secret may still contain a secret access key.
     */
    public static SecretState read(String arn, String name, String secretString, Optional<String> notifiedKeyId) {
        JsonNode document;
        try {
            document = JsonLog.mapper().readTree(secretString);
        } catch (Exception e) {
            return new SecretState.Unreadable(arn, "value is not JSON");
        }
        if (document == null || !document.isObject()) {
            return new SecretState.Unreadable(arn, "value is not a JSON object");
        }
        Optional<String> keyId = text(document, ACCESS_KEY_ID);
        Optional<String> owner = text(document, USER_NAME);
        if (keyId.isEmpty() || owner.isEmpty() || text(document, SECRET_ACCESS_KEY).isEmpty()) {
            return new SecretState.Unreadable(arn, "missing AccessKeyId, SecretAccessKey or UserName");
        }
        return new SecretState.Stored(arn, name, keyId.get(), owner.get(), text(document, PREVIOUS_ACCESS_KEY_ID),
                notifiedKeyId);
    }

    public static Optional<String> currentKeyId(String secretString) {
        try {
            return text(JsonLog.mapper().readTree(secretString), ACCESS_KEY_ID);
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static Optional<String> text(JsonNode document, String field) {
        JsonNode node = document == null ? null : document.get(field);
        return node != null && node.isTextual() && !node.asText().isBlank() ? Optional.of(node.asText())
                : Optional.empty();
    }
}
