package dev.accesskeyrotator.cli;

/**
 * The exit codes of {@code run}, {@code fetch} and {@code status}, as {@code --help} and docs/operations.md list
 * them; a script or a scheduler tells "fix the command" from "fix the account" from "look at these users".
 */
final class ExitCode {
    static final int DONE = 0;
    /** At least one user failed; the report says which and why. */
    static final int USERS_FAILED = 1;
    /** A flag or an option's value is wrong. */
    static final int USAGE = 2;
    /** A setting or a parameter is missing or invalid (no region, a bad Parameter Store value): nothing was changed. */
    static final int CONFIGURATION = 2;
    /** No credentials, an expired sign-in, a refused call or an unreachable endpoint. */
    static final int AWS = 3;
    /** No user failed, but at least one is blocked until a person acts (the report says what to do). */
    static final int USERS_BLOCKED = 4;
    /**
     * {@code fetch} and {@code credentials init}: the secret is not proven the rotator's own for the user (another
     * KMS key, a re-keyed value, no marks), or a key in it is not well formed; nothing was written.
     */
    static final int SECRET_REFUSED = 6;

    private ExitCode() {}
}
