package dev.accesskeyrotator.infra;

/**
 * A context value (or a default derived from one) that the stacks refuse, with a message that names the value and
 * what to do. The app prints the message as one line; any other exception is a bug and keeps its stack trace.
 */
public final class ContextValueRefused extends IllegalArgumentException {
    public ContextValueRefused(String message) {
        super(message);
    }
}
