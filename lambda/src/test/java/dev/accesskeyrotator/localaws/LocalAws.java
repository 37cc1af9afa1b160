package dev.accesskeyrotator.localaws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local AWS endpoint on {@code 127.0.0.1} that real AWS SDK for Java v2 clients talk to over HTTP: IAM, STS, SSM,
 * Secrets Manager and SNS, in-memory, with a controllable clock, fault injection and a log of received calls.
 * Any credentials are accepted; signatures are not checked. Build clients with {@link LocalAwsClients}.
 *
 * <h2>Crash after success</h2>
 * A {@code crashAfterSuccess()} fault lets the emulator perform the call (its effect stays) and then answers HTTP 500
 * with the header {@code x-localaws-crash: true}. With {@link #crashInterceptor()} on the client (LocalAwsClients adds
 * it), the SDK call throws {@link SimulatedCrash} itself: the interceptor throws it from {@code afterTransmission},
 * inside the attempt, and the SDK neither retries nor wraps an {@link Error} (verified in {@code LocalAwsTest}).
 * <p>
 * A client built without the interceptor sees a retryable 500 with error code {@code LocalAwsCrash}. The endpoint
 * remembers the SDK invocation id ({@code amz-sdk-invocation-id}, the same on every retry of one call) of a crashed
 * call and answers its retries with the same crash response without performing the call again, so the call takes
 * effect exactly once either way; such a caller ends with a service exception of status 500 once its retries are spent.
 */
public final class LocalAws implements AutoCloseable {
    public static final Instant DEFAULT_CLOCK_START = Instant.parse("2026-01-01T00:00:00Z");

    /** Enough for the SDK calls a concurrent rotator makes at once; extra calls queue rather than fail. */
    private static final int WORKER_THREADS = 16;
    private static final String CRASH_ERROR_CODE = "LocalAwsCrash";
    private static final String INVOCATION_ID_HEADER = "amz-sdk-invocation-id";

