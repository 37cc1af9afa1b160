package dev.accesskeyrotator.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the rules look at for one opted-in user, read right before acting.
 *
 * @param lastUsed when each key was last used, looked up only for keys that are neither current nor previous
 *                 (an absent entry or an empty Optional means never used)
 */
public record UserState(String userName, String userArn, Map<String, String> tags, List<AccessKey> keys,
                        SecretState secret, Map<String, Optional<Instant>> lastUsed) {

    public UserState {
        tags = Map.copyOf(tags);
        keys = List.copyOf(keys);
        lastUsed = Map.copyOf(lastUsed);
    }

    public Optional<AccessKey> key(String id) {
        return keys.stream().filter(k -> k.id().equals(id)).findFirst();
    }

    public boolean everUsed(String keyId) {
        return lastUsed.getOrDefault(keyId, Optional.empty()).isPresent();
    }
}
