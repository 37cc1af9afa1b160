package dev.accesskeyrotator.domain;

import dev.accesskeyrotator.contract.Outcome;

/** Something the rules noticed that a person should know, or why nothing was done. */
public record Finding(Outcome outcome, String reason) {

    public static Finding attention(String reason) {
        return new Finding(Outcome.ATTENTION, reason);
    }

    public static Finding blocked(String reason) {
        return new Finding(Outcome.BLOCKED, reason);
    }

    public static Finding deferred(String reason) {
        return new Finding(Outcome.DEFERRED, reason);
    }
}
