package dev.accesskeyrotator.infra;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The tag that opts an IAM user in to rotation: {@code key=value} (that value only) or {@code key} (any value).
 *
 * <p>Parsed the same way as the function's {@code user-tag} parameter (split at the first {@code '='}), because the
 * stack turns it into the {@code iam:ResourceTag} condition that limits every key-changing IAM call: the function
 * and its permissions must agree on which users are opted in.
 */
public record OptInTag(String key, Optional<String> value) {
    /** IAM tag characters: letters, digits, spaces and {@code _ . : / = + - @}. */
    private static final Pattern TAG_CHARACTERS = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");

    public OptInTag {
        if (key == null || key.isBlank() || key.length() > 128 || !TAG_CHARACTERS.matcher(key).matches()
                || !key.strip().equals(key) || key.toLowerCase().startsWith("aws:")) {
            throw new IllegalArgumentException("optInTag key '" + key + "' is not a valid IAM tag key: 1-128 letters,"
                    + " digits, spaces and _.:/=+-@, not starting with 'aws:'");
        }
        if (value.isPresent() && (value.get().length() > 256 || !TAG_CHARACTERS.matcher(value.get()).matches())) {
            throw new IllegalArgumentException("optInTag value '" + value.get() + "' is not a valid IAM tag value:"
                    + " 0-256 letters, digits, spaces and _.:/=+-@");
        }
    }

    public static OptInTag parse(String text) {
        int equals = text.indexOf('=');
        return equals < 0
                ? new OptInTag(text, Optional.empty())
                : new OptInTag(text.substring(0, equals), Optional.of(text.substring(equals + 1)));
    }

    /** The IAM condition key that tests this tag on the user a call acts on. */
    public String resourceTagConditionKey() {
        return "iam:ResourceTag/" + key;
    }

    @Override
    public String toString() {
        return value.map(v -> key + "=" + v).orElse(key);
    }
}
