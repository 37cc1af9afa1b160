package dev.accesskeyrotator.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.config.ConfigurationException;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.contract.EnvironmentVariable;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.status.StatusView;
import dev.accesskeyrotator.wiring.RotatorFactory;
import software.amazon.awssdk.regions.Region;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code status}: every opted-in user's keys and what happens to them next, and the account's keys outside the
 * rotator, from metadata only. It never reads a secret value, so an admin's read-only role is enough.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Admins, auditors: every key and what happens to it next, read-only (never reads a secret"
                + " value).")
final class StatusCommand implements Callable<Integer> {
    /** Status publishes nothing; the settings record still wants a topic. */
    private static final String NO_TOPIC = "(not used by status)";

    /** What standard output carries. */
    enum Output { table, json, csv }

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--output", paramLabel = "REPORT_FORMAT", defaultValue = "table",
            description = "${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    Output output;

    @Option(names = "--kms-key-id", paramLabel = "ARN",
            description = "The stack's KMS key ARN, to tell secrets that are not the rotator's. Env: ${bundle:env.kms-key-id}.")
    String kmsKeyId;

    @Option(names = "--profile", paramLabel = "PROFILE", converter = CliOptions.ProfileName.class,
            description = "Credentials profile. Default: the standard credential chain.")
    String profile;

    @Mixin
    CliOptions.Endpoint endpoint;

    @Mixin
    CliOptions.ParameterPrefix parameterPrefix;

    @Mixin
    CliOptions.SecretPrefix secretPrefix;

    @Override
    public Integer call() {
        Main.Context context = main.context;
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        Map<String, String> typed = new HashMap<>();
        for (String flag : List.of("--parameter-prefix", "--secret-prefix", "--kms-key-id")) {
            if (parsed.hasMatchedOption(flag)) {
                typed.put(flag, parsed.matchedOption(flag).getValue());
            }
        }
        Map<String, String> settingsEnv = CliAws.settingsEnvironment(context.env(), typed);
        settingsEnv.put(EnvironmentVariable.NOTICE_TOPIC_ARN.name(), NO_TOPIC);
        RotatorSettings settings;
        try {
            settings = RotatorSettings.fromEnvironment(settingsEnv);
        } catch (ConfigurationException e) {
            String inFlags = RunCommand.inFlags(e, parsed);
            context.err().println((inFlags.equals(e.getMessage()) ? "configuration error: " : "error: ") + inFlags);
            return ExitCode.USAGE.code();
        }
        Region region = CliAws.region(endpoint.region(), Optional.ofNullable(profile));
        try {
            AwsClients.Options clientOptions = AwsClients.Options.forCli(region, Optional.ofNullable(profile),
                    endpoint.endpointUrl());
            try (AwsClients clients = new AwsClients(clientOptions)) {
                CliAws.requireCredentials(clients.credentials(), Optional.ofNullable(profile));
                StatusView.Status status = RotatorFactory.statusView(settings, clients, context.clock()).read();
                context.out().println(switch (output) {
                    case json -> json(status);
                    case csv -> csv(status);
                    case table -> table(status);
                });
                return ExitCode.DONE.code();
            }
        } catch (ConfigurationException e) {
            context.err().println("configuration error: " + e.getMessage());
            return ExitCode.USAGE.code();
        } catch (StatusView.ReportUnavailable e) {
            context.err().println("AWS error: " + e.getMessage());
            return ExitCode.AWS.code();
        }
    }

    static String json(StatusView.Status status) {
        try {
            // The view speaks in Instants and Optionals; the shared mapper has no java.time module (it would cost the
            // Lambda's start-up), so status writes them as ISO-8601 text and null itself.
            com.fasterxml.jackson.databind.module.SimpleModule time =
                    new com.fasterxml.jackson.databind.module.SimpleModule()
                            .addSerializer(Instant.class, new com.fasterxml.jackson.databind.ser.std.ToStringSerializer());
            time.addSerializer(Optional.class, new com.fasterxml.jackson.databind.JsonSerializer<Optional>() {
                @Override
                public void serialize(Optional value, com.fasterxml.jackson.core.JsonGenerator generator,
                                      com.fasterxml.jackson.databind.SerializerProvider provider)
                        throws java.io.IOException {
                    provider.defaultSerializeValue(value.orElse(null), generator);
                }
            });
            return JsonLog.mapper().copy().registerModule(time).enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(status);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render status", e);
        }
    }

