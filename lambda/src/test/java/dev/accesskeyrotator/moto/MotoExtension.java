package dev.accesskeyrotator.moto;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Gives each test an empty moto account ({@link MotoAccount}) on a simulated clock:
 * <pre>{@code
 * @RegisterExtension final MotoExtension moto = new MotoExtension(START);
 * }</pre>
 * One moto server serves the whole JVM: it is started the first time a class needs it, reset (every service
 * emptied) before each test, and stopped when the test run ends. Test classes here run one at a time (see
 * junit-platform.properties), so they never share it at the same moment.
 *
 * <p>Without python3 or moto the tests are skipped, and the skip says why. With the environment variable
 * {@value #REQUIRED_VARIABLE} set (CI sets it), the same machine fails them instead: a CI image that lost moto must
 * not pass by skipping the suite.
 *
 * <p>A test class that uses it carries {@code @Tag("slow")}: the default build leaves out what waits on a process
 * outside the JVM, and {@code -Pslow} (which .ci/run runs after the default build) runs it. An untagged one fails
 * here rather than slowing the default build down.
 */
public final class MotoExtension implements ExecutionCondition, BeforeEachCallback, AfterEachCallback {
    static final String REQUIRED_VARIABLE = "MOTO_REQUIRED";
    static final String TAG = "slow";
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(MotoExtension.class);

    private final Instant clockStart;
    private MotoAccount account;

    public MotoExtension(Instant clockStart) {
        this.clockStart = clockStart;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (!context.getTags().contains(TAG)) {
            throw new IllegalStateException(context.getDisplayName() + " runs against moto's server: tag its class"
                    + " @Tag(\"" + TAG + "\"), so the default build leaves it to -Pslow");
        }
        MotoServer.Startup startup = shared(context).startup();
        if (startup instanceof MotoServer.Started started) {
            return ConditionEvaluationResult.enabled("moto " + started.server().version() + " at "
                    + started.server().endpoint());
        }
        String reason = ((MotoServer.Unavailable) startup).reason();
        if (System.getenv(REQUIRED_VARIABLE) != null && !System.getenv(REQUIRED_VARIABLE).isBlank()) {
            throw new IllegalStateException(REQUIRED_VARIABLE + " is set, so the moto end-to-end tests must run, but "
                    + reason);
        }
        return ConditionEvaluationResult.disabled(reason);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        MotoServer server = ((MotoServer.Started) shared(context).startup()).server();
        long started = System.nanoTime();
        server.reset();
        account = MotoAccount.open(server, clockStart);
        System.out.println("[moto] reset and stack set up in " + (System.nanoTime() - started) / 1_000_000 + " ms");
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (account != null) {
            account.close();
            account = null;
        }
    }

    public MotoAccount account() {
        if (account == null) {
            throw new IllegalStateException("no moto account outside a test");
        }
        return account;
    }

    private static SharedServer shared(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(SharedServer.class,
                type -> SharedServer.start(), SharedServer.class);
    }

    /** The JVM's one moto server (or why there is none), stopped by JUnit when the whole run ends. */
    private record SharedServer(MotoServer.Startup startup, Path directory)
            implements ExtensionContext.Store.CloseableResource {

        static SharedServer start() {
            try {
                Path directory = Files.createTempDirectory("moto-server-");
                long started = System.nanoTime();
                MotoServer.Startup startup = MotoServer.start(directory);
                System.out.println("[moto] " + (startup instanceof MotoServer.Started s ? "moto " + s.server().version()
                        + " answered at " + s.server().endpoint() : "not started: "
                        + ((MotoServer.Unavailable) startup).reason()) + " after "
                        + (System.nanoTime() - started) / 1_000_000 + " ms");
                return new SharedServer(startup, directory);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create moto's working directory", e);
            }
        }

        @Override
        public void close() throws IOException {
            if (startup instanceof MotoServer.Started started) {
                started.server().close();
            }
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }
}
