package dev.accesskeyrotator.bench;

import dev.accesskeyrotator.lambda.RotationHandler;
import dev.accesskeyrotator.localaws.Calls;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.testing.FakeLambdaContext;
import dev.accesskeyrotator.testing.RotatorHarness;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Rev 3: time from the handler receiving an AWS Health exposure event to the exposed key's UpdateAccessKey reaching
 * the local endpoint, and the AWS calls the emergency makes, in an account of {@value #BYSTANDERS} other opted-in
 * users (which it must not look at). Every repetition has a fresh endpoint; the JVM is shared, so the first ones
 * include class loading and JIT warm-up, as a function's first invocation after a cold start would.
 * Run with {@code ./mvnw -B -q -pl lambda exec:java -Dexec.mainClass=dev.accesskeyrotator.bench.EmergencyBenchmark
 * -Dexec.classpathScope=test}.
 */
public final class EmergencyBenchmark {
    static final int REPETITIONS = 20;
    static final int BYSTANDERS = 500;

    private EmergencyBenchmark() {}

    public static void main(String[] args) {
        List<Double> toDisabled = new ArrayList<>();
        List<Double> toReport = new ArrayList<>();
        Map<String, Long> calls = Map.of();
        for (int i = 0; i < REPETITIONS; i++) {
            try (LocalAws aws = LocalAws.start(); RotatorHarness harness = new RotatorHarness(aws)) {
                for (int u = 0; u < BYSTANDERS; u++) {
                    harness.optedInUser("bystander-" + u);
                    harness.key("bystander-" + u, 10, true);
                }
                harness.optedInUser("leaky");
                harness.key("leaky", 120, true);
                harness.run();
                harness.advanceDays(3);
                String exposed = aws.iam().keys("leaky").stream().filter(k -> k.active()).findFirst().orElseThrow()
                        .id();
                aws.calls().reset();
                AtomicLong disabledAt = new AtomicLong();
                aws.faults().on("iam", "UpdateAccessKey").when(request -> {
                    disabledAt.compareAndSet(0, System.nanoTime());
                    return false;
                }).error(500, "Unused", "never fires");
                RotationHandler handler = new RotationHandler(harness.service(), harness.log());
                long start = System.nanoTime();
                handler.handleRequest(healthEvent(exposed), FakeLambdaContext.withPlentyOfTime());
                long end = System.nanoTime();
                if (aws.iam().keys("leaky").stream().anyMatch(k -> k.id().equals(exposed) && k.active())) {
                    throw new IllegalStateException("the exposed key is still active");
                }
                toDisabled.add((disabledAt.get() - start) / 1e6);
                toReport.add((end - start) / 1e6);
                calls = new TreeMap<>(aws.calls().snapshot());
                long otherUsers = aws.calls().all().stream().map(c -> c.param("UserName").orElse("leaky"))
                        .filter(name -> !name.equals("leaky")).count();
                if (otherUsers > 0) {
                    throw new IllegalStateException(otherUsers + " calls named another user");
                }
            }
        }
        System.out.println("event to exposed key disabled, ms (median of " + REPETITIONS + "): "
                + fmt(median(toDisabled)) + "  min " + fmt(Collections.min(toDisabled)) + "  max "
                + fmt(Collections.max(toDisabled)) + "  first " + fmt(toDisabled.get(0)));
        System.out.println("event to report returned, ms (median): " + fmt(median(toReport)));
        long total = calls.values().stream().mapToLong(Long::longValue).sum();
        System.out.println("AWS calls (" + total + "): " + calls);
    }

    private static Map<String, Object> healthEvent(String keyId) {
        return Map.of("id", "bench", "source", "aws.health", "detail-type", "AWS Health Event",
                "detail", Map.of("service", "RISK", "eventTypeCode", "AWS_RISK_CREDENTIALS_EXPOSED",
                        "eventArn", "arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/BENCH",
                        "affectedEntities", List.of(Map.of("entityValue", keyId))));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String fmt(double millis) {
        return String.format(Locale.ROOT, "%.1f", millis);
    }
}
