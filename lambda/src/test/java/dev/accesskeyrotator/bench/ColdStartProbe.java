package dev.accesskeyrotator.bench;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import org.crac.Resource;

import java.lang.management.ManagementFactory;
import java.util.Map;

/**
 * One cold start of a function's handler, as Lambda's Java runtime does it: load the handler class, construct it
 * (init), optionally run its SnapStart priming ({@code beforeCheckpoint}), then one invocation. Uses nothing but
 * the shaded jar, so it runs on the jar's classes alone:
 * {@code java -cp JAR:DIR_WITH_THIS_CLASS dev.accesskeyrotator.bench.ColdStartProbe single|worker [primed]}, with
 * the environment {@code org.ColdStartEndpoint} writes. Prints one JSON line: milliseconds from JVM start to the
 * handler class loaded, to init done, to priming done, the first invocation's own milliseconds (what a function
 * restored from a primed snapshot waits), and the classes that invocation still had to load.
 */
public final class ColdStartProbe {
    private ColdStartProbe() {}

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        boolean worker = args[0].equals("worker");
        boolean primed = args.length > 1 && args[1].equals("primed");
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        var classLoading = ManagementFactory.getClassLoadingMXBean();
        Class<?> type = Class.forName(worker ? "dev.accesskeyrotator.org.RotateAccountHandler"
                : "dev.accesskeyrotator.lambda.RotationHandler");
        long loaded = System.currentTimeMillis();
        RequestHandler<Map<String, Object>, Map<String, Object>> handler =
                (RequestHandler<Map<String, Object>, Map<String, Object>>) type.getConstructor().newInstance();
        long initialized = System.currentTimeMillis();
        if (primed) {
            ((Resource) handler).beforeCheckpoint(null);
        }
        long primedAt = System.currentTimeMillis();
        Map<String, Object> event = worker ? Map.of("accountId", System.getenv("PROBE_ACCOUNT_ID"))
                : Map.of("id", "probe", "source", "aws.events", "detail-type", "Scheduled Event");
        long classesBefore = classLoading.getTotalLoadedClassCount();
        long start = System.nanoTime();
        Map<String, Object> result = handler.handleRequest(event, null);
        long firstCall = (System.nanoTime() - start) / 1_000_000;
        System.out.println("PROBE {\"handlerLoadedMs\":" + (loaded - jvmStart) + ",\"initDoneMs\":"
                + (initialized - jvmStart) + ",\"primedMs\":" + (primedAt - initialized) + ",\"firstCallMs\":"
                + firstCall + ",\"firstCallClasses\":" + (classLoading.getTotalLoadedClassCount() - classesBefore)
                + ",\"resultKeys\":" + result.keySet().size() + "}");
    }
}
