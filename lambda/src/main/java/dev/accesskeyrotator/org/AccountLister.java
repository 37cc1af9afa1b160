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
 * list; minus the exempt accounts. Suspended, closing and not yet activated accounts are skipped and named, so the
 * report can say why an account was left out.
 */
public final class AccountLister {
    private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
    private static final Pattern PARENT_ID = Pattern.compile("r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}");
    static final String ACTIVE = "ACTIVE";

    /** One account to rotate; {@code accountName} is empty for an explicit list. */
    public record ListedAccount(String accountId, String accountName) { }

    /**
     * @param accounts the Map's items, sorted by account id
     * @param skipped  accounts found but not ACTIVE, as {@code id (STATE)}
     * @param excluded exempt accounts that were found (or listed)
     */
    public record Listing(List<ListedAccount> accounts, List<String> skipped, List<String> excluded) { }

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
        TreeMap<String, ListedAccount> listed = new TreeMap<>();
        TreeMap<String, String> skipped = new TreeMap<>();
        Set<String> excluded = new java.util.TreeSet<>();
        Set<String> visited = new LinkedHashSet<>();
        Deque<String> toVisit = new ArrayDeque<>(parentIds);
        while (!toVisit.isEmpty()) {
            String parent = toVisit.removeFirst();
            if (!visited.add(parent)) {
                continue;
            }
            for (OrgAccount account : directory.accountsForParent(parent)) {
                if (exemptIds.contains(account.id())) {
                    excluded.add(account.id());
                } else if (!ACTIVE.equals(account.state())) {
                    skipped.put(account.id(), account.id() + " (" + account.state() + ")");
                } else {
                    listed.put(account.id(), new ListedAccount(account.id(), account.name()));
                }
            }
            toVisit.addAll(directory.organizationalUnitsUnder(parent));
        }
        return new Listing(List.copyOf(listed.values()), List.copyOf(skipped.values()), List.copyOf(excluded));
    }

    /** An explicit list needs no Organizations call, so it also works without a delegated administrator. */
    public static Listing explicit(Collection<String> accountIds, Collection<String> exempt) {
        Set<String> exemptIds = validated(exempt);
        Set<String> ids = validated(accountIds);
        List<ListedAccount> accounts = ids.stream().filter(id -> !exemptIds.contains(id)).sorted()
                .map(id -> new ListedAccount(id, "")).toList();
        List<String> excluded = ids.stream().filter(exemptIds::contains).sorted().toList();
        return new Listing(accounts, List.of(), excluded);
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
