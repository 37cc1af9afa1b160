package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.aws.RotatorFactory;
import dev.accesskeyrotator.config.ConfigurationException;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.contract.EnvironmentVariable;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.service.EmergencyReport;
import dev.accesskeyrotator.service.EmergencyRequest;
import dev.accesskeyrotator.service.UserResult;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;

import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code rotate --user NAME... --reason TEXT [--dry-run]}: an admin's emergency rotation of named users' keys in use
 * (rev 3), the same request the function takes as {@code {"emergency": ...}}. Touches the named users only.
 */
final class RotateCommand {
    private static final Set<String> VALUE_OPTIONS = Set.of("--reason", "--output", "--region", "--profile",
            "--endpoint-url", "--parameter-prefix", "--secret-prefix", "--topic-arn", "--kms-key-id", "--contact",
            "--opt-in-tag", "--function-role-arn", "--break-glass-principal-arn", "--log-format");
    private static final String NOT_NEEDED_IN_DRY_RUN = "(not used in a dry run)";

    private RotateCommand() {}

    static int execute(List<String> args, Map<String, String> env, PrintStream out, PrintStream err, Clock clock) {
        // --user may be given more than once; the other options once each.
        List<String> users = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--user")) {
                if (i + 1 >= args.size()) {
                    throw new Arguments.UsageException("option --user needs a value");
                }
                users.add(args.get(++i));
            } else if (args.get(i).startsWith("--user=")) {
                users.add(args.get(i).substring("--user=".length()));
            } else {
                rest.add(args.get(i));
            }
        }
        Arguments options = Arguments.parse(rest, VALUE_OPTIONS, Set.of("--dry-run", "--debug"));
        boolean dryRun = options.flag("--dry-run");
        boolean debug = options.flag("--debug");
        if (users.isEmpty()) {
            throw new Arguments.UsageException("rotate needs --user NAME (one or more)");
        }
        String reason = options.value("--reason").orElseThrow(() -> new Arguments.UsageException(
                "rotate needs --reason TEXT (it is told to the key owners)"));
        String output = options.value("--output").orElse("table");
        if (!output.equals("json") && !output.equals("table")) {
            throw new Arguments.UsageException("--output " + output + ": allowed: json or table");
        }
        EmergencyRequest request;
        try {
            request = new EmergencyRequest(EmergencyRequest.TRIGGER_ADMIN, List.of(), users, reason, dryRun);
        } catch (IllegalArgumentException e) {
            throw new Arguments.UsageException(e.getMessage());
        }
        Map<String, String> settingsEnv = CliAws.settingsEnvironment(env, options);
        if (dryRun) {
            settingsEnv.putIfAbsent(EnvironmentVariable.NOTICE_TOPIC_ARN.name(), NOT_NEEDED_IN_DRY_RUN);
        }
        boolean jsonLog = options.value("--log-format").filter("json"::equals).isPresent();
        JsonLog log = new JsonLog(jsonLog ? err::println : new HumanLog(err, debug), clock);
        try {
            RotatorSettings settings = RotatorSettings.fromEnvironment(settingsEnv);
            Region region = CliAws.region(options, env);
            AwsClients.Options clientOptions = AwsClients.Options.forCli(region, options.value("--profile"),
                    options.value("--endpoint-url").map(URI::create));
            try (AwsClients clients = new AwsClients(clientOptions)) {
                CliAws.requireCredentials(clients.credentials(), options);
                EmergencyReport report = RotatorFactory.create(settings, clients, clock, log).runEmergency(request);
                out.println(output.equals("json") ? JsonLog.mapper().copy()
                        .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                        .valueToTree(report).toPrettyString() : table(report));
                return exitCode(report);
            }
        } catch (ConfigurationException e) {
            err.println("error: " + RunCommand.inFlags(e, options));
            return ExitCode.CONFIGURATION;
        } catch (AwsFailure | SdkClientException e) {
            err.println(CliAws.explain(e));
            return ExitCode.AWS;
        }
    }

    private static int exitCode(EmergencyReport report) {
        if (report.unfinished()) {
            return ExitCode.USERS_FAILED;
        }
        Set<Outcome> outcomes = new HashSet<>(report.users().stream().map(UserResult::outcome).toList());
        return outcomes.contains(Outcome.ATTENTION) || outcomes.contains(Outcome.BLOCKED) ? ExitCode.USERS_BLOCKED
                : ExitCode.DONE;
    }

    private static String table(EmergencyReport report) {
        StringBuilder text = new StringBuilder();
        text.append(report.dryRun() ? "DRY RUN: nothing was changed\n" : "")
                .append("emergency rotation ").append(report.runId()).append("  reason: ").append(report.reason())
                .append("\n\n");
        int width = Math.max(4, report.users().stream().mapToInt(u -> u.user().length()).max().orElse(4));
        text.append(String.format("%-" + width + "s  %-12s  %-20s  %-20s  %s%n", "USER", "OUTCOME", "EXPOSED KEY",
                "NEW KEY", "DETAIL"));
        for (UserResult user : report.users()) {
            String detail = String.join(" | ", java.util.stream.Stream.of(user.action(), user.reason())
                    .filter(java.util.Objects::nonNull).toList());
            text.append(String.format("%-" + width + "s  %-12s  %-20s  %-20s  %s%n", user.user(),
                    user.outcome().label(), user.oldKeyId() == null ? "-" : user.oldKeyId(),
                    user.newKeyId() == null ? "-" : user.newKeyId(), detail));
        }
        return text.toString().stripTrailing();
    }
}
