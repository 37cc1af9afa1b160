package dev.accesskeyrotator.contract;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
