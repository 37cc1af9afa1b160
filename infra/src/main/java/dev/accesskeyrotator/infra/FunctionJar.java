package dev.accesskeyrotator.infra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the shaded function jar that the stack uploads.
 *
 * <p>In order: the {@code functionJar} context value; the {@code functionJar} system property (the infra module's
 * tests set it to the jar of the current build directory, so parallel builds with {@code -Dbuild.dir.name} test
 * their own jar); {@code lambda/target/access-key-rotator.jar} under the repository root. The root is found by
 * walking up from the working directory, so the default works both from the root reactor build (working directory
 * {@code infra/}) and from {@code cdk synth} in {@code infra/}.
 */
public final class FunctionJar {
    public static final String SYSTEM_PROPERTY = "functionJar";
    static final String DEFAULT_RELATIVE_TO_REPOSITORY = "lambda/target/access-key-rotator.jar";

    private FunctionJar() {}

    public static Path resolve(Optional<String> fromContext) {
        Path jar = fromContext.filter(p -> !p.isBlank())
                .or(() -> Optional.ofNullable(System.getProperty(SYSTEM_PROPERTY)).filter(p -> !p.isBlank()))
                .map(p -> Path.of(p).toAbsolutePath().normalize())
                .orElseGet(FunctionJar::defaultLocation);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("The function jar " + jar + " does not exist. Build it first"
                    + " (from the repository root: mvn -B -pl lambda package -DskipTests)"
                    + " or point to one with -c functionJar=PATH.");
        }
        return jar;
    }

    static Path defaultLocation() {
        Path workingDirectory = Path.of("").toAbsolutePath();
        for (Path dir = workingDirectory; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("lambda/pom.xml")) && Files.isDirectory(dir.resolve("infra"))) {
                return dir.resolve(DEFAULT_RELATIVE_TO_REPOSITORY);
            }
        }
        return workingDirectory.resolve(DEFAULT_RELATIVE_TO_REPOSITORY);
    }
}
