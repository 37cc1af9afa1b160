package dev.accesskeyrotator.domain;

import java.time.Instant;
import java.util.Optional;

/**
 * IAM's last use of an access key: when, and (from GetAccessKeyLastUsed) in which region by which service. IAM may
 * report a use hours late, so decisions on it are made at hour scale.
 */
public record KeyUse(Instant when, Optional<String> region, Optional<String> service) {

    public static KeyUse at(Instant when) {
        return new KeyUse(when, Optional.empty(), Optional.empty());
    }
}
