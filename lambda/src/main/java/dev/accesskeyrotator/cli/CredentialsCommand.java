package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.contract.EnvironmentVariable;
import dev.accesskeyrotator.contract.SecretField;
import dev.accesskeyrotator.contract.SecretsKeyAlias;
import dev.accesskeyrotator.service.SecretDocument;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code credentials}: a {@code credential_process} for a machine that holds an IAM user's key, so that it follows
 * every rotation with no person involved. It prints the cached key as the AWS CLI and SDKs expect it; once the
 * cache is older than its refresh interval it reads the user's secret, signed with the key it holds, and switches
 * when the secret holds a newer key. If AWS cannot be asked it keeps serving the cached key, which still works until
 * the rotator retires it. {@code credentials init} sets the cache up once, from a profile or standard input.
 *
 * <p>Standard output carries only the JSON the SDK asks for; everything else, warnings included, goes to standard
 * error in one line, and no message ever holds a secret access key. A fresh cache is served without building any
 * SDK client: an SDK runs this command every time its credentials expire.
 */
final class CredentialsCommand {
    static final int NOT_SET_UP = 3;
    static final int CORRUPT_CACHE = 4;
    static final int NO_STARTING_KEY = 5;
    static final int UNREACHABLE = 7;
    static final int KEY_REFUSED = 8;
    static final int CANNOT_WRITE = 9;
    /**
     * {@code init}: the secret is not proven the rotator's own for the user, or a key (the secret's or the one to start
     * from) is not well formed: nothing was written. The same code as {@code fetch}'s.
     */
    static final int SECRET_REFUSED = ExitCode.SECRET_REFUSED;

    static final Duration DEFAULT_REFRESH = Duration.ofMinutes(60);
    /**
     * The shortest expiration handed out. The AWS CLI and boto3 refresh credentials that expire within 15 minutes
     * before every request, so a shorter one would run this command once per call.
     */
    static final Duration MIN_VALIDITY = Duration.ofMinutes(20);
    /** Standard input is one small JSON document; anything larger is not what init expects. */
    private static final int MAX_INPUT_BYTES = 64 * 1024;

    private static final Set<String> SERVE_OPTIONS = Set.of("--user", "--cache");
    private static final Set<String> INIT_OPTIONS = Set.of("--user", "--cache", "--from-profile", "--region",
            "--secret-prefix", "--refresh-minutes", "--endpoint-url");

    private CredentialsCommand() {}

    static int execute(List<String> args, Map<String, String> env, InputStream in, PrintStream out,
                       PrintStream err, Clock clock) {
        try {
            if (!args.isEmpty() && args.get(0).equals("init")) {
                return init(Arguments.parse(args.subList(1, args.size()), INIT_OPTIONS, Set.of("--stdin")), env,
                        in, out, err, clock);
            }
            if (!args.isEmpty() && args.get(0).equals("status")) {
                return status(Arguments.parse(args.subList(1, args.size()), SERVE_OPTIONS, Set.of()), env, out,
                        clock);
            }
            return serve(Arguments.parse(args, SERVE_OPTIONS, Set.of()), env, out, err, clock);
        } catch (Failure failure) {
            err.println("error: " + failure.getMessage());
            return failure.exitCode;
        }
    }

    // ---- credential_process ------------------------------------------------------------------------------------

    private static int serve(Arguments options, Map<String, String> env, PrintStream out, PrintStream err,
                             Clock clock) throws Failure {
        Path file = cacheFile(options, env);
        CredentialsCache cache = readCache(file, options);
        Instant now = clock.instant();
        if (cache.fresh(now)) {
            out.println(SecretDocument.credentialProcessOutput(cache.key(),
                    atLeast(cache.checkedAt().plus(cache.refreshInterval()), now)));
            return 0;
        }
        return refresh(cache, file, now, out, err);
    }

