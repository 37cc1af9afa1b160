package dev.accesskeyrotator.docs;

import dev.accesskeyrotator.cli.Main;
import dev.accesskeyrotator.contract.Metric;
import dev.accesskeyrotator.contract.Notices;
import dev.accesskeyrotator.contract.Notices.EventType;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.contract.Parameter;
import dev.accesskeyrotator.docs.MarkdownPages.CodeBlock;
import dev.accesskeyrotator.docs.MarkdownPages.Page;
import dev.accesskeyrotator.docs.MarkdownPages.Paragraph;
import dev.accesskeyrotator.docs.MarkdownPages.Table;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tables and counts in README.md and docs/*.md that mirror the function's code: parameters, notice types and
 * their message attributes, outcomes, metrics, exit codes, CLI options and packages. Each is compared with what the
 * code does or declares, never with a copy of the doc; a drift fails with the file, line, table and the difference.
 * The stack's facts (alarms, outputs, the alarm e-mail's filter policy) are checked in the infra module.
 */
class DocsMatchTheCodeTest {
    private static final List<Page> PAGES = MarkdownPages.all();

    private static List<String> eventTypes() {
        return Arrays.stream(EventType.values()).map(EventType::value).toList();
    }

    /** The event types whose notices carry {@code user_name}, as the composer really writes them. */
    private static List<String> perUserEventTypes() {
        return Arrays.stream(EventType.values())
                .filter(type -> ComposedNotices.of(type, "alice").attributes().containsKey(Notices.USER_NAME))
                .map(EventType::value).toList();
    }

    private static void assertNone(List<String> problems) {
        assertTrue(problems.isEmpty(), problems.size() + " drift(s) between the docs and the code:\n  "
                + String.join("\n  ", problems));
    }

    // ------------------------------------------------------------------------------------------ parameters

    @Test
    void everyParameterTableAndCountIsTheCatalogue() {
        List<String> catalogue = Arrays.stream(Parameter.values()).map(Parameter::parameterName).toList();
        List<String> problems = new ArrayList<>(DocFacts.tablesNaming(PAGES, "Parameter", catalogue, true,
                "parameters"));
        problems.addAll(DocFacts.countsInProse(PAGES, "(?:`String`\\s+)?parameters", catalogue.size(),
                "parameters (contract Parameter)"));
        assertNone(problems);
    }

    // ------------------------------------------------------------------------------------------ notices

    @Test
    void theNoticeTableListsEveryEventTypeWithTheAttributesItsNoticeCarries() {
        List<String> problems = new ArrayList<>(DocFacts.tablesNaming(PAGES, "`" + Notices.EVENT_TYPE + "`",
                eventTypes(), true, "event types"));
        for (Page page : PAGES) {
            for (Table table : page.tables()) {
                int attributesColumn = table.header().indexOf("Message attributes");
                if (!table.header().get(0).equals("`" + Notices.EVENT_TYPE + "`") || attributesColumn < 0) {
                    continue;
                }
                for (List<String> row : table.rows()) {
                    String type = MarkdownPages.backticked(row.get(0)).get(0);
                    EventType eventType = Arrays.stream(EventType.values()).filter(t -> t.value().equals(type))
                            .findFirst().orElse(null);
                    if (eventType == null) {
                        continue; // reported above
                    }
                    Set<String> published = new TreeSet<>(ComposedNotices.of(eventType, "alice").attributes()
                            .keySet());
                    Set<String> documented = new TreeSet<>(MarkdownPages.backticked(row.get(attributesColumn)));
                    if (!documented.equals(published)) {
                        problems.add(table.where() + ": the row of `" + type + "` documents the attributes "
                                + documented + ", its notice carries " + published);
                    }
                }
            }
        }
        assertNone(problems);
    }

    @Test
    void everyListOfEventTypesInProseIsCompleteAndCountedRight() {
        List<String> all = eventTypes();
        List<String> problems = new ArrayList<>(DocFacts.listsInProse(PAGES, all, List.of(Set.copyOf(
                perUserEventTypes())), 3, Notices.EVENT_TYPE, "event types"));
        problems.addAll(DocFacts.countsNextToLists(PAGES, "(?:kinds|notice types|event types)", all::contains,
                "event types"));
        assertNone(problems);
    }

    // ------------------------------------------------------------------------------------------ outcomes, metrics

