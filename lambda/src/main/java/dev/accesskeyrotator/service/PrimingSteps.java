package dev.accesskeyrotator.service;

import java.util.ArrayList;
import java.util.List;

/**
 * The steps a function takes before its SnapStart snapshot, each recorded as done or failed. Priming is an
 * optimisation: the snapshot works without it, and the first invocation loads whatever a failed step did not.
 */
public final class PrimingSteps {
    private final List<String> done = new ArrayList<>();

    /** Runs one step; a failure is recorded (by its exception's name, never its message) and never thrown. */
    public PrimingSteps attempt(String what, Runnable step) {
        try {
            step.run();
            done.add(what);
        } catch (RuntimeException failed) {
            done.add(what + " (failed: " + failed.getClass().getSimpleName() + ")");
        }
        return this;
    }

    /** What the priming went through, in order. */
    public List<String> done() {
        return List.copyOf(done);
    }
}
