package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.service.UserResult;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A long run on a wall clock the test moves: a line at the first user, then every three seconds, then at the end. */
class ProgressLinesTest {
    @Test
    void aLineAtTheFirstUserThenEveryFewSecondsThenAtTheEnd() {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ProgressLines progress = new ProgressLines(new PrintStream(err, true, StandardCharsets.UTF_8), now::get);

        // 100 users, one every 100 ms (10 s in all); every tenth one is rotated.
        for (int done = 1; done <= 100; done++) {
            now.addAndGet(Duration.ofMillis(100).toNanos());
            progress.userDone(done, 100, UserResult.of("user-" + done,
                    done % 10 == 0 ? Outcome.ROTATED : Outcome.UNCHANGED, "x"));
        }

        assertEquals(List.of(
                "progress: 1 of 100 users after 0 s (unchanged 1)",
                "progress: 31 of 100 users after 3 s (rotated 3, unchanged 28)",
                "progress: 61 of 100 users after 6 s (rotated 6, unchanged 55)",
                "progress: 91 of 100 users after 9 s (rotated 9, unchanged 82)",
                "progress: 100 of 100 users after 10 s (rotated 10, unchanged 90)"),
                err.toString(StandardCharsets.UTF_8).lines().toList());
    }
}
