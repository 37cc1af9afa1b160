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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What {@code credentials} keeps between runs, in one owner-only JSON file: the key it serves, and how to look for
 * a newer one (which secret, in which region, how often, when last looked). The key sits in the secret document's
 * own fields, so {@link SecretDocument#heldKey} reads it as it reads the secret.
 *
 * <p>The file and its directory must be the user's own and writable by nobody else; a symbolic link in place of the
 * file is refused, never followed, on reading and on writing ({@link OwnerFiles}).
 *
 * @param checkedAt when AWS last answered a read of the secret (or the cache was set up); the key is re-checked once
 *                  {@code refreshInterval} has passed since
 * @param stackKey  the stack's user secrets key, pinned when the secret was first proven the rotator's; a cache from
 *                  before pinning has none and looks it up by alias at its next check
 * @param failure   the checks that failed since the last one that worked, if any: the next one waits longer
 */
record CredentialsCache(String userName, SecretDocument.HeldKey key, String secretId, String region,
                        Optional<URI> endpoint, Duration refreshInterval, Instant checkedAt,
                        Optional<OwnedSecretCheck.StackKey> stackKey, Optional<CheckFailure> failure) {

    static final int FORMAT_VERSION = 1;
    static final Duration MIN_REFRESH = Duration.ofMinutes(1);
    static final Duration MAX_REFRESH = Duration.ofDays(1);
    private static final String SECRET_ID = "SecretId";
    private static final String REGION = "Region";
    private static final String ENDPOINT_URL = "EndpointUrl";
    private static final String REFRESH_MINUTES = "RefreshMinutes";
    private static final String CHECKED_AT = "CheckedAt";
    private static final String KMS_KEY_ARN = "KmsKeyArn";
    private static final String FAILED_CHECKS = "FailedChecks";
    private static final String FAILING_SINCE = "FailingSince";
    private static final String LAST_FAILURE_AT = "LastFailureAt";
    private static final String LAST_FAILURE_KIND = "LastFailureKind";
    private static final String LAST_FAILURE = "LastFailure";
    /** The wait after the first failed check; it doubles with each further one, up to the refresh interval. */
    static final Duration FIRST_RETRY = Duration.ofMinutes(2);

    /**
     * Checks of the secret that failed in a row: when the last was, what kind ({@link #UNREACHABLE}, {@link #REFUSED},
     * {@link #SECRET_REFUSED}), its one line, how many, and since when.
     */
    record CheckFailure(Instant at, String kind, String message, int count, Instant since) {
        /** No answer from AWS (a network, a proxy, a timeout). */
        static final String UNREACHABLE = "unreachable";
        /** AWS (or what answered for it) refused the request: AccessDenied, a 403 without a code. */
        static final String REFUSED = "refused";
        /** The secret is not proven the rotator's, or holds no well-formed key. */
        static final String SECRET_REFUSED = "secret-refused";

        /** The back-off: twice as long after each failure in a row, never longer than {@code refresh}. */
        Duration retryAfter(Duration refresh) {
            Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(count - 1, 20));
            return wait.compareTo(refresh) > 0 ? refresh : wait;
        }
    }
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
    static Path defaultLocation(String user) {
        return CredentialsFile.defaultLocation().toAbsolutePath().getParent().resolve("access-key-rotator")
                .resolve(user + ".json");
    }

    CredentialsCache(String userName, SecretDocument.HeldKey key, String secretId, String region,
                     Optional<URI> endpoint, Duration refreshInterval, Instant checkedAt) {
        this(userName, key, secretId, region, endpoint, refreshInterval, checkedAt, Optional.empty(),
                Optional.empty());
    }

    /** When the secret is looked at next: a refresh interval after the last check, sooner after a failed one. */
    Instant nextCheck() {
        return failure.map(f -> f.at().plus(f.retryAfter(refreshInterval)))
                .orElse(checkedAt.plus(refreshInterval));
    }

    boolean checkDue(Instant now) {
        return !now.isBefore(nextCheck());
    }

    /** After a check that proved the secret the rotator's with {@code provenWith}, which is pinned from now on. */
    CredentialsCache checked(SecretDocument.HeldKey current, Instant at, OwnedSecretCheck.StackKey provenWith) {
        return new CredentialsCache(userName, current, secretId, region, endpoint, refreshInterval, at,
                Optional.of(provenWith), Optional.empty());
    }

    /** After a check that AWS answered without a key to switch to (no secret yet). */
    CredentialsCache checkedUnchanged(Instant at) {
        return new CredentialsCache(userName, key, secretId, region, endpoint, refreshInterval, at, stackKey,
                Optional.empty());
    }

    /** After a check that failed: the key and the last good check stay. */
    CredentialsCache failed(CheckFailure checkFailure) {
        return new CredentialsCache(userName, key, secretId, region, endpoint, refreshInterval, checkedAt, stackKey,
                Optional.of(checkFailure));
    }

    static CredentialsCache read(Path file) throws Missing, Corrupt {
        byte[] bytes;
        try {
            OwnerFiles.checkDirectory(file.toAbsolutePath().getParent(), OwnerFiles.Others.MAY_NOT_WRITE);
            bytes = OwnerFiles.readOwnFile(file);
            refuseReadableByOthers(file);
        } catch (NoSuchFileException e) {
            throw new Missing(file);
        } catch (OwnerFiles.Unsafe e) {
            // Whoever could plant or change the file could hand this machine a key of theirs: nothing is served.
            throw new Corrupt(e.getMessage());
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
        Optional<OwnedSecretCheck.StackKey> stackKey = fields.get(KMS_KEY_ARN) == null ? Optional.empty()
                : Optional.of(new OwnedSecretCheck.StackKey(text(fields, KMS_KEY_ARN, file)));
        String userName = text(fields, SecretField.USER_NAME.field(), file);
        if (KeyValues.problem(key, userName, false).isPresent()) {
            throw new Corrupt(file + " holds no well-formed key of user " + userName);
        }
        Optional<CheckFailure> failure = Optional.empty();
        if (fields.get(FAILED_CHECKS) instanceof Long count && count > 0) {
            try {
                failure = Optional.of(new CheckFailure(Instant.parse(text(fields, LAST_FAILURE_AT, file)),
                        text(fields, LAST_FAILURE_KIND, file), text(fields, LAST_FAILURE, file),
                        (int) Math.min(count, Integer.MAX_VALUE), Instant.parse(text(fields, FAILING_SINCE, file))));
            } catch (DateTimeException e) {
                throw new Corrupt(file + " has no valid " + LAST_FAILURE_AT + " or " + FAILING_SINCE);
            }
        }
        return new CredentialsCache(userName, key, text(fields, SECRET_ID, file), text(fields, REGION, file),
                endpoint, refresh, checked, stackKey, failure);
    }

    /**
     * The key in the cache is a secret: a file its group or others may read has shown it to them, so it is not
     * served as if nothing happened.
     */
    private static void refuseReadableByOthers(Path file) throws IOException {
        if (!OwnerFiles.posix()) {
            return;
        }
        java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions = Files.getPosixFilePermissions(file,
                LinkOption.NOFOLLOW_LINKS);
        if (permissions.contains(java.nio.file.attribute.PosixFilePermission.GROUP_READ)
                || permissions.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
            throw new OwnerFiles.Unsafe(file + " is readable by its group or others ("
                    + java.nio.file.attribute.PosixFilePermissions.toString(permissions) + "), so the key in it may"
                    + " have been copied; make it yours alone (chmod 600 " + file + ") and ask your platform team"
                    + " whether to rotate the key");
        }
    }

    /**
     * Replaces the file atomically (a temporary file in the same directory, then a rename), owner-only from the
     * moment it exists: an SDK may run this command from several processes at once, and none of them may ever see
     * half a file, nor anyone else a key.
     */
    void write(Path file) throws IOException {
        write(file, OwnerFiles.RANDOM_NAMES);
    }

    /** @param temporaryNames the random part of the temporary file's name; tests pass a fixed one */
    void write(Path file, Supplier<String> temporaryNames) throws IOException {
        // The writer's own check, whatever path led here: no value with a line break or control character.
        KeyValues.requireSingleLine(SecretField.USER_NAME.field(), userName);
        KeyValues.requireSingleLine(SecretField.ACCESS_KEY_ID.field(), key.accessKeyId());
        KeyValues.requireSingleLine(SecretField.SECRET_ACCESS_KEY.field(), key.secretAccessKey());
        KeyValues.requireSingleLine(SECRET_ID, secretId);
        KeyValues.requireSingleLine(REGION, region);
        KeyValues.requireSingleLine(ENDPOINT_URL, endpoint.map(URI::toString).orElse(""));
        KeyValues.requireSingleLine(KMS_KEY_ARN, stackKey.map(OwnedSecretCheck.StackKey::arn).orElse(""));
        KeyValues.requireSingleLine(LAST_FAILURE_KIND, failure.map(CheckFailure::kind).orElse(""));
        KeyValues.requireSingleLine(LAST_FAILURE, failure.map(CheckFailure::message).orElse(""));
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
            if (stackKey.isPresent()) {
                document.writeStringField(KMS_KEY_ARN, stackKey.get().arn());
            }
            if (failure.isPresent()) {
                document.writeNumberField(FAILED_CHECKS, failure.get().count());
                document.writeStringField(FAILING_SINCE, failure.get().since().toString());
                document.writeStringField(LAST_FAILURE_AT, failure.get().at().toString());
                document.writeStringField(LAST_FAILURE_KIND, failure.get().kind());
                document.writeStringField(LAST_FAILURE, failure.get().message());
            }
            document.writeEndObject();
        }
        byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);

        Path absolute = file.toAbsolutePath();
        Path directory = absolute.getParent();
        OwnerFiles.createOwnerOnlyDirectories(directory);
        OwnerFiles.checkDirectory(directory, OwnerFiles.Others.MAY_NOT_WRITE);
        if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            // A symbolic link, another user's file or one others may write was not put there by this tool.
            OwnerFiles.checkFile(absolute);
        }
        OwnerFiles.replaceAtomically(absolute, bytes, temporaryNames);
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
}
