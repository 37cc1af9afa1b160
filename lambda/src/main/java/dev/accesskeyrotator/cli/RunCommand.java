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
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code run}: one rotation from a shell with the standard credential chain; the report goes to stdout. */
final class RunCommand {
    private static final Set<String> VALUE_OPTIONS = Set.of("--output", "--region", "--profile", "--endpoint-url",
            "--parameter-prefix", "--secret-prefix", "--topic-arn", "--kms-key-id", "--contact", "--max-concurrency",
            "--opt-in-tag", "--function-role-arn", "--break-glass-principal-arn");
    private static final String NOT_NEEDED_IN_DRY_RUN = "(not used in a dry run)";

    private RunCommand() {}

    static int execute(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        Arguments options = Arguments.parse(args, VALUE_OPTIONS, Set.of("--dry-run"));
        boolean dryRun = options.flag("--dry-run");
        String output = options.value("--output").orElse("table");
        if (!output.equals("json") && !output.equals("table")) {
            throw new Arguments.UsageException("--output must be json or table");
        }
        Map<String, String> settingsEnv = new HashMap<>(env);
        overlay(settingsEnv, options, "--parameter-prefix", EnvironmentVariable.PARAMETER_PREFIX);
        overlay(settingsEnv, options, "--secret-prefix", EnvironmentVariable.SECRET_NAME_PREFIX);
        overlay(settingsEnv, options, "--topic-arn", EnvironmentVariable.NOTICE_TOPIC_ARN);
        overlay(settingsEnv, options, "--kms-key-id", EnvironmentVariable.SECRET_KMS_KEY_ID);
        overlay(settingsEnv, options, "--contact", EnvironmentVariable.ADMIN_CONTACT);
        overlay(settingsEnv, options, "--max-concurrency", EnvironmentVariable.MAX_CONCURRENCY);
        overlay(settingsEnv, options, "--opt-in-tag", EnvironmentVariable.OPT_IN_TAG);
        overlay(settingsEnv, options, "--function-role-arn", EnvironmentVariable.FUNCTION_ROLE_ARN);
        overlay(settingsEnv, options, "--break-glass-principal-arn", EnvironmentVariable.BREAK_GLASS_PRINCIPAL_ARN);
        if (dryRun) {
            // A preview before deploying has no topic yet, and a dry run publishes nothing.
            settingsEnv.putIfAbsent(EnvironmentVariable.NOTICE_TOPIC_ARN.name(), NOT_NEEDED_IN_DRY_RUN);
        }
        Clock clock = Clock.systemUTC();
        // Logs go to stderr so that stdout carries only the report.
        JsonLog log = new JsonLog(err::println, clock);
        try {
            RotatorSettings settings = RotatorSettings.fromEnvironment(settingsEnv);
            Region region = options.value("--region").map(Region::of).orElseGet(() -> defaultRegion(env));
            AwsClients.Options clientOptions = AwsClients.Options.forCli(region, options.value("--profile"),
                    options.value("--endpoint-url").map(URI::create));
            try (AwsClients clients = new AwsClients(clientOptions)) {
                RotationService service = RotatorFactory.create(settings, clients, clock, log);
                RunReport report = service.run(new RotationService.RunRequest(dryRun, RotationService.Deadline.none()));
                out.println(output.equals("json") ? toPrettyJson(report) : ReportTable.render(report));
                return report.count(ReportCount.FAILED) > 0 ? 1 : 0;
            }
        } catch (ConfigurationException e) {
            err.println("configuration error: " + e.getMessage());
            return 2;
        } catch (AwsFailure e) {
            err.println("AWS error: " + e.getMessage());
            return 3;
        } catch (SdkClientException e) {
            err.println("AWS client error: " + e.getMessage());
            return 3;
        }
    }

    private static Region defaultRegion(Map<String, String> env) {
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException e) {
            throw new ConfigurationException("--region", "no AWS region configured: pass --region or set AWS_REGION");
        }
    }

    private static void overlay(Map<String, String> env, Arguments options, String option,
                                EnvironmentVariable variable) {
        options.value(option).ifPresent(v -> env.put(variable.name(), v));
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
