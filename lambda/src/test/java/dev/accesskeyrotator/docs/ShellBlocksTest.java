package dev.accesskeyrotator.docs;

import dev.accesskeyrotator.docs.MarkdownPages.CodeBlock;
import dev.accesskeyrotator.docs.MarkdownPages.Page;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every shell block of README.md and docs/*.md is accounted for. Its Maven commands are what this machine can run:
 * each is checked here against the build (phases of the lifecycle up to {@code verify}, modules, profiles,
 * executions and test classes that exist), and the build they do is the one {@code .ci/run} runs
 * ({@code ./mvnw -B verify}, then the slow set with {@code -Pslow}; the try-it profile's main runs in
 * {@code ReadmeCommandsTest}). Every block with any other command (the AWS CLI, the CDK CLI against an account, the
 * jar against an account) must be listed, with why it cannot run here, in docs/commands-not-run-here.md; a listed
 * command no doc shows any more fails too.
 */
class ShellBlocksTest {
    private static final Set<String> SHELL = Set.of("sh", "bash", "shell", "console", "powershell");
    private static final String LIST = "docs/commands-not-run-here.md";
    private static final List<String> LIFECYCLE = List.of("validate", "initialize", "generate-sources",
            "process-sources", "generate-resources", "process-resources", "compile", "process-classes",
            "generate-test-sources", "process-test-sources", "generate-test-resources", "process-test-resources",
            "test-compile", "process-test-classes", "test", "prepare-package", "package", "pre-integration-test",
            "integration-test", "post-integration-test", "verify", "install");
    private static final Pattern ENTRY = Pattern.compile("^- `(.+?)`: (.+)$");

    private static boolean isMaven(String command) {
        return command.startsWith("./mvnw ") || command.startsWith("mvn ");
    }

    /** Commands that only set up the shell for the next one. */
    private static boolean isNeutral(String command) {
        return command.matches("cd \\S+");
    }

    /** The block's key in the list: the first line of its first command that is neither Maven nor a {@code cd}. */
    static Optional<String> keyOf(CodeBlock block) {
        for (String command : block.commands()) {
            if (isMaven(command) || isNeutral(command)) {
                continue;
            }
            String first = block.body().stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .filter(l -> command.startsWith(l.replaceAll("\\s*(\\\\|`)$", "").strip()))
                    .findFirst().orElse(command);
            return Optional.of(first.replaceAll("\\s*(\\\\| `)$", "").strip());
        }
        return Optional.empty();
    }

    /** Page name to listed command to reason, from docs/commands-not-run-here.md. */
    static Map<String, Map<String, String>> listed(List<String> lines) {
        Map<String, Map<String, String>> listed = new LinkedHashMap<>();
        String page = null;
        for (String line : lines) {
            if (line.startsWith("### ")) {
                page = line.substring(4).strip();
                listed.putIfAbsent(page, new LinkedHashMap<>());
            }
            Matcher entry = ENTRY.matcher(line);
            if (page != null && entry.matches()) {
                listed.get(page).put(entry.group(1), entry.group(2));
            }
        }
        return listed;
    }

