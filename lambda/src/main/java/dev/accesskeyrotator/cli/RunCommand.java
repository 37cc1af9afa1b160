package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.service.ReportCount;
import dev.accesskeyrotator.contract.EnvironmentVariable;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.config.ConfigurationException;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.RotationService;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.UserResult;
import dev.accesskeyrotator.wiring.RotatorFactory;
import software.amazon.awssdk.regions.Region;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code run}: one rotation from a shell with the standard credential chain; the report goes to stdout. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "One rotation run, as the scheduled Lambda does it; the report goes to standard output.")
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--dry-run", description = "Plan and report only; nothing is changed (preview before deploying).")
    boolean dryRun;

    @Mixin
    CliOptions.RunnerOutput runner;

    @Mixin
    CliOptions.Endpoint endpoint;

    @Mixin
    CliOptions.ParameterPrefix parameterPrefix;

    @Mixin
    CliOptions.SecretPrefix secretPrefix;

    @Mixin
    CliOptions.FunctionSettings settings;

    @Override
    public Integer call() {
        Main.Context context = main.context;
        PrintStream out = context.out();
        PrintStream err = context.err();
        Map<String, String> settingsEnv = CliOptions.FunctionSettings.environment(context.env(), spec, dryRun);
        JsonLog log = runner.log(err, main.debug(), context.clock());
        RotatorSettings settings;
        try {
            settings = RotatorSettings.fromEnvironment(settingsEnv);
        } catch (ConfigurationException e) {
            String inFlags = inFlags(e, spec.commandLine().getParseResult());
            // A flag the person typed is theirs to fix at once; a Parameter Store value is the account's configuration.
            err.println((inFlags.equals(e.getMessage()) ? "configuration error: " : "error: ") + inFlags);
            return ExitCode.USAGE.code();
        }
        Region region = CliAws.region(endpoint.region(), runner.profile());
        AwsClients.Options clientOptions = AwsClients.Options.forCli(region, runner.profile(), endpoint.endpointUrl());
        try (AwsClients clients = new AwsClients(clientOptions)) {
            CliAws.requireCredentials(clients.credentials(), runner.profile());
            RotationService service = RotatorFactory.create(settings, clients, context.clock(), log);
            if (runner.forAPerson()) {
                service.onProgress(new ProgressLines(err, System::nanoTime));
            }
            RunReport report = service.run(new RotationService.RunRequest(dryRun, RotationService.Deadline.none()));
            out.println(runner.json() ? toPrettyJson(report) : ReportTable.render(report));
            if (report.count(ReportCount.FAILED) > 0) {
                return ExitCode.USERS_FAILED.code();
            }
            return (report.count(ReportCount.BLOCKED) > 0 ? ExitCode.USERS_BLOCKED : ExitCode.DONE).code();
        } catch (ConfigurationException e) {
            // A bad Parameter Store value: the account's configuration.
            err.println("configuration error: " + e.getMessage());
            return ExitCode.USAGE.code();
        }
    }

    /**
     * The settings speak of the function's environment variables; a person typed flags, so the message names the
     * flag when one was given, and a missing required setting is the flag a run without --dry-run needs.
     */
    static String inFlags(ConfigurationException e, CommandLine.ParseResult parsed) {
        for (Map.Entry<EnvironmentVariable, String> entry : CliAws.SETTING_FLAGS.entrySet()) {
            if (entry.getKey().name().equals(e.setting()) && e.getMessage().startsWith("required")) {
                return entry.getValue() + " is required unless --dry-run";
            }
        }
        String message = e.getMessage();
        for (Map.Entry<EnvironmentVariable, String> entry : CliAws.SETTING_FLAGS.entrySet()) {
            if (parsed.hasMatchedOption(entry.getValue())) {
                message = message.replace("environment variable " + entry.getKey().name(), entry.getValue());
            }
        }
        return message;
    }

    static String toPrettyJson(RunReport report) {
        try {
            return JsonLog.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render report", e);
        }
    }

    /** Plain columns for a terminal. */
    static final class ReportTable {
        private ReportTable() {}

        static String render(RunReport report) {
            StringBuilder text = new StringBuilder();
            text.append(report.dryRun() ? "DRY RUN: nothing was changed\n" : "")
                    .append("run ").append(report.runId()).append("  discovery: ").append(report.discovery())
                    .append('\n');
            text.append("configuration: ").append(report.configuration()).append("\n\n");
            List<UserResult> users = report.users();
            int userWidth = Math.max(4, users.stream().mapToInt(u -> u.user().length()).max().orElse(4));
            text.append(String.format("%-" + userWidth + "s  %-12s  %s%n", "USER", "OUTCOME", "DETAIL"));
            for (UserResult user : users) {
                String detail = String.join(" | ", Optional.ofNullable(user.action()).stream().toList())
                        + (user.reason() == null ? "" : (user.action() == null ? "" : " | ") + user.reason());
                text.append(String.format("%-" + userWidth + "s  %-12s  %s%n", user.user(), user.outcome().label(),
                        detail));
            }
            text.append('\n');
            report.counts().forEach((name, count) -> text.append(name).append('=').append(count).append("  "));
            return text.toString().stripTrailing();
        }
    }
}
