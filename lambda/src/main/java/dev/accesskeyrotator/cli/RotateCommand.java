package dev.accesskeyrotator.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.config.ConfigurationException;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.EmergencyReport;
import dev.accesskeyrotator.service.EmergencyRequest;
import dev.accesskeyrotator.service.UserResult;
import dev.accesskeyrotator.wiring.RotatorFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.regions.Region;

import java.io.PrintStream;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code rotate --user NAME... --reason TEXT [--dry-run]}: an admin's emergency rotation of named users' keys in use
 * (rev 3), the same request the function takes as {@code {"emergency": ...}}. Touches the named users only.
 */
@Command(name = "rotate", mixinStandardHelpOptions = true,
        description = {"Admins: a key leaked. Replace the named users' keys in use now and disable the exposed ones"
                + " at once; only the named users are read or changed.",
                "Acting needs the function's role (only it may encrypt with the user secrets key): preview with"
                        + " --dry-run under your own profile."})
final class RotateCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--user", paramLabel = "NAME", required = true, arity = "1..*",
            converter = CliOptions.UserName.class,
            description = "An IAM user whose key in use leaked; repeat for more users.")
    List<String> users;

    @Option(names = "--reason", paramLabel = "TEXT", required = true,
            description = "Why: told to the key owners in the notice.")
    String reason;

    @Option(names = "--dry-run", description = "Plan and report only; nothing is changed.")
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
        EmergencyRequest request;
        try {
            request = new EmergencyRequest(EmergencyRequest.TRIGGER_ADMIN, List.of(), users, reason, dryRun);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Map<String, String> settingsEnv = CliOptions.FunctionSettings.environment(context.env(), spec, dryRun);
        JsonLog log = runner.log(err, main.debug(), context.clock());
        RotatorSettings rotatorSettings;
        try {
            rotatorSettings = RotatorSettings.fromEnvironment(settingsEnv);
        } catch (ConfigurationException e) {
            err.println("error: " + RunCommand.inFlags(e, spec.commandLine().getParseResult()));
            return ExitCode.USAGE.code();
        }
        Region region = CliAws.region(endpoint.region(), runner.profile());
        AwsClients.Options clientOptions = AwsClients.Options.forCli(region, runner.profile(), endpoint.endpointUrl());
        try (AwsClients clients = new AwsClients(clientOptions)) {
            CliAws.requireCredentials(clients.credentials(), runner.profile());
            EmergencyReport report = RotatorFactory.create(rotatorSettings, clients, context.clock(), log)
                    .runEmergency(request);
            out.println(runner.json() ? JsonLog.mapper().copy()
                    .enable(SerializationFeature.INDENT_OUTPUT).valueToTree(report).toPrettyString() : table(report));
            return exitCode(report).code();
        } catch (ConfigurationException e) {
            err.println("configuration error: " + e.getMessage());
            return ExitCode.USAGE.code();
        }
    }

    private static ExitCode exitCode(EmergencyReport report) {
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
