package dev.accesskeyrotator.packaging;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two shaded jars (lambda/pom.xml): {@code access-key-rotator.jar}, the single-account function and the CLI,
 * and {@code access-key-rotator-hub.jar}, organization mode's lister, worker and aggregator. Each is all that its
 * deployment uploads, so neither may name a class that only the other one holds: in AWS that is a
 * {@code NoClassDefFoundError} the first time a code path reaches it. Classes that neither jar holds (the SDK's
 * optional CRT, Apache and Netty hooks, left out on purpose before the split) are not the split's doing.
 */
class ShadedJarsIT {
    private static final Path DIRECTORY = Path.of(System.getProperty("shadedJarsDirectory", "target"));
    private static final Path FUNCTION_JAR = DIRECTORY.resolve("access-key-rotator.jar");
    private static final Path HUB_JAR = DIRECTORY.resolve("access-key-rotator-hub.jar");

    private static Map<String, List<byte[]>> functionClasses;
    private static Map<String, List<byte[]>> hubClasses;

    @BeforeAll
    static void readJars() {
        functionClasses = classes(FUNCTION_JAR);
        hubClasses = classes(HUB_JAR);
    }

    @Test
    void theSingleAccountJarNamesNoClassOnlyTheHubJarHolds() {
        assertEquals(Map.of(), missing(functionClasses, hubClasses));
    }

    @Test
    void theHubJarNamesNoClassOnlyTheSingleAccountJarHolds() {
        assertEquals(Map.of(), missing(hubClasses, functionClasses));
    }

    @Test
    void theSingleAccountJarHasTheFunctionAndTheCommandLineButNothingOfTheHub() {
        assertTrue(functionClasses.containsKey("dev/accesskeyrotator/lambda/RotationHandler"));
        assertTrue(functionClasses.containsKey("dev/accesskeyrotator/cli/Main"));
        assertTrue(functionClasses.containsKey("software/amazon/awssdk/services/kms/KmsClient"));
        for (String hubOnly : List.of("dev/accesskeyrotator/org/", "software/amazon/awssdk/services/s3/",
                "software/amazon/awssdk/services/organizations/")) {
            assertFalse(functionClasses.keySet().stream().anyMatch(name -> name.startsWith(hubOnly)), hubOnly);
        }
    }

    @Test
    void theHubJarHasTheHubsHandlersAndClientsButNotTheCommandLine() {
        for (String handler : List.of("ListAccountsHandler", "RotateAccountHandler", "AggregateHandler")) {
            assertTrue(hubClasses.containsKey("dev/accesskeyrotator/org/" + handler), handler);
        }
        assertTrue(hubClasses.containsKey("software/amazon/awssdk/services/s3/S3Client"));
        assertTrue(hubClasses.containsKey("software/amazon/awssdk/services/organizations/OrganizationsClient"));
        for (String cliOnly : List.of("dev/accesskeyrotator/cli/", "picocli/", "software/amazon/awssdk/services/kms/",
                "software/amazon/awssdk/services/sso/")) {
            assertFalse(hubClasses.keySet().stream().anyMatch(name -> name.startsWith(cliOnly)), cliOnly);
        }
    }

    /** ServiceLoader files and the SDK's per-service interceptor lists name classes by string: each must be there. */
    @Test
    void everyClassAJarNamesInAServiceFileIsInThatJar() throws IOException {
        for (Path jar : List.of(FUNCTION_JAR, HUB_JAR)) {
            Map<String, List<byte[]>> own = jar.equals(FUNCTION_JAR) ? functionClasses : hubClasses;
            Map<String, List<byte[]>> other = jar.equals(FUNCTION_JAR) ? hubClasses : functionClasses;
            List<String> absent = new ArrayList<>();
            try (JarFile file = new JarFile(jar.toFile())) {
                for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                    JarEntry entry = entries.nextElement();
                    if (!entry.getName().startsWith("META-INF/services/")
                            && !entry.getName().endsWith("/execution.interceptors")) {
                        continue;
                    }
                    if (entry.isDirectory()) {
                        continue;
                    }
                    for (String line : new String(file.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8)
                            .split("\n")) {
                        String name = line.replaceAll("#.*", "").strip().replace('.', '/');
                        if (!name.isEmpty() && !own.containsKey(name) && other.containsKey(name)) {
                            absent.add(entry.getName() + ": " + name);
                        }
                    }
                }
            }
            assertEquals(List.of(), absent, jar.getFileName().toString());
        }
    }

    /**
     * The entry points load and link in a class loader over their jar alone (the JDK as its parent, as in Lambda),
     * their methods' and fields' types included.
     */
    @Test
    void theEntryPointsLoadInAFreshClassLoaderOverTheirOwnJar() throws Exception {
        loadAndLink(FUNCTION_JAR, List.of("dev.accesskeyrotator.lambda.RotationHandler",
                "dev.accesskeyrotator.cli.Main"));
        loadAndLink(HUB_JAR, List.of("dev.accesskeyrotator.org.ListAccountsHandler",
                "dev.accesskeyrotator.org.RotateAccountHandler", "dev.accesskeyrotator.org.AggregateHandler"));
    }

    /** README and key-owners.md run the CLI as {@code java -jar access-key-rotator.jar}. */
    @Test
    void theCommandLineStillRunsFromTheSingleAccountJar() throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", FUNCTION_JAR.toString(), "--help").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(1, TimeUnit.MINUTES));
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("rotate"), output);
    }

    private static void loadAndLink(Path jar, List<String> classNames) throws Exception {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            for (String name : classNames) {
                Class<?> type = Class.forName(name, false, loader);
                assertEquals(loader, type.getClassLoader(), name);
                type.getDeclaredMethods();
                type.getDeclaredFields();
                type.getDeclaredConstructors();
            }
        }
    }

    /**
     * For each class of {@code jar} (by internal name), the classes it names that it lacks and {@code other} holds.
     */
    private static Map<String, Set<String>> missing(Map<String, List<byte[]>> jar, Map<String, List<byte[]>> other) {
        Map<String, Set<String>> missing = new TreeMap<>();
        jar.forEach((name, versions) -> {
            Set<String> absent = new TreeSet<>();
            for (byte[] version : versions) {
                for (String referenced : ClassReferences.of(version)) {
                    if (!jar.containsKey(referenced) && other.containsKey(referenced)) {
                        absent.add(referenced);
                    }
                }
            }
            if (!absent.isEmpty()) {
                missing.put(name, absent);
            }
        });
        return missing;
    }

    /** The jar's classes by internal name, each with its multi-release versions. */
    private static Map<String, List<byte[]>> classes(Path jar) {
        assertTrue(Files.isRegularFile(jar), jar + " is built by the package phase");
        Map<String, List<byte[]>> classes = new LinkedHashMap<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (!name.endsWith(".class") || name.endsWith("module-info.class")) {
                    continue;
                }
                String unversioned = name.replaceFirst("^META-INF/versions/\\d+/", "");
                String className = unversioned.substring(0, unversioned.length() - ".class".length());
                try (InputStream in = file.getInputStream(entry)) {
                    classes.computeIfAbsent(className, n -> new ArrayList<>()).add(in.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return classes;
    }
}