    private static int refresh(CredentialsCache cache, Path file, Instant now, PrintStream out, PrintStream err) {
        UserSecretReader.StackKeySource source = cache.stackKey()
                .<UserSecretReader.StackKeySource>map(UserSecretReader.Pinned::new)
                .orElseGet(() -> new UserSecretReader.ByAlias(SecretsKeyAlias.forPrefix(
                        secretPrefix(cache.secretId(), cache.userName()))));
        UserSecretReader.Outcome outcome = UserSecretReader.readWithKey(cache.secretId(), cache.userName(), source,
                cache.region(), cache.endpoint(), cache.key());
        if (outcome instanceof UserSecretReader.KeyRefused refused) {
            err.println("error: AWS refused the cached key " + cache.key().accessKeyId() + " of IAM user "
                    + cache.userName() + " (" + refused.errorCode() + "): it was disabled or deleted before this"
                    + " machine picked up its replacement. Set it up again with a working key: "
                    + initCommand(cache.userName()));
            return KEY_REFUSED;
        }
        if (outcome instanceof UserSecretReader.Unreachable unreachable) {
            // Not a check: the next call tries again, and the cached key works until the rotator retires it.
            err.println("warning: cannot reach AWS to check secret " + cache.secretId() + " for a new key ("
                    + oneLine(unreachable.message()) + "); serving the cached key " + cache.key().accessKeyId()
                    + ", last checked " + cache.checkedAt() + ". If this persists, check the network or proxy to"
                    + " Secrets Manager in " + cache.region() + ".");
            out.println(SecretDocument.credentialProcessOutput(cache.key(), now.plus(MIN_VALIDITY)));
            return 0;
        }
        if (outcome instanceof UserSecretReader.NotTrusted refused) {
            // Nothing from the secret is used or written, the cache included: the machine keeps the key it had, and
            // the next call looks again (the rotator may have replaced what someone planted).
            err.println("warning: refused: " + refused.reason() + "; serving the cached key "
                    + cache.key().accessKeyId() + ", nothing written. Tell your platform team.");
            out.println(SecretDocument.credentialProcessOutput(cache.key(), now.plus(MIN_VALIDITY)));
            return 0;
        }
        SecretDocument.HeldKey current = cache.key();
        CredentialsCache checked;
        if (outcome instanceof UserSecretReader.Read read) {
            current = read.key();
            checked = cache.checked(current, now, read.stackKey());
        } else {
            err.println("warning: " + cannotCheck(outcome, cache.secretId(), cache.region(), cache.userName())
                    + "; serving the cached key " + cache.key().accessKeyId() + ".");
            checked = new CredentialsCache(cache.userName(), cache.key(), cache.secretId(), cache.region(),
                    cache.endpoint(), cache.refreshInterval(), now, cache.stackKey());
        }
        // AWS answered, so this was a check: the next one is a refresh interval away, whatever it said.
        try {
            checked.write(file);
        } catch (IOException | KeyValues.UnsafeValue e) {
            err.println("warning: cannot write " + file + " (" + oneLine(String.valueOf(e.getMessage()))
                    + "); serving key " + current.accessKeyId() + " without caching it.");
        }
        out.println(SecretDocument.credentialProcessOutput(current, atLeast(now.plus(cache.refreshInterval()), now)));
        return 0;
    }

    /** Why AWS's answer gave no key to switch to, and what the owner can do about it. */
    private static String cannotCheck(UserSecretReader.Outcome outcome, String secretId, String region,
                                      String user) {
        if (outcome instanceof UserSecretReader.NoSecret) {
            return "there is no secret " + secretId + " in " + region + " yet (expected until the key's first"
                    + " rotation; otherwise check --region and --secret-prefix of credentials init)";
        }
        if (outcome instanceof UserSecretReader.Refused refused) {
            return "cannot read secret " + secretId + " (" + refused.errorCode() + ": " + oneLine(refused.message())
                    + "; before the key's first rotation AWS may say AccessDenied, otherwise tell your platform team)";
        }
        if (outcome instanceof UserSecretReader.NotTrusted refused) {
            return refused.reason() + " (tell your platform team)";
        }
        return "secret " + secretId + " cannot be read (tell your platform team)";
    }

    // ---- init --------------------------------------------------------------------------------------------------

