package dev.accesskeyrotator.localaws;

/**
 * Thrown into the caller by {@link LocalAws#crashInterceptor()} when the endpoint served a call under a
 * crash-after-success fault: the call's effect stays in the emulator, but the caller dies before seeing the result,
 * like a Lambda that times out or is killed right after AWS applied a change.
 * <p>
 * It is an {@link Error} rather than an exception so that neither the SDK's retry logic nor the code under test's
 * {@code catch (Exception e)} blocks absorb it: the run really ends at that point.
 */
public final class SimulatedCrash extends Error {
    public SimulatedCrash(String message) {
        super(message);
    }
}
