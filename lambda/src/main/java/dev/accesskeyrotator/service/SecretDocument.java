package dev.accesskeyrotator.service;

import dev.accesskeyrotator.contract.SecretField;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.accesskeyrotator.domain.SecretState;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.IdentityDirectory.NewAccessKey;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.function.Function;

/**
 * The user secret's value: the key the user should use now, in a shape that also works as a
 * {@code credential_process} payload ({@code Version: 1}). {@code PreviousAccessKeyId} records which key this one
 * replaced; it is written in the same call as the new key, so the record can never disagree with the value.
 */
public final class SecretDocument {
    private static final String ACCESS_KEY_ID = SecretField.ACCESS_KEY_ID.field();
    private static final String SECRET_ACCESS_KEY = SecretField.SECRET_ACCESS_KEY.field();
    private static final String USER_NAME = SecretField.USER_NAME.field();
    /** AWS's {@code credential_process} field, only ever in that output: the secret itself has no expiry. */
    private static final String EXPIRATION = "Expiration";
    /** Jackson's streaming layer alone; the object mapper costs a credential process more to start than the rest. */
    private static final JsonFactory STREAMING = new JsonFactory();

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
     * The value a secret is created with before it holds a key: the user it is for and when, no key. Its owner's tools
     * read it as "no key yet" ({@link #isReservation}).
     */
    public static String renderReservation(String userName, Instant reservedAt) {
        ObjectNode document = JsonLog.mapper().createObjectNode();
        document.put(SecretField.VERSION.field(), SecretField.DOCUMENT_VERSION);
        document.put(USER_NAME, userName);
        document.put(SecretField.RESERVED_AT.field(), reservedAt.toString());
        return document.toString();
    }

    /** Whether a secret value is the rotator's reservation (no key yet) rather than a key document. */
    public static boolean isReservation(String secretString) {
        try {
            return secretString != null && isReservation(JsonLog.mapper().readTree(secretString));
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean isReservation(JsonNode document) {
        return heldKey(document).isEmpty() && text(document, SecretField.RESERVED_AT.field()).isPresent();
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
        if (isReservation(document)) {
            // The rotator's records (its intent) are on the tags; the reader adds them.
            return new SecretState.Reserved(arn, name, Optional.empty());
        }
        Optional<HeldKey> held = heldKey(document);
        Optional<String> owner = held.flatMap(HeldKey::userName);
        if (owner.isEmpty()) {
            return new SecretState.Unreadable(arn,
                    "missing " + ACCESS_KEY_ID + ", " + SECRET_ACCESS_KEY + " or " + USER_NAME);
        }
        return new SecretState.Stored(arn, name, held.get().accessKeyId(), owner.get(),
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
        return heldKey(document);
    }

    /** The key in a parsed document (a secret value, or a {@code credential_process} payload); empty if none. */
    public static Optional<HeldKey> heldKey(JsonNode document) {
        return heldKey(field -> text(document, field));
    }

    /**
     * The one rule for what holds a key, whatever parsed the document: both key fields present as non-blank text.
     * The owner's credentials cache keeps its key in the same fields and is read with this rule too, by a parser
     * light enough for a command an SDK starts on every credential refresh.
     *
     * @param textField a top-level field's text; empty when it is missing or not text
     */
    public static Optional<HeldKey> heldKey(Function<String, Optional<String>> textField) {
        Function<String, Optional<String>> nonBlank = field -> textField.apply(field).filter(v -> !v.isBlank());
        Optional<String> keyId = nonBlank.apply(ACCESS_KEY_ID);
        Optional<String> secret = nonBlank.apply(SECRET_ACCESS_KEY);
        if (keyId.isEmpty() || secret.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new HeldKey(keyId.get(), secret.get(), nonBlank.apply(USER_NAME)));
    }

    /**
     * The key as the AWS CLI and SDKs read a {@code credential_process}'s output; they run the process again when
     * {@code expiration} comes, which is how a long-running process picks up a rotated key. Written with the
     * streaming generator: this is on the path that must start fast.
     */
    public static String credentialProcessOutput(HeldKey key, Instant expiration) {
        StringWriter text = new StringWriter();
        try (JsonGenerator output = STREAMING.createGenerator(text)) {
            output.writeStartObject();
            output.writeNumberField(SecretField.VERSION.field(), SecretField.DOCUMENT_VERSION);
            output.writeStringField(ACCESS_KEY_ID, key.accessKeyId());
            output.writeStringField(SECRET_ACCESS_KEY, key.secretAccessKey());
            output.writeStringField(EXPIRATION, expiration.truncatedTo(ChronoUnit.SECONDS).toString());
            output.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
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
