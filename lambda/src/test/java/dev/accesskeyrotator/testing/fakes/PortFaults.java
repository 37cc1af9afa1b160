package dev.accesskeyrotator.testing.fakes;

import dev.accesskeyrotator.port.AwsFailure;

import java.util.ArrayList;
import java.util.List;

/**
 * The calls the in-memory ports receive, in order, and one armed fault: the n-th call (counting from 1) fails in
 * the chosen way. Shared by the fakes of one account so that "the n-th call" spans all of them.
 */
public final class PortFaults {

    /** How the armed call goes wrong. */
    public enum Mode {
        /** AWS refuses the call; nothing changes. */
        ERROR,
        /** The call takes effect, then reports failure (a timeout after the change). */
        ERROR_AFTER_SUCCESS,
        /** The process dies before the call reaches AWS. */
        CRASH_BEFORE,
        /** The process dies after the call took effect, before its answer is used. */
        CRASH_AFTER
    }

    /** The process died here; an {@link Error} so that no code under test catches it. */
    public static final class Crash extends Error {
        Crash(String operation) {
            super("simulated crash at " + operation);
        }
    }

    private final List<String> calls = new ArrayList<>();
    private int armedCall;
    private Mode armedMode;

    public synchronized void arm(int callNumber, Mode mode) {
        this.armedCall = callNumber;
        this.armedMode = mode;
    }

    public synchronized void disarm() {
        armedMode = null;
    }

    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    public synchronized void resetCalls() {
        calls.clear();
    }

    /** Runs one port call: records it, applies the armed fault if this is the armed call. */
    synchronized <T> T call(String operation, java.util.function.Supplier<T> effect) {
        calls.add(operation);
        Mode mode = calls.size() == armedCall ? armedMode : null;
        if (mode == Mode.CRASH_BEFORE) {
            throw new Crash(operation);
        }
        if (mode == Mode.ERROR) {
            throw new AwsFailure(AwsFailure.Kind.OTHER, operation, "InjectedFailure", "injected before the call", null);
        }
        T result = effect.get();
        if (mode == Mode.ERROR_AFTER_SUCCESS) {
            throw new AwsFailure(AwsFailure.Kind.OTHER, operation, "InternalFailure", "failed after taking effect",
                    null);
        }
        if (mode == Mode.CRASH_AFTER) {
            throw new Crash(operation);
        }
        return result;
    }

    void run(String operation, Runnable effect) {
        call(operation, () -> {
            effect.run();
            return null;
        });
    }
}
