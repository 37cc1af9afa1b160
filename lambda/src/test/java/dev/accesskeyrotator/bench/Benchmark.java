package dev.accesskeyrotator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.LocalAwsClients;
import dev.accesskeyrotator.localaws.MutableClock;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.testing.RotatorHarness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measures the rotator against the local endpoint and writes {@code lambda/target/benchmark.md}:
 * API calls per operation and wall time at U users (the real jar in its own JVM, as the CLI), the same for a naive
 * per-user scan, JVM start to report for a 10-user run, the shaded jar's size, and peak heap.
 * Run with {@code mvn -B -q install -DskipTests && mvn -B -q -pl lambda exec:java@benchmark}.
 */
public final class Benchmark {
    private static final Path JAR = Path.of("lambda/target/access-key-rotator.jar");
    private static final int REPETITIONS = 3;
    private static final Pattern GC_BEFORE = Pattern.compile("\\) (\\d+)M->(\\d+)M\\((\\d+)M\\)");

    record RotatorRun(Map<String, Long> calls, long millis, long peakHeapMb, int rotated, int failed,
                      RotationCost rotations) {}

    record NaiveRun(Map<String, Long> calls, long millis, int rotated) {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("benchmark.root", ".")).toAbsolutePath().normalize();
        if (!Files.exists(root.resolve("pom.xml")) || !Files.exists(root.resolve("lambda"))) {
            // exec:java runs in the module directory; the paths here are relative to the repository root.
            root = root.getParent();
        }
        Path jar = root.resolve(System.getProperty("benchmark.jar", JAR.toString()));
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " not found: build it first (mvn -B -q install -DskipTests)");
        }
        StringBuilder out = new StringBuilder();
        out.append("# Benchmark (").append(java.time.LocalDate.now()).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(System.getProperty("java.version")).append(")\n\n");
        out.append("Medians of ").append(REPETITIONS).append(" runs. Local endpoint on loopback: wall times show the"
                + " rotator's own cost, not AWS latency.\n\n");
        out.append("| users | due | implementation | AWS calls | wall time (s) | peak heap (MB) | rotated |\n");
        out.append("|---:|---:|---|---:|---:|---:|---:|\n");
        Map<Integer, Map<String, Long>> rotatorCalls = new TreeMap<>();
        Map<Integer, Map<String, Long>> naiveCalls = new TreeMap<>();
        Map<Integer, RotationCost> rotationCosts = new TreeMap<>();
        for (int users : List.of(1_000, 10_000)) {
            List<RotatorRun> runs = new ArrayList<>();
            List<NaiveRun> naive = new ArrayList<>();
            for (int i = 0; i < REPETITIONS; i++) {
                runs.add(rotator(jar, users, "256m"));
                naive.add(naive(users));
            }
            RotatorRun typical = runs.get(0);
            rotatorCalls.put(users, typical.calls());
            rotationCosts.put(users, typical.rotations());
            naiveCalls.put(users, naive.get(0).calls());
            out.append(row(users, "rotator (`run`, own JVM)", total(typical.calls()),
                    median(runs.stream().map(RotatorRun::millis).toList()),
                    String.valueOf(median(runs.stream().map(RotatorRun::peakHeapMb).toList())), typical.rotated()));
            out.append(row(users, "naive per-user scan", total(naive.get(0).calls()),
                    median(naive.stream().map(NaiveRun::millis).toList()), "n/a", naive.get(0).rotated()));
            System.err.println("benchmark: " + users + " users done");
        }
        out.append("\n## AWS calls by operation\n\n");
        for (int users : rotatorCalls.keySet()) {
            out.append("### ").append(users).append(" users\n\n| operation | rotator | naive scan |\n|---|---:|---:|\n");
            Map<String, Long> all = new TreeMap<>(rotatorCalls.get(users));
            naiveCalls.get(users).forEach((k, v) -> all.putIfAbsent(k, 0L));
            for (String operation : all.keySet()) {
                out.append("| ").append(operation).append(" | ")
                        .append(rotatorCalls.get(users).getOrDefault(operation, 0L)).append(" | ")
                        .append(naiveCalls.get(users).getOrDefault(operation, 0L)).append(" |\n");
            }
            out.append('\n');
        }
        out.append("## AWS calls per rotation (the calls that name a rotated user, its secret or its notice)\n\n");
        for (int users : rotationCosts.keySet()) {
            RotationCost cost = rotationCosts.get(users);
            out.append("### ").append(users).append(" users: ").append(cost.rotations()).append(" rotations, ")
                    .append(String.format(Locale.ROOT, "%.2f", cost.perRotation())).append(" calls each\n\n")
                    .append("| operation | calls | per rotation |\n|---|---:|---:|\n");
            cost.calls().forEach((operation, count) -> out.append("| ").append(operation).append(" | ").append(count)
                    .append(" | ").append(String.format(Locale.ROOT, "%.2f", (double) count / cost.rotations()))
                    .append(" |\n"));
            out.append('\n');
        }
        List<Long> smallRuns = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            smallRuns.add(rotator(jar, 10, "256m").millis());
        }
        List<Long> coldMillis = new ArrayList<>();
        List<Long> coldClasses = new ArrayList<>();
        List<Long> primedMillis = new ArrayList<>();
        List<Long> primedClasses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            JsonNode cold = firstRun(false);
            coldMillis.add(cold.path("millis").asLong());
            coldClasses.add(cold.path("classesLoaded").asLong());
            JsonNode primed = firstRun(true);
            primedMillis.add(primed.path("millis").asLong());
            primedClasses.add(primed.path("classesLoaded").asLong());
        }
        out.append("## Start-up and size\n\n| measure | value |\n|---|---:|\n");
        out.append("| first run in a fresh JVM, clients built, not primed: time / classes it loaded (median of 5) | ")
                .append(median(coldMillis)).append(" ms / ").append(median(coldClasses)).append(" |\n");
        out.append("| first run after SnapStart priming (`Priming.prime()`): time / classes it loaded | ")
                .append(median(primedMillis)).append(" ms / ").append(median(primedClasses)).append(" |\n");
        out.append("| JVM start to report, 10 users (median of 5, `java -jar ... run`) | ")
                .append(seconds(median(smallRuns))).append(" s |\n");
        out.append("| shaded jar | ").append(String.format(Locale.ROOT, "%.1f MB (%d bytes)",
                Files.size(jar) / 1_000_000.0, Files.size(jar))).append(" |\n");
        String report = out.toString();
        Path file = jar.resolveSibling("benchmark.md");
        Files.writeString(file, report);
        System.out.println(report);
        System.out.println("written to " + file);
    }

    /** The real jar in its own JVM against a freshly seeded endpoint, with a heap cap and a GC log. */
    static RotatorRun rotator(Path jar, int users, String maxHeap) throws Exception {
        // The rotator runs in its own JVM on the system clock, so the endpoint must live in the present too.
        try (LocalAws aws = LocalAws.start(new MutableClock(Instant.now()))) {
            SteadyStateAccount.seed(aws, users);
            aws.iam().setCredentialReportPollsToComplete(0);
            String topic;
            try (LocalAwsClients clients = LocalAwsClients.create(aws)) {
                topic = clients.sns().createTopic(r -> r.name(SteadyStateAccount.TOPIC_NAME)).topicArn();
            }
            aws.calls().reset();
            Path gcLog = Files.createTempFile("rotator-gc", ".log");
            Path stderr = Files.createTempFile("rotator-stderr", ".log");
            ProcessBuilder process = new ProcessBuilder(javaExecutable(), "-Xmx" + maxHeap,
                    "-Xlog:gc:file=" + gcLog, "-jar", jar.toString(), "run", "--output", "json",
                    "--endpoint-url", aws.endpoint().toString(), "--region", "us-east-1", "--topic-arn", topic,
                    "--kms-key-id", RotatorHarness.KMS_KEY, "--function-role-arn", RotatorHarness.FUNCTION_ROLE_ARN)
                    .redirectError(stderr.toFile());
            process.environment().put("AWS_ACCESS_KEY_ID", "test");
            process.environment().put("AWS_SECRET_ACCESS_KEY", "test");
            process.environment().remove("AWS_PROFILE");
            long start = System.nanoTime();
            Process running = process.start();
            byte[] stdout = running.getInputStream().readAllBytes();
            if (!running.waitFor(15, TimeUnit.MINUTES) || running.exitValue() != 0) {
                throw new IllegalStateException("rotator run failed (exit " + running.exitValue() + "): "
                        + Files.readString(stderr));
            }
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            JsonNode report = JsonLog.mapper().readTree(stdout);
            if (!"credential-report".equals(report.path("discovery").asText())) {
                throw new IllegalStateException("the run did not use the credential report: " + Files.readString(stderr));
            }
            List<String> rotatedUsers = new ArrayList<>();
            report.path("users").forEach(user -> {
                if ("rotated".equals(user.path("outcome").asText())) {
                    rotatedUsers.add(user.path("user").asText());
                }
            });
            return new RotatorRun(aws.calls().snapshot(), millis, peakHeapMb(gcLog),
                    report.path("counts").path("rotated").asInt(), report.path("counts").path("failed").asInt(),
                    RotationCost.of(aws, rotatedUsers, SteadyStateAccount.SECRET_PREFIX));
        }
    }

    /** The first rotation run of a fresh JVM, primed or not, over a 10-user account with one due user. */
    static JsonNode firstRun(boolean primed) throws Exception {
        try (LocalAws aws = LocalAws.start(new MutableClock(Instant.now()))) {
            SteadyStateAccount.seed(aws, 10);
            aws.iam().setCredentialReportPollsToComplete(0);
            String topic;
            try (LocalAwsClients clients = LocalAwsClients.create(aws)) {
                topic = clients.sns().createTopic(r -> r.name(SteadyStateAccount.TOPIC_NAME)).topicArn();
            }
            Process probe = new ProcessBuilder(javaExecutable(), "-cp", testClasspath(),
                    "dev.accesskeyrotator.lambda.FirstRunProbe", aws.endpoint().toString(), topic,
                    primed ? "primed" : "cold").redirectErrorStream(true).start();
            String output = new String(probe.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!probe.waitFor(2, TimeUnit.MINUTES) || probe.exitValue() != 0) {
                throw new IllegalStateException("first-run probe failed: " + output);
            }
            return JsonLog.mapper().readTree(output.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                    .orElseThrow(() -> new IllegalStateException("no probe result: " + output)));
        }
    }

    static NaiveRun naive(int users) {
        try (LocalAws aws = LocalAws.start(); LocalAwsClients clients = LocalAwsClients.create(aws)) {
            SteadyStateAccount.seed(aws, users);
            String topic = clients.sns().createTopic(r -> r.name(SteadyStateAccount.TOPIC_NAME)).topicArn();
            aws.calls().reset();
            long start = System.nanoTime();
            int rotated = NaivePerUserScan.run(clients.iam(), clients.secretsManager(), clients.sns(), topic,
                    aws.clock().instant());
            return new NaiveRun(aws.calls().snapshot(), Duration.ofNanos(System.nanoTime() - start).toMillis(),
                    rotated);
        }
    }

    /** The largest heap occupancy the GC saw before collecting; the heap never exceeded it. */
    static long peakHeapMb(Path gcLog) throws IOException {
        long peak = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = GC_BEFORE.matcher(line);
            if (m.find()) {
                peak = Math.max(peak, Long.parseLong(m.group(1)));
            }
        }
        return peak;
    }

    /** exec:java runs inside Maven's JVM, so the test classpath is the class loader's, not java.class.path. */
    private static String testClasspath() {
        if (Benchmark.class.getClassLoader() instanceof java.net.URLClassLoader loader) {
            List<String> entries = new ArrayList<>();
            for (java.net.URL url : loader.getURLs()) {
                try {
                    entries.add(Path.of(url.toURI()).toString());
                } catch (java.net.URISyntaxException e) {
                    throw new IllegalStateException(e);
                }
            }
            return String.join(java.io.File.pathSeparator, entries);
        }
        return System.getProperty("java.class.path");
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static long total(Map<String, Long> calls) {
        return calls.values().stream().mapToLong(Long::longValue).sum();
    }

    private static String row(int users, String implementation, long calls, long millis, String heap, int rotated) {
        return "| " + users + " | " + SteadyStateAccount.due(users) + " | " + implementation + " | " + calls + " | "
                + seconds(millis) + " | " + heap + " | " + rotated + " |\n";
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.2f", millis / 1000.0);
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
