package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.contract.SecretsKeyAlias;
import dev.accesskeyrotator.service.SecretDocument;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code credentials} as a {@code credential_process}: prints the cached key as the AWS CLI and SDKs expect it; once
 * the next check is due it reads the user's secret, signed with the key it holds, and switches when the secret holds
 * a newer key.
 *
 * <p>It never takes a machine down: whatever goes wrong that is not AWS refusing the cached key itself (disabled or
 * deleted), the cached key, which works until the rotator retires it, is served with exit code 0; the failure is
 * recorded in the cache and the next attempt waits longer each time, up to the refresh interval, so an endpoint that
 * hangs costs one timeout per interval rather than one per call. {@code credentials status} shows the failures.
 *
 * <p>This class uses no picocli: {@link Main#main} runs it directly for the cached case, which an SDK starts every
 * time its credentials expire (docs/key-owners.md, start-up time).
 */
final class CachedCredentials {
    /**
     * The shortest expiration handed out. The AWS CLI and boto3 refresh credentials that expire within 15 minutes
     * before every request, so a shorter one would run this command once per call.
     */
    static final Duration MIN_VALIDITY = Duration.ofMinutes(20);

    private CachedCredentials() {}

    /** Whether {@code args} are only {@code credentials} with {@code --cache PATH} and/or {@code --user NAME}. */
    static boolean fastPathApplies(String[] args) {
        if (args.length < 3 || args.length > 5 || !args[0].equals("credentials")) {
            return false;
        }
        int given = 0;
        for (int i = 1; i < args.length; i++) {
            String name = args[i].contains("=") ? args[i].substring(0, args[i].indexOf('=')) : args[i];
            if (!name.equals("--cache") && !name.equals("--user")) {
                return false;
            }
            if (!args[i].contains("=")) {
                i++;
                if (i >= args.length) {
                    return false;
                }
            }
            given++;
        }
        return given >= 1 && given <= 2;
    }

    /** The fast path: {@code args} as {@link #fastPathApplies} accepted them. */
    static int serve(String[] args, Map<String, String> env, PrintStream out, PrintStream err, Clock clock) {
        Optional<String> cache = Optional.empty();
        Optional<String> user = Optional.empty();
        for (int i = 1; i < args.length; i++) {
            boolean inline = args[i].contains("=");
            String name = inline ? args[i].substring(0, args[i].indexOf('=')) : args[i];
            String value = inline ? args[i].substring(args[i].indexOf('=') + 1) : args[++i];
            if (name.equals("--cache")) {
                cache = Optional.of(value);
            } else {
                user = Optional.of(value);
            }
        }
        try {
            return serve(cacheFile(cache.map(Path::of), user), user, out, err, clock).code();
        } catch (CommandFailure failure) {
            err.println("error: " + failure.getMessage());
            return failure.exitCode.code();
        } catch (RuntimeException e) {
            // The same line as the command line's own handler, without loading it.
            err.println("internal error in " + Main.NAME + " " + Main.version() + ": "
                    + e.getClass().getSimpleName() + "; run again with --debug to see where, and report it");
            return ExitCode.INTERNAL.code();
        }
    }

    static ExitCode serve(Path file, Optional<String> user, PrintStream out, PrintStream err, Clock clock)
            throws CommandFailure {
        CredentialsCache cache = readCache(file, user);
        Instant now = clock.instant();
        if (!cache.checkDue(now)) {
            out.println(SecretDocument.credentialProcessOutput(cache.key(), atLeast(cache.nextCheck(), now)));
            return ExitCode.DONE;
        }
        return refresh(cache, file, now, out, err);
    }

    private static ExitCode refresh(CredentialsCache cache, Path file, Instant now, PrintStream out,
                                    PrintStream err) {
        UserSecretReader.StackKeySource source = cache.stackKey()
                .<UserSecretReader.StackKeySource>map(UserSecretReader.Pinned::new)
                .orElseGet(() -> new UserSecretReader.ByAlias(SecretsKeyAlias.forPrefix(
                        secretPrefix(cache.secretId(), cache.userName()))));
        UserSecretReader.Outcome outcome;
        try {
            outcome = UserSecretReader.readWithKey(cache.secretId(), cache.userName(), source, cache.region(),
                    cache.endpoint(), cache.key());
        } catch (RuntimeException e) {
            // Whatever the SDK throws that the reader did not foresee: still not a reason to stop the machine.
            outcome = new UserSecretReader.Unreachable(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        if (outcome instanceof UserSecretReader.KeyRefused refused) {
            err.println("error: AWS refused the cached key " + cache.key().accessKeyId() + " of IAM user "
                    + cache.userName() + " (" + refused.errorCode() + "): it was disabled or deleted before this"
                    + " machine picked up its replacement. Set it up again with a working key: "
                    + initCommand(cache.userName()));
            return ExitCode.KEY_REFUSED;
        }
        if (outcome instanceof UserSecretReader.NotTrusted) {
            // Nothing from the secret is used or written, the cache included (not even a record of the refusal): the
            // machine keeps the key it had, says so on every call, and looks again at the next one (the rotator may
            // have replaced what someone planted). AWS answers quickly here, so there is no timeout to back off from.
            err.println("warning: " + warning(outcome, cache));
            out.println(SecretDocument.credentialProcessOutput(cache.key(), now.plus(MIN_VALIDITY)));
            return ExitCode.DONE;
        }
        CredentialsCache next;
        SecretDocument.HeldKey served = cache.key();
        if (outcome instanceof UserSecretReader.Read read) {
            served = read.key();
            next = cache.checked(served, now, read.stackKey());
        } else if (outcome instanceof UserSecretReader.NoSecret) {
            // Expected until the key's first rotation: a check that found nothing newer.
            err.println("warning: " + cannotCheck(outcome, cache.secretId(), cache.region()) + "; serving the cached"
                    + " key " + cache.key().accessKeyId() + ".");
            next = cache.checkedUnchanged(now);
        } else {
            CredentialsCache.CheckFailure failure = failure(outcome, cache, now);
            next = cache.failed(failure);
            err.println("warning: " + warning(outcome, cache) + " Next check at " + next.nextCheck() + " ("
                    + failure.count() + (failure.count() == 1 ? " failed check" : " failed checks in a row")
                    + "; credentials status shows them).");
        }
        try {
            next.write(file);
        } catch (IOException | KeyValues.UnsafeValue e) {
            err.println("warning: cannot write " + file + " (" + oneLine(String.valueOf(e.getMessage()))
                    + "); serving key " + served.accessKeyId() + " without caching it.");
        }
        out.println(SecretDocument.credentialProcessOutput(served, atLeast(next.nextCheck(), now)));
        return ExitCode.DONE;
    }

    /** What went wrong, recorded in the cache for {@code credentials status}: one line, never a value. */
    private static CredentialsCache.CheckFailure failure(UserSecretReader.Outcome outcome, CredentialsCache cache,
                                                         Instant now) {
        int count = cache.failure().map(f -> f.count() + 1).orElse(1);
        String kind;
        String line;
        if (outcome instanceof UserSecretReader.Unreachable unreachable) {
            kind = CredentialsCache.CheckFailure.UNREACHABLE;
            line = CliAws.firstLine(unreachable.message());
        } else if (outcome instanceof UserSecretReader.Refused refused) {
            kind = CredentialsCache.CheckFailure.REFUSED;
            line = refused.errorCode() + ": " + CliAws.firstLine(refused.message());
        } else if (outcome instanceof UserSecretReader.NotTrusted notTrusted) {
            kind = CredentialsCache.CheckFailure.SECRET_REFUSED;
            line = notTrusted.reason();
        } else {
            kind = CredentialsCache.CheckFailure.REFUSED;
            line = "secret cannot be read";
        }
        return new CredentialsCache.CheckFailure(now, kind, oneLine(line), count,
                cache.failure().map(CredentialsCache.CheckFailure::since).orElse(now));
    }

    private static String warning(UserSecretReader.Outcome outcome, CredentialsCache cache) {
        String serving = "serving the cached key " + cache.key().accessKeyId();
        if (outcome instanceof UserSecretReader.Unreachable unreachable) {
            // Not a check: the cached key works until the rotator retires it.
            return "cannot reach AWS to check secret " + cache.secretId() + " for a new key ("
                    + oneLine(CliAws.firstLine(unreachable.message())) + "); " + serving + ", last checked "
                    + cache.checkedAt() + ". If this persists, check the network or proxy to Secrets Manager in "
                    + cache.region() + ".";
        }
        if (outcome instanceof UserSecretReader.NotTrusted refused) {
            // Nothing from the secret is used or written: the machine keeps the key it had, and looks again later
            // (the rotator may have replaced what someone planted).
            return "refused: " + refused.reason() + "; " + serving + ", nothing from the secret used. Tell your"
                    + " platform team.";
        }
        return cannotCheck(outcome, cache.secretId(), cache.region()) + "; " + serving + ".";
    }

    /** Why AWS's answer gave no key to switch to, and what the owner can do about it. */
    static String cannotCheck(UserSecretReader.Outcome outcome, String secretId, String region) {
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

    // ---- the cache file ----------------------------------------------------------------------------------------

    static CredentialsCache readCache(Path file, Optional<String> user) throws CommandFailure {
        CredentialsCache cache;
        try {
            cache = CredentialsCache.read(file);
        } catch (CredentialsCache.Missing missing) {
            throw new CommandFailure(ExitCode.NOT_SET_UP, missing.getMessage() + "; set this machine up once with: "
                    + initCommand(user.orElse("NAME")));
        } catch (CredentialsCache.Corrupt corrupt) {
            throw new CommandFailure(ExitCode.CORRUPT_CACHE, "the credentials cache cannot be used: "
                    + corrupt.getMessage() + "; set it up again with: " + initCommand(user.orElse("NAME")));
        }
        if (user.isPresent() && !user.get().equals(cache.userName())) {
            throw new CommandFailure(ExitCode.CORRUPT_CACHE, "the credentials cache " + file + " is for IAM user "
                    + cache.userName() + ", not " + user.get() + "; pass --cache for the right file, or set it up"
                    + " with: " + initCommand(user.get()));
        }
        return cache;
    }

    /** {@code --cache}, else the default place for {@code --user}'s cache. */
    static Path cacheFile(Optional<Path> cache, Optional<String> user) {
        if (cache.isPresent()) {
            return cache.get();
        }
        return CredentialsCache.defaultLocation(user.orElseThrow(() -> new Failures.UsageError(
                "--user NAME or --cache PATH is required")));
    }

    /** The prefix a secret name was made with: the name without the user's name at its end. */
    static String secretPrefix(String secretId, String user) {
        return secretId.endsWith(user) ? secretId.substring(0, secretId.length() - user.length()) : secretId;
    }

    static Instant atLeast(Instant expiration, Instant now) {
        Instant floor = now.plus(MIN_VALIDITY);
        return (expiration.isBefore(floor) ? floor : expiration).truncatedTo(ChronoUnit.SECONDS);
    }

    static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s+", " ").strip();
    }

    static String initCommand(String user) {
        return jarCommand() + " credentials init --user " + user + " --from-profile PROFILE (or --stdin)";
    }

    /** How this program was started, so that the commands it suggests can be pasted as they are. */
    static String jarCommand() {
        try {
            Path location = Path.of(CachedCredentials.class.getProtectionDomain().getCodeSource().getLocation()
                    .toURI());
            if (location.toString().endsWith(".jar")) {
                return "java -jar " + location;
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall through to the generic form
        }
        return "java -jar access-key-rotator.jar";
    }

    /** The lines {@code credentials status} prints for the failures recorded in the cache. */
    static List<String> failureLines(CredentialsCache cache) {
        return cache.failure().map(f -> List.of("checks failing since " + f.since() + ": " + f.count()
                        + (f.count() == 1 ? " failed check" : " failed checks in a row") + ", the last at " + f.at()
                        + " (" + f.kind() + ": " + f.message() + "); serving the cached key meanwhile, next check at "
                        + cache.nextCheck()))
                .orElse(List.of());
    }
}
