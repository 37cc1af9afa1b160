package dev.accesskeyrotator.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.cloudwatch.Alarm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * What README.md and docs/*.md say about the synthesized stack: the alarms (table, lists and counts), the stack
 * outputs (table and lists), and the filter policy the {@code alarmEmail} subscription gets, which the docs show as
 * the admins' subscription. (The function-side facts are checked in lambda's {@code DocsMatchTheCodeTest}.)
 */
class DocsMatchTheStackTest {
    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");
    private static final Map<String, Integer> NUMBER_WORDS = Map.of("one", 1, "two", 2, "three", 3, "four", 4,
            "five", 5, "six", 6, "seven", 7, "eight", 8, "nine", 9, "ten", 10);
    private static final Pattern ALARM_COUNT = Pattern.compile("(?i)\\b(\\d+|" + String.join("|",
            NUMBER_WORDS.keySet()) + ")\\s+(?:CloudWatch\\s+)?alarms\\b");

    record Page(String name, List<String> lines) {}

    private static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.exists(dir.resolve("README.md")) || !Files.exists(dir.resolve("docs"))) {
            dir = dir.getParent();
        }
        return dir;
    }

    private static List<Page> pages() throws IOException {
        Path root = root();
        List<Path> files = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        List<Page> pages = new ArrayList<>();
        for (Path file : files) {
            pages.add(new Page(root.relativize(file).toString(), Files.readAllLines(file, StandardCharsets.UTF_8)));
        }
        return pages;
    }

    private static List<String> backticked(String text) {
        List<String> found = new ArrayList<>();
        Matcher m = BACKTICKED.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    /** The first column's backticked names of every table whose header starts with {@code firstHeader}. */
    static Map<String, List<String>> tables(List<Page> pages, String firstHeader) {
        Map<String, List<String>> tables = new java.util.LinkedHashMap<>();
        for (Page page : pages) {
            List<String> lines = page.lines();
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith("| " + firstHeader + " |")) {
                    List<String> names = new ArrayList<>();
                    for (int row = i + 2; row < lines.size() && lines.get(row).startsWith("|"); row++) {
                        names.addAll(backticked(lines.get(row).split("(?<!`)\\|")[1]));
                    }
                    tables.put(page.name() + ":" + (i + 1), names);
                }
            }
        }
        return tables;
    }

    /** Paragraphs (and list items) that name at least three of {@code names} must name all of them. */
    static List<String> incompleteLists(List<Page> pages, Set<String> names, String what) {
        List<String> problems = new ArrayList<>();
        for (Page page : pages) {
            StringBuilder paragraph = new StringBuilder();
            int start = 0;
            List<String> lines = new ArrayList<>(page.lines());
            lines.add("");
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                boolean breaks = line.isBlank() || line.startsWith("|") || line.startsWith("#")
                        || line.startsWith("```") || line.matches("^\\s*[-*] .*");
                if (breaks && !paragraph.isEmpty()) {
                    Set<String> named = new TreeSet<>(backticked(paragraph.toString()));
                    named.retainAll(names);
                    if (named.size() >= 3 && !named.equals(names)) {
                        Set<String> missing = new TreeSet<>(names);
                        missing.removeAll(named);
                        problems.add(page.name() + ":" + (start + 1) + " lists the " + what + " " + named
                                + " but not " + missing);
                    }
                    paragraph.setLength(0);
                }
                if (!line.isBlank() && !line.startsWith("|") && !line.startsWith("#")) {
                    if (paragraph.isEmpty()) {
                        start = i;
                    }
                    paragraph.append(line).append(' ');
                }
            }
        }
        return problems;
    }

    static List<String> wrongCounts(List<Page> pages, Pattern count, int expected, String what) {
        List<String> problems = new ArrayList<>();
        for (Page page : pages) {
            for (int i = 0; i < page.lines().size(); i++) {
                Matcher m = count.matcher(page.lines().get(i));
                while (m.find()) {
                    String n = m.group(1).toLowerCase();
                    int said = NUMBER_WORDS.containsKey(n) ? NUMBER_WORDS.get(n) : Integer.parseInt(n);
                    if (said != expected) {
                        problems.add(page.name() + ":" + (i + 1) + " says \"" + m.group() + "\"; the stack has "
                                + expected + " " + what);
                    }
                }
            }
        }
        return problems;
    }

    private static void assertNone(List<String> problems) {
        assertTrue(problems.isEmpty(), problems.size() + " drift(s) between the docs and the stack:\n  "
                + String.join("\n  ", problems));
    }

    @Test
    void theAlarmsTableListsAndCountsAreTheStacksAlarms() throws IOException {
        RotatorStack stack = Stacks.defaultStack();
        Set<String> alarms = new TreeSet<>();
        stack.getNode().findAll().stream().filter(c -> c instanceof Alarm).forEach(c -> alarms.add(c.getNode()
                .getId()));
        Stacks.defaultTemplate().resourceCountIs("AWS::CloudWatch::Alarm", alarms.size());

        List<Page> pages = pages();
        List<String> problems = new ArrayList<>();
        Map<String, List<String>> tables = tables(pages, "Alarm (construct id)");
        assertEquals(1, tables.size(), "the alarms table of docs/operations.md");
        tables.forEach((where, names) -> {
            if (!new TreeSet<>(names).equals(alarms) || names.size() != alarms.size()) {
                problems.add(where + " (alarms table) lists " + names + "; the stack's alarms are " + alarms);
            }
        });
        problems.addAll(incompleteLists(pages, alarms, "alarms"));
        problems.addAll(wrongCounts(pages, ALARM_COUNT, alarms.size(), "alarms"));
        assertNone(problems);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theOutputsTableAndListsAreTheStacksOutputs() throws IOException {
        Set<String> outputs = new TreeSet<>(((Map<String, Object>) Stacks.defaultTemplate().toJSON().get("Outputs"))
                .keySet());
        List<Page> pages = pages();
        List<String> problems = new ArrayList<>();
        Map<String, List<String>> tables = tables(pages, "Output");
        assertEquals(1, tables.size(), "the outputs table of docs/deploy.md");
        tables.forEach((where, names) -> {
            if (!new TreeSet<>(names).equals(outputs)) {
                problems.add(where + " (outputs table) lists " + new TreeSet<>(names) + "; the stack outputs "
                        + outputs);
            }
        });
        problems.addAll(incompleteLists(pages, outputs, "stack outputs"));
        assertNone(problems);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theAlarmEmailIsSubscribedToNoticesAsTheDocsSubscribeAnAdmin() throws Exception {
        Template template = Template.fromStack(Stacks.create(RotatorStackProps.builder()
                .alarmEmail("ops@example.com")));
        List<Object> policies = new ArrayList<>();
        template.findResources("AWS::SNS::Subscription").values().forEach(resource -> {
            Object policy = ((Map<String, Object>) resource.get("Properties")).get("FilterPolicy");
            if (policy != null) {
                policies.add(policy);
            }
        });
        assertEquals(1, policies.size(), "alarmEmail's one notice-topic subscription: " + policies);
        ObjectMapper json = new ObjectMapper();
        JsonNode stack = json.valueToTree(policies.get(0));

        // deploy.md's admin subscription, "what alarmEmail sets up": the filter policy as the shell passes it.
        Matcher documented = Pattern.compile("# An admin[^\\n]*\\n(?:[^\\n]*\\n){0,2}?[^\\n]*--attributes '([^']*)'")
                .matcher(String.join("\n", pages().stream().filter(p -> p.name().equals("docs/deploy.md"))
                        .findFirst().orElseThrow().lines()));
        assertTrue(documented.find(), "docs/deploy.md shows the admins' subscription");
        JsonNode doc = json.readTree(json.readTree(documented.group(1)).get("FilterPolicy").asText());
        assertEquals(new TreeSet<>(names(doc.get("event_type"))), new TreeSet<>(names(stack.get("event_type"))),
                "docs/deploy.md's admin filter policy " + doc + " and alarmEmail's " + stack);
        assertEquals(Set.of("event_type"), Set.copyOf(names(doc.fieldNames())));
    }

    private static List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(n -> names.add(n.asText()));
        return names;
    }

    private static List<String> names(java.util.Iterator<String> fields) {
        List<String> names = new ArrayList<>();
        fields.forEachRemaining(names::add);
        return names;
    }

    @Test
    void aMissingAlarmAndAWrongCountAreCaught() {
        List<Page> page = List.of(new Page("docs/planted.md", List.of("# Alarms", "",
                "Five CloudWatch alarms: `FunctionErrors`, `FailedUsers` and `RunFailed`.", "",
                "| Alarm (construct id) | Fires when |", "|---|---|", "| `FunctionErrors` | x |")));
        Set<String> alarms = Set.of("FunctionErrors", "FailedUsers", "RunFailed", "DryRunLeftOn");
        assertEquals(List.of("docs/planted.md:3 says \"Five CloudWatch alarms\"; the stack has 4 alarms"),
                wrongCounts(page, ALARM_COUNT, 4, "alarms"));
        assertEquals(List.of("docs/planted.md:3 lists the alarms [FailedUsers, FunctionErrors, RunFailed] but not"
                + " [DryRunLeftOn]"), incompleteLists(page, alarms, "alarms"));
        assertEquals(Map.of("docs/planted.md:5", List.of("FunctionErrors")), tables(page, "Alarm (construct id)"));
        assertFalse(tables(page, "Output").containsKey("docs/planted.md:5"));
    }
}
