package dev.accesskeyrotator.aws;

import software.amazon.awssdk.retries.api.AcquireInitialTokenRequest;
import software.amazon.awssdk.retries.api.AcquireInitialTokenResponse;
import software.amazon.awssdk.retries.api.RecordSuccessRequest;
import software.amazon.awssdk.retries.api.RecordSuccessResponse;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenResponse;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.retries.api.TokenAcquisitionFailedException;


/**
 * The rotator's retries, except that an endpoint that cannot be connected to is not retried for half a minute of
 * backoff: a person at a terminal learns at once that the address, the network or the region is wrong. Throttling
 * and server errors are retried as before; a connection that once worked and drops is still retried.
 */
final class UnreachableFailsFast implements RetryStrategy {
    private final RetryStrategy delegate;
    private volatile boolean everConnected;

    UnreachableFailsFast(RetryStrategy delegate) {
        this.delegate = delegate;
    }

    @Override
    public AcquireInitialTokenResponse acquireInitialToken(AcquireInitialTokenRequest request) {
        return delegate.acquireInitialToken(request);
    }

    @Override
    public RefreshRetryTokenResponse refreshRetryToken(RefreshRetryTokenRequest request) {
        if (!everConnected && AwsFailures.cannotConnect(request.failure())) {
            throw new TokenAcquisitionFailedException("endpoint unreachable; not retried", request.failure());
        }
        return delegate.refreshRetryToken(request);
    }

    @Override
    public RecordSuccessResponse recordSuccess(RecordSuccessRequest request) {
        everConnected = true;
        return delegate.recordSuccess(request);
    }

    @Override
    public int maxAttempts() {
        return delegate.maxAttempts();
    }

    @Override
    public boolean useClientDefaults() {
        return delegate.useClientDefaults();
    }

    /** The client builder adds its retry conditions through this; what it builds must still fail fast. */
    @Override
    public WrappingBuilder toBuilder() {
        return new WrappingBuilder(delegate.toBuilder());
    }

    static final class WrappingBuilder implements Builder<WrappingBuilder, UnreachableFailsFast> {
        private final Builder<?, ?> delegate;

        WrappingBuilder(Builder<?, ?> delegate) {
            this.delegate = delegate;
        }

        @Override
        public WrappingBuilder retryOnException(java.util.function.Predicate<Throwable> shouldRetry) {
            delegate.retryOnException(shouldRetry);
            return this;
        }

        @Override
        public WrappingBuilder maxAttempts(int maxAttempts) {
            delegate.maxAttempts(maxAttempts);
            return this;
        }

        @Override
        public WrappingBuilder backoffStrategy(software.amazon.awssdk.retries.api.BackoffStrategy strategy) {
            delegate.backoffStrategy(strategy);
            return this;
        }

        @Override
        public WrappingBuilder throttlingBackoffStrategy(software.amazon.awssdk.retries.api.BackoffStrategy strategy) {
            delegate.throttlingBackoffStrategy(strategy);
            return this;
        }

        @Override
        public WrappingBuilder treatAsThrottling(java.util.function.Predicate<Throwable> isThrottling) {
            delegate.treatAsThrottling(isThrottling);
            return this;
        }

        @Override
        public WrappingBuilder useClientDefaults(boolean useClientDefaults) {
            delegate.useClientDefaults(useClientDefaults);
            return this;
        }

        @Override
        public UnreachableFailsFast build() {
            return new UnreachableFailsFast(delegate.build());
        }
    }
}
