package dev.accesskeyrotator.org;

import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.aws.SnsNotifier;
import dev.accesskeyrotator.contract.Organization;
import dev.accesskeyrotator.log.JsonLog;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The hub's state machine run in process against the local endpoint: the lister's output, a Distributed Map over
 * its accounts on a pool of {@code maxConcurrency} threads (one warm worker each, as Lambda reuses environments),
 * result files written to the results bucket in the {@code ResultWriter} format, and the aggregator on them.
 */
final class InProcessStateMachine {
    static final String BUCKET = "hub-results";
    static final String PREFIX = "results";
    static final String MAP_RUN_ID = "0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7";

    /** What one item did, with its wall time, for the scale report. */
    record ItemRun(String accountId, Map<String, Object> output, String error, Duration wallTime) { }

    /**
     * The execution's results: the aggregator's output, each item's run, and the execution's final status as the
     * hub's last choice decides it (FAILED when accounts failed or were not run, or the run stopped early).
     */
    record Execution(Map<String, Object> output, List<ItemRun> items, Duration wallTime, String status) { }

    private final OrganizationFixture org;
    private final Map<String, String[]> failedItems = new LinkedHashMap<>();
    private int toleratedFailurePercentage = 100;

    InProcessStateMachine(OrganizationFixture org) {
        this.org = org;
        org.aws.s3().createBucket(BUCKET);
    }

    /** The worker for {@code accountId} fails as Lambda would report a timeout, instead of running. */
    void failItem(String accountId, String error, String cause) {
        failedItems.put(accountId, new String[] {error, cause});
    }

    /**
     * The Map's {@code ToleratedFailurePercentage}: as in AWS, once failed items exceed this share of all items the
     * Map starts no more (they stay PENDING), writes its results and fails with
     * {@code States.ExceedToleratedFailureThreshold}. Items run in waves of {@code maxConcurrency}, so which items
     * ran before the Map stopped is deterministic.
     */
    void tolerate(int percentage) {
        this.toleratedFailurePercentage = percentage;
    }

    Execution run(AccountLister.Listing listing, int maxConcurrency, String executionName) throws Exception {
        try (OrganizationFixture.Worker worker = org.worker()) {
            RotateAccountHandler handler = new RotateAccountHandler(worker.worker());
            return run(() -> listing, item -> handler.handleRequest(item, null), maxConcurrency, executionName);
        }
    }

    /**
     * The same with any listing source and item processor: the scale simulation lists through Organizations and
     * answers each item without a worker. The lister writes its items to S3 and the Map reads them back, as the
     * hub's ItemReader does.
     */
    Execution run(java.util.function.Supplier<AccountLister.Listing> listing,
                  java.util.function.Function<Map<String, Object>, Map<String, Object>> processor,
                  int maxConcurrency, String executionName) throws Exception {
        long started = System.nanoTime();
        try (S3ObjectStore objects = new S3ObjectStore(org.hubOptions())) {
            Map<String, Object> listed = new ListAccountsHandler(listing, new JsonLog(line -> { }, org.aws.clock()),
                    objects, BUCKET).handleRequest(Map.of("executionName", executionName), null);
            List<Map<String, Object>> items = JsonLog.mapper().readValue(objects.get(BUCKET,
                    (String) listed.get(ListAccountsHandler.ACCOUNTS_KEY_FIELD)), ITEMS);
            return run(listed, items, processor, maxConcurrency, executionName, objects, started);
        }
    }

    private static final com.fasterxml.jackson.core.type.TypeReference<List<Map<String, Object>>> ITEMS =
            new com.fasterxml.jackson.core.type.TypeReference<>() { };

    private Execution run(Map<String, Object> listed, List<Map<String, Object>> items,
                          java.util.function.Function<Map<String, Object>, Map<String, Object>> processor,
                          int maxConcurrency, String executionName, S3ObjectStore objects, long started)
            throws Exception {
        List<ItemRun> runs = new ArrayList<>();
        {
            java.util.function.Function<Map<String, Object>, Map<String, Object>> handler = processor;
            ExecutorService map = Executors.newFixedThreadPool(maxConcurrency);
            try {
                for (int wave = 0; wave < items.size() && !exceeded(runs, items.size()); wave += maxConcurrency) {
                    List<Future<ItemRun>> futures = new ArrayList<>();
                    for (Map<String, Object> item : items.subList(wave, Math.min(items.size(), wave + maxConcurrency))) {
                        futures.add(map.submit(() -> runItem(handler, item)));
                    }
                    for (Future<ItemRun> future : futures) {
                        runs.add(future.get());
                    }
                }
            } finally {
                map.shutdownNow();
            }
        }
        String manifestKey = writeResults(items, runs);

        Map<String, Object> state = new LinkedHashMap<>();
        state.put("listing", listed);
        String mapRunArn = "arn:aws:states:us-east-1:123456789012:mapRun:Hub/Map:" + MAP_RUN_ID;
        if (exceeded(runs, items.size())) {
            // The hub's Catch: the Map's error, then ListMapRuns to find the result files.
            state.put(AggregateHandler.MAP_ERROR, Map.of("Error", "States.ExceedToleratedFailureThreshold",
                    "Cause", "The specified tolerated failure threshold was exceeded"));
            state.put(AggregateHandler.MAP_RUNS, Map.of("MapRuns", List.of(Map.of("MapRunArn", mapRunArn))));
        } else {
            state.put("results", Map.of("MapRunArn", mapRunArn,
                    "ResultWriterDetails", Map.of("Bucket", BUCKET, "Key", manifestKey)));
        }
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("state", state);
        input.put("execution", Map.of("Name", executionName, "StartTime", org.aws.clock().instant().toString()));
        try (AwsClients hub = new AwsClients(org.hubOptions())) {
            Map<String, Object> output = new AggregateHandler(objects, new SnsNotifier(hub.sns(), org.topicArn),
                    org.aws.clock(), new JsonLog(org::log, org.aws.clock()), BUCKET).handleRequest(input, null);
            boolean failed = ((Number) output.get("accountsFailed")).intValue() > 0
                    || Boolean.TRUE.equals(output.get("runIncomplete"));
            return new Execution(output, runs, Duration.ofNanos(System.nanoTime() - started),
                    failed ? "FAILED" : "SUCCEEDED");
        }
    }

