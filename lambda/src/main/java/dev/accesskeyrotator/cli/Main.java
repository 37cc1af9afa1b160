package dev.accesskeyrotator.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The command line: the Lambda's code path from a shell ({@code run}), the read-only {@code status}, the key owner's
 * {@code fetch} and a machine's {@code credentials}. One class per subcommand; picocli parses, converts and
 * documents the options, and {@link Failures} turns whatever a command throws into one line and an {@link ExitCode}.
 *
 * <p>A new subcommand (the emergency {@code rotate}, for example) is a class of its own annotated with
 * {@code @Command(name = "rotate")}, holding a {@code @ParentCommand Main main} for the {@link Context}, listed in
 * {@code subcommands} below; its codes come from {@link ExitCode}.
 */
@Command(name = "access-key-rotator",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Rotates IAM user access keys into each user's own Secrets Manager secret.",
        subcommands = {RunCommand.class, StatusCommand.class, FetchCommand.class, RotateCommand.class,
                CredentialsCommand.class,
                AutoComplete.GenerateCompletion.class},
        footer = {"", "Configuration (thresholds, opt-in tag, grace period, ${bundle:parameter.dryRun}) is read from Parameter Store; see"
                + " docs/operations.md. Every command: <command> --help."})
public final class Main {
    /** The program's name in help and completion; the jar is started with {@code java -jar access-key-rotator.jar}. */
    static final String NAME = "access-key-rotator";

    /** What a command reads and writes besides its options: injected so that tests run it in-process. */
    record Context(Map<String, String> env, InputStream in, PrintStream out, PrintStream err, Clock clock) { }

    final Context context;
    private boolean debug;

    @Spec
    CommandSpec spec;

    Main(Context context) {
        this.context = context;
    }

    /** Every command takes it: the full error, with where it happened, and the SDK's own log lines. */
    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "On an error, also print its stack trace and the SDK's full messages.")
    void debug(boolean debug) {
        this.debug = debug;
    }

    boolean debug() {
        return debug;
    }

    public static void main(String[] args) {
        // The cached credential_process path runs on every SDK credential refresh: it skips building the command
        // line model (docs/key-owners.md, start-up time), and falls through to picocli for anything else.
        if (CachedCredentials.fastPathApplies(args)) {
            System.exit(CachedCredentials.serve(args, System.getenv(), System.out, System.err, Clock.systemUTC()));
        }
        System.exit(run(Arrays.asList(args), System.getenv(), System.in, System.out, System.err, Clock.systemUTC()));
    }

    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        return run(args, env, System.in, out, err, Clock.systemUTC());
    }

    /** With the clock that key ages and dates are computed on: the try-it runs on a local endpoint's own time. */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err,
                          Clock clock) {
        return run(args, env, System.in, out, err, clock);
    }

    static int run(List<String> args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err,
                   Clock clock) {
        // Built in another class: the JVM verifies Main before main() runs, and the cached credentials path
        // must not load picocli for that.
        return CommandLines.execute(new Main(new Context(env, in, out, err, clock)), args);
    }

    /** The jar's version from its manifest; a build from the sources says so. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{NAME + " " + version(),
                    "Java " + System.getProperty("java.version") + ", " + Charset.defaultCharset()};
        }
    }

    /** The jar's version from its manifest; a build from the sources says so. */
    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "(built from source)" : version;
    }
}
