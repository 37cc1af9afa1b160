package dev.accesskeyrotator.domain;

import java.time.Instant;

/** An IAM access key as listed for its user: never its secret. */
public record AccessKey(String id, boolean active, Instant createDate) {

    public boolean newerThan(AccessKey other) {
        return createDate.isAfter(other.createDate);
    }
}