    private static int init(Arguments options, Map<String, String> env, InputStream in, PrintStream out,
                            PrintStream err, Clock clock) throws Failure {
        String user = options.value("--user").orElseThrow(() -> new Arguments.UsageException("--user is required"));
        Optional<String> fromProfile = options.value("--from-profile");
        if (fromProfile.isPresent() == options.flag("--stdin")) {
            throw new Arguments.UsageException("give the key to start from with either --from-profile NAME or"
                    + " --stdin, never on the command line (it would show in the process list)");
        }
        Duration refresh = refreshInterval(options.value("--refresh-minutes"));
        Optional<URI> endpoint = options.value("--endpoint-url").map(CredentialsCommand::uri);
        Path file = cacheFile(options, env);
        String secretId = options.value("--secret-prefix")
                .or(() -> Optional.ofNullable(env.get(EnvironmentVariable.SECRET_NAME_PREFIX.name())))
                .orElse(EnvironmentVariable.DEFAULT_SECRET_NAME_PREFIX) + user;

        StartingKey start = fromProfile.isPresent() ? StartingKeys.fromProfile(fromProfile.get())
                : StartingKeys.fromInput(in, MAX_INPUT_BYTES, user);
        String region = options.value("--region").or(start::region).or(StartingKeys::defaultRegion)
                .orElseThrow(() -> new Arguments.UsageException("--region is required: no region in AWS_REGION or"
                        + " the SDK's config"));

        Optional<String> startProblem = KeyValues.problem(start.key(), user, false);
        if (startProblem.isPresent()) {
            err.println("error: the key to start from cannot be used: " + startProblem.get() + "; nothing written.");
            return NO_STARTING_KEY;
        }
        UserSecretReader.Outcome outcome = UserSecretReader.readWithKey(secretId, user,
                new UserSecretReader.ByAlias(SecretsKeyAlias.forPrefix(secretPrefix(secretId, user))),
                region, endpoint, start.key());
        SecretDocument.HeldKey key;
        Optional<OwnedSecretCheck.StackKey> stackKey = Optional.empty();
        Optional<String> note = Optional.empty();
        if (outcome instanceof UserSecretReader.Read read) {
            key = read.key();
            stackKey = Optional.of(read.stackKey());
        } else if (outcome instanceof UserSecretReader.NotTrusted refused) {
            err.println("error: refused: " + refused.reason() + "; nothing written. Tell your platform team.");
            return SECRET_REFUSED;
        } else if (outcome instanceof UserSecretReader.NoSecret || outcome instanceof UserSecretReader.Refused) {
            // Before the first rotation there is no secret, and AWS tells a user without an identity policy
            // AccessDenied rather than "not found": start with the key given and look again at each refresh.
            key = start.key();
            note = Optional.of("note: " + cannotCheck(outcome, secretId, region, user)
                    + "; the key you gave is served until the secret holds one.");
        } else if (outcome instanceof UserSecretReader.KeyRefused refused) {
            err.println("error: AWS refused the key " + start.key().accessKeyId() + " (" + refused.errorCode() + "):"
                    + " it is disabled or deleted; nothing written. Start from the key in your secret instead: "
                    + "aws secretsmanager get-secret-value --secret-id " + secretId + " --query SecretString"
                    + " --output text | " + jarCommand() + " credentials init --user " + user + " --stdin");
            return KEY_REFUSED;
        } else if (outcome instanceof UserSecretReader.Unreachable unreachable) {
            err.println("error: cannot reach AWS to read secret " + secretId + " (" + oneLine(unreachable.message())
                    + "); nothing written. Check the network or proxy, --region (" + region + ")"
                    + endpoint.map(uri -> " and --endpoint-url (" + uri + ")").orElse("")
                    + ", then run credentials init again.");
            return UNREACHABLE;
        } else {
            err.println("error: " + cannotCheck(outcome, secretId, region, user) + "; nothing written.");
            return SECRET_REFUSED;
        }

        try {
            new CredentialsCache(user, key, secretId, region, endpoint, refresh, clock.instant(), stackKey)
                    .write(file);
        } catch (IOException | KeyValues.UnsafeValue e) {
            err.println("error: cannot write " + file + ": " + oneLine(String.valueOf(e.getMessage())));
            return CANNOT_WRITE;
        }
        out.println("Set up credentials for IAM user " + user + ": key " + key.accessKeyId()
                + (key.accessKeyId().equals(start.key().accessKeyId()) ? "" : " (the newer key from " + secretId + ")")
                + ", checked for a new key in " + secretId + " every " + refresh.toMinutes() + " minutes.");
        note.ifPresent(out::println);
        out.println("Cache (owner-only): " + file);
        out.println("Use it in ~/.aws/config:");
        out.println("  [profile " + user + "]");
        out.println("  credential_process = " + jarCommand() + " credentials --cache " + file);
        out.println("Remove the key from any profile that still holds it in ~/.aws/credentials: keys there take"
                + " precedence over credential_process.");
        return 0;
    }

    // ---- status ------------------------------------------------------------------------------------------------