    static final List<String> CSV_HEADER = List.of("section", "user", "key", "role", "status", "created",
            "age_days", "last_used", "state", "next_event", "next_event_at", "detail");

    /** One row per key (a user without keys gets one row), then one per compliance finding: a sheet for an audit. */
    static String csv(StatusView.Status status) {
        StringBuilder text = new StringBuilder(String.join(",", CSV_HEADER)).append('\n');
        for (StatusView.UserLine user : status.users()) {
            List<StatusView.KeyLine> keys = user.keys().isEmpty() ? java.util.Collections.singletonList(null)
                    : user.keys();
            for (StatusView.KeyLine key : keys) {
                row(text, "user", user.user(), key == null ? "" : key.key(), key == null ? "" : key.role(),
                        key == null ? "" : key.active() ? "active" : "inactive",
                        key == null ? "" : key.created().toString(), key == null ? "" : String.valueOf(key.ageDays()),
                        key == null ? "" : key.lastUsed().map(Instant::toString).orElse("never"), user.state(),
                        user.nextEvent(), user.nextEventAt().map(Instant::toString).orElse(nextRun(user)),
                        String.join("; ", user.causes()));
            }
        }
        for (StatusView.ComplianceFinding finding : status.compliance()) {
            row(text, finding.kind().label(), finding.subject(), "", "", "", "", "", "", "", "", "", finding.detail());
        }
        return text.toString().stripTrailing();
    }

    private static String nextRun(StatusView.UserLine user) {
        return user.nextEvent().startsWith("none") ? "" : "next run";
    }

    private static void row(StringBuilder text, String... cells) {
        List<String> quoted = new ArrayList<>();
        for (String cell : cells) {
            quoted.add(cell.contains(",") || cell.contains("\"") || cell.contains("\n")
                    ? "\"" + cell.replace("\"", "\"\"") + "\"" : cell);
        }
        text.append(String.join(",", quoted)).append('\n');
    }

    static String table(StatusView.Status status) {
        StringBuilder text = new StringBuilder();
        text.append("status at ").append(status.generatedAt()).append("  credential report of ")
                .append(status.credentialReportAt()).append("  opt-in tag ").append(status.optInTag())
                .append("  threshold ").append(status.maxKeyAgeDays()).append(" days\n\n");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"USER", "KEY", "ROLE", "STATUS", "AGE", "LAST USED", "STATE", "NEXT EVENT", "DATE"});
        for (StatusView.UserLine user : status.users()) {
            boolean first = true;
            List<StatusView.KeyLine> keys = user.keys().isEmpty() ? java.util.Collections.singletonList(null)
                    : user.keys();
            for (StatusView.KeyLine key : keys) {
                rows.add(new String[]{first ? user.user() : "", key == null ? "(no keys)" : key.key(),
                        key == null ? "" : key.role(), key == null ? "" : key.active() ? "active" : "inactive",
                        key == null ? "" : key.ageDays() + "d",
                        key == null ? "" : key.lastUsed().map(StatusCommand::day).orElse("never"),
                        first ? user.state() : "", first ? user.nextEvent() : "",
                        first ? user.nextEventAt().map(StatusCommand::day).orElse(nextRun(user)) : ""});
                first = false;
            }
            for (String cause : user.causes()) {
                rows.add(new String[]{"", "", "", "", "", "", "", "  ! " + cause, ""});
            }
        }
        appendColumns(text, rows);
        text.append("\nCOMPLIANCE (outside the rotator)\n");
        if (status.compliance().isEmpty()) {
            text.append("no findings\n");
        } else {
            List<String[]> findings = new ArrayList<>();
            findings.add(new String[]{"FINDING", "SUBJECT", "DETAIL"});
            status.compliance().forEach(f -> findings.add(new String[]{f.kind().label(), f.subject(), f.detail()}));
            appendColumns(text, findings);
        }
        return text.toString().stripTrailing();
    }

    private static void appendColumns(StringBuilder text, List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            // The last column and cause lines (in the next-event column) run on rather than widen the table.
            for (int c = 0; c < columns - 1; c++) {
                if (!row[c].startsWith("  ! ")) {
                    widths[c] = Math.max(widths[c], row[c].length());
                }
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                line.append(c == columns - 1 ? row[c] : pad(row[c], widths[c])).append(c == columns - 1 ? "" : "  ");
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
    }

    private static String pad(String cell, int width) {
        return cell.length() >= width ? cell : cell + " ".repeat(width - cell.length());
    }

    private static String day(Instant instant) {
        return instant.toString().substring(0, 10);
    }

}
