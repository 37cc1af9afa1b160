package dev.accesskeyrotator.testing;

import software.amazon.awssdk.retries.AdaptiveRetryStrategy;
import software.amazon.awssdk.retries.api.AcquireInitialTokenRequest;
import software.amazon.awssdk.retries.api.AcquireInitialTokenResponse;
import software.amazon.awssdk.retries.api.RecordSuccessRequest;
import software.amazon.awssdk.retries.api.RecordSuccessResponse;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenResponse;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.retries.internal.DefaultAdaptiveRetryStrategy;
import software.amazon.awssdk.retries.internal.ratelimiter.RateLimiterTokenBucketStore;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A production adaptive retry strategy run on virtual time. The strategy decides every retry and computes every delay
 * exactly as in production (attempt limit, retry quota, backoff, and the client-side rate limiter that holds calls
 * back after throttling), but nobody sleeps: backoff the SDK would sleep is added to a virtual clock and the SDK is
 * told to wait zero, and the rate limiter reads that clock and waits on a scheduler that runs each wait at once after
 * moving the clock to its end. Each attempt also takes {@link #ATTEMPT_TIME} of virtual time, so the limiter measures
 * a send rate as it would against AWS. A throttling storm then costs milliseconds instead of the minute the limiter
 * holds a real client back.
 * <p>
 * Waits of concurrent callers add up on the one clock (as if they waited one after another; the limiter itself serves
 * its waiters one at a time). That changes how long calls are held back, never whether a call is retried.
 * <p>
 * It reaches into the SDK's internal rate limiter ({@code RateLimiterTokenBucketStore} takes a clock and a scheduler):
 * the SDK has no public way to put the adaptive strategy on another clock. An SDK upgrade that moves them fails
 * compilation here rather than silently testing something else.
 */
public final class VirtualTimeRetryStrategy implements AdaptiveRetryStrategy {
    /** How long one attempt (request and response) takes on the virtual clock: an ordinary IAM round trip. */
    public static final Duration ATTEMPT_TIME = Duration.ofMillis(20);

    private final AtomicLong virtualNanos = new AtomicLong();
    private final AtomicInteger heldBack = new AtomicInteger();
    private final AtomicInteger retries = new AtomicInteger();
    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final RetryStrategy delegate;

    private VirtualTimeRetryStrategy(RetryStrategy adaptive) {
        if (!(adaptive.toBuilder() instanceof DefaultAdaptiveRetryStrategy.Builder builder)) {
            throw new IllegalArgumentException("not the SDK's adaptive retry strategy: " + adaptive.getClass());
        }
        this.delegate = builder.rateLimiterTokenBucketStore(RateLimiterTokenBucketStore.builder()
                        .clock(() -> virtualNanos.get() / 1e9)
                        .scheduler(scheduler)
                        .build())
                .build();
    }

    /** {@code adaptive} (for example {@code AwsClients.defaultRetryStrategy()}) with its rate limiter on virtual time. */
    public static VirtualTimeRetryStrategy of(RetryStrategy adaptive) {
        return new VirtualTimeRetryStrategy(adaptive);
    }

    @Override
    public AcquireInitialTokenResponse acquireInitialToken(AcquireInitialTokenRequest request) {
        AcquireInitialTokenResponse response = delegate.acquireInitialToken(request);
        waitVirtually(response.delay());
        return AcquireInitialTokenResponse.create(response.token(), Duration.ZERO);
    }

    @Override
    public RefreshRetryTokenResponse refreshRetryToken(RefreshRetryTokenRequest request) {
        virtualNanos.addAndGet(ATTEMPT_TIME.toNanos());
        RefreshRetryTokenResponse response = delegate.refreshRetryToken(request);
        retries.incrementAndGet();
        waitVirtually(response.delay());
        return RefreshRetryTokenResponse.create(response.token(), Duration.ZERO);
    }

    @Override
    public RecordSuccessResponse recordSuccess(RecordSuccessRequest request) {
        virtualNanos.addAndGet(ATTEMPT_TIME.toNanos());
        return delegate.recordSuccess(request);
    }

    @Override
    public int maxAttempts() {
        return delegate.maxAttempts();
    }

    @Override
    public boolean useClientDefaults() {
        // The production strategy carries the AWS defaults already; clients must use this instance as it is.
        return false;
    }

    @Override
    public AdaptiveRetryStrategy.Builder toBuilder() {
        throw new UnsupportedOperationException("a virtual-time strategy cannot be rebuilt; wrap the rebuilt strategy");
    }

    @Override
    public void close() {
        delegate.close();
        scheduler.shutdownNow();
    }

    /** Times the rate limiter held a call back until its bucket refilled: proof that the client slowed itself down. */
    public int heldBackCalls() {
        return heldBack.get();
    }

    /** Retries the strategy granted. */
    public int retries() {
        return retries.get();
    }

    /** Virtual time since the first call. */
    public Duration elapsed() {
        return Duration.ofNanos(virtualNanos.get());
    }

    private void waitVirtually(Duration delay) {
        virtualNanos.addAndGet(delay.toNanos());
    }

    /** Runs each scheduled task at once, after moving the virtual clock to the moment it was due. */
    private final class VirtualScheduler extends ScheduledThreadPoolExecutor {
        VirtualScheduler() {
            super(1, runnable -> {
                Thread thread = new Thread(runnable, "virtual-rate-limiter");
                thread.setDaemon(true);
                return thread;
            });
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            long due = virtualNanos.get() + unit.toNanos(delay);
            if (delay > 0) {
                heldBack.incrementAndGet();
            }
            return super.schedule(() -> {
                virtualNanos.accumulateAndGet(due, Math::max);
                command.run();
            }, 0, TimeUnit.NANOSECONDS);
        }
    }
}