    /** What is wrong with a documented Maven command, checked against the build; empty when it is runnable. */
    static List<String> mavenProblems(Path root, String command) {
        List<String> problems = new ArrayList<>();
        List<String> tokens = Arrays.asList(command.replaceAll("'", "").split("\\s+"));
        if (!tokens.get(0).equals("./mvnw")) {
            problems.add("runs `" + tokens.get(0) + "`: use the wrapper, `./mvnw`, which needs no Maven installed");
        }
        List<String> modules = new ArrayList<>();
        for (int i = 1; i < tokens.size(); i++) {
            String token = tokens.get(i);
            if (token.equals("-pl")) {
                modules.addAll(Arrays.asList(tokens.get(++i).split(",")));
            } else if (token.startsWith("-P")) {
                String profile = token.substring(2);
                if (Stream.of("pom.xml", "lambda/pom.xml").noneMatch(pom -> read(root, pom)
                        .contains("<id>" + profile + "</id>"))) {
                    problems.add("profile " + profile + " is in neither pom.xml nor lambda/pom.xml");
                }
            } else if (token.startsWith("-Dtest=")) {
                String pattern = token.substring("-Dtest=".length());
                if (!testClassExists(root, pattern)) {
                    problems.add("-Dtest=" + pattern + " selects no test class");
                }
                if (!modules.isEmpty() && !tokens.contains("-Dsurefire.failIfNoSpecifiedTests=false")
                        && tokens.contains("-am")) {
                    problems.add("-Dtest with -am needs -Dsurefire.failIfNoSpecifiedTests=false, or the modules"
                            + " built before it fail for want of that test");
                }
            } else if (token.contains(":") && !token.startsWith("-")) {
                Matcher goal = Pattern.compile("exec:java@(\\S+)").matcher(token);
                if (!goal.matches() || !read(root, "lambda/pom.xml").contains("<id>" + goal.group(1) + "</id>")) {
                    problems.add("goal " + token + " is not an execution of lambda/pom.xml");
                }
            } else if (!token.startsWith("-") && !LIFECYCLE.contains(token)) {
                problems.add("`" + token + "` is not a lifecycle phase");
            }
        }
        for (String module : modules) {
            if (!Files.exists(root.resolve(module).resolve("pom.xml"))) {
                problems.add("-pl " + module + ": no such module");
            }
        }
        boolean selectsModules = !modules.isEmpty();
        boolean buildsWhatItNeeds = tokens.contains("-am") || modules.equals(List.of("contract"));
        boolean afterInstall = command.contains("exec:java@");
        if (selectsModules && !buildsWhatItNeeds && !afterInstall) {
            problems.add("-pl without -am fails on a fresh clone: the contract module is not installed");
        }
        return problems;
    }

