package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.service.ReportCount;
import dev.accesskeyrotator.contract.EnvironmentVariable;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.aws.RotatorFactory;
import dev.accesskeyrotator.config.ConfigurationException;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.RotationService;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.UserResult;
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
    private static final String NOT_NEEDED_IN_DRY_RUN = "(not used in a dry run)";

    /** Report formats on standard output. */
    enum Output { table, json }

    /** Standard error: short lines for a person, or the function's JSON log lines. */
    enum LogFormat { text, json }

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--dry-run", description = "Plan and report only; nothing is changed (preview before deploying).")
    boolean dryRun;

    @Option(names = "--output", paramLabel = "REPORT_FORMAT", defaultValue = "table",
            description = "Report format on standard output: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    Output output;

    @Option(names = "--log-format", paramLabel = "LOG_FORMAT", defaultValue = "text",
            description = "Standard error: text (short lines for a person) or json (the function's log lines, with"
                    + " the report and metrics documents). Default: ${DEFAULT-VALUE}.")
    LogFormat logFormat;

    @Option(names = "--profile", paramLabel = "PROFILE", converter = CliOptions.ProfileName.class,
            description = "Credentials profile (any type the AWS CLI accepts: IAM Identity Center, assume role,"
                    + " credential_process, static keys). Default: the standard credential chain.")
    String profile;

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
        Map<String, String> settingsEnv = CliAws.settingsEnvironment(context.env(), CliOptions.FunctionSettings.typed(spec));
        if (dryRun) {
            // A preview before deploying has no topic yet, and a dry run publishes nothing.
            settingsEnv.putIfAbsent(EnvironmentVariable.NOTICE_TOPIC_ARN.name(), NOT_NEEDED_IN_DRY_RUN);
        }
        // Logs go to stderr so that stdout carries only the report; JSON lines are for log collectors.
        JsonLog log = new JsonLog(logFormat == LogFormat.json ? err::println
                : new HumanLog(err, main.debug()), context.clock());
        RotatorSettings settings;
        try {
            settings = RotatorSettings.fromEnvironment(settingsEnv);
        } catch (ConfigurationException e) {
            String inFlags = inFlags(e, spec.commandLine().getParseResult());
            // A flag the person typed is theirs to fix at once; a Parameter Store value is the account's configuration.
            err.println((inFlags.equals(e.getMessage()) ? "configuration error: " : "error: ") + inFlags);
            return ExitCode.USAGE.code();
        }
        Region region = CliAws.region(endpoint.region(), Optional.ofNullable(profile));
        AwsClients.Options clientOptions = AwsClients.Options.forCli(region, Optional.ofNullable(profile),
                endpoint.endpointUrl());
        try (AwsClients clients = new AwsClients(clientOptions)) {
            CliAws.requireCredentials(clients.credentials(), Optional.ofNullable(profile));
            RotationService service = RotatorFactory.create(settings, clients, context.clock(), log);
            if (logFormat == LogFormat.text) {
                service.onProgress(new ProgressLines(err, System::nanoTime));
            }
            RunReport report = service.run(new RotationService.RunRequest(dryRun, RotationService.Deadline.none()));
            out.println(output == Output.json ? toPrettyJson(report) : ReportTable.render(report));
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
