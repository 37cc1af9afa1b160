package dev.accesskeyrotator.localaws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;

/**
 * AWS Organizations (JSON 1.1, target prefix {@code AWSOrganizationsV20161128}) as far as listing accounts goes: one
 * organization with a root, nested OUs and accounts in several states.
 *
 * <p>As in AWS: only the management account and delegated administrators may list (others get
 * {@code AccessDeniedException}); an account outside any organization gets {@code AWSOrganizationsNotInUseException};
 * an unknown parent is {@code ParentNotFoundException}; {@code MaxResults} is 1 to 20 and a page may hold fewer
 * items than asked for while {@code NextToken} says more follow ({@link #limitPageSize} makes pages small so that
 * paging is exercised with few accounts); accounts carry both the newer {@code State} and the older {@code Status}.
 */
public final class OrganizationsEmulator implements ServiceEmulator {
    static final String TARGET_PREFIX = "AWSOrganizationsV20161128";
    static final int MAX_RESULTS = 20;
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** An account's {@code State}; {@link #status()} is what the older {@code Status} field says for it. */
    public enum AccountState {
        PENDING_ACTIVATION("ACTIVE"), ACTIVE("ACTIVE"), SUSPENDED("SUSPENDED"), PENDING_CLOSURE("PENDING_CLOSURE"),
        CLOSED("SUSPENDED");

        private final String status;

        AccountState(String status) { this.status = status; }

        String status() { return status; }
    }

    private record Account(String id, String name, AccountState state, String parentId, Instant joined) { }

    private record Unit(String id, String name, String parentId) { }

    private final LocalAwsContext context;
    /** The account a request is signed for; the endpoint routes by credentials. */
    private final Function<AwsRequest, String> callerAccount;
    private final PageTokens accountTokens = new PageTokens("accounts-for-parent:");
    private final PageTokens childTokens = new PageTokens("children:");
    private String organizationId;
    private String rootId;
    private String managementAccountId;
    private final Set<String> delegatedAdministrators = new HashSet<>();
    private final Map<String, Unit> units = new LinkedHashMap<>();
    private final Map<String, Account> accounts = new LinkedHashMap<>();
    private int pageSize = MAX_RESULTS;

    OrganizationsEmulator(LocalAwsContext context, Function<AwsRequest, String> callerAccount) {
        this.context = context;
        this.callerAccount = callerAccount;
    }

    @Override public String service() { return "organizations"; }
    @Override public String xmlNamespace() { return null; }

    @Override
    public synchronized Object handle(AwsRequest request) {
        if (organizationId == null) {
            throw AwsServiceError.badRequest("AWSOrganizationsNotInUseException",
                    "Your account is not a member of an organization.");
        }
        String caller = callerAccount.apply(request);
        if (!caller.equals(managementAccountId) && !delegatedAdministrators.contains(caller)) {
            throw AwsServiceError.badRequest("AccessDeniedException",
                    "You don't have permissions to access this resource.");
        }
        JsonNode body = request.json();
        return switch (request.operation()) {
            case "DescribeOrganization" -> describeOrganization();
            case "ListRoots" -> listRoots();
            case "ListChildren" -> listChildren(body);
            case "ListAccountsForParent" -> listAccountsForParent(body);
            default -> throw AwsServiceError.badRequest("UnknownOperationException",
                    "LocalAws does not emulate Organizations." + request.operation());
        };
    }

    // ---- test hooks ------------------------------------------------------------------------------------------------

    /** Creates the organization with {@code managementAccountId} as its management account; returns the root id. */
    public synchronized String createOrganization(String managementAccountId) {
        this.managementAccountId = managementAccountId;
        this.organizationId = "o-" + suffix("organization", 10);
        this.rootId = "r-" + suffix("root", 4);
        accounts.put(managementAccountId, new Account(managementAccountId, "management", AccountState.ACTIVE, rootId,
                context.now()));
        return rootId;
    }

    public synchronized String organizationId() { return organizationId; }
    public synchronized String rootId() { return rootId; }

    /** Creates an OU under a root or OU; returns its id ({@code ou-<root>-<suffix>}). */
    public synchronized String createOrganizationalUnit(String parentId, String name) {
        requireParent(parentId);
        String id = "ou-" + rootId.substring(2) + "-" + suffix(parentId + "/" + name, 8);
        units.put(id, new Unit(id, name, parentId));
        return id;
    }

    /** Puts an account (new or moved) under a root or OU. */
    public synchronized void addAccount(String parentId, String accountId, String name, AccountState state) {
        requireParent(parentId);
        accounts.put(accountId, new Account(accountId, name, state, parentId, context.now()));
    }

    public synchronized void registerDelegatedAdministrator(String accountId) {
        delegatedAdministrators.add(accountId);
    }

    /** Pages hold at most {@code size} items whatever MaxResults asks for, as AWS may return fewer. */
    public synchronized void limitPageSize(int size) {
        this.pageSize = size;
    }

