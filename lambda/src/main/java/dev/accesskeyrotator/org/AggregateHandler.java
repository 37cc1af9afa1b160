package dev.accesskeyrotator.org;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.aws.SnsNotifier;
import dev.accesskeyrotator.contract.EnvironmentVariable;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.port.Notifier;
import dev.accesskeyrotator.port.ObjectStore;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
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

    private final ObjectStore objects;
    private final Notifier notifier;
    private final Clock clock;
    private final JsonLog log;

    /** Used by the Lambda runtime. */
    public AggregateHandler() {
        Map<String, String> env = System.getenv();
        String region = env.get("AWS_REGION");
        AwsClients.Options options = AwsClients.Options.forLambda(region);
        AwsClients hub = new AwsClients(options);
        this.objects = new S3Objects(UrlConnectionHttpClient.create(), options.credentials(), Region.of(region),
                Optional.empty(), pause -> Thread.sleep(pause.toMillis()));
        this.notifier = new SnsNotifier(hub.sns(), env.get(EnvironmentVariable.NOTICE_TOPIC_ARN.name()));
        this.clock = Clock.systemUTC();
        this.log = JsonLog.toStandardOut(clock);
    }

    AggregateHandler(ObjectStore objects, Notifier notifier, Clock clock, JsonLog log) {
        this.objects = objects;
        this.notifier = notifier;
        this.clock = clock;
        this.log = log;
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        JsonNode in = JsonLog.mapper().valueToTree(input);
        AccountLister.Listing listing;
        try {
            listing = JsonLog.mapper().treeToValue(in.path("listing"), AccountLister.Listing.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("input has no readable listing: " + e.getOriginalMessage(), e);
        }
        String bucket = in.path("results").path("ResultWriterDetails").path("Bucket").asText();
        String manifestKey = in.path("results").path("ResultWriterDetails").path("Key").asText();
        String runId = in.path("execution").path("Name").asText("unknown");
        String startedAt = in.path("execution").path("StartTime").asText(null);

        List<AccountResult> results = new ResultFiles(objects).read(bucket, manifestKey);
        OrganizationReport report = OrganizationAggregator.report(listing, results, runId, startedAt,
                clock.instant(), null);
        String reportKey = manifestKey.contains("/")
                ? manifestKey.substring(0, manifestKey.lastIndexOf('/') + 1) + REPORT_FILE : REPORT_FILE;
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
