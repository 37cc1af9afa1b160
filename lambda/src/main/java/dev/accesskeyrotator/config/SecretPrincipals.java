package dev.accesskeyrotator.config;

import java.util.AbstractList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The principals a user secret's resource policy names besides its owner, all fixed at deploy time: the writers
 * (the rotator's role and the break-glass principal, the only ones the policy lets change the secret) and, per user,
 * the delegated readers (roles that may read that one user's secret).
 *
 * <p>It is the list of writers, so that code which only exempts writers keeps taking it as a {@code List<String>};
 * the readers ride along so that a policy for one user cannot be built without them.
 */
public final class SecretPrincipals extends AbstractList<String> {
    private final List<String> writers;
    private final Map<String, List<String>> readersByUser;

    public SecretPrincipals(List<String> writers, Map<String, List<String>> readersByUser) {
        this.writers = List.copyOf(writers);
        Map<String, List<String>> copy = new TreeMap<>();
        readersByUser.forEach((user, readers) -> copy.put(user, List.copyOf(readers)));
        this.readersByUser = Map.copyOf(copy);
    }

    /**
     * The roles named for {@code userName}, compared exactly: the stack's key policy matches the secret's ARN, which
     * carries the name as IAM spells it, so a name in another case would get a resource policy without the key.
     */
    public List<String> readersOf(String userName) {
        return readersByUser.getOrDefault(userName, List.of());
    }

    public Map<String, List<String>> readersByUser() {
        return readersByUser;
    }

    @Override
    public String get(int index) {
        return writers.get(index);
    }

    @Override
    public int size() {
        return writers.size();
    }
}