    static {
        // The JDK server writes headers and body as separate small segments; with Nagle's algorithm on, each call
        // on a kept-alive connection then waits for the client's delayed ACK, about 40 ms. The server reads this
        // property once per JVM, when its configuration class loads, so it must be set before the first server.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final LocalAwsContext context;
    private final HttpServer server;
    private final ExecutorService workers;
    private final Map<String, ServiceEmulator> emulators = new LinkedHashMap<>();
    private final IamEmulator iam;
    private final StsEmulator sts;
    private final SsmEmulator ssm;
    private final SecretsManagerEmulator secretsManager;
    private final SnsEmulator sns;
    private final KmsKeys kms;
    private final Faults faults = new Faults(this::subjectOf);
    private final Calls calls = new Calls();
    private final ExecutionInterceptor crashInterceptor = new CrashInterceptor();
    private final Set<String> crashedInvocations = ConcurrentHashMap.newKeySet();
    private final AwsCredentialsProvider credentials =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));

    private LocalAws(MutableClock clock) throws IOException {
        context = new LocalAwsContext(LocalAwsContext.DEFAULT_ACCOUNT_ID, LocalAwsContext.DEFAULT_REGION, clock);
        iam = register(new IamEmulator(context));
        sts = register(new StsEmulator(context));
        ssm = register(new SsmEmulator(context));
        kms = new KmsKeys(context);
        secretsManager = register(new SecretsManagerEmulator(context, kms));
        sns = register(new SnsEmulator(context));

        AtomicInteger threadNumber = new AtomicInteger();
        workers = Executors.newFixedThreadPool(WORKER_THREADS, runnable -> {
            Thread thread = new Thread(runnable, "local-aws-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::exchange);
        server.setExecutor(workers);
        server.start();
    }

    /** Starts an endpoint whose clock starts at {@link #DEFAULT_CLOCK_START}. */
    public static LocalAws start() {
        return start(new MutableClock(DEFAULT_CLOCK_START));
    }

    /** Starts an endpoint on a free port, reading time from {@code clock} (share it with the code under test). */
    public static LocalAws start(MutableClock clock) {
        try {
            return new LocalAws(clock);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the local AWS endpoint", e);
        }
    }

    /** The user a request is about: its {@code UserName}, else the owner of its {@code AccessKeyId}, else none (""). */
    private String subjectOf(AwsRequest request) {
        return request.text("UserName")
                .or(() -> request.text("AccessKeyId").flatMap(iam::accessKey).map(IamEmulator.KeySnapshot::userName))
                .orElse("");
    }

    private <E extends ServiceEmulator> E register(E emulator) {
        emulators.put(emulator.service(), emulator);
        return emulator;
    }

    public URI endpoint() {
        InetSocketAddress address = server.getAddress();
        return URI.create("http://" + address.getAddress().getHostAddress() + ":" + address.getPort());
    }

    public Region region() { return Region.of(context.region()); }
    public String accountId() { return context.accountId(); }
    public MutableClock clock() { return context.clock(); }
    public LocalAwsContext context() { return context; }

    /** Static {@code test}/{@code test} credentials; the endpoint accepts any. */
    public AwsCredentialsProvider credentials() { return credentials; }

    public IamEmulator iam() { return iam; }
    public StsEmulator sts() { return sts; }
    public SsmEmulator ssm() { return ssm; }
    public SecretsManagerEmulator secretsManager() { return secretsManager; }
    public SnsEmulator sns() { return sns; }
    public KmsKeys kms() { return kms; }
    public Faults faults() { return faults; }
    public Calls calls() { return calls; }

    /** Add to every SDK client that talks to this endpoint so that crash-after-success faults end the caller's run. */
    public ExecutionInterceptor crashInterceptor() { return crashInterceptor; }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }

    private void exchange(HttpExchange exchange) {
        try (exchange) {
            Map<String, List<String>> headers = lowerCaseHeaders(exchange);
            byte[] body = exchange.getRequestBody().readAllBytes();
            WireFormat.Reply reply;
            try {
                reply = serve(headers, body);
            } catch (RuntimeException e) {
                // An emulator or fault predicate bug must not pass for a service answer the code under test handles.
                e.printStackTrace();
                reply = WireFormat.error(WireFormat.protocolOf(headers), null,
                        new AwsServiceError(500, "InternalFailure", "LocalAws failed: " + e));
            }
            send(exchange, reply);
        } catch (IOException e) {
            // The client went away mid-exchange; nothing is left to answer.
        }
    }

    private WireFormat.Reply serve(Map<String, List<String>> headers, byte[] body) {
        AwsRequest request;
        try {
            request = WireFormat.decode(headers, body);
        } catch (AwsServiceError e) {
            return WireFormat.error(WireFormat.protocolOf(headers), null, e);
        }
        calls.record(request);
        ServiceEmulator emulator = emulators.get(request.service());
        if (emulator == null) {
            return WireFormat.error(request.protocol(), null, new AwsServiceError(400, "InvalidAction",
                    "LocalAws does not emulate the service " + request.service()));
        }
        String invocationId = request.headers().getOrDefault(INVOCATION_ID_HEADER, List.of()).stream()
                .findFirst().orElse(null);
        if (invocationId != null && crashedInvocations.contains(invocationId)) {
            return crashReply(request, emulator);
        }
        Faults.Rule fault = faults.apply(request);
        if (fault == null) {
            return perform(request, emulator);
        }
        if (fault.action() instanceof Faults.Action.CrashAfterSuccess) {
            return performThenCrash(request, emulator, fault, invocationId);
        }
        if (fault.action() instanceof Faults.Action.ErrorAfterSuccess late) {
            WireFormat.Reply reply = perform(request, emulator);
            return reply.status() != 200 ? reply : WireFormat.error(request.protocol(), emulator.xmlNamespace(),
                    new AwsServiceError(late.httpStatus(), late.code(), late.message()));
        }
        AwsServiceError error = fault.action() instanceof Faults.Action.ErrorResponse response
                ? new AwsServiceError(response.httpStatus(), response.code(), response.message())
                : WireFormat.throttling(request.protocol());
        return WireFormat.error(request.protocol(), emulator.xmlNamespace(), error);
    }

    private WireFormat.Reply perform(AwsRequest request, ServiceEmulator emulator) {
        try {
            return WireFormat.success(request, emulator.xmlNamespace(), emulator.handle(request));
        } catch (AwsServiceError e) {
            return WireFormat.error(request.protocol(), emulator.xmlNamespace(), e);
        }
    }

    private WireFormat.Reply performThenCrash(AwsRequest request, ServiceEmulator emulator, Faults.Rule fault,
                                              String invocationId) {
        WireFormat.Reply reply = perform(request, emulator);
        if (reply.status() != 200) {
            fault.refund();
            return reply;
        }
        if (invocationId != null) {
            crashedInvocations.add(invocationId);
        }
        return crashReply(request, emulator);
    }

    private static WireFormat.Reply crashReply(AwsRequest request, ServiceEmulator emulator) {
        AwsServiceError crash = new AwsServiceError(500, CRASH_ERROR_CODE,
                "crash injected after " + request.service() + "." + request.operation() + " took effect");
        return WireFormat.error(request.protocol(), emulator.xmlNamespace(), crash,
                Map.of(CrashInterceptor.CRASH_HEADER, "true"));
    }

    private static Map<String, List<String>> lowerCaseHeaders(HttpExchange exchange) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) ->
                headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).addAll(values));
        headers.replaceAll((name, values) -> List.copyOf(values));
        return Map.copyOf(headers);
    }

    private static void send(HttpExchange exchange, WireFormat.Reply reply) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", reply.contentType());
        reply.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(reply.body());
        }
    }
}
