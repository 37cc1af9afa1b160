package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.contract.SecretField;
import dev.accesskeyrotator.contract.SecretsKeyAlias;
import dev.accesskeyrotator.service.SecretDocument;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code credentials}: a {@code credential_process} for a machine that holds an IAM user's key, so that it follows
 * every rotation with no person involved ({@link CachedCredentials} serves it). {@code credentials init} sets the
 * cache up once, from a profile or standard input; {@code credentials status} shows it and the checks that failed.
 *
 * <p>Standard output carries only the JSON the SDK asks for; everything else, warnings included, goes to standard
 * error in one line, and no message ever holds a secret access key.
 */
@Command(name = "credentials", mixinStandardHelpOptions = true,
        subcommands = {CredentialsCommand.Init.class, CredentialsCommand.Status.class},
        description = {"Machines: a credential_process that follows rotations. Standard output is only the JSON the"
                + " AWS CLI and SDKs read; warnings go to standard error.",
                "Without a subcommand: print the cached key, checking the secret for a newer one once the refresh"
                        + " interval has passed."})
final class CredentialsCommand implements Callable<Integer> {
    static final Duration DEFAULT_REFRESH = Duration.ofMinutes(60);
    /** Standard input is one small JSON document; anything larger is not what init expects. */
    private static final int MAX_INPUT_BYTES = 64 * 1024;

    @ParentCommand
    Main main;

    @Mixin
    CacheLocation location;

    /** {@code --cache PATH} or {@code --user NAME} (the default path for that user). */
    static final class CacheLocation {
        @Option(names = "--cache", paramLabel = "PATH", converter = CliOptions.FilePath.class,
                description = "The cache credentials init wrote. Default: .aws/access-key-rotator/USER.json beside"
                        + " the AWS credentials file.")
        Path cache;

        @Option(names = "--user", paramLabel = "NAME", converter = CliOptions.UserName.class,
                description = "The IAM user, for the default cache path.")
        String user;

        Path file() {
            return CachedCredentials.cacheFile(Optional.ofNullable(cache), Optional.ofNullable(user));
        }
    }

    /** The command line's entry for tests that drive {@code credentials} alone. */
    static int execute(List<String> args, Map<String, String> env, InputStream in, PrintStream out,
                       PrintStream err, Clock clock) {
        List<String> all = new ArrayList<>(List.of("credentials"));
        all.addAll(args);
        return Main.run(all, env, in, out, err, clock);
    }

    @Override
    public Integer call() throws CommandFailure {
        Main.Context context = main.context;
        return CachedCredentials.serve(location.file(), Optional.ofNullable(location.user), context.out(),
                context.err(), context.clock()).code();
    }

    // ---- init --------------------------------------------------------------------------------------------------