    private boolean exceeded(List<ItemRun> runs, int total) {
        long failed = runs.stream().filter(run -> run.error() != null).count();
        return total > 0 && failed * 100.0 / total > toleratedFailurePercentage;
    }

    private ItemRun runItem(java.util.function.Function<Map<String, Object>, Map<String, Object>> handler,
                            Map<String, Object> item) {
        String accountId = (String) item.get(Organization.ACCOUNT_ID_FIELD);
        long started = System.nanoTime();
        String[] failure = failedItems.get(accountId);
        if (failure != null) {
            return new ItemRun(accountId, null, failure[0] + "|" + failure[1], Duration.ZERO);
        }
        Map<String, Object> output = handler.apply(item);
        return new ItemRun(accountId, output, null, Duration.ofNanos(System.nanoTime() - started));
    }

    /** {@code ResultWriter}'s layout: {@code <prefix>/<map run id>/manifest.json} and one file per status. */
    private String writeResults(List<Map<String, Object>> items, List<ItemRun> runs) {
        String directory = PREFIX + "/" + MAP_RUN_ID + "/";
        List<Map<String, Object>> succeeded = new ArrayList<>();
        List<Map<String, Object>> failed = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            ItemRun run = runs.get(i);
            Map<String, Object> execution = new LinkedHashMap<>();
            execution.put("ExecutionArn", "arn:aws:states:us-east-1:123456789012:execution:Hub/Map:" + i);
            execution.put("Input", JsonLog.toJson(items.get(i)));
            execution.put("InputDetails", Map.of("Included", true));
            execution.put("Name", Integer.toString(i));
            execution.put("StartDate", org.aws.clock().instant().toString());
            execution.put("StateMachineArn", "arn:aws:states:us-east-1:123456789012:stateMachine:Hub/Map");
            execution.put("StopDate", org.aws.clock().instant().toString());
            if (run.error() == null) {
                execution.put("Output", JsonLog.toJson(run.output()));
                execution.put("OutputDetails", Map.of("Included", true));
                execution.put("Status", "SUCCEEDED");
                succeeded.add(execution);
            } else {
                String[] errorAndCause = run.error().split("\\|", 2);
                execution.put("Error", errorAndCause[0]);
                execution.put("Cause", errorAndCause[1]);
                execution.put("Status", "FAILED");
                failed.add(execution);
            }
        }
        Map<String, Object> files = new LinkedHashMap<>();
        files.put("FAILED", failed.isEmpty() ? List.of() : List.of(file(directory + "FAILED_0.json", failed)));
        List<Map<String, Object>> pending = new ArrayList<>();
        for (int i = runs.size(); i < items.size(); i++) {
            Map<String, Object> execution = new LinkedHashMap<>();
            execution.put("Input", JsonLog.toJson(items.get(i)));
            execution.put("InputDetails", Map.of("Included", true));
            execution.put("Status", "PENDING");
            pending.add(execution);
        }
        files.put("PENDING", pending.isEmpty() ? List.of() : List.of(file(directory + "PENDING_0.json", pending)));
        files.put("SUCCEEDED", succeeded.isEmpty() ? List.of()
                : List.of(file(directory + "SUCCEEDED_0.json", succeeded)));
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("DestinationBucket", BUCKET);
        manifest.put("MapRunArn", "arn:aws:states:us-east-1:123456789012:mapRun:Hub/Map:" + MAP_RUN_ID);
        manifest.put("ResultFiles", files);
        org.aws.s3().put(BUCKET, directory + "manifest.json", JsonLog.toJson(manifest));
        return directory + "manifest.json";
    }

    private Map<String, Object> file(String key, List<Map<String, Object>> executions) {
        String body = JsonLog.toJson(executions);
        org.aws.s3().put(BUCKET, key, body);
        return Map.of("Key", key, "Size", body.length());
    }
}
