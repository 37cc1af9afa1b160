package dev.accesskeyrotator.service;

import dev.accesskeyrotator.contract.SecretField;
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
    private static final String ACCESS_KEY_ID = SecretField.ACCESS_KEY_ID.field();
    private static final String SECRET_ACCESS_KEY = SecretField.SECRET_ACCESS_KEY.field();
    private static final String USER_NAME = SecretField.USER_NAME.field();

    private SecretDocument() {}

    public static String render(NewAccessKey key, String replacedKeyId) {
        ObjectNode document = JsonLog.mapper().createObjectNode();
        document.put(SecretField.VERSION.field(), SecretField.DOCUMENT_VERSION);
        document.put(ACCESS_KEY_ID, key.accessKeyId());
        document.put(SECRET_ACCESS_KEY, key.secretAccessKey());
        document.put(USER_NAME, key.userName());
        document.put(SecretField.CREATE_DATE.field(), key.createDate().toString());
        document.put(SecretField.PREVIOUS_ACCESS_KEY_ID.field(), replacedKeyId);
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
        return new SecretState.Stored(arn, name, keyId.get(), owner.get(),
                text(document, SecretField.PREVIOUS_ACCESS_KEY_ID.field()), notifiedKeyId);
    }

    /** The key a secret value holds, as its owner's tools read it. {@link #toString()} hides the secret. */
    public record HeldKey(String accessKeyId, String secretAccessKey, Optional<String> userName) {
        @Override
        public String toString() {
            return "HeldKey[accessKeyId=" + accessKeyId + ", secretAccessKey=***, userName=" + userName + "]";
        }
    }

    /** The key in a secret value; empty when the value (null for a binary secret) is not a key document. */
    public static Optional<HeldKey> heldKey(String secretString) {
        JsonNode document;
        try {
            document = secretString == null ? null : JsonLog.mapper().readTree(secretString);
        } catch (Exception e) {
            return Optional.empty();
        }
        Optional<String> keyId = text(document, ACCESS_KEY_ID);
        Optional<String> secret = text(document, SECRET_ACCESS_KEY);
        if (keyId.isEmpty() || secret.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new HeldKey(keyId.get(), secret.get(), text(document, USER_NAME)));
    }

    public static Optional<String> currentKeyId(String secretString) {
        try {
            return text(JsonLog.mapper().readTree(secretString), ACCESS_KEY_ID);
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static Optional<String> text(JsonNode document, String field) {
        JsonNode node = document == null || !document.isObject() ? null : document.get(field);
        return node != null && node.isTextual() && !node.asText().isBlank() ? Optional.of(node.asText())
                : Optional.empty();
    }
}
