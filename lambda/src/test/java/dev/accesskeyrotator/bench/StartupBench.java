package dev.accesskeyrotator.bench;

import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.MutableClock;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * JVM start to printed report for a 10-user dry run of the shaded jar, as a person runs it from a shell; the median
 * of several runs, because a single start-up varies with the machine's load. Usage:
 * {@code StartupBench JAR RUNS [JVM option...]}, e.g. {@code -XX:SharedArchiveFile=run.jsa}.
 */
public final class StartupBench {
    private StartupBench() {}

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int runs = Integer.parseInt(args[1]);
        List<String> jvmOptions = Arrays.asList(args).subList(2, args.length);
        List<Long> millis = new ArrayList<>();
        // The run reads key ages with the system clock, so the endpoint lives in the present too.
        try (LocalAws aws = LocalAws.start(new MutableClock(Instant.now()))) {
            SteadyStateAccount.seed(aws, 10);
            aws.iam().setCredentialReportPollsToComplete(0);
            for (int i = 0; i < runs; i++) {
                millis.add(once(jar, jvmOptions, aws));
            }
        }
        List<Long> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        System.out.println("runs (ms): " + millis + "  median: " + sorted.get(sorted.size() / 2) + " ms");
    }

    private static long once(Path jar, List<String> jvmOptions, LocalAws aws) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "run", "--dry-run", "--output", "json", "--endpoint-url",
                aws.endpoint().toString(), "--region", aws.region().id()));
        Path stderr = Files.createTempFile("startup", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
        builder.environment().put("AWS_ACCESS_KEY_ID", "test");
        builder.environment().put("AWS_SECRET_ACCESS_KEY", "test");
        builder.environment().remove("AWS_PROFILE");
        long start = System.nanoTime();
        Process process = builder.start();
        process.getInputStream().readAllBytes();
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException("run failed: " + Files.readString(stderr));
        }
        long elapsed = Duration.ofNanos(System.nanoTime() - start).toMillis();
        Files.delete(stderr);
        return elapsed;
    }
}
