package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.contract.SecretField;
import dev.accesskeyrotator.service.SecretDocument;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Whether a key is well formed before anything is written with it: AWS's formats for an IAM user's access key, and
 * no control character anywhere. A value that breaks a line could add a section or a {@code credential_process} to
 * an AWS shared file, which an SDK would then run; the checks are plain Java so any command layer can call them.
 * Messages never quote a value: a malformed one may still hold a secret.
 */
final class KeyValues {
    /**
     * An IAM user's long-term access key id: {@code AKIA} and sixteen upper-case letters or digits (AWS's example
     * {@code AKIAIOSFODNN7EXAMPLE}). {@code ASIA} ids are temporary (STS) keys, which the rotator never stores and
     * {@code credentials init} refuses as a starting key.
     */
    static final Pattern ACCESS_KEY_ID = Pattern.compile("AKIA[A-Z0-9]{16}");
    /** Forty characters of base64's alphabet (AWS's example {@code wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY}). */
    static final Pattern SECRET_ACCESS_KEY = Pattern.compile("[A-Za-z0-9/+]{40}");

    private KeyValues() {}

    /**
     * Why {@code key} may not be used for {@code expectedUser}; empty when it may.
     *
     * @param userNameRequired a secret the rotator wrote always names its user; a plain credential_process payload
     *                         piped into {@code init} does not
     */
    static Optional<String> problem(SecretDocument.HeldKey key, String expectedUser, boolean userNameRequired) {
        if (!ACCESS_KEY_ID.matcher(key.accessKeyId()).matches()) {
            return Optional.of(SecretField.ACCESS_KEY_ID.field() + " is not an IAM user's access key id (AKIA and"
                    + " 16 upper-case letters or digits)");
        }
        if (!SECRET_ACCESS_KEY.matcher(key.secretAccessKey()).matches()) {
            return Optional.of(SecretField.SECRET_ACCESS_KEY.field() + " is not a secret access key (40 letters,"
                    + " digits, '/' or '+')");
        }
        if (key.userName().isEmpty()) {
            return userNameRequired ? Optional.of("it names no " + SecretField.USER_NAME.field()) : Optional.empty();
        }
        if (hasControlCharacter(key.userName().get())) {
            return Optional.of(SecretField.USER_NAME.field() + " holds a control character");
        }
        if (!key.userName().get().equals(expectedUser)) {
            return Optional.of("it holds a key of user " + key.userName().get() + ", not " + expectedUser);
        }
        return Optional.empty();
    }

    /** A line break, a tab, NUL, DEL or any other character of Unicode's control category. */
    static boolean hasControlCharacter(String value) {
        return value.codePoints().anyMatch(Character::isISOControl)
                || value.codePoints().anyMatch(c -> Character.getType(c) == Character.LINE_SEPARATOR
                || Character.getType(c) == Character.PARAGRAPH_SEPARATOR);
    }

    /**
     * The writers' own check, whatever path led to them: a value with a control character is never written.
     *
     * @param what names the value in the message, never quoting it
     */
    static void requireSingleLine(String what, String value) {
        if (value == null || hasControlCharacter(value)) {
            throw new UnsafeValue(what + " holds a line break or another control character; nothing written");
        }
    }

    /** A value a writer refused; the message names it without quoting it. */
    static final class UnsafeValue extends IllegalArgumentException {
        UnsafeValue(String message) {
            super(message);
        }
    }
}
