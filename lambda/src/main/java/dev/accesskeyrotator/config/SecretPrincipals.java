package dev.accesskeyrotator.config;

import java.util.List;
import java.util.Map;

/**
 * The principals a user secret's resource policy names besides its owner, all fixed at deploy time: the writers
 * (the rotator's role and the break-glass principal, the only ones the policy lets change the secret) and, per user,
 * the delegated readers (roles that may read that one user's secret). They travel together so that a policy for one
 * user cannot be built without its readers.
 */
public record SecretPrincipals(List<String> writers, Map<String, List<String>> readersByUser) {
    public SecretPrincipals {
        writers = List.copyOf(writers);
        readersByUser = Map.copyOf(readersByUser);
    }

    /**
     * The roles named for {@code userName}, compared exactly: the stack's key policy matches the secret's ARN, which
     * carries the name as IAM spells it, so a name in another case would get a resource policy without the key.
     */
    public List<String> readersOf(String userName) {
        return readersByUser.getOrDefault(userName, List.of());
    }
}
