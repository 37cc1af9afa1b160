package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.service.RotationService;
import dev.accesskeyrotator.service.UserResult;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * {@code run}'s progress for a person at a terminal: a line when the first user is done, then one every few seconds
 * and one at the end, each with the time since the run started on users and the outcomes so far. Wall-clock time
 * (the run's own clock may be a simulated one).
 */
final class ProgressLines implements RotationService.Progress {
    static final Duration EVERY = Duration.ofSeconds(3);

    private final PrintStream err;
    private final LongSupplier nanoTime;
    private final long startedAt;
    private final Map<String, Integer> outcomes = new TreeMap<>();
    private long lastLineAt;
    private boolean printed;

    ProgressLines(PrintStream err, LongSupplier nanoTime) {
        this.err = err;
        this.nanoTime = nanoTime;
        this.startedAt = nanoTime.getAsLong();
    }

    @Override
    public synchronized void userDone(int done, int of, UserResult result) {
        outcomes.merge(result.outcome().label(), 1, Integer::sum);
        long now = nanoTime.getAsLong();
        if (printed && done < of && now - lastLineAt < EVERY.toNanos()) {
            return;
        }
        StringBuilder counts = new StringBuilder();
        outcomes.forEach((label, count) -> counts.append(counts.length() == 0 ? "" : ", ").append(label)
                .append(' ').append(count));
        err.println("progress: " + done + " of " + of + " users after " + Duration.ofNanos(now - startedAt)
                .toSeconds() + " s (" + counts + ")");
        printed = true;
        lastLineAt = now;
    }
}
