package dev.accesskeyrotator.infra;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When {@code cdk synth} builds the function jars before using them: on a fresh clone (no jar), after a change to
 * the function's code, its contract or a POM, and never for an unchanged tree (a synth then costs no Maven run). The
 * single-account jar and the hub's jar come from one package and follow the same rule.
 */
class FunctionJarTest {
    private static final Instant BUILT = Instant.parse("2026-12-01T10:00:00Z");

    @TempDir
    Path root;

    private Path freshClone() throws Exception {
        for (String file : new String[] {"pom.xml", "contract/pom.xml", "lambda/pom.xml", "infra/pom.xml",
                "contract/src/main/java/Contract.java", "lambda/src/main/java/Rotator.java",
                "lambda/src/main/resources/app.properties", "lambda/src/test/java/RotatorTest.java",
                "infra/src/main/java/Stack.java", "README.md"}) {
            write(file, BUILT.minusSeconds(3600));
        }
        return root.resolve(FunctionJar.DEFAULT_RELATIVE_TO_REPOSITORY);
    }

    private void write(String relative, Instant modified) throws Exception {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, relative);
        Files.setLastModifiedTime(file, FileTime.from(modified));
    }

    @Test
    void aFreshCloneHasNoJarAndBuildsIt() throws Exception {
        assertTrue(FunctionJar.isOutOfDate(root, freshClone()));
        assertTrue(FunctionJar.isOutOfDate(root, root.resolve(FunctionJar.HUB_DEFAULT_RELATIVE_TO_REPOSITORY)));
    }

    @Test
    void theHubJarIsRebuiltOnAnEditToTheFunctionAndOnlyThen() throws Exception {
        Path hubJar = root.resolve(FunctionJar.HUB_DEFAULT_RELATIVE_TO_REPOSITORY);
        freshClone();
        write(FunctionJar.HUB_DEFAULT_RELATIVE_TO_REPOSITORY, BUILT);
        assertFalse(FunctionJar.isOutOfDate(root, hubJar));
        write("infra/src/main/java/Stack.java", BUILT.plusSeconds(1));
        assertFalse(FunctionJar.isOutOfDate(root, hubJar), "an infra edit");
        write("lambda/src/main/java/Rotator.java", BUILT.plusSeconds(1));
        assertTrue(FunctionJar.isOutOfDate(root, hubJar), "a function edit");
    }

    @Test
    void aJarNewerThanEverythingItIsMadeOfIsUsedAsItIs() throws Exception {
        Path jar = freshClone();
        write(FunctionJar.DEFAULT_RELATIVE_TO_REPOSITORY, BUILT);
        assertFalse(FunctionJar.isOutOfDate(root, jar));
    }

    @Test
    void anEditToTheFunctionItsContractItsResourcesOrAPomRebuildsIt() throws Exception {
        for (String input : new String[] {"lambda/src/main/java/Rotator.java", "contract/src/main/java/Contract.java",
                "lambda/src/main/resources/app.properties", "lambda/pom.xml", "contract/pom.xml", "pom.xml"}) {
            Path jar = freshClone();
            write(FunctionJar.DEFAULT_RELATIVE_TO_REPOSITORY, BUILT);
            write(input, BUILT.plusSeconds(1));
            assertTrue(FunctionJar.isOutOfDate(root, jar), input);
        }
    }

    @Test
    void editsThatDoNotGoIntoTheJarDoNotRebuildIt() throws Exception {
        for (String other : new String[] {"lambda/src/test/java/RotatorTest.java", "infra/src/main/java/Stack.java",
                "infra/pom.xml", "README.md"}) {
            Path jar = freshClone();
            write(FunctionJar.DEFAULT_RELATIVE_TO_REPOSITORY, BUILT);
            write(other, BUILT.plusSeconds(1));
            assertFalse(FunctionJar.isOutOfDate(root, jar), other);
        }
    }
}
