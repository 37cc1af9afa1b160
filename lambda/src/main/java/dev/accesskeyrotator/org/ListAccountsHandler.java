package dev.accesskeyrotator.org;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.contract.Organization;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.ObjectStore;

import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The state machine's first step: the accounts of this run, from the configured OUs (walked recursively through
 * Organizations) or the explicit account list, minus the exempt ones. Its output's {@code accounts} array is what the
 * Distributed Map iterates over.
 */
public final class ListAccountsHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    static final String ACCOUNTS_FILE = "accounts.json";
    static final String LISTING_FILE = "listing.json";
    /** The lister's output fields: where the Map's items and the whole listing are. */
    static final String BUCKET_FIELD = "bucket";
    static final String ACCOUNTS_KEY_FIELD = "accountsKey";
    static final String LISTING_KEY_FIELD = "listingKey";

    private final Supplier<AccountLister.Listing> listing;
    private final JsonLog log;
    private final ObjectStore objects;
    private final String bucket;

    /** Used by the Lambda runtime: configuration from the environment the hub stack sets. */
    public ListAccountsHandler() {
        this(System.getenv(), Clock.systemUTC());
    }

    ListAccountsHandler(Map<String, String> env, Clock clock) {
        this.log = JsonLog.toStandardOut(clock);
        this.bucket = env.get(Organization.Variable.RESULTS_BUCKET.name());
        this.objects = new S3ObjectStore(AwsClients.Options.forLambda(env.get("AWS_REGION")));
        List<String> units = list(env, Organization.Variable.ORGANIZATION_UNITS);
        List<String> accounts = list(env, Organization.Variable.ACCOUNTS);
        List<String> exempt = list(env, Organization.Variable.EXCLUDED_ACCOUNTS);
        if (units.isEmpty() == accounts.isEmpty()) {
            throw new IllegalStateException("set exactly one of the environment variables "
                    + Organization.Variable.ORGANIZATION_UNITS.name() + " and " + Organization.Variable.ACCOUNTS.name());
        }
        if (units.isEmpty()) {
            this.listing = () -> AccountLister.explicit(accounts, exempt);
        } else {
            OrganizationsDirectory directory = new OrganizationsDirectory(
                    AwsClients.Options.forLambda(env.get("AWS_REGION")));
            this.listing = () -> new AccountLister(directory).fromOrganization(units, exempt);
        }
    }

    /** For tests: any source of the listing, e.g. an {@link AccountLister} on a local endpoint. */
    ListAccountsHandler(Supplier<AccountLister.Listing> listing, JsonLog log, ObjectStore objects, String bucket) {
        this.listing = listing;
        this.log = log;
        this.objects = objects;
        this.bucket = bucket;
    }

    /**
     * Writes the Map's items ({@value #ACCOUNTS_FILE}: a JSON array of {@code accountId}, {@code accountName}) and
     * the whole listing ({@value #LISTING_FILE}) under {@code listings/<execution name>/}, and returns where: the
     * Map reads its items with an ItemReader, so no account list passes through the state machine's state.
     *
     * <p>Input: {@code executionName} (the state machine passes {@code $$.Execution.Name}).
     */
    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        Object name = input == null ? null : input.get("executionName");
        if (!(name instanceof String executionName) || !executionName.matches("[A-Za-z0-9_.:-]{1,80}")) {
            throw new IllegalArgumentException("input has no valid executionName: " + input);
        }
        AccountLister.Listing result = listing.get();
        String directory = Organization.LISTINGS_PREFIX + "/" + executionName + "/";
        objects.put(bucket, directory + ACCOUNTS_FILE, JsonLog.toJson(result.accounts())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json");
        objects.put(bucket, directory + LISTING_FILE, JsonLog.toJson(result)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json");
        log.info("accounts listed", "accounts", result.accounts().size(), "notEnrolled",
                result.notEnrolled().size(), "excluded", result.excluded().size(),
                "listing", "s3://" + bucket + "/" + directory);
        Map<String, Object> output = new java.util.LinkedHashMap<>();
        output.put(BUCKET_FIELD, bucket);
        output.put(ACCOUNTS_KEY_FIELD, directory + ACCOUNTS_FILE);
        output.put(LISTING_KEY_FIELD, directory + LISTING_FILE);
        output.put("accounts", result.accounts().size());
        output.put("notEnrolled", result.notEnrolled().size());
        output.put("excluded", result.excluded().size());
        return output;
    }

    static List<String> list(Map<String, String> env, Organization.Variable variable) {
        String value = env.get(variable.name());
        return value == null ? List.of() : Arrays.stream(value.split(",")).map(String::strip)
                .filter(s -> !s.isEmpty()).toList();
    }

    static final TypeReference<Map<String, Object>> PLAIN_JSON = new TypeReference<>() { };
}
