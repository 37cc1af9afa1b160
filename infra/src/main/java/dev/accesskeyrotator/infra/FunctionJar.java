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
 * Finds the shaded jars that the stacks upload, building them first when the app runs from a clone: the
 * single-account function's {@code access-key-rotator.jar} (which is also the CLI) and the organization hub's
 * {@code access-key-rotator-hub.jar} (its lister, worker and aggregator, with the S3 and Organizations clients the
 * single-account jar leaves out). One Maven package builds both.
 *
 * <p>In order: the context value ({@code functionJar}, {@code hubJar}); the system property of the same name (the
 * infra module's tests set it to the jar of the current build directory, so parallel builds with
 * {@code -Dbuild.dir.name} test their own jar); {@code lambda/target/} under the repository root. The root is found by
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
    public static final String HUB_SYSTEM_PROPERTY = "hubJar";
    static final String HUB_DEFAULT_RELATIVE_TO_REPOSITORY = "lambda/target/access-key-rotator-hub.jar";
    /** What the jar is made from, relative to the repository root: a change to any of them makes it out of date. */
    static final List<String> INPUTS = List.of("pom.xml", "contract/pom.xml", "contract/src/main",
            "lambda/pom.xml", "lambda/src/main");

    private FunctionJar() {}

    /** The single-account function's jar. */
    public static Path resolve(Optional<String> fromContext) {
        return resolve(fromContext, SYSTEM_PROPERTY, DEFAULT_RELATIVE_TO_REPOSITORY, "function jar");
    }

    /** The organization hub's jar. */
    public static Path resolveHub(Optional<String> fromContext) {
        return resolve(fromContext, HUB_SYSTEM_PROPERTY, HUB_DEFAULT_RELATIVE_TO_REPOSITORY, "hub jar");
    }

    private static Path resolve(Optional<String> fromContext, String property, String defaultPath, String what) {
        Optional<Path> named = fromContext.filter(p -> !p.isBlank())
                .or(() -> Optional.ofNullable(System.getProperty(property)).filter(p -> !p.isBlank()))
                .map(p -> Path.of(p).toAbsolutePath().normalize());
        Path jar = named.orElseGet(() -> defaultLocation(defaultPath));
        if (named.isEmpty()) {
            repositoryRoot().filter(root -> isOutOfDate(root, jar)).ifPresent(root -> build(root, defaultPath));
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("The " + what + " " + jar + " does not exist. Build it first"
                    + " (from the repository root: ./mvnw -B -q -pl lambda -am package -Dmaven.test.skip=true)"
                    + " or point to one with -c " + property + "=PATH.");
        }
        return jar;
    }

    static Path defaultLocation() {
        return defaultLocation(DEFAULT_RELATIVE_TO_REPOSITORY);
    }

    static Path hubDefaultLocation() {
        return defaultLocation(HUB_DEFAULT_RELATIVE_TO_REPOSITORY);
    }

    private static Path defaultLocation(String relativeToRepository) {
        return repositoryRoot().orElseGet(() -> Path.of("").toAbsolutePath()).resolve(relativeToRepository);
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

    /**
     * Runs the Maven Wrapper's package of the function module, which writes both jars (tests not compiled:
     * {@code ./mvnw -B verify} runs them).
     */
    private static void build(Path root, String missingOrStale) {
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        Path wrapper = root.resolve(windows ? "mvnw.cmd" : "mvnw");
        List<String> command = List.of(wrapper.toString(), "-B", "-q", "-f", root.resolve("pom.xml").toString(),
                "-pl", "lambda", "-am", "package", "-Dmaven.test.skip=true");
        // One package writes both jars; say so, or a hub deployment reads as if only the other jar were built.
        System.err.println("Building the function jars, " + DEFAULT_RELATIVE_TO_REPOSITORY + " and "
                + HUB_DEFAULT_RELATIVE_TO_REPOSITORY + " (" + missingOrStale + " is missing or older than its"
                + " sources)...");
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
