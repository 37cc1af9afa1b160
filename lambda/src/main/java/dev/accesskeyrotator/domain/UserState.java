package dev.accesskeyrotator.domain;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the rules look at for one opted-in user, read right before acting.
 *
 * @param lastUsed IAM's last use of the keys it was looked up for (strays, and a replaced key whose cut-over
 *                 depends on its use); an absent entry or an empty Optional means never used
 * @param notices  what the owner was already told
 */
public record UserState(String userName, String userArn, Map<String, String> tags, List<AccessKey> keys,
                        SecretState secret, Map<String, Optional<KeyUse>> lastUsed, NoticeRecord notices) {

    public UserState {
        tags = Map.copyOf(tags);
        keys = List.copyOf(keys);
        lastUsed = Map.copyOf(lastUsed);
    }

    public UserState(String userName, String userArn, Map<String, String> tags, List<AccessKey> keys,
                     SecretState secret, Map<String, Optional<KeyUse>> lastUsed) {
        this(userName, userArn, tags, keys, secret, lastUsed, NoticeRecord.NONE);
    }

    public Optional<AccessKey> key(String id) {
        return keys.stream().filter(k -> k.id().equals(id)).findFirst();
    }

    public boolean everUsed(String keyId) {
        return lastUse(keyId).isPresent();
    }

    public Optional<KeyUse> lastUse(String keyId) {
        return lastUsed.getOrDefault(keyId, Optional.empty());
    }
}
