package dev.accesskeyrotator.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * The {@code credentials} command on a test's simulated clock, for tests outside this package: in-process
 * ({@link #run}), or as the program an SDK's {@code credential_process} starts ({@link #main}), which reads the
 * simulated time from a file the test moves along with the endpoint's clock.
 */
public final class SimulatedClockCredentials {
    private SimulatedClockCredentials() {}

    public static int run(List<String> args, Map<String, String> env, InputStream in, PrintStream out,
                          PrintStream err, Clock clock) {
        return CredentialsCommand.execute(args, env, in, out, err, clock);
    }

    /** {@code <clock file> <credentials arguments...>} */
    public static void main(String[] args) throws IOException {
        Instant now = Instant.parse(Files.readString(Path.of(args[0])).strip());
        int code = CredentialsCommand.execute(List.of(args).subList(1, args.length), System.getenv(), System.in,
                System.out, System.err, Clock.fixed(now, ZoneOffset.UTC));
        System.out.flush();
        System.exit(code);
    }
}
