package dev.accesskeyrotator.contract;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The tag that opts an IAM user in: {@code key=value} (that value only) or {@code key} (any value), split at the
 * first {@code '='}. The stack turns the deployed tag into the {@code iam:ResourceTag} condition on every key action,
 * and the function selects users with the {@code user-tag} parameter: both read it with this one parser.
 */
public record OptInTag(String key, Optional<String> value) {
    public static final String DEFAULT = "access-key-rotation=enabled";
    /** What {@link #parse} accepts, in words, for error messages and the docs. */
    public static final String ALLOWED = "'key' or 'key=value'; key 1-128 and value 0-256 characters of letters,"
            + " digits, spaces and _.:/=+-@; key not starting with 'aws:'";
    /**
     * The same syntax as a Parameter Store {@code AllowedPattern}: a key of 1-128 tag characters other than '=' that
     * neither starts nor ends with a space, and a value of 0-256 tag characters. Only the {@code aws:} prefix rule is
     * left to {@link #parse}: a regular expression without look-ahead cannot say it clearly.
     */
    public static final String ALLOWED_PATTERN =
            "^[\\p{L}\\p{N}_.:/+\\-@]([\\p{L}\\p{Z}\\p{N}_.:/+\\-@]{0,126}[\\p{L}\\p{N}_.:/+\\-@])?"
                    + "(=[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]{0,256})?$";

    /** IAM tag characters: letters, digits, spaces and {@code _ . : / = + - @}. */
    private static final Pattern TAG_CHARACTERS = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");

    public OptInTag {
        if (key == null || key.isBlank() || key.length() > 128 || !TAG_CHARACTERS.matcher(key).matches()
                || key.toLowerCase(Locale.ROOT).startsWith("aws:") || !key.strip().equals(key)) {
            throw new IllegalArgumentException("invalid tag key '" + key + "'; allowed: " + ALLOWED);
        }
        if (value.isPresent() && (value.get().length() > 256 || !TAG_CHARACTERS.matcher(value.get()).matches())) {
            throw new IllegalArgumentException("invalid tag value '" + value.get() + "'; allowed: " + ALLOWED);
        }
    }

    /** @throws IllegalArgumentException when {@code text} is not a valid tag, saying what is allowed */
    public static OptInTag parse(String text) {
        int equals = text.indexOf('=');
        return equals < 0
                ? new OptInTag(text, Optional.empty())
                : new OptInTag(text.substring(0, equals), Optional.of(text.substring(equals + 1)));
    }

    public boolean matches(Map<String, String> userTags) {
        String actual = userTags.get(key);
        return actual != null && value.map(actual::equals).orElse(true);
    }

    /**
     * Whether every user this tag selects also carries {@code deployed}: the same tag, or a value chosen for a
     * key-only deployed tag. The stack's IAM permissions allow exactly the deployed tag, so a wider or different
     * {@code user-tag} would fail at IAM, or, worse, select users the stack was not deployed for.
     */
    public boolean equalsOrNarrows(OptInTag deployed) {
        return key.equals(deployed.key) && (deployed.value.isEmpty() || deployed.value.equals(value));
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
