package dev.accesskeyrotator.cli;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Every exit code of the command line, the one list that {@code --help} shows and docs/operations.md and
 * docs/key-owners.md are checked against. The administrators' commands ({@code run}, {@code status}, {@code fetch})
 * and a machine's {@code credentials} are two families: a scheduler tells "fix the command" from "fix the account"
 * from "look at these users", and an SDK only ever sees 0 or not.
 */
enum ExitCode {
    DONE(0, Family.BOTH, "done"),
    /** At least one user failed; the report says which and why. */
    USERS_FAILED(1, Family.ADMIN, "at least one user failed (the report says which and why)"),
    /** A flag, an option's value, a missing setting or an invalid parameter: nothing was changed. */
    USAGE(2, Family.BOTH, "usage or configuration error: a flag, no region, no such profile, a bad parameter;"
            + " nothing was changed"),
    /** No credentials, an expired sign-in, a refused call or an unreachable endpoint. */
    AWS(3, Family.ADMIN, "credentials or AWS error: no sign-in, access denied, endpoint unreachable"),
    /** No user failed, but at least one is blocked until a person acts (the report says what to do). */
    USERS_BLOCKED(4, Family.ADMIN, "no user failed but at least one is blocked until a person acts"),
    /**
     * {@code fetch} and {@code credentials init}: the secret is not proven the rotator's own for the user (another
     * KMS key, a re-keyed value, no marks), or a key in it is not well formed; nothing was written.
     */
    SECRET_REFUSED(6, Family.BOTH, "the secret is refused: not the rotator's (another KMS key, no marks) or a"
            + " malformed key; nothing was written"),

    NOT_SET_UP(3, Family.MACHINE, "not set up: no cache (run credentials init)"),
    CORRUPT_CACHE(4, Family.MACHINE, "the cache cannot be used: not init's file, a link, another user's, one others"
            + " may read or write"),
    NO_STARTING_KEY(5, Family.MACHINE, "init: no key to start from (no such profile, no key on standard input)"),
    UNREACHABLE(7, Family.MACHINE, "init: AWS could not be reached"),
    /** AWS refused the cached key itself: disabled or deleted before the machine switched. */
    KEY_REFUSED(8, Family.MACHINE, "AWS refused the cached key: disabled or deleted (run init with a working key)"),
    CANNOT_WRITE(9, Family.MACHINE, "init: the cache cannot be written"),
    /** {@code credentials status}: the last checks of the secret failed; the cached key is still served. */
    CHECKS_FAILING(10, Family.MACHINE, "credentials status: checks of the secret are failing (the cached key is"
            + " still served)"),

    /** A fault of this program: the one line names the version and points to --debug. */
    INTERNAL(70, Family.BOTH, "internal error: a bug (run again with --debug and report it)");

    /** Which commands return a code. */
    enum Family {
        /** {@code run}, {@code status} and {@code fetch}. */
        ADMIN,
        /** {@code credentials} and its subcommands. */
        MACHINE,
        BOTH;

        boolean includes(Family family) {
            return this == BOTH || this == family;
        }
    }

    private final int code;
    private final Family family;
    private final String meaning;

    ExitCode(int code, Family family, String meaning) {
        this.code = code;
        this.family = family;
        this.meaning = meaning;
    }

    int code() {
        return code;
    }

    String meaning() {
        return meaning;
    }

    /** The codes one family of commands returns, in order: what --help lists. */
    static Set<ExitCode> of(Family family) {
        Set<ExitCode> codes = EnumSet.noneOf(ExitCode.class);
        for (ExitCode code : values()) {
            if (code.family.includes(family)) {
                codes.add(code);
            }
        }
        return codes;
    }

    /** As picocli's exit-code list in --help: code (right-aligned) to meaning. */
    static Map<String, String> helpList(Family family) {
        Map<String, String> list = new LinkedHashMap<>();
        of(family).stream().sorted(java.util.Comparator.comparingInt(ExitCode::code))
                .forEach(code -> list.put(String.format("%3d", code.code), code.meaning));
        return list;
    }

    /**
     * Lists the codes in the help of every command: the credentials commands show theirs, the others and the top
     * level the administrators' ones, and the top level the credentials codes as well.
     */
    static void showIn(picocli.CommandLine root) {
        root.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes of run, status, fetch and rotate:%n")
                .exitCodeList(helpList(Family.ADMIN));
        java.util.List<String> footer = new java.util.ArrayList<>();
        footer.add("");
        footer.add("Exit codes of credentials (credential_process):");
        helpList(Family.MACHINE).forEach((code, meaning) -> footer.add("  " + code + "   " + meaning));
        footer.addAll(java.util.List.of(root.getCommandSpec().usageMessage().footer()));
        root.getCommandSpec().usageMessage().footer(footer.toArray(String[]::new));
        root.getSubcommands().forEach((name, command) -> showIn(command,
                name.equals("credentials") ? Family.MACHINE : Family.ADMIN));
    }

    private static void showIn(picocli.CommandLine command, Family family) {
        if (command.getCommandSpec().userObject() instanceof picocli.AutoComplete.GenerateCompletion) {
            return;
        }
        command.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n")
                .exitCodeList(helpList(family));
        command.getSubcommands().values().forEach(sub -> showIn(sub, family));
    }
}