    private static int status(Arguments options, Map<String, String> env, PrintStream out, Clock clock)
            throws Failure {
        Path file = cacheFile(options, env);
        CredentialsCache cache = readCache(file, options);
        Instant next = cache.checkedAt().plus(cache.refreshInterval());
        out.println("IAM user " + cache.userName() + ": key " + cache.key().accessKeyId() + " from secret "
                + cache.secretId() + " in " + cache.region() + "; last checked " + cache.checkedAt() + ", next check "
                + (cache.fresh(clock.instant()) ? "at the first call after " + next : "at the next call")
                + "; cache " + file);
        return 0;
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /** A failure with its exit code, for the two steps that read a file before anything else happens. */
    static final class Failure extends Exception {
        final int exitCode;

        Failure(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    /** The key init starts from, and the region its profile names, if any. */
    record StartingKey(SecretDocument.HeldKey key, Optional<String> region) { }

    private static CredentialsCache readCache(Path file, Arguments options) throws Failure {
        CredentialsCache cache;
        try {
            cache = CredentialsCache.read(file);
        } catch (CredentialsCache.Missing missing) {
            throw new Failure(NOT_SET_UP, missing.getMessage() + "; set this machine up once with: "
                    + initCommand(options.value("--user").orElse("NAME")));
        } catch (CredentialsCache.Corrupt corrupt) {
            throw new Failure(CORRUPT_CACHE, "the credentials cache cannot be used: " + corrupt.getMessage()
                    + "; set it up again with: " + initCommand(options.value("--user").orElse("NAME")));
        }
        Optional<String> user = options.value("--user");
        if (user.isPresent() && !user.get().equals(cache.userName())) {
            throw new Failure(CORRUPT_CACHE, "the credentials cache " + file + " is for IAM user " + cache.userName()
                    + ", not " + user.get() + "; pass --cache for the right file, or set it up with: "
                    + initCommand(user.get()));
        }
        return cache;
    }

    /** The prefix a secret name was made with: the name without the user's name at its end. */
    private static String secretPrefix(String secretId, String user) {
        return secretId.endsWith(user) ? secretId.substring(0, secretId.length() - user.length()) : secretId;
    }

    private static Path cacheFile(Arguments options, Map<String, String> env) {
        Optional<Path> given = options.value("--cache").map(Path::of);
        if (given.isPresent()) {
            return given.get();
        }
        String user = options.value("--user").orElseThrow(() -> new Arguments.UsageException(
                "--user NAME or --cache PATH is required"));
        return CredentialsCache.defaultLocation(user, env);
    }

    private static Duration refreshInterval(Optional<String> minutes) {
        if (minutes.isEmpty()) {
            return DEFAULT_REFRESH;
        }
        try {
            Duration refresh = Duration.ofMinutes(Long.parseLong(minutes.get().strip()));
            if (refresh.compareTo(CredentialsCache.MIN_REFRESH) >= 0
                    && refresh.compareTo(CredentialsCache.MAX_REFRESH) <= 0) {
                return refresh;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new Arguments.UsageException("--refresh-minutes must be a whole number from "
                + CredentialsCache.MIN_REFRESH.toMinutes() + " to " + CredentialsCache.MAX_REFRESH.toMinutes());
    }

    private static URI uri(String value) {
        try {
            return new URI(value);
        } catch (URISyntaxException e) {
            throw new Arguments.UsageException("--endpoint-url is not a URL");
        }
    }

    private static Instant atLeast(Instant expiration, Instant now) {
        Instant floor = now.plus(MIN_VALIDITY);
        return (expiration.isBefore(floor) ? floor : expiration).truncatedTo(ChronoUnit.SECONDS);
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s+", " ").strip();
    }

    private static String initCommand(String user) {
        return jarCommand() + " credentials init --user " + user + " --from-profile PROFILE (or --stdin)";
    }

    /** How this program was started, so that the commands it suggests can be pasted as they are. */
    static String jarCommand() {
        try {
            Path location = Path.of(CredentialsCommand.class.getProtectionDomain().getCodeSource().getLocation()
                    .toURI());
            if (location.toString().endsWith(".jar")) {
                return "java -jar " + location;
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall through to the generic form
        }
        return "java -jar access-key-rotator.jar";
    }

    /** Only for the message that names the fields init reads: the contract's names, never spelled here. */
    static String keyFields() {
        return SecretField.ACCESS_KEY_ID.field() + " and " + SecretField.SECRET_ACCESS_KEY.field();
    }
}
