package dev.accesskeyrotator.localaws;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's two commands for a newcomer, as written: the try-it command's phase reaches the profile's binding,
 * which runs this project's try-it main (run here in-process); the test commands are the ones CI runs. Also the deploy
 * section's order and pinned CDK version, and that its links resolve.
 */
class ReadmeCommandsTest {
    private static final List<String> LIFECYCLE = List.of("validate", "initialize", "generate-sources",
            "process-sources", "generate-resources", "process-resources", "compile", "process-classes",
            "generate-test-sources", "process-test-sources", "generate-test-resources", "process-test-resources",
            "test-compile", "process-test-classes", "test", "prepare-package", "package", "pre-integration-test",
            "integration-test", "post-integration-test", "verify", "install", "deploy");

    private static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.exists(dir.resolve("README.md")) || !Files.exists(dir.resolve(".ci"))) {
            dir = dir.getParent();
        }
        return dir;
    }

    /** The first {@code ./mvnw} line of the section's code blocks, without its comment. */
    private static List<String> mavenCommand(String readme, String section) {
        return mavenCommands(readme, section).get(0);
    }

    /** Every {@code ./mvnw} line of the section's code blocks, in order, without comments. */
    private static List<List<String>> mavenCommands(String readme, String section) {
        String body = readme.substring(readme.indexOf("## " + section));
        body = body.substring(0, body.indexOf("\n## ", 3) < 0 ? body.length() : body.indexOf("\n## ", 3));
        Matcher block = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL).matcher(body);
        List<List<String>> commands = new ArrayList<>();
        while (block.find()) {
            block.group(1).lines().filter(l -> l.startsWith("./mvnw")).map(l -> l.replaceAll("\\s+#.*$", "").trim())
                    .forEach(line -> commands.add(Arrays.asList(line.split("\\s+"))));
        }
        assertFalse(commands.isEmpty(), "no ./mvnw command in a code block under " + section);
        return commands;
    }

    private static List<String> profiles(List<String> command) {
        return command.stream().filter(token -> token.startsWith("-P")).toList();
    }

    private static List<String> goals(List<String> command) {
        List<String> goals = new ArrayList<>();
        for (int i = 1; i < command.size(); i++) {
            String token = command.get(i);
            if (token.equals("-pl")) {
                i++;
            } else if (!token.startsWith("-")) {
                goals.add(token);
            }
        }
        return goals;
    }

    @Test
    void theTryItCommandReachesTheProfileThatRunsTheTryItMain() throws Exception {
        Path root = root();
        List<String> command = mavenCommand(Files.readString(root.resolve("README.md")), "Try it");
        // -am builds the contract module in the same reactor: no separate install on a fresh machine.
        assertTrue(command.contains("-am"), command.toString());
        assertEquals("lambda", command.get(command.indexOf("-pl") + 1));
        assertFalse(command.contains("-Dmaven.test.skip=true"), "the try-it main lives in the test classes");
        String profile = command.stream().filter(t -> t.startsWith("-P")).findFirst().orElseThrow().substring(2);
        List<String> phases = goals(command);
        assertEquals(1, phases.size(), phases.toString());

        Element pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(root.resolve("lambda/pom.xml").toFile()).getDocumentElement();
        Element profileElement = children(child(pom, "profiles").orElseThrow(), "profile").stream()
                .filter(p -> text(p, "id").equals(profile)).findFirst().orElseThrow();
        Element binding = executions(profileElement).stream().filter(e -> text(e, "id").equals("try-it"))
                .findFirst().orElseThrow();
        String boundPhase = text(binding, "phase");
        assertTrue(LIFECYCLE.indexOf(phases.get(0)) >= LIFECYCLE.indexOf(boundPhase),
                phases + " does not reach " + boundPhase);
        Element main = executions(child(pom, "build").orElseThrow()).stream()
                .filter(e -> text(e, "id").equals("try-it")).findFirst().orElseThrow();
        String mainClass = text(child(main, "configuration").orElseThrow(), "mainClass");
        assertEquals(TryItLocally.class.getName(), mainClass);

        // What the binding runs, in-process: the story and its exit status.
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            code = TryItLocally.run(out, false);
        }
        assertEquals(0, code, printed.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theTestCommandIsTheOneCiRuns() throws Exception {
        Path root = root();
        List<String> readme = mavenCommand(Files.readString(root.resolve("README.md")), "Run the tests");
        List<String> ci = Arrays.asList(Files.readString(root.resolve(".ci/run")).lines()
                .filter(l -> l.startsWith("./mvnw")).findFirst().orElseThrow().trim().split("\\s+"));

        assertEquals(List.of("verify"), goals(readme));
        assertEquals(goals(readme), goals(ci));
        // CI may add output options; it must not skip or select what the README's command runs.
        assertTrue(ci.containsAll(readme), ci + " vs " + readme);
        assertTrue(ci.stream().noneMatch(t -> t.startsWith("-pl") || t.startsWith("-Dtest") || t.contains("skip")),
                ci.toString());
    }

    /**
     * The README's test section also shows the slow set ({@code -Pslow}), which the first command leaves out: CI runs
     * every command the section shows, so CI still runs every test.
     */
    @Test
    void ciAlsoRunsTheSlowSetTheReadmeShows() throws Exception {
        Path root = root();
        List<List<String>> readme = mavenCommands(Files.readString(root.resolve("README.md")), "Run the tests");
        List<List<String>> ci = Files.readString(root.resolve(".ci/run")).lines().filter(l -> l.startsWith("./mvnw"))
                .map(l -> Arrays.asList(l.trim().split("\\s+"))).toList();

        assertTrue(readme.stream().anyMatch(command -> command.contains("-Pslow")), readme.toString());
        for (List<String> command : readme) {
            // The same goals and profiles, and every option the README gives (CI may add output options).
            assertTrue(ci.stream().anyMatch(c -> c.containsAll(command) && goals(c).equals(goals(command))
                            && profiles(c).equals(profiles(command))), ".ci/run does not run " + command + ": " + ci);
        }
    }

    @Test
    void deployBootstrapsFirstWithThePinnedCdkAndTheLinksResolve() throws Exception {
        Path root = root();
        String readme = Files.readString(root.resolve("README.md"));
        String deploy = readme.substring(readme.indexOf("## Deploy"));
        Matcher pinned = Pattern.compile("npx -y aws-cdk@(\\S+) bootstrap").matcher(deploy);
        assertTrue(pinned.find(), deploy);
        assertTrue(deploy.indexOf("aws-cdk@" + pinned.group(1) + " deploy") > pinned.end(), deploy);
        assertTrue(Files.readString(root.resolve("docs/deploy.md")).contains("aws-cdk@" + pinned.group(1)),
                "docs/deploy.md pins another CDK version");

        Matcher link = Pattern.compile("\\]\\(([^)#]+)(#[^)]*)?\\)").matcher(readme);
        int links = 0;
        while (link.find()) {
            if (!link.group(1).startsWith("http")) {
                assertTrue(Files.exists(root.resolve(link.group(1))), "broken link " + link.group(1));
                links++;
            }
        }
        assertTrue(links >= 5, "the README links the docs");
    }

    private static List<Element> executions(Element parent) {
        List<Element> found = new ArrayList<>();
        NodeList all = parent.getElementsByTagName("execution");
        for (int i = 0; i < all.getLength(); i++) {
            Element execution = (Element) all.item(i);
            // Only the exec plugin's executions; the build's own element excludes the profiles' ones.
            Node plugin = execution.getParentNode().getParentNode();
            if (text((Element) plugin, "artifactId").equals("exec-maven-plugin") && within(execution, parent)) {
                found.add(execution);
            }
        }
        return found;
    }

    private static boolean within(Node node, Element parent) {
        for (Node up = node.getParentNode(); up != null; up = up.getParentNode()) {
            if (up.getNodeName().equals("profile") && up != parent) {
                return false;
            }
            if (up == parent) {
                return true;
            }
        }
        return false;
    }

    private static Optional<Element> child(Element parent, String name) {
        return children(parent, name).stream().findFirst();
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                found.add(e);
            }
        }
        return found;
    }

    private static String text(Element parent, String name) {
        return child(parent, name).map(e -> e.getTextContent().trim()).orElse("");
    }
}
