package dev.accesskeyrotator.contract;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every package of main code says in its {@code package-info.java} what it owns and what it must not import; this
 * test holds each source file to its package's list, so the documented layering is the real one.
 */
class PackageRulesTest {
    private static final Path REPOSITORY = Path.of(System.getProperty("user.dir")).getParent();
    private static final List<Path> SOURCE_ROOTS = List.of(
            REPOSITORY.resolve("contract/src/main/java"),
            REPOSITORY.resolve("lambda/src/main/java"),
            REPOSITORY.resolve("infra/src/main/java"));
    private static final Pattern MUST_NOT_IMPORT = Pattern.compile("Must not import:(.*?)(\\*/|<p>|\\(|$)",
            Pattern.DOTALL);
    private static final Pattern IMPORT = Pattern.compile("^import (static )?([\\w.]+)", Pattern.MULTILINE);

    record Rule(Path packageDirectory, List<String> forbidden) {}

    @Test
    void everyPackageSaysWhatItOwnsAndWhatItMustNotImport() {
        List<Path> packages = packageDirectories();
        assertTrue(packages.size() >= 10, "found only " + packages);
        List<String> missing = new ArrayList<>();
        for (Path directory : packages) {
            Path info = directory.resolve("package-info.java");
            if (!Files.exists(info)) {
                missing.add(directory + ": no package-info.java");
                continue;
            }
            String text = read(info);
            if (!text.contains("Owns:") || !MUST_NOT_IMPORT.matcher(text).find()) {
                missing.add(info + ": says neither what it owns nor what it must not import");
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void noSourceFileImportsWhatItsPackageMustNotImport() {
        List<String> violations = new ArrayList<>();
        for (Rule rule : rules()) {
            try (Stream<Path> files = Files.list(rule.packageDirectory())) {
                files.filter(f -> f.toString().endsWith(".java")).forEach(file -> {
                    Matcher imports = IMPORT.matcher(read(file));
                    while (imports.find()) {
                        String imported = imports.group(2);
                        rule.forbidden().stream().filter(prefix -> imported.startsWith(prefix + "."))
                                .forEach(prefix -> violations.add(REPOSITORY.relativize(file) + " imports "
                                        + imported + ", and its package must not import " + prefix));
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertEquals(List.of(), violations);
    }

    /**
     * The packages' own imports, read from the sources, form no circle: each package depends only on packages below
     * it, so a new arrow back up fails here even if no package-info thought to forbid it.
     */
    @Test
    void noPackageDependsOnItselfThroughOthers() {
        Map<String, Set<String>> arrows = packageArrows();
        List<String> circles = new ArrayList<>();
        for (String start : arrows.keySet()) {
            findCircle(start, start, arrows, new ArrayList<>(List.of(start)), new TreeSet<>()).ifPresent(circle -> {
                if (circle.get(0).equals(circle.stream().min(String::compareTo).orElseThrow())) {
                    circles.add(String.join(" -> ", circle));
                }
            });
        }
        assertEquals(List.of(), circles);
        // The check above must be able to fail: the real graph has arrows, and a circle in a made-up one is found.
        assertTrue(arrows.getOrDefault(PROJECT + "service", Set.of()).contains(PROJECT + "domain"), arrows.toString());
        Map<String, Set<String>> madeUp = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"));
        assertEquals(Optional.of(List.of("a", "b", "c", "a")), findCircle("a", "a", madeUp,
                new ArrayList<>(List.of("a")), new TreeSet<>()));
    }

    private static final String PROJECT = "dev.accesskeyrotator.";

    /** The composition root: it puts the adapters and the service together, so it may import every layer. */
    private static final String WIRING = PROJECT + "wiring";
    /** The entry points: they build the whole rotator, so they alone may import the composition root. */
    private static final Set<String> ENTRY_POINTS = Set.of(PROJECT + "lambda", PROJECT + "cli", PROJECT + "org");
    /**
     * Arrows the layering forbids whatever a package-info says: the adapters implement the ports and never see the
     * run or the status view that use them through those ports.
     */
    private static final Map<String, Set<String>> NEVER = Map.of(
            PROJECT + "aws", Set.of(PROJECT + "service", PROJECT + "status", WIRING));

    /**
     * Only the entry points import the composition root, and the adapters import nothing that uses them: the one
     * package that knows both sides is {@code wiring}, and the entry points reach the rest through it.
     */
    @Test
    void onlyTheEntryPointsSeeTheWiringAndTheAdaptersSeeNothingAboveThePorts() {
        Map<String, Set<String>> arrows = packageArrows();
        assertEquals(List.of(), layeringViolations(arrows));
        // The check must be able to fail: the real wiring is there and sees both sides, the entry points use it, and
        // the arrows of a made-up graph that break each rule are found.
        assertTrue(arrows.getOrDefault(WIRING, Set.of()).containsAll(
                Set.of(PROJECT + "aws", PROJECT + "service", PROJECT + "status")), arrows.toString());
        assertTrue(arrows.getOrDefault(PROJECT + "lambda", Set.of()).contains(WIRING), arrows.toString());
        assertEquals(List.of(PROJECT + "aws imports " + PROJECT + "service",
                        PROJECT + "status imports " + WIRING + ", which only the entry points may"),
                layeringViolations(Map.of(PROJECT + "aws", Set.of(PROJECT + "port", PROJECT + "service"),
                        PROJECT + "status", Set.of(WIRING), PROJECT + "cli", Set.of(WIRING))));
    }

    @Test
    void theWiringMayImportEveryLayerBelowTheEntryPoints() {
        Rule wiring = rules().stream().filter(r -> packageOf(r.packageDirectory()).equals(WIRING)).findFirst()
                .orElseThrow(() -> new AssertionError("no package " + WIRING + " with a package-info"));
        assertTrue(ENTRY_POINTS.containsAll(wiring.forbidden().stream().filter(p -> p.startsWith(PROJECT)).toList()),
                wiring.toString());
    }

    private static List<String> layeringViolations(Map<String, Set<String>> arrows) {
        List<String> violations = new ArrayList<>();
        new TreeMap<>(arrows).forEach((from, to) -> new TreeSet<>(to).forEach(imported -> {
            if (NEVER.getOrDefault(from, Set.of()).contains(imported)) {
                violations.add(from + " imports " + imported);
            } else if (imported.equals(WIRING) && !ENTRY_POINTS.contains(from)) {
                violations.add(from + " imports " + imported + ", which only the entry points may");
            }
        }));
        return violations;
    }

    /** Package to the project's packages its sources import, read from the import lines. */
    private static Map<String, Set<String>> packageArrows() {
        Map<String, Set<String>> arrows = new TreeMap<>();
        for (Path directory : packageDirectories()) {
            String from = packageOf(directory);
            Set<String> to = arrows.computeIfAbsent(from, k -> new TreeSet<>());
            try (Stream<Path> files = Files.list(directory)) {
                files.filter(f -> f.toString().endsWith(".java")).forEach(file -> {
                    Matcher imports = IMPORT.matcher(read(file));
                    while (imports.find()) {
                        String imported = imports.group(2);
                        if (imported.startsWith(PROJECT)) {
                            to.add(topLevel(imported));
                        }
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            to.remove(from);
        }
        return arrows;
    }

    /** {@code dev.accesskeyrotator.service.Foo} -> {@code dev.accesskeyrotator.service}. */
    private static String topLevel(String imported) {
        String rest = imported.substring(PROJECT.length());
        int dot = rest.indexOf('.');
        return PROJECT + (dot < 0 ? rest : rest.substring(0, dot));
    }

    private static String packageOf(Path directory) {
        for (Path root : SOURCE_ROOTS) {
            if (directory.startsWith(root)) {
                return topLevel(root.relativize(directory).toString().replace(java.io.File.separatorChar, '.')
                        + ".X");
            }
        }
        throw new IllegalArgumentException(directory.toString());
    }

    private static Optional<List<String>> findCircle(String start, String at, Map<String, Set<String>> arrows,
                                                     List<String> path, Set<String> seen) {
        for (String next : arrows.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                List<String> circle = new ArrayList<>(path);
                circle.add(start);
                return Optional.of(circle);
            }
            if (seen.add(next)) {
                path.add(next);
                Optional<List<String>> found = findCircle(start, next, arrows, path, seen);
                if (found.isPresent()) {
                    return found;
                }
                path.remove(path.size() - 1);
            }
        }
        return Optional.empty();
    }

    @Test
    void theRuleReaderFindsAForbiddenImport() {
        // The check above must be able to fail: the domain's rules forbid the SDK.
        Rule domain = rules().stream().filter(r -> r.packageDirectory().endsWith("domain")).findFirst().orElseThrow();
        assertTrue(domain.forbidden().contains("software.amazon"), domain.toString());
        assertTrue(domain.forbidden().contains("dev.accesskeyrotator.service"), domain.toString());
    }

    private static List<Rule> rules() {
        List<Rule> rules = new ArrayList<>();
        for (Path directory : packageDirectories()) {
            Path info = directory.resolve("package-info.java");
            if (!Files.exists(info)) {
                continue;
            }
            Matcher matcher = MUST_NOT_IMPORT.matcher(read(info));
            if (matcher.find()) {
                List<String> forbidden = Arrays.stream(matcher.group(1).replace("*", " ").split("[,\\s]+"))
                        .map(String::strip).filter(s -> s.matches("[a-z][\\w.]*[a-z]")).toList();
                rules.add(new Rule(directory, forbidden));
            }
        }
        return rules;
    }

    private static List<Path> packageDirectories() {
        List<Path> directories = new ArrayList<>();
        for (Path root : SOURCE_ROOTS) {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(Files::isDirectory).filter(PackageRulesTest::holdsJava).forEach(directories::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return directories;
    }

    private static boolean holdsJava(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.anyMatch(f -> f.toString().endsWith(".java") && !f.endsWith("package-info.java"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
