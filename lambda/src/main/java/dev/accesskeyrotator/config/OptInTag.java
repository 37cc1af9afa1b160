package dev.accesskeyrotator.config;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The tag that opts an IAM user in: {@code key=value} (that value only) or {@code key} (any value).
 * Validated against IAM's tag rules so a typo fails the run instead of silently matching nobody.
 */
public record OptInTag(String key, Optional<String> value) {
    // IAM tag keys and values: letters, digits, spaces and _ . : / = + - @ (keys 1-128, values 0-256).
    private static final Pattern TAG_CHARACTERS = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");
    static final String ALLOWED = "'key' or 'key=value'; key 1-128 and value 0-256 characters of letters, digits,"
            + " spaces and _.:/=+-@; key not starting with 'aws:'";

    public OptInTag {
        if (key == null || key.isBlank() || key.length() > 128 || !TAG_CHARACTERS.matcher(key).matches()
                || key.toLowerCase().startsWith("aws:") || !key.strip().equals(key)) {
            throw new IllegalArgumentException("invalid tag key");
        }
        if (value.isPresent() && (value.get().length() > 256 || !TAG_CHARACTERS.matcher(value.get()).matches())) {
            throw new IllegalArgumentException("invalid tag value");
        }
    }

    public static OptInTag parse(String setting, String text) {
        try {
            int equals = text.indexOf('=');
            return equals < 0
                    ? new OptInTag(text, Optional.empty())
                    : new OptInTag(text.substring(0, equals), Optional.of(text.substring(equals + 1)));
        } catch (IllegalArgumentException e) {
            throw ConfigurationException.invalid(setting, text, ALLOWED);
        }
    }

    /**
     * Whether every user this tag selects also carries {@code deployed}: the same tag, or a value chosen for a
     * key-only deployed tag. The stack's IAM permissions allow exactly the deployed tag, so a wider or different
     * {@code user-tag} would fail at IAM, or, worse, select users the stack was not deployed for.
     */
    public boolean equalsOrNarrows(OptInTag deployed) {
        return key.equals(deployed.key) && (deployed.value.isEmpty() || deployed.value.equals(value));
    }

    public boolean matches(Map<String, String> userTags) {
        String actual = userTags.get(key);
        return actual != null && value.map(actual::equals).orElse(true);
    }

    @Override
    public String toString() {
        return value.map(v -> key + "=" + v).orElse(key);
    }
}
