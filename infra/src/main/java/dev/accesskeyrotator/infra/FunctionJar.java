package dev.accesskeyrotator.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the shaded function jar that the stack uploads, building it first when the app runs from a clone.
 *
 * <p>In order: the {@code functionJar} context value; the {@code functionJar} system property (the infra module's
 * tests set it to the jar of the current build directory, so parallel builds with {@code -Dbuild.dir.name} test
 * their own jar); {@code lambda/target/access-key-rotator.jar} under the repository root. The root is found by
 * walking up from the working directory, so the default works both from the root reactor build (working directory
 * {@code infra/}) and from {@code cdk synth} in {@code infra/}.
 *
 * <p>Only the default location is built on demand: {@code cdk synth} and {@code cdk deploy} on a fresh clone must work
 * with no earlier build step, and after an edit must not upload a jar older than the code. The build runs (quietly,
 * through the repository's Maven Wrapper) only when the jar is missing or older than a source or POM it is made from,
 * so a synth of an unchanged tree costs no Maven run. A jar named explicitly is taken as it is.
 */
public final class FunctionJar {
    public static final String SYSTEM_PROPERTY = "functionJar";
    static final String DEFAULT_RELATIVE_TO_REPOSITORY = "lambda/target/access-key-rotator.jar";
    /** What the jar is made from, relative to the repository root: a change to any of them makes it out of date. */
    static final List<String> INPUTS = List.of("pom.xml", "contract/pom.xml", "contract/src/main",
            "lambda/pom.xml", "lambda/src/main");

    private FunctionJar() {}

    public static Path resolve(Optional<String> fromContext) {
        Optional<Path> named = fromContext.filter(p -> !p.isBlank())
                .or(() -> Optional.ofNullable(System.getProperty(SYSTEM_PROPERTY)).filter(p -> !p.isBlank()))
                .map(p -> Path.of(p).toAbsolutePath().normalize());
        Path jar = named.orElseGet(FunctionJar::defaultLocation);
        if (named.isEmpty()) {
            repositoryRoot().filter(root -> isOutOfDate(root, jar)).ifPresent(FunctionJar::build);
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("The function jar " + jar + " does not exist. Build it first"
                    + " (from the repository root: ./mvnw -B -q -pl lambda -am package -Dmaven.test.skip=true)"
                    + " or point to one with -c functionJar=PATH.");
        }
        return jar;
    }

    static Path defaultLocation() {
        return repositoryRoot().orElseGet(() -> Path.of("").toAbsolutePath()).resolve(DEFAULT_RELATIVE_TO_REPOSITORY);
    }

    static Optional<Path> repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("lambda/pom.xml")) && Files.isDirectory(dir.resolve("infra"))) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    /** True when the jar is missing or any file it is built from changed after it was written. */
    static boolean isOutOfDate(Path root, Path jar) {
        if (!Files.isRegularFile(jar)) {
            return true;
        }
        try {
            FileTime built = Files.getLastModifiedTime(jar);
            for (String input : INPUTS) {
                Path path = root.resolve(input);
                if (!Files.exists(path)) {
                    continue;
                }
                try (Stream<Path> files = Files.walk(path)) {
                    if (files.filter(Files::isRegularFile).anyMatch(file -> modified(file).compareTo(built) > 0)) {
                        return true;
                    }
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compare the function jar with its sources", e);
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the Maven Wrapper's package of the function (tests not compiled: {@code ./mvnw -B verify} runs them). */
    private static void build(Path root) {
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        Path wrapper = root.resolve(windows ? "mvnw.cmd" : "mvnw");
        List<String> command = List.of(wrapper.toString(), "-B", "-q", "-f", root.resolve("pom.xml").toString(),
                "-pl", "lambda", "-am", "package", "-Dmaven.test.skip=true");
        System.err.println("Building the function jar (" + DEFAULT_RELATIVE_TO_REPOSITORY + " is missing or older"
                + " than its sources)...");
        try {
            // Maven's output goes to standard error: the CDK CLI keeps the app's standard output for itself.
            Process process = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
            process.getInputStream().transferTo(System.err);
            int exit = process.waitFor();
            if (exit != 0) {
                throw new IllegalStateException("Building the function jar failed (exit code " + exit + "): "
                        + String.join(" ", command));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + wrapper, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the function jar", e);
        }
    }
}