    private static boolean testClassExists(Path root, String pattern) {
        String regex = pattern.replace(".", "\\.").replace("*", ".*");
        try (Stream<Path> files = Files.walk(root.resolve("lambda/src/test/java"))) {
            return files.map(f -> root.resolve("lambda/src/test/java").relativize(f).toString()
                            .replace('/', '.').replaceAll("\\.java$", ""))
                    .anyMatch(name -> name.matches(regex) || name.matches(".*\\." + regex));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path root, String file) {
        try {
            return Files.readString(root.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void everyShellBlockIsRunHereOrListedWithWhyNot() throws IOException {
        Path root = MarkdownPages.root();
        Map<String, Map<String, String>> listed = listed(Files.readAllLines(root.resolve(LIST)));
        List<String> problems = new ArrayList<>();
        Map<String, List<String>> shown = new LinkedHashMap<>();
        int mavenCommands = 0;
        for (Page page : MarkdownPages.all()) {
            for (CodeBlock block : page.codeBlocks()) {
                if (block.language().isEmpty()) {
                    problems.add(block.where() + ": label the block, ```sh for commands, ```text otherwise");
                    continue;
                }
                if (!SHELL.contains(block.language())) {
                    continue;
                }
                for (String command : block.commands()) {
                    if (isMaven(command)) {
                        mavenCommands++;
                        mavenProblems(root, command).forEach(p -> problems.add(block.where() + ": `" + command
                                + "`: " + p));
                    }
                }
                Optional<String> key = keyOf(block);
                if (key.isEmpty()) {
                    continue; // Maven only: checked above
                }
                shown.computeIfAbsent(page.name(), p -> new ArrayList<>()).add(key.get());
                String reason = listed.getOrDefault(page.name(), Map.of()).get(key.get());
                if (reason == null) {
                    problems.add(block.where() + ": neither run by a test nor listed in " + LIST + " (add \"- `"
                            + key.get() + "`: why it cannot run here\" under \"### " + page.name() + "\")");
                } else if (reason.isBlank()) {
                    problems.add(LIST + ": `" + key.get() + "` says no reason");
                }
            }
        }
        listed.forEach((page, commands) -> commands.keySet().stream()
                .filter(command -> !shown.getOrDefault(page, List.of()).contains(command))
                .forEach(command -> problems.add(LIST + ": `" + command + "` is listed under " + page
                        + ", which shows no such shell block any more")));
        assertTrue(mavenCommands >= 5, "the docs' Maven commands are found: " + mavenCommands);
        assertTrue(problems.isEmpty(), problems.size() + " shell block problem(s):\n  "
                + String.join("\n  ", problems));
    }

    /** The commands listed under "Run by .ci/run": the section after its heading, up to the next one of its level. */
    static List<String> runByCi(List<String> lines) {
        List<String> commands = new ArrayList<>();
        boolean inSection = false;
        for (String line : lines) {
            if (line.startsWith("## ")) {
                inSection = line.startsWith("## Run by `.ci/run`");
            }
            Matcher entry = ENTRY.matcher(line);
            if (inSection && entry.matches()) {
                commands.add(entry.group(1));
            }
        }
        return commands;
    }

    @Test
    void theSynthCommandsTheDocsShowAreTheOnesCiRunsWordForWord() throws IOException {
        Path root = MarkdownPages.root();
        String script = Files.readString(root.resolve(".ci/check-templates"));
        List<String> commands = new ArrayList<>(runByCi(Files.readAllLines(root.resolve(LIST))));
        // The README names the single-account synth in prose; it is the first thing a new user runs.
        Matcher readme = Pattern.compile("`(npx -y aws-cdk@\\S+ synth)`")
                .matcher(Files.readString(root.resolve("README.md")));
        assertTrue(readme.find(), "README.md names the synth command");
        commands.add(readme.group(1));
        assertTrue(commands.size() >= 2, "both apps' synth commands are listed: " + commands);
        for (String command : commands) {
            assertTrue(script.lines().map(String::strip).anyMatch(line -> line.endsWith(" " + command)),
                    ".ci/check-templates does not run `" + command + "` as written");
        }
    }

    @Test
    void anUnlistedBlockAStaleEntryAndABrokenMavenCommandAreEachCaught() {
        Path root = MarkdownPages.root();
        Page page = MarkdownPages.of("docs/planted.md", """
                ## Run

                ```sh
                cd infra
                aws ssm get-parameters-by-path --path /access-key-rotation/ \\
                  --output table
                ```
                """);
        CodeBlock block = page.codeBlocks().get(0);
        assertEquals(Optional.of("aws ssm get-parameters-by-path --path /access-key-rotation/"), keyOf(block));
        Map<String, Map<String, String>> listed = listed(List.of("### docs/planted.md",
                "- `aws ssm get-parameters-by-path --path /access-key-rotation/`: reads Parameter Store"));
        assertEquals("reads Parameter Store", listed.get("docs/planted.md").get(keyOf(block).get()));

        assertEquals(List.of(), mavenProblems(root, "./mvnw -B -q -pl lambda -am verify -DskipTests -Ptry-it"));
        assertEquals(List.of(), mavenProblems(root, "./mvnw -B -pl lambda -am test"
                + " -Dtest=dev.accesskeyrotator.reliability.* -Dsurefire.failIfNoSpecifiedTests=false"));
        assertFalse(mavenProblems(root, "mvn -B verify").isEmpty(), "mvn is not the wrapper");
        assertFalse(mavenProblems(root, "./mvnw -B -pl lambda test -Dtest=NoSuchTest").isEmpty());
        assertFalse(mavenProblems(root, "./mvnw -B -pl lambda package").isEmpty(), "-pl without -am");
        assertFalse(mavenProblems(root, "./mvnw -B -pl lambda -am verify -Pno-such-profile").isEmpty());
    }
}
