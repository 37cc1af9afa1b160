package dev.accesskeyrotator.org;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.contract.Organization;
import dev.accesskeyrotator.log.JsonLog;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The state machine's first step: the accounts of this run, from the configured OUs (walked recursively through
 * Organizations) or the explicit account list, minus the exempt ones. Its output's {@code accounts} array is what the
 * Distributed Map iterates over.
 */
public final class ListAccountsHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private final Supplier<AccountLister.Listing> listing;
    private final JsonLog log;

    /** Used by the Lambda runtime: configuration from the environment the hub stack sets. */
    public ListAccountsHandler() {
        this(System.getenv(), Clock.systemUTC());
    }

    ListAccountsHandler(Map<String, String> env, Clock clock) {
        this.log = JsonLog.toStandardOut(clock);
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
            AwsClients.Options options = AwsClients.Options.forLambda(env.get("AWS_REGION"));
            OrganizationsApi api = new OrganizationsApi(UrlConnectionHttpClient.create(), options.credentials(),
                    Region.of(env.get("AWS_REGION")), Optional.empty(), pause -> Thread.sleep(pause.toMillis()));
            this.listing = () -> new AccountLister(api).fromOrganization(units, exempt);
        }
    }

    /** For tests: any source of the listing, e.g. an {@link AccountLister} on a local endpoint. */
    ListAccountsHandler(Supplier<AccountLister.Listing> listing, JsonLog log) {
        this.listing = listing;
        this.log = log;
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        AccountLister.Listing result = listing.get();
        log.info("accounts listed", "accounts", result.accounts().size(), "notEnrolled",
                result.notEnrolled().stream().map(AccountResult::accountId).toList(), "excluded",
                result.excluded().stream().map(AccountResult::accountId).toList());
        return JsonLog.mapper().convertValue(result, PLAIN_JSON);
    }

    static List<String> list(Map<String, String> env, Organization.Variable variable) {
        String value = env.get(variable.name());
        return value == null ? List.of() : Arrays.stream(value.split(",")).map(String::strip)
                .filter(s -> !s.isEmpty()).toList();
    }

    static final TypeReference<Map<String, Object>> PLAIN_JSON = new TypeReference<>() { };
}
