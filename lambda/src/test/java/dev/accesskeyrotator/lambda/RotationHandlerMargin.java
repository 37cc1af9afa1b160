package dev.accesskeyrotator.lambda;

import java.time.Duration;

/** The handler's deadline margin, for tests outside its package. */
public final class RotationHandlerMargin {
    private RotationHandlerMargin() {}

    public static Duration value() {
        return RotationHandler.DEADLINE_MARGIN;
    }
}