    /** The organization {@code accountId} belongs to, for {@code aws:PrincipalOrgID}. */
    public synchronized Optional<String> organizationOf(String accountId) {
        return accounts.containsKey(accountId) ? Optional.of(organizationId) : Optional.empty();
    }

    // ---- operations ------------------------------------------------------------------------------------------------

    private ObjectNode describeOrganization() {
        ObjectNode response = JSON.objectNode();
        response.putObject("Organization")
                .put("Id", organizationId)
                .put("Arn", "arn:aws:organizations::" + managementAccountId + ":organization/" + organizationId)
                .put("MasterAccountId", managementAccountId)
                .put("FeatureSet", "ALL");
        return response;
    }

    private ObjectNode listRoots() {
        ObjectNode response = JSON.objectNode();
        response.putArray("Roots").addObject().put("Id", rootId).put("Name", "Root")
                .put("Arn", "arn:aws:organizations::" + managementAccountId + ":root/" + organizationId + "/" + rootId);
        return response;
    }

    private ObjectNode listChildren(JsonNode body) {
        String parentId = JsonRequests.requiredString(body, "ParentId");
        String childType = JsonRequests.requiredString(body, "ChildType");
        requireParent(parentId);
        List<String[]> children = new ArrayList<>();
        if (childType.equals("ORGANIZATIONAL_UNIT")) {
            units.values().stream().filter(u -> u.parentId().equals(parentId))
                    .forEach(u -> children.add(new String[] {u.id(), childType}));
        } else if (childType.equals("ACCOUNT")) {
            accounts.values().stream().filter(a -> a.parentId().equals(parentId))
                    .forEach(a -> children.add(new String[] {a.id(), childType}));
        } else {
            throw JsonRequests.validation("1 validation error detected: Value '" + childType + "' at 'childType'"
                    + " failed to satisfy constraint: Member must satisfy enum value set: [ACCOUNT, ORGANIZATIONAL_UNIT]");
        }
        ObjectNode response = JSON.objectNode();
        ArrayNode items = response.putArray("Children");
        page(body, children, childTokens, response).forEach(c -> items.addObject().put("Id", c[0]).put("Type", c[1]));
        return response;
    }

    private ObjectNode listAccountsForParent(JsonNode body) {
        String parentId = JsonRequests.requiredString(body, "ParentId");
        requireParent(parentId);
        List<Account> under = accounts.values().stream().filter(a -> a.parentId().equals(parentId)).toList();
        ObjectNode response = JSON.objectNode();
        ArrayNode items = response.putArray("Accounts");
        for (Account account : page(body, under, accountTokens, response)) {
            items.addObject()
                    .put("Id", account.id())
                    .put("Arn", "arn:aws:organizations::" + managementAccountId + ":account/" + organizationId + "/"
                            + account.id())
                    .put("Email", account.name() + "@example.com")
                    .put("Name", account.name())
                    .put("Status", account.state().status())
                    .put("State", account.state().name())
                    .put("JoinedMethod", account.id().equals(managementAccountId) ? "CREATED" : "INVITED")
                    .set("JoinedTimestamp", JsonRequests.epochSeconds(account.joined()));
        }
        return response;
    }

    private <T> List<T> page(JsonNode body, List<T> all, PageTokens tokens, ObjectNode response) {
        int maxResults = JsonRequests.optionalInt(body, "MaxResults").orElse(MAX_RESULTS);
        if (maxResults < 1 || maxResults > MAX_RESULTS) {
            throw AwsServiceError.badRequest("InvalidInputException", "You provided a value that does not match the"
                    + " required pattern or is outside the allowed range: MaxResults must be 1 to " + MAX_RESULTS + ".");
        }
        int offset = 0;
        Optional<String> token = JsonRequests.optionalString(body, "NextToken");
        if (token.isPresent()) {
            OptionalInt decoded = tokens.decode(token.get());
            if (decoded.isEmpty() || decoded.getAsInt() > all.size()) {
                throw AwsServiceError.badRequest("InvalidInputException", "The NextToken value isn't valid.");
            }
            offset = decoded.getAsInt();
        }
        int end = Math.min(all.size(), offset + Math.min(maxResults, pageSize));
        if (end < all.size()) {
            response.put("NextToken", tokens.encode(end));
        }
        return all.subList(offset, end);
    }

    private void requireParent(String parentId) {
        if (organizationId == null) {
            throw new IllegalStateException("create the organization first");
        }
        if (!parentId.equals(rootId) && !units.containsKey(parentId)) {
            throw AwsServiceError.badRequest("ParentNotFoundException",
                    "We can't find a root or OU with the ParentId that you specified.");
        }
    }

    private static String suffix(String seed, int length) {
        String hex = java.util.UUID.nameUUIDFromBytes(seed.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toString().replace("-", "");
        return hex.substring(0, length);
    }
}
