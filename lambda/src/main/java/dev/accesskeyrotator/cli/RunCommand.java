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
import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.service.RotationService;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.service.UserResult;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;

import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code run}: one rotation from a shell with the standard credential chain; the report goes to stdout. */
final class RunCommand {
    private static final Set<String> VALUE_OPTIONS = Set.of("--output", "--region", "--profile", "--endpoint-url",
            "--parameter-prefix", "--secret-prefix", "--topic-arn", "--kms-key-id", "--contact", "--max-concurrency",
            "--opt-in-tag", "--function-role-arn", "--break-glass-principal-arn", "--log-format");
    private static final String NOT_NEEDED_IN_DRY_RUN = "(not used in a dry run)";

    private RunCommand() {}

    static int execute(List<String> args, Map<String, String> env, PrintStream out, PrintStream err, Clock clock) {
        Arguments options = Arguments.parse(args, VALUE_OPTIONS, Set.of("--dry-run", "--debug"));
        boolean dryRun = options.flag("--dry-run");
        boolean debug = options.flag("--debug");
        String output = options.value("--output").orElse("table");
        if (!output.equals("json") && !output.equals("table")) {
            throw new Arguments.UsageException("--output " + output + ": allowed: json or table");
        }
        String logFormat = options.value("--log-format").orElse("text");
        if (!logFormat.equals("json") && !logFormat.equals("text")) {
            throw new Arguments.UsageException("--log-format " + logFormat + ": allowed: text or json");
        }
        Map<String, String> settingsEnv = CliAws.settingsEnvironment(env, options);
        if (dryRun) {
            // A preview before deploying has no topic yet, and a dry run publishes nothing.
            settingsEnv.putIfAbsent(EnvironmentVariable.NOTICE_TOPIC_ARN.name(), NOT_NEEDED_IN_DRY_RUN);
        }
        // Logs go to stderr so that stdout carries only the report; JSON lines are for log collectors.
        JsonLog log = new JsonLog(logFormat.equals("json") ? err::println : new HumanLog(err, debug), clock);
        try {
            RotatorSettings settings = RotatorSettings.fromEnvironment(settingsEnv);
            Region region = CliAws.region(options, env);
            AwsClients.Options clientOptions = AwsClients.Options.forCli(region, options.value("--profile"),
                    options.value("--endpoint-url").map(URI::create));
            try (AwsClients clients = new AwsClients(clientOptions)) {
                CliAws.requireCredentials(clients.credentials(), options);
                RotationService service = RotatorFactory.create(settings, clients, clock, log);
                RunReport report = service.run(new RotationService.RunRequest(dryRun, RotationService.Deadline.none()));
                out.println(output.equals("json") ? toPrettyJson(report) : ReportTable.render(report));
                if (report.count(ReportCount.FAILED) > 0) {
                    return ExitCode.USERS_FAILED;
                }
                return report.count(ReportCount.BLOCKED) > 0 ? ExitCode.USERS_BLOCKED : ExitCode.DONE;
            }
        } catch (ConfigurationException e) {
            String inFlags = inFlags(e, options);
            // A flag the person typed is theirs to fix at once; a Parameter Store value is the account's configuration.
            err.println((inFlags.equals(e.getMessage()) ? "configuration error: " : "error: ") + inFlags);
            return ExitCode.CONFIGURATION;
        } catch (AwsFailure | SdkClientException e) {
            err.println(CliAws.explain(e));
            if (debug) {
                e.printStackTrace(err);
            }
            return ExitCode.AWS;
        }
    }

    /**
     * The settings speak of the function's environment variables; a person typed flags, so the message names the
     * flag when one was given, and a missing required setting is the flag a run without --dry-run needs.
     */
    static String inFlags(ConfigurationException e, Arguments options) {
        for (Map.Entry<EnvironmentVariable, String> entry : CliAws.SETTING_FLAGS.entrySet()) {
            if (entry.getKey().name().equals(e.setting()) && e.getMessage().startsWith("required")) {
                return entry.getValue() + " is required unless --dry-run";
            }
        }
        String message = e.getMessage();
        for (Map.Entry<EnvironmentVariable, String> entry : CliAws.SETTING_FLAGS.entrySet()) {
            if (options.value(entry.getValue()).isPresent()) {
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