    /** Sets a machine up once, from a key it holds today: never a key on the command line. */
    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Set a machine up once, from a key it holds today (never a key on the command line), and"
                    + " print the profile to put in the AWS config file.")
    static final class Init implements Callable<Integer> {
        @ParentCommand
        CredentialsCommand credentials;

        @Option(names = "--user", paramLabel = "NAME", required = true, converter = CliOptions.UserName.class,
                description = "The IAM user.")
        String user;

        @ArgGroup(exclusive = true, multiplicity = "1", heading = "The key to start from (one of):%n")
        StartFrom startFrom;

        /** Where the starting key comes from; never the command line, which the process list shows. */
        static final class StartFrom {
            @Option(names = "--from-profile", paramLabel = "PROFILE", converter = CliOptions.ProfileName.class,
                    description = "A profile of the AWS shared files holding the user's key; its name is the"
                            + " profile the printed config block sets up.")
            String fromProfile;

            @Option(names = "--stdin", description = "The key's JSON on standard input (the secret's value, or a"
                    + " credential_process document).")
            boolean stdin;
        }

        @Option(names = "--refresh-minutes", paramLabel = "N", converter = CliOptions.RefreshMinutes.class,
                defaultValue = "60",
                description = "How often to check the secret for a new key, 1-1440. Default: ${DEFAULT-VALUE}.")
        Duration refresh;

        @Option(names = "--cache", paramLabel = "PATH", converter = CliOptions.FilePath.class,
                description = "Where to write the cache. Default: .aws/access-key-rotator/USER.json beside the AWS"
                        + " credentials file.")
        Path cache;

        @Mixin
        CliOptions.Endpoint endpoint;

        @Mixin
        CliOptions.SecretPrefix secretPrefix;

        @Override
        public Integer call() throws CommandFailure {
            Main.Context context = credentials.main.context;
            PrintStream out = context.out();
            PrintStream err = context.err();
            Optional<URI> endpointUrl = endpoint.endpointUrl();
            Path file = CachedCredentials.cacheFile(Optional.ofNullable(cache), Optional.of(user));
            String secretId = secretPrefix.secretPrefix + user;
            Optional<String> fromProfile = Optional.ofNullable(startFrom.fromProfile);

            StartingKey start = fromProfile.isPresent() ? StartingKeys.fromProfile(fromProfile.get())
                    : StartingKeys.fromInput(context.in(), MAX_INPUT_BYTES, user);
            String region = endpoint.region().or(start::region).or(StartingKeys::defaultRegion)
                    .orElseThrow(() -> new Failures.UsageError("--region is required: no region in AWS_REGION or"
                            + " the SDK's config"));

            Optional<String> startProblem = KeyValues.problem(start.key(), user, false);
            if (startProblem.isPresent()) {
                err.println("error: the key to start from cannot be used: " + startProblem.get()
                        + "; nothing written.");
                return ExitCode.NO_STARTING_KEY.code();
            }
            UserSecretReader.Outcome outcome = UserSecretReader.readWithKey(secretId, user,
                    new UserSecretReader.ByAlias(SecretsKeyAlias.forPrefix(secretPrefix.secretPrefix)),
                    region, endpointUrl, start.key());
            SecretDocument.HeldKey key;
            Optional<OwnedSecretCheck.StackKey> stackKey = Optional.empty();
            Optional<String> note = Optional.empty();
            if (outcome instanceof UserSecretReader.Read read) {
                key = read.key();
                stackKey = Optional.of(read.stackKey());
            } else if (outcome instanceof UserSecretReader.NotTrusted refused) {
                err.println("error: refused: " + refused.reason() + "; nothing written. Tell your platform team.");
                return ExitCode.SECRET_REFUSED.code();
            } else if (outcome instanceof UserSecretReader.NoSecret
                    || outcome instanceof UserSecretReader.Refused) {
                // Before the first rotation there is no secret, and AWS tells a user without an identity policy
                // AccessDenied rather than "not found": start with the key given and look again at each refresh.
                key = start.key();
                note = Optional.of("note: " + CachedCredentials.cannotCheck(outcome, secretId, region)
                        + "; the key you gave is served until the secret holds one.");
            } else if (outcome instanceof UserSecretReader.KeyRefused refused) {
                err.println("error: AWS refused the key " + start.key().accessKeyId() + " (" + refused.errorCode()
                        + "): it is disabled or deleted; nothing written. Start from the key in your secret instead: "
                        + "aws secretsmanager get-secret-value --secret-id " + secretId + " --query SecretString"
                        + " --output text | " + CachedCredentials.jarCommand() + " credentials init --user " + user
                        + " --stdin");
                return ExitCode.KEY_REFUSED.code();
            } else if (outcome instanceof UserSecretReader.Unreachable unreachable) {
                err.println("error: cannot reach AWS to read secret " + secretId + " ("
                        + CachedCredentials.oneLine(CliAws.firstLine(unreachable.message()))
                        + "); nothing written. Check the network or proxy, --region (" + region + ")"
                        + endpointUrl.map(uri -> " and --endpoint-url (" + uri + ")").orElse("")
                        + ", then run credentials init again.");
                return ExitCode.UNREACHABLE.code();
            } else {
                err.println("error: " + CachedCredentials.cannotCheck(outcome, secretId, region)
                        + "; nothing written.");
                return ExitCode.SECRET_REFUSED.code();
            }

            try {
                new CredentialsCache(user, key, secretId, region, endpointUrl, refresh, context.clock().instant(),
                        stackKey, Optional.empty()).write(file);
            } catch (IOException | KeyValues.UnsafeValue e) {
                err.println("error: cannot write " + file + ": " + CachedCredentials.oneLine(
                        String.valueOf(e.getMessage())));
                return ExitCode.CANNOT_WRITE.code();
            }
            out.println("Set up credentials for IAM user " + user + ": key " + key.accessKeyId()
                    + (key.accessKeyId().equals(start.key().accessKeyId()) ? ""
                    : " (the newer key from " + secretId + ")")
                    + ", checked for a new key in " + secretId + " every " + refresh.toMinutes() + " minutes.");
            note.ifPresent(out::println);
            out.println("Cache (owner-only): " + file);
            out.println("Use it in " + configFile() + " (the JVM flags keep its start-up short):");
            out.println(configBlock(fromProfile.orElse(user), region, file));
            out.println("Remove the key from any profile that still holds it in " + CredentialsFile.defaultLocation()
                    + ": keys there take precedence over credential_process.");
            return ExitCode.DONE.code();
        }

        /** The profile block the guide shows: the profile's name, its region and the recommended JVM flags. */
        static String configBlock(String profile, String region, Path cache) {
            String section = profile.equals("default") ? "[default]" : "[profile " + profile + "]";
            return "  " + section + "\n"
                    + "  region = " + region + "\n"
                    + "  credential_process = " + CachedCredentials.jarCommand().replaceFirst("^java ",
                    "java " + RECOMMENDED_JVM_FLAGS + " ") + " credentials --cache " + cache.toAbsolutePath();
        }

        private static String configFile() {
            return software.amazon.awssdk.profiles.ProfileFileLocation.configurationFilePath().toString();
        }
    }

    /** The JVM flags docs/key-owners.md recommends for the credential_process line: a short-lived process. */
    static final String RECOMMENDED_JVM_FLAGS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

    // ---- status ------------------------------------------------------------------------------------------------

    /** The cached key id, the next check and the failed checks; never the secret. Exits non-zero while failing. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "The cached key id, when the secret is checked next, and the checks that failed (never the"
                    + " secret); exits 10 while checks are failing, so a monitor can alert.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        CredentialsCommand credentials;

        @Mixin
        CacheLocation location;

        @Override
        public Integer call() throws CommandFailure {
            Main.Context context = credentials.main.context;
            Path file = location.file();
            CredentialsCache cache = CachedCredentials.readCache(file, Optional.ofNullable(location.user));
            context.out().println("IAM user " + cache.userName() + ": key " + cache.key().accessKeyId()
                    + " from secret " + cache.secretId() + " in " + cache.region() + "; last checked "
                    + cache.checkedAt() + ", next check " + (cache.checkDue(context.clock().instant())
                    ? "at the next call" : "at the first call after " + cache.nextCheck()) + "; cache " + file);
            List<String> failures = CachedCredentials.failureLines(cache);
            failures.forEach(context.out()::println);
            return (failures.isEmpty() ? ExitCode.DONE : ExitCode.CHECKS_FAILING).code();
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /** The key init starts from, and the region its profile names, if any. */
    record StartingKey(SecretDocument.HeldKey key, Optional<String> region) { }

    /** Only for the message that names the fields init reads: the contract's names, never spelled here. */
    static String keyFields() {
        return SecretField.ACCESS_KEY_ID.field() + " and " + SecretField.SECRET_ACCESS_KEY.field();
    }
}
