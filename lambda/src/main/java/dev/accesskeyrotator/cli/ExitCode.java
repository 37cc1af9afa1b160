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

    private ExitCode() {}
}
