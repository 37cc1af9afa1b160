package dev.accesskeyrotator.localaws;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** What every emulator shares: the account, the region and the controllable clock. */
public final class LocalAwsContext {
    public static final String DEFAULT_ACCOUNT_ID = "123456789012";
    public static final String DEFAULT_REGION = "us-east-1";

    private final String accountId;
    private final String region;
    private final MutableClock clock;
    private final AtomicLong sequence = new AtomicLong();

    public LocalAwsContext(String accountId, String region, MutableClock clock) {
        this.accountId = accountId;
        this.region = region;
        this.clock = clock;
    }

    public String accountId() { return accountId; }
    public String region() { return region; }
    public MutableClock clock() { return clock; }
    public Instant now() { return clock.instant(); }

    /** A process-unique number for ids that must never repeat (key ids, version ids, request ids). */
    public long nextSequence() { return sequence.incrementAndGet(); }
}
