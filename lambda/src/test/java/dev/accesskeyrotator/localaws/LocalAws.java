package dev.accesskeyrotator.localaws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.fasterxml.jackson.databind.node.NullNode;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local AWS endpoint on {@code 127.0.0.1} that real AWS SDK for Java v2 clients talk to over HTTP: IAM, STS, SSM,
 * Secrets Manager and SNS, in-memory, with a controllable clock, fault injection and a log of received calls; and,
 * for the organization mode, Organizations and S3 objects. Any credentials are accepted, signatures are not checked,
 * except that an access key IAM issued is refused once it is inactive or deleted, as AWS does (and its use is
 * recorded). Build clients with {@link LocalAwsClients}.
 *
 * <h2>Accounts</h2>
 * The endpoint starts with one account, {@value LocalAwsContext#DEFAULT_ACCOUNT_ID}, which {@link #iam()},
 * {@link #secretsManager()} and the other accessors address. {@link #addAccount} adds more, each with its own IAM,
 * Parameter Store, Secrets Manager, SNS and KMS state. A request is served by the account of the credentials it is
 * signed with: the role's account for keys handed out by STS {@code AssumeRole}, the principal's account for a key
 * given to {@link StsEmulator#identify}, the default account for any other key. STS, Organizations and S3 span
 * accounts.
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

    private final MutableClock clock;
    private final LocalAccount defaultAccount;
    private final Map<String, LocalAccount> accounts = new ConcurrentHashMap<>();
    private final HttpServer server;
    private final ExecutorService workers;
    /** Services that span accounts; the others are per account ({@link LocalAccount}). */
    private final Map<String, ServiceEmulator> global = new LinkedHashMap<>();
    private final StsEmulator sts;
    private final OrganizationsEmulator organizations;
    private final S3Emulator s3 = new S3Emulator();
    private final Faults faults = new Faults(this::subjectOf, this::accountOf);
    private final Calls calls = new Calls();
    private final ExecutionInterceptor crashInterceptor = new CrashInterceptor();
    private final Set<String> crashedInvocations = ConcurrentHashMap.newKeySet();
    private final AwsCredentialsProvider credentials =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));

    private LocalAws(MutableClock clock) throws IOException {
        this.clock = clock;
        defaultAccount = addAccount(LocalAwsContext.DEFAULT_ACCOUNT_ID);
        organizations = register(new OrganizationsEmulator(defaultAccount.context(), this::accountOf));
        sts = register(new StsEmulator(defaultAccount.context(), organizations::organizationOf));

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
        IamEmulator iam = addAccount(accountOf(request)).iam();
        return request.text("UserName")
                .or(() -> request.text("AccessKeyId").flatMap(iam::accessKey).map(IamEmulator.KeySnapshot::userName))
                .orElse("");
    }

    /** The account a request acts in, by the access key id it is signed with (see the class comment). */
    public String accountOf(AwsRequest request) {
        return WireFormat.signingAccessKeyId(request.headers()).flatMap(sts::accountOf)
                .orElse(defaultAccount.accountId());
    }

    private <E extends ServiceEmulator> E register(E emulator) {
        global.put(emulator.service(), emulator);
        return emulator;
    }

    /** Adds an account with empty state (or returns the existing one); its region and clock are the endpoint's. */
    public LocalAccount addAccount(String accountId) {
        if (!accountId.matches("\\d{12}")) {
            throw new IllegalArgumentException("an account id has 12 digits: " + accountId);
        }
        return accounts.computeIfAbsent(accountId, id -> {
            LocalAccount account = new LocalAccount(id, LocalAwsContext.DEFAULT_REGION, clock);
            // KMS restrictions on a role apply to its sessions: the endpoint knows which key is whose session.
            account.kms().roleOfCaller(key -> sts == null ? Optional.empty() : sts.roleArnOf(key));
            return account;
        });
    }

    /** An account added before; the default account always exists. */
    public LocalAccount account(String accountId) {
        LocalAccount account = accounts.get(accountId);
        if (account == null) {
            throw new IllegalArgumentException("no account " + accountId + "; add it with addAccount");
        }
        return account;
    }

    public URI endpoint() {
        InetSocketAddress address = server.getAddress();
        return URI.create("http://" + address.getAddress().getHostAddress() + ":" + address.getPort());
    }

    public Region region() { return Region.of(defaultAccount.context().region()); }
    public String accountId() { return defaultAccount.accountId(); }
    public MutableClock clock() { return clock; }
    public LocalAwsContext context() { return defaultAccount.context(); }

    /** Static {@code test}/{@code test} credentials; the endpoint accepts any. */
    public AwsCredentialsProvider credentials() { return credentials; }

    /** The default account's services; other accounts' through {@link #account}. */
    public IamEmulator iam() { return defaultAccount.iam(); }
    public SsmEmulator ssm() { return defaultAccount.ssm(); }
    public SecretsManagerEmulator secretsManager() { return defaultAccount.secretsManager(); }
    public SnsEmulator sns() { return defaultAccount.sns(); }
    public KmsKeys kms() { return defaultAccount.kms(); }
    public StsEmulator sts() { return sts; }
    public OrganizationsEmulator organizations() { return organizations; }
    public S3Emulator s3() { return s3; }
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
                reply = serve(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, body);
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

    private WireFormat.Reply serve(String method, String path, Map<String, List<String>> headers, byte[] body) {
        AwsRequest request;
        boolean objectCall = WireFormat.signedService(headers).filter("s3"::equals).isPresent();
        try {
            request = objectCall ? objectRequest(method, path, headers) : WireFormat.decode(headers, body);
        } catch (AwsServiceError e) {
            return WireFormat.error(WireFormat.protocolOf(headers), null, e);
        }
        String accountId = accountOf(request);
        calls.record(request, accountId);
        Optional<String> signingKey = WireFormat.signingAccessKeyId(headers);
        try {
            signingKey.ifPresent(key -> sts.checkCurrent(key, request.protocol()));
        } catch (AwsServiceError expired) {
            return WireFormat.error(request.protocol(), null, expired);
        }
        Optional<AwsServiceError> refused = signingKey.flatMap(key -> refusedUserKey(key, request));
        if (refused.isPresent()) {
            return WireFormat.error(request.protocol(), null, refused.get());
        }
        ServiceEmulator emulator = objectCall ? objectEmulator(method, request, headers, body)
                : global.containsKey(request.service()) ? global.get(request.service())
                : addAccount(accountId).emulator(request.service());
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
        if (fault.action() instanceof Faults.Action.NotAwsReply page) {
            return new WireFormat.Reply(page.httpStatus(), page.contentType(), Map.of(),
                    page.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        AwsServiceError error = fault.action() instanceof Faults.Action.ErrorResponse response
                ? new AwsServiceError(response.httpStatus(), response.code(), response.message())
                : WireFormat.throttling(request.protocol());
        return WireFormat.error(request.protocol(), emulator.xmlNamespace(), error);
    }

    /**
     * AWS refuses a request signed with an IAM user's access key that is inactive or deleted, so a disabled key
     * really stops working; an active key's use is recorded as IAM's last-used date. Key ids no account's IAM issued
     * (the tests' own {@code test} credentials, STS sessions) are accepted as before.
     */
    private Optional<AwsServiceError> refusedUserKey(String keyId, AwsRequest request) {
        for (LocalAccount account : accounts.values()) {
            Optional<IamEmulator.SigningKeyState> state = account.iam().signedWith(keyId, clock.instant(),
                    request.service(), account.context().region());
            if (state.isPresent()) {
                return state.get() == IamEmulator.SigningKeyState.ACTIVE ? Optional.empty()
                        : Optional.of(invalidKey(request.protocol()));
            }
        }
        return Optional.empty();
    }

    /** What each protocol's services answer for a key that is not (or no longer) valid. */
    static AwsServiceError invalidKey(AwsRequest.Protocol protocol) {
        return switch (protocol) {
            case QUERY_XML -> new AwsServiceError(403, "InvalidClientTokenId",
                    "The security token included in the request is invalid.");
            case JSON_1_1 -> new AwsServiceError(400, "UnrecognizedClientException",
                    "The security token included in the request is invalid.");
            case REST_XML -> new AwsServiceError(403, "InvalidAccessKeyId",
                    "The AWS Access Key Id you provided does not exist in our records.");
        };
    }

    /** S3 is REST: the method and path carry the operation, bucket and key, which the request records as parameters. */
    private static AwsRequest objectRequest(String method, String path, Map<String, List<String>> headers) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        int slash = trimmed.indexOf('/');
        String bucket = slash < 0 ? trimmed : trimmed.substring(0, slash);
        String key = slash < 0 ? "" : trimmed.substring(slash + 1);
        return new AwsRequest("s3", S3Emulator.operationOf(method), AwsRequest.Protocol.REST_XML,
                Map.of("Bucket", bucket, "Key", key), NullNode.getInstance(), headers);
    }

    /** One S3 call as an emulator, so that faults, crashes and the call log treat it like any other. */
    private ServiceEmulator objectEmulator(String method, AwsRequest request, Map<String, List<String>> headers,
                                           byte[] body) {
        return new ServiceEmulator() {
            @Override public String service() { return "s3"; }
            @Override public String xmlNamespace() { return null; }
            @Override public Object handle(AwsRequest ignored) {
                return s3.serve(method, request.params().get("Bucket"), request.params().get("Key"), headers, body);
            }
        };
    }

    private WireFormat.Reply perform(AwsRequest request, ServiceEmulator emulator) {
        try {
            Object result = emulator.handle(request);
            if (result instanceof WireFormat.Reply reply) {
                return reply;
            }
            return WireFormat.success(request, emulator.xmlNamespace(), result);
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
