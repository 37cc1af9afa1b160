package dev.accesskeyrotator.moto;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One moto server ({@code python3 -m moto.server}) on a free loopback port, on the tests' simulated clock (see
 * {@code moto_server.py} next to this class). The port is the one the operating system gives moto (it is started on
 * port 0 and says where it listens), so two builds on one machine never race for a port.
 *
 * <p>Start-up waits for two events, each under one deadline: moto's "Running on" line, then a first answer from its
 * management API. It never sleeps a fixed time. {@link #close} stops the process and waits for it to end.
 */
final class MotoServer implements AutoCloseable {
    /** Python's start and moto's imports take a second or two; several builds sharing two cores may take much longer. */
    static final Duration STARTUP_DEADLINE = Duration.ofSeconds(90);
    private static final Pattern LISTENING = Pattern.compile("Running on http://127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern VERSION = Pattern.compile("^moto (\\S+) on a simulated clock");
    private static final int OUTPUT_LINES_KEPT = 30;

    /** The outcome of trying to start: a server, or why this machine cannot run one (not a failure of the test). */
    sealed interface Startup permits Started, Unavailable { }

    record Started(MotoServer server) implements Startup { }

    record Unavailable(String reason) implements Startup { }

    private final Process process;
    private final URI endpoint;
    private final String version;
    private final Path clockFile;
    private final Deque<String> output;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Stops moto if the JVM ends without closing it (a killed test run must not leave a server behind). */
    private final Thread stopAtExit;

    private MotoServer(Process process, URI endpoint, String version, Path clockFile, Deque<String> output) {
        this.process = process;
        this.endpoint = endpoint;
        this.version = version;
        this.clockFile = clockFile;
        this.output = output;
        this.stopAtExit = new Thread(() -> stop(process), "moto-server-stop");
        Runtime.getRuntime().addShutdownHook(stopAtExit);
    }

    /**
     * Starts moto with its clock file in {@code directory}. A machine without python3 or without moto gives
     * {@link Unavailable}; anything else that goes wrong (moto starts but never answers) is an exception.
     */
    static Startup start(Path directory) {
        Path clockFile = directory.resolve("now");
        String launcher;
        try (InputStream in = MotoServer.class.getResourceAsStream("moto_server.py")) {
            launcher = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read moto_server.py from the test classpath", e);
        }
        ProcessBuilder builder = new ProcessBuilder("python3", "-c", launcher, "-H", "127.0.0.1", "-p", "0")
                .redirectErrorStream(true);
        builder.environment().put("MOTO_CLOCK_FILE", clockFile.toString());
        // moto must not pick up this machine's AWS settings (it reads a few AWS_* variables for its defaults).
        builder.environment().keySet().removeIf(name -> name.startsWith("AWS_"));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return new Unavailable("python3 cannot be started (" + e.getMessage() + "); the moto end-to-end tests"
                    + " need python3 with moto installed (pip install 'moto[server]')");
        }
        Deque<String> output = new ArrayDeque<>();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        CompletableFuture<String> version = new CompletableFuture<>();
        Thread reader = new Thread(() -> readOutput(process, output, port, version), "moto-server-output");
        reader.setDaemon(true);
        reader.start();

        Instant deadline = Instant.now().plus(STARTUP_DEADLINE);
        int listeningPort;
        try {
            listeningPort = port.get(remaining(deadline), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            String printed = lines(output);
            stop(process);
            if (printed.contains("No module named 'moto") || printed.contains("No module named moto")) {
                return new Unavailable("python3 has no moto module (" + firstLine(printed, "No module named")
                        + "); the moto end-to-end tests need it: pip install 'moto[server]'");
            }
            if (printed.contains("python3: command not found") || printed.contains("pyenv: python3: command not found")) {
                return new Unavailable("python3 is not installed: " + firstLine(printed, "python3"));
            }
            throw new IllegalStateException("moto did not start within " + STARTUP_DEADLINE.toSeconds()
                    + " s; its output:\n" + printed, e);
        }
        MotoServer server = new MotoServer(process, URI.create("http://127.0.0.1:" + listeningPort), version.getNow(
                "(unknown version)"), clockFile, output);
        try {
            server.awaitAnswer(deadline);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return new Started(server);
    }

    URI endpoint() {
        return endpoint;
    }

    String version() {
        return version;
    }

    /** Where moto reads the time from: also the clock file of a {@code credentials} process under test. */
    Path clockFile() {
        return clockFile;
    }

    /** From now on moto stamps everything (key dates, last use, secret dates) with {@code now}. */
    void setClock(Instant now) {
        try {
            Path next = clockFile.resolveSibling(clockFile.getFileName() + ".next");
            Files.writeString(next, now.toString());
            Files.move(next, clockFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set moto's clock", e);
        }
    }

    /** Forgets every resource in every service: the next test starts from an empty account. */
    void reset() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(endpoint.resolve("/moto-api/reset"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("moto reset answered HTTP " + response.statusCode() + ": "
                    + response.body());
        }
    }

    @Override
    public void close() {
        stop(process);
        try {
            Runtime.getRuntime().removeShutdownHook(stopAtExit);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to; the process is stopped either way.
        }
    }

    private void awaitAnswer(Instant deadline) {
        RuntimeException last = null;
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto exited with " + process.exitValue() + ":\n" + lines(output));
            }
            try {
                HttpResponse<String> answer = send(HttpRequest.newBuilder(endpoint.resolve("/moto-api/"))
                        .timeout(Duration.ofMillis(Math.max(1, remaining(deadline)))).GET().build());
                if (answer.statusCode() == 200) {
                    return;
                }
                last = new IllegalStateException("HTTP " + answer.statusCode());
            } catch (RuntimeException e) {
                last = e;
            }
            // moto said it listens, so a refused connection is brief; waiting on the process (which returns at once
            // if it dies) keeps this loop from spinning.
            try {
                process.waitFor(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for moto", e);
            }
        }
        throw new IllegalStateException("moto listens at " + endpoint + " but did not answer within "
                + STARTUP_DEADLINE.toSeconds() + " s: " + last + "\n" + lines(output));
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("moto at " + endpoint + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Keeps reading moto's output for as long as it runs: a full pipe would block the server. */
    private static void readOutput(Process process, Deque<String> output, CompletableFuture<Integer> port,
                                   CompletableFuture<String> version) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                synchronized (output) {
                    output.addLast(line);
                    if (output.size() > OUTPUT_LINES_KEPT) {
                        output.removeFirst();
                    }
                }
                Matcher versionLine = VERSION.matcher(line);
                if (versionLine.find()) {
                    version.complete(versionLine.group(1));
                }
                Matcher listening = LISTENING.matcher(line);
                if (listening.find()) {
                    port.complete(Integer.parseInt(listening.group(1)));
                }
            }
        } catch (IOException e) {
            // The process ended; what it printed so far is kept.
        }
        port.completeExceptionally(new IllegalStateException("moto's output ended"));
    }

    private static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long remaining(Instant deadline) {
        return Math.max(0, Duration.between(Instant.now(), deadline).toMillis());
    }

    private static String lines(Deque<String> output) {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    private static String firstLine(String text, String containing) {
        return text.lines().filter(line -> line.contains(containing)).findFirst().map(String::strip)
                .orElse(text.lines().reduce((a, b) -> b).orElse(""));
    }
}