    @Test
    void theOutcomeTableAndTheUrgencyOrderAreTheReportsOutcomes() {
        List<String> labels = Arrays.stream(Outcome.values()).map(Outcome::label).toList();
        List<String> problems = new ArrayList<>(DocFacts.tablesNaming(PAGES, "Outcome", labels, false, "outcomes"));
        // "`failed` > `blocked` > ...": the report shows the most urgent outcome, so the chain is the enum's order.
        Pattern chain = Pattern.compile("`[a-z-]+`(?:\\s*>\\s*`[a-z-]+`){2,}");
        for (Page page : PAGES) {
            for (Paragraph paragraph : page.paragraphs()) {
                Matcher m = chain.matcher(paragraph.text());
                while (m.find()) {
                    List<String> documented = MarkdownPages.backticked(m.group());
                    if (!documented.equals(labels)) {
                        problems.add(paragraph.where() + " orders the outcomes " + documented + "; the report's"
                                + " order is " + labels + DocFacts.difference(documented, labels));
                    }
                }
            }
        }
        assertNone(problems);
    }

    @Test
    void theMetricsTableAndCountAreTheFunctionsMetrics() {
        List<String> metrics = Arrays.stream(Metric.values()).map(Metric::metricName).toList();
        List<String> problems = new ArrayList<>(DocFacts.tablesNaming(PAGES, "Metric", metrics, false, "metrics"));
        problems.addAll(DocFacts.countsInProse(PAGES, "custom metrics", metrics.size(), "function metrics"));
        assertNone(problems);
    }

    // ------------------------------------------------------------------------------------------ the CLI

