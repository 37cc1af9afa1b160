package dev.accesskeyrotator.org;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.aws.SnsNotifier;
import dev.accesskeyrotator.contract.EnvironmentVariable;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.port.Notifier;
import dev.accesskeyrotator.port.ObjectStore;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import dev.accesskeyrotator.contract.Organization;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The state machine's last step: reads the Distributed Map's result files, writes the organization report next to
 * them, logs it with the organization's and each account's metrics, and sends one run-summary notice.
 *
 * <p>Input (assembled by the state machine): {@code listing} (the lister's output), {@code results} (the Map's
 * output: {@code ResultWriterDetails} with the manifest's bucket and key) and {@code execution} (the execution's
 * {@code Name} and {@code StartTime}). Output: where the report is and how many accounts failed, for the state
 * machine's last choice.
 */
public final class AggregateHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    static final String REPORT_FILE = "organization-report.json";
    /** Where the state machine's Catch puts the listing's error, and the Map's. */
    static final String LISTING_ERROR = "listingError";
    static final String MAP_ERROR = "mapError";
    /** Where the state machine puts ListMapRuns' answer after a caught Map failure. */
    static final String MAP_RUNS = "mapRuns";

    private final ObjectStore objects;
    private final Notifier notifier;
    private final Clock clock;
    private final JsonLog log;
    private final String resultsBucket;

    /** Used by the Lambda runtime. */
    public AggregateHandler() {
        Map<String, String> env = System.getenv();
        String region = env.get("AWS_REGION");
        AwsClients.Options options = AwsClients.Options.forLambda(region);
        AwsClients hub = new AwsClients(options);
        this.objects = new S3ObjectStore(options);
        this.notifier = new SnsNotifier(hub.sns(), env.get(EnvironmentVariable.NOTICE_TOPIC_ARN.name()));
        this.clock = Clock.systemUTC();
        this.log = JsonLog.toStandardOut(clock);
        this.resultsBucket = env.get(Organization.Variable.RESULTS_BUCKET.name());
    }

    AggregateHandler(ObjectStore objects, Notifier notifier, Clock clock, JsonLog log, String resultsBucket) {
        this.resultsBucket = resultsBucket;
        this.objects = objects;
        this.notifier = notifier;
        this.clock = clock;
        this.log = log;
    }

    /**
     * The manifest: named by the Map's output when it succeeded; after a caught failure, derived from the map run
     * (ListMapRuns) as ResultWriter lays it out, {@code <prefix>/<map run id>/manifest.json}.
     */
    static Optional<String> manifestKey(JsonNode state) {
        JsonNode written = state.path("results").path("ResultWriterDetails").path("Key");
        if (written.isTextual()) {
            return Optional.of(written.asText());
        }
        JsonNode runs = state.path(MAP_RUNS).path("MapRuns");
        if (runs.isArray() && !runs.isEmpty()) {
            String arn = runs.get(0).path("MapRunArn").asText();
            return Optional.of(Organization.RESULTS_PREFIX + "/" + arn.substring(arn.lastIndexOf(':') + 1) + "/manifest.json");
        }
        return Optional.empty();
    }

    private static String errorOf(JsonNode caught) {
        String cause = caught.path("Cause").asText("");
        return caught.path("Error").asText("unknown error") + (cause.isEmpty() ? ""
                : ": " + (cause.length() > 300 ? cause.substring(0, 300) + "..." : cause));
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        JsonNode in = JsonLog.mapper().valueToTree(input);
        JsonNode state = in.path("state");
        String runId = in.path("execution").path("Name").asText("unknown");
        String startedAt = in.path("execution").path("StartTime").asText(null);
        List<String> problems = new ArrayList<>();
        AccountLister.Listing listing = new AccountLister.Listing(List.of(), List.of(), List.of());
        if (state.has(LISTING_ERROR)) {
            problems.add("listing the accounts failed: " + errorOf(state.path(LISTING_ERROR)));
        } else {
            JsonNode written = state.path("listing");
            String listingBucket = written.path(ListAccountsHandler.BUCKET_FIELD).asText(resultsBucket);
            String listingKey = written.path(ListAccountsHandler.LISTING_KEY_FIELD).asText("");
            try {
                listing = JsonLog.mapper().readValue(objects.get(listingBucket, listingKey),
                        AccountLister.Listing.class);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("s3://" + listingBucket + "/" + listingKey
                        + " is not a readable listing: " + e.getMessage(), e);
            }
        }
        if (state.has(MAP_ERROR)) {
            problems.add("the Map failed: " + errorOf(state.path(MAP_ERROR)));
        }
        Optional<String> manifestKey = manifestKey(state);
        String bucket = state.path("results").path("ResultWriterDetails").path("Bucket").asText(resultsBucket);
        List<AccountResult> results = new ArrayList<>();
        if (manifestKey.isPresent()) {
            try {
                results = new ResultFiles(objects).read(bucket, manifestKey.get());
            } catch (AwsFailure failure) {
                if (!failure.is(AwsFailure.Kind.NOT_FOUND) || problems.isEmpty()) {
                    throw failure;
                }
                // A Map that failed before writing its results: every listed account is reported as not run.
                problems.add("no result files at s3://" + bucket + "/" + manifestKey.get());
            }
        } else if (!listing.accounts().isEmpty()) {
            problems.add("the Map's result files could not be located");
        }
        String runProblem = problems.isEmpty() ? null : String.join("; ", problems);

        OrganizationReport report = OrganizationAggregator.report(listing, results, runId, startedAt,
                clock.instant(), runProblem);
        // Next to the Map's result files; without them (the listing failed), under the execution's name.
        String reportKey = manifestKey.filter(key -> key.contains("/"))
                .map(key -> key.substring(0, key.lastIndexOf('/') + 1) + REPORT_FILE)
                .orElse(Organization.RESULTS_PREFIX + "/" + runId + "/" + REPORT_FILE);
        objects.put(bucket, reportKey, JsonLog.toJson(report).getBytes(StandardCharsets.UTF_8), "application/json");
        log.info("organization report", "runId", runId, "report", "s3://" + bucket + "/" + reportKey,
                "accounts", report.accounts(), "counts", report.counts(), "failedAccounts", report.failedAccounts(),
                "accountsInDryRun", report.accountsInDryRun(),
                "accountsWithFailedUsers", report.accountsWithFailedUsers(),
                "accountsNeedingAttention", report.accountsNeedingAttention(),
                "accountsWithBlockedUsers", report.accountsWithBlockedUsers());
        OrganizationAggregator.metrics(report, clock.instant()).forEach(log::raw);
        try {
            notifier.publish(OrganizationAggregator.summary(report, "s3://" + bucket + "/" + reportKey));
        } catch (AwsFailure failure) {
            // The report is written and logged; a lost notice must not fail the run that produced it.
            log.warn("organization run summary not sent", "runId", runId, "errorCode", failure.errorCode());
        }
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("reportBucket", bucket);
        output.put("reportKey", reportKey);
        output.put("accounts", report.accounts());
        output.put("accountsFailed", report.failures());
        output.put("runIncomplete", report.runProblem() != null);
        output.put("needsALook", report.needsALook());
        return output;
    }
}
