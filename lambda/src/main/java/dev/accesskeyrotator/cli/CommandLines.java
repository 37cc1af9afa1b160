package dev.accesskeyrotator.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.List;

/** The picocli command line around {@link Main}: its streams, defaults, help layout and error handling. */
final class CommandLines {
    private CommandLines() {}

    static int execute(Main main, List<String> args) {
        return commandLine(main).execute(args.toArray(String[]::new));
    }

    /** The whole command line, its help and its error handling, for {@code context}. */
    static CommandLine commandLine(Main main) {
        Main.Context context = main.context;
        CommandLine commandLine = new CommandLine(main);
        commandLine.setResourceBundle(new CliOptions.HelpTexts());
        commandLine.setOut(new PrintWriter(context.out(), true))
                .setErr(new PrintWriter(context.err(), true))
                .setDefaultValueProvider(new CliOptions.EnvironmentDefaults(context.env()))
                .setParameterExceptionHandler(Failures::usage)
                .setExecutionExceptionHandler(new Failures(main))
                .setUsageHelpAutoWidth(false)
                .setUsageHelpWidth(120);
        ExitCode.showIn(commandLine);
        return commandLine;
    }

}