    /** {@code --help} of the whole command line or of one command ("fetch", "credentials init"), as a person sees it. */
    private static String help(String... command) {
        List<String> args = new ArrayList<>(List.of(command));
        args.add("--help");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            assertEquals(0, Main.run(args, Map.of(), print, print));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The codes that --help lists under the heading {@code label}: lines "   3   meaning" up to the next blank one. */
    private static Set<Integer> helpExitCodes(String help, String label) {
        List<String> lines = help.lines().toList();
        int start = lines.indexOf(label);
        assertTrue(start >= 0, "--help has no line \"" + label + "\": " + help);
        Set<Integer> codes = new TreeSet<>();
        Pattern entry = Pattern.compile("^\\s+(\\d+)\\s{2,}\\S.*");
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.isBlank()) {
                break;
            }
            Matcher m = entry.matcher(line);
            if (m.matches()) {
                codes.add(Integer.parseInt(m.group(1)));
            }
        }
        assertFalse(codes.isEmpty(), "no codes under " + label);
        return codes;
    }

    private static Set<Integer> tableCodes(Table table) {
        Set<Integer> codes = new TreeSet<>();
        table.column(0).forEach(cell -> codes.add(Integer.parseInt(cell.strip())));
        return codes;
    }

    @Test
    void exitCodeTablesListTheCodesTheCommandsReturn() {
        String help = help();
        Set<Integer> runStatusFetch = helpExitCodes(help, "Exit codes of run, status, fetch and rotate:");
        Set<Integer> credentials = helpExitCodes(help, "Exit codes of credentials (credential_process):");
        // Each command's own help lists its family's codes, the same ones.
        assertEquals(runStatusFetch, helpExitCodes(help("fetch"), "Exit codes:"));
        assertEquals(credentials, helpExitCodes(help("credentials", "status"), "Exit codes:"));

        List<String> problems = new ArrayList<>();
        int tables = 0;
        for (Page page : PAGES) {
            for (Table table : page.tables()) {
                if (!table.header().get(0).equals("Exit code")) {
                    continue;
                }
                tables++;
                boolean forCredentials = page.section(table.line()).contains("credential_process");
                Set<Integer> expected = forCredentials ? credentials : runStatusFetch;
                if (!tableCodes(table).equals(expected)) {
                    problems.add(table.where() + " lists exit codes " + tableCodes(table) + "; the "
                            + (forCredentials ? "credentials command returns " : "run, status, fetch and rotate commands"
                            + " return ") + expected);
                }
            }
        }
        assertEquals(2, tables, "the exit-code tables of run/status/fetch and of credentials");
        assertNone(problems);
    }

    /** The commands whose options docs may show, as the words that start them on a command line. */
    static final List<String> COMMANDS = List.of("run", "status", "fetch", "rotate", "credentials",
            "credentials init", "credentials status");

    /** Every command takes these: help, version, --debug. A table of one command's own options leaves them out. */
    static final Set<String> EVERY_COMMANDS = Set.of("--help", "--version", "--debug");

    /** Each command's option names, from the option list of its own --help. */
    static Map<String, Set<String>> helpOptions() {
        Map<String, Set<String>> options = new LinkedHashMap<>();
        Pattern optionLine = Pattern.compile("^\\s+(?:-\\w, )?(--[a-z][a-z-]+)");
        for (String command : COMMANDS) {
            Set<String> names = new TreeSet<>();
            for (String line : help(command.split(" ")).lines().toList()) {
                Matcher m = optionLine.matcher(line);
                if (m.find()) {
                    names.add(m.group(1));
                }
            }
            assertTrue(names.containsAll(EVERY_COMMANDS), command + " --help lists " + names);
            options.put(command, names);
        }
        return options;
    }

    @Test
    void theFetchOptionsTableIsTheFetchCommandsOptions() {
        Set<String> fetch = new TreeSet<>(helpOptions().get("fetch"));
        fetch.removeAll(EVERY_COMMANDS);
        List<String> problems = new ArrayList<>();
        int tables = 0;
        for (Page page : PAGES) {
            for (Table table : page.tables()) {
                if (!table.header().get(0).equals("Option")) {
                    continue;
                }
                tables++;
                Set<String> documented = new TreeSet<>();
                table.firstColumnNames().forEach(name -> documented.add(name.split("\\s")[0]));
                if (!documented.equals(fetch)) {
                    problems.add(table.where() + " lists the options " + documented + "; `fetch --help` has "
                            + fetch + DocFacts.difference(documented, fetch));
                }
            }
        }
        assertEquals(1, tables, "the fetch helper's options table");
        assertNone(problems);
    }

    @Test
    void everyDocumentedCommandLineUsesOnlyOptionsItsCommandHas() {
        Map<String, Set<String>> options = helpOptions();
        Pattern invocation = Pattern.compile("access-key-rotator\\.jar\\s+(run|status|fetch|credentials)"
                + "(\\s+(?:init|status)\\b)?([^`|>]*)");
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Page page : PAGES) {
            List<String> places = new ArrayList<>();
            for (CodeBlock block : page.codeBlocks()) {
                block.commands().forEach(command -> places.add(block.where() + "\u0000" + command));
            }
            for (Paragraph paragraph : page.paragraphs()) {
                MarkdownPages.backticked(paragraph.text()).forEach(code -> places.add(paragraph.where() + "\u0000"
                        + code));
            }
            for (String place : places) {
                String[] parts = place.split("\u0000", 2);
                Matcher m = invocation.matcher(parts[1]);
                while (m.find()) {
                    String command = m.group(1) + (m.group(2) == null ? "" : " " + m.group(2).strip());
                    Set<String> allowed = options.get(command);
                    assertTrue(allowed != null, "--help has no section for " + command);
                    Matcher flag = Pattern.compile("(?<![\\w-])--[a-z][a-z-]+").matcher(m.group(3));
                    while (flag.find()) {
                        checked++;
                        if (!allowed.contains(flag.group())) {
                            problems.add(parts[0] + ": `" + command + " " + flag.group() + "` is not an option of "
                                    + command + " (its options: " + allowed + ")");
                        }
                    }
                }
            }
        }
        assertTrue(checked > 20, "the docs show the CLI's options in use; found " + checked);
        assertNone(problems);
    }

    // ------------------------------------------------------------------------------------------ packages, modules

    @Test
    void thePackageTableIsTheFunctionsPackagesAndNamesOnlyTheirClasses() throws IOException {
        Path sources = MarkdownPages.root().resolve("lambda/src/main/java/dev/accesskeyrotator");
        List<String> packages;
        try (Stream<Path> dirs = Files.list(sources)) {
            packages = dirs.filter(Files::isDirectory).map(d -> d.getFileName() + "/").sorted().toList();
        }
        List<String> problems = new ArrayList<>(DocFacts.tablesNaming(PAGES, "Package", packages, false,
                "packages of lambda/src/main/java/dev/accesskeyrotator"));
        for (Page page : PAGES) {
            for (Table table : page.tables()) {
                if (!table.header().get(0).equals("Package")) {
                    continue;
                }
                for (List<String> row : table.rows()) {
                    // A class of the package itself, or of a package the row says it depends on.
                    StringBuilder code = new StringBuilder();
                    for (String pkg : MarkdownPages.backticked(row.get(0) + " " + row.get(2))) {
                        Path dir = sources.resolve(pkg);
                        if (pkg.endsWith("/") && Files.isDirectory(dir)) {
                            code.append(sourcesOf(dir));
                        }
                    }
                    for (String name : MarkdownPages.backticked(row.get(1))) {
                        if (name.matches("[A-Z]\\w+") && !Pattern.compile("\\b(class|interface|enum|record)\\s+"
                                + name + "\\b").matcher(code).find()) {
                            problems.add(table.where() + ": the row of " + row.get(0) + " names `" + name
                                    + "`, which neither that package nor one it depends on declares");
                        }
                    }
                }
            }
        }
        assertNone(problems);
    }

    private static String sourcesOf(Path dir) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                all.append(Files.readString(file)).append('\n');
            }
        }
        return all.toString();
    }

    @Test
    void theModuleCountIsTheBuildsModules() throws IOException {
        String pom = Files.readString(MarkdownPages.root().resolve("pom.xml"));
        int modules = (int) Pattern.compile("<module>").matcher(pom).results().count();
        assertNone(DocFacts.countsInProse(PAGES, "Maven modules", modules, "modules in pom.xml"));
    }

    // ------------------------------------------------------------------------------------------ the checks catch

    @Test
    void aPlantedDriftInEachKindOfFactIsReportedWithItsPlace() {
        Page page = MarkdownPages.of("docs/planted.md", """
                # Planted

                ## Notices

                Each notice has an `event_type` of `key-rotated`, `key-disabled`, `attention` or `run-summary`.

                There are two kinds of `event_type`: `key-rotated` and `attention` and `blocked`.

                The stack creates the six parameters.

                | Parameter | Default |
                |---|---|
                | `max-key-age-days` | 90 |

                | Outcome | Meaning |
                |---|---|
                | `rotated` | done |

                Order: `failed` > `blocked` > `attention`.
                """);
        List<Page> pages = List.of(page);
        List<String> catalogue = Arrays.stream(Parameter.values()).map(Parameter::parameterName).toList();

        List<String> tableDrift = DocFacts.tablesNaming(pages, "Parameter", catalogue, true, "parameters");
        assertEquals(1, tableDrift.size(), tableDrift.toString());
        assertTrue(tableDrift.get(0).startsWith("docs/planted.md:11 (table under \"Notices\""), tableDrift.get(0));
        assertTrue(tableDrift.get(0).contains("missing from the doc: [user-tag"), tableDrift.get(0));

        List<String> countDrift = DocFacts.countsInProse(pages, "parameters", catalogue.size(), "parameters");
        assertEquals(List.of("docs/planted.md:9 (under \"Notices\") says \"six parameters\"; there are "
                + catalogue.size() + " parameters"), countDrift);

        List<String> listDrift = DocFacts.listsInProse(pages, eventTypes(), List.of(), 3, "event_type", "event types");
        assertEquals(2, listDrift.size(), listDrift.toString());
        assertTrue(listDrift.get(0).startsWith("docs/planted.md:5 (under \"Notices\") lists the event types"),
                listDrift.get(0));
        assertTrue(listDrift.get(0).contains("but not [key-expiring, key-exposed, blocked"), listDrift.get(0));

        List<String> kindsDrift = DocFacts.countsNextToLists(pages, "kinds", eventTypes()::contains, "event types");
        assertEquals(1, kindsDrift.size(), kindsDrift.toString());
        assertTrue(kindsDrift.get(0).contains("says \"two kinds\" but lists 3"), kindsDrift.get(0));

        List<String> outcomes = Arrays.stream(Outcome.values()).map(Outcome::label).toList();
        assertFalse(DocFacts.tablesNaming(pages, "Outcome", outcomes, false, "outcomes").isEmpty());
        assertFalse(DocFacts.tablesNaming(pages, "Metric", List.of("X"), false, "metrics").isEmpty(),
                "a missing table is a drift too");
    }
}
