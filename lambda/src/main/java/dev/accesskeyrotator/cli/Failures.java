package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.config.ConfigurationException;
import dev.accesskeyrotator.port.AwsFailure;
import picocli.CommandLine;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

import java.io.PrintWriter;

/**
 * The one place where an exception becomes what a person sees: one line on standard error and a documented
 * {@link ExitCode}, never a stack trace (unless {@code --debug} asks for it). A command returns its code for what it
 * expects; whatever it throws ends here.
 */
final class Failures implements CommandLine.IExecutionExceptionHandler {
    private final Main main;

    Failures(Main main) {
        this.main = main;
    }

    /** A mistake on the command line, found by a command after parsing: {@code error: ...} and exit code 2. */
    static final class UsageError extends RuntimeException {
        UsageError(String message) {
            super(message);
        }
    }

    /** picocli's own: an unknown option, a bad value, missing options; one line that points to the command's help. */
    static int usage(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        String message = e.getMessage();
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched) {
            // Only the names: a value pasted after '=' may be a secret, and this goes to a terminal and its history.
            message = "unknown option or argument " + String.join(", ", unmatched.getUnmatched().stream()
                    .map(arg -> arg.startsWith("-") && arg.contains("=") ? arg.substring(0, arg.indexOf('='))
                            : arg).toList());
            java.util.List<String> suggestions = unmatched.getSuggestions();
            if (!suggestions.isEmpty()) {
                message += " (did you mean " + String.join(" or ", suggestions) + "?)";
            }
        }
        if (e instanceof CommandLine.MissingParameterException) {
            message = allMissing(command).orElse(message);
        }
        message = message.replaceFirst("^Error: ", "");
        err.println("error: " + oneLine(message) + " (see " + command.getCommandSpec().qualifiedName() + " --help)");
        return ExitCode.USAGE.code();
    }

    /**
     * picocli stops at the first missing option or group; a person wants them all in one go. Every required option
     * and required group of the command that was not given, as {@code --user=NAME, one of (--from-profile=PROFILE |
     * --stdin)}.
     */
    private static java.util.Optional<String> allMissing(CommandLine command) {
        CommandLine.ParseResult parsed = command.getParseResult();
        if (parsed == null) {
            return java.util.Optional.empty();
        }
        java.util.List<String> missing = new java.util.ArrayList<>();
        for (CommandLine.Model.OptionSpec option : command.getCommandSpec().options()) {
            if (option.required() && option.group() == null && !parsed.hasMatchedOption(option)) {
                missing.add(option.longestName() + (option.arity().max() > 0 ? "=" + option.paramLabel() : ""));
            }
        }
        for (CommandLine.Model.ArgGroupSpec group : command.getCommandSpec().argGroups()) {
            boolean matched = group.options().stream().anyMatch(parsed::hasMatchedOption);
            if (group.multiplicity().min() > 0 && !matched) {
                missing.add("one of (" + String.join(" | ", group.options().stream().map(option ->
                        option.longestName() + (option.arity().max() > 0 ? "=" + option.paramLabel() : ""))
                        .toList()) + ")");
            }
        }
        return missing.isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of("missing required option" + (missing.size() == 1 ? "" : "s") + ": "
                + String.join(", ", missing));
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
        PrintWriter err = command.getErr();
        String where = command.getCommandSpec().qualifiedName();
        int code;
        if (e instanceof UsageError) {
            err.println("error: " + oneLine(e.getMessage()) + " (see " + where + " --help)");
            code = ExitCode.USAGE.code();
        } else if (e instanceof CommandFailure failure) {
            err.println("error: " + oneLine(failure.getMessage()));
            code = failure.exitCode.code();
        } else if (e instanceof ConfigurationException configuration) {
            err.println("error: " + oneLine(configuration.getMessage()));
            code = ExitCode.USAGE.code();
        } else if (e instanceof AwsFailure || e instanceof SdkClientException) {
            err.println(CliAws.explain((RuntimeException) e));
            code = ExitCode.AWS.code();
        } else if (e instanceof SdkException sdk) {
            // A service error the command did not expect, already one line without the SDK's request details.
            err.println("AWS error: " + CliAws.firstLine(sdk.getMessage()));
            code = ExitCode.AWS.code();
        } else {
            err.println("internal error in " + Main.NAME + " " + Main.version() + ": "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + oneLine(e.getMessage()))
                    + "; run again with --debug to see where, and report it");
            code = ExitCode.INTERNAL.code();
        }
        if (main.debug()) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    static String oneLine(String text) {
        String line = text == null ? "" : text.replaceAll("\\s+", " ").strip();
        return line.length() <= 400 ? line : line.substring(0, 397) + "...";
    }
}
