package dev.accesskeyrotator.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.accesskeyrotator.contract.SecretField;
import dev.accesskeyrotator.service.SecretDocument;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code credentials} keeps between runs, in one owner-only JSON file: the key it serves, and how to look for
 * a newer one (which secret, in which region, how often, when last looked). The key sits in the secret document's
 * own fields, so {@link SecretDocument#heldKey} reads it as it reads the secret.
 *
 * @param checkedAt when AWS last answered a read of the secret (or the cache was set up); the key is re-checked once
 *                  {@code refreshInterval} has passed since
 */
record CredentialsCache(String userName, SecretDocument.HeldKey key, String secretId, String region,
                        Optional<URI> endpoint, Duration refreshInterval, Instant checkedAt) {

    static final int FORMAT_VERSION = 1;
    static final Duration MIN_REFRESH = Duration.ofMinutes(1);
    static final Duration MAX_REFRESH = Duration.ofDays(1);
    private static final String SECRET_ID = "SecretId";
    private static final String REGION = "Region";
    private static final String ENDPOINT_URL = "EndpointUrl";
    private static final String REFRESH_MINUTES = "RefreshMinutes";
    private static final String CHECKED_AT = "CheckedAt";
    /** Jackson's streaming layer only: the object mapper would cost the cached path more than everything else. */
    private static final JsonFactory STREAMING = new JsonFactory();

    /** No cache file: the machine was never set up. */
    static final class Missing extends Exception {
        Missing(Path file) {
            super("no credentials cache at " + file);
        }
    }

    /** A cache file that cannot be used; the message says why without quoting the file, which holds a key. */
    static final class Corrupt extends Exception {
        Corrupt(String message) {
            super(message);
        }
    }

    /**
     * The default place for {@code user}'s cache: next to the SDK's own files, where the same user account (and, on
     * Windows, the same profile directory ACL) already keeps its keys.
     */
    static Path defaultLocation(String user, Map<String, String> env) {
        return CredentialsFile.defaultLocation(env).toAbsolutePath().getParent().resolve("access-key-rotator")
                .resolve(user + ".json");
    }

    boolean fresh(Instant now) {
        return now.isBefore(checkedAt.plus(refreshInterval));
    }

    CredentialsCache checked(SecretDocument.HeldKey current, Instant at) {
        return new CredentialsCache(userName, current, secretId, region, endpoint, refreshInterval, at);
    }

    static CredentialsCache read(Path file) throws Missing, Corrupt {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new Missing(file);
        } catch (IOException e) {
            throw new Corrupt("cannot read " + file + ": " + e.getClass().getSimpleName());
        }
        Map<String, Object> fields;
        try {
            fields = flatObject(bytes);
        } catch (IOException e) {
            throw new Corrupt(file + " is not a flat JSON object");
        }
        if (!Long.valueOf(FORMAT_VERSION).equals(fields.get(SecretField.VERSION.field()))) {
            throw new Corrupt(file + " has no " + SecretField.VERSION.field() + " " + FORMAT_VERSION);
        }
        SecretDocument.HeldKey key = SecretDocument.heldKey(field -> Optional.ofNullable(fields.get(field))
                        .filter(String.class::isInstance).map(String.class::cast))
                .orElseThrow(() -> new Corrupt(file + " holds no " + SecretField.ACCESS_KEY_ID.field() + " and "
                        + SecretField.SECRET_ACCESS_KEY.field()));
        Object minutes = fields.get(REFRESH_MINUTES);
        Duration refresh = Duration.ofMinutes(minutes instanceof Long value ? value : -1);
        if (refresh.compareTo(MIN_REFRESH) < 0 || refresh.compareTo(MAX_REFRESH) > 0) {
            throw new Corrupt(file + " has no " + REFRESH_MINUTES + " from " + MIN_REFRESH.toMinutes() + " to "
                    + MAX_REFRESH.toMinutes());
        }
        Instant checked;
        try {
            checked = Instant.parse(text(fields, CHECKED_AT, file));
        } catch (DateTimeException e) {
            throw new Corrupt(file + " has no valid " + CHECKED_AT);
        }
        Optional<URI> endpoint;
        try {
            endpoint = fields.get(ENDPOINT_URL) == null ? Optional.empty()
                    : Optional.of(new URI(text(fields, ENDPOINT_URL, file)));
        } catch (URISyntaxException e) {
            throw new Corrupt(file + " has no valid " + ENDPOINT_URL);
        }
        return new CredentialsCache(text(fields, SecretField.USER_NAME.field(), file), key,
                text(fields, SECRET_ID, file), text(fields, REGION, file), endpoint, refresh, checked);
    }

    /**
     * Replaces the file atomically (a temporary file in the same directory, then a rename), owner-only from the
     * moment it exists: an SDK may run this command from several processes at once, and none of them may ever see
     * half a file, nor anyone else a key.
     */
    void write(Path file) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonGenerator document = STREAMING.createGenerator(text)) {
            document.writeStartObject();
            document.writeNumberField(SecretField.VERSION.field(), FORMAT_VERSION);
            document.writeStringField(SecretField.USER_NAME.field(), userName);
            document.writeStringField(SecretField.ACCESS_KEY_ID.field(), key.accessKeyId());
            document.writeStringField(SecretField.SECRET_ACCESS_KEY.field(), key.secretAccessKey());
            document.writeStringField(SECRET_ID, secretId);
            document.writeStringField(REGION, region);
            if (endpoint.isPresent()) {
                document.writeStringField(ENDPOINT_URL, endpoint.get().toString());
            }
            document.writeNumberField(REFRESH_MINUTES, refreshInterval.toMinutes());
            document.writeStringField(CHECKED_AT, checkedAt.toString());
            document.writeEndObject();
        }
        byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);

        Path directory = file.toAbsolutePath().getParent();
        createOwnerOnlyDirectories(directory);
        Path temporary = createOwnerOnlyTemporary(directory, file.getFileName().toString());
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.write(ByteBuffer.wrap(bytes));
                // After a power cut the rename must not point at an empty file.
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** One JSON object of text, whole numbers, booleans and nulls; anything else is not a cache this code wrote. */
    private static Map<String, Object> flatObject(byte[] bytes) throws IOException {
        Map<String, Object> fields = new HashMap<>();
        try (JsonParser parser = STREAMING.createParser(bytes)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not an object");
            }
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
                if (token != JsonToken.FIELD_NAME) {
                    throw new IOException("not a field");
                }
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                fields.put(name, switch (value) {
                    case VALUE_STRING -> parser.getText();
                    case VALUE_NUMBER_INT -> parser.getLongValue();
                    case VALUE_TRUE, VALUE_FALSE -> parser.getBooleanValue();
                    case VALUE_NULL -> null;
                    default -> throw new IOException("not a flat value");
                });
            }
            if (parser.nextToken() != null) {
                throw new IOException("content after the object");
            }
        }
        return fields;
    }

    private static String text(Map<String, Object> fields, String field, Path file) throws Corrupt {
        if (fields.get(field) instanceof String value && !value.isBlank()) {
            return value;
        }
        throw new Corrupt(file + " has no " + field);
    }

    private static void createOwnerOnlyDirectories(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        try {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the directory inherits the user profile's ACL, which is already owner-only.
            Files.createDirectories(directory);
        }
    }

    /** A unique name, so that two processes refreshing at once never write into each other's file. */
    private static Path createOwnerOnlyTemporary(Path directory, String name) throws IOException {
        try {
            return Files.createTempFile(directory, "." + name + ".", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            return Files.createTempFile(directory, "." + name + ".", ".tmp");
        }
    }
}
