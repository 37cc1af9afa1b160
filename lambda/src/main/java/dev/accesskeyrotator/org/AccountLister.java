package dev.accesskeyrotator.org;

import dev.accesskeyrotator.port.OrganizationDirectory;
import dev.accesskeyrotator.port.OrganizationDirectory.OrgAccount;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The accounts a run covers: every ACTIVE account under the configured roots or OUs, at any depth, or an explicit
 * list; minus the exempt accounts. Accounts found but not entered get their state here, so the report names every
 * account with why it was left out: the management account (service-managed StackSets never deploy a spoke there)
 * and accounts not ACTIVE are {@value AccountResult#NOT_ENROLLED}, exempt ones {@value AccountResult#EXCLUDED}.
 */
public final class AccountLister {
    private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
    private static final Pattern PARENT_ID = Pattern.compile("r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}");
    static final String ACTIVE = "ACTIVE";

    /** One account to rotate; {@code accountName} is empty for an explicit list. */
    public record ListedAccount(String accountId, String accountName) { }

    /**
     * @param accounts    the Map's items, sorted by account id
     * @param notEnrolled accounts found that have no spoke: the management account and accounts not ACTIVE
     * @param excluded    exempt accounts that were found (or listed)
     */
    public record Listing(List<ListedAccount> accounts, List<AccountResult> notEnrolled,
                          List<AccountResult> excluded) { }

    static final String MANAGEMENT_ACCOUNT = "ManagementAccount";
    static final String NOT_ACTIVE = "AccountNotActive";
    static final String EXCLUDED = "Excluded";

    private final OrganizationDirectory directory;

    public AccountLister(OrganizationDirectory directory) {
        this.directory = directory;
    }

    /** Walks each parent's OU tree breadth-first; an account reachable twice (overlapping parents) counts once. */
    public Listing fromOrganization(List<String> parentIds, Collection<String> exempt) {
        for (String parent : parentIds) {
            if (!PARENT_ID.matcher(parent).matches()) {
                throw new IllegalArgumentException("not a root or OU id (r-... or ou-...-...): '" + parent + "'");
            }
        }
        Set<String> exemptIds = validated(exempt);
        String management = directory.managementAccountId();
        TreeMap<String, ListedAccount> listed = new TreeMap<>();
        TreeMap<String, AccountResult> notEnrolled = new TreeMap<>();
        TreeMap<String, AccountResult> excluded = new TreeMap<>();
        Set<String> visited = new LinkedHashSet<>();
        Deque<String> toVisit = new ArrayDeque<>(parentIds);
        while (!toVisit.isEmpty()) {
            String parent = toVisit.removeFirst();
            if (!visited.add(parent)) {
                continue;
            }
            for (OrgAccount account : directory.accountsForParent(parent)) {
                if (exemptIds.contains(account.id())) {
                    excluded.put(account.id(), excluded(account.id(), account.name()));
                } else if (account.id().equals(management)) {
                    notEnrolled.put(account.id(), AccountResult.notRotated(account.id(), account.name(),
                            AccountResult.NOT_ENROLLED, MANAGEMENT_ACCOUNT, "the organization's management account:"
                                    + " service-managed StackSets do not deploy the spoke there"));
                } else if (!ACTIVE.equals(account.state())) {
                    notEnrolled.put(account.id(), AccountResult.notRotated(account.id(), account.name(),
                            AccountResult.NOT_ENROLLED, NOT_ACTIVE, "account state " + account.state()));
                } else {
                    listed.put(account.id(), new ListedAccount(account.id(), account.name()));
                }
            }
            toVisit.addAll(directory.organizationalUnitsUnder(parent));
        }
        return new Listing(List.copyOf(listed.values()), List.copyOf(notEnrolled.values()),
                List.copyOf(excluded.values()));
    }

    /** An explicit list needs no Organizations call, so it also works without a delegated administrator. */
    public static Listing explicit(Collection<String> accountIds, Collection<String> exempt) {
        Set<String> exemptIds = validated(exempt);
        Set<String> ids = validated(accountIds);
        List<ListedAccount> accounts = ids.stream().filter(id -> !exemptIds.contains(id)).sorted()
                .map(id -> new ListedAccount(id, "")).toList();
        List<AccountResult> excluded = ids.stream().filter(exemptIds::contains).sorted()
                .map(id -> excluded(id, "")).toList();
        return new Listing(accounts, List.of(), excluded);
    }

    static AccountResult excluded(String accountId, String accountName) {
        return AccountResult.notRotated(accountId, accountName, AccountResult.EXCLUDED, EXCLUDED,
                "listed in excludedAccounts: never entered");
    }

    private static Set<String> validated(Collection<String> accountIds) {
        Set<String> ids = new java.util.TreeSet<>();
        for (String id : accountIds) {
            if (!ACCOUNT_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("not an AWS account id (12 digits): '" + id + "'");
            }
            ids.add(id);
        }
        return ids;
    }
}
