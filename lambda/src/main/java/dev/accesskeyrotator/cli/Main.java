package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.contract.EnvironmentVariable;
import dev.accesskeyrotator.contract.Parameter;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The command line: the Lambda's code path from a shell ({@code run}), and the key owner's {@code fetch}.
 * Exit codes: see {@link ExitCode} and the help text.
 */
public final class Main {
    /**
     * The environment variables, parameter names and defaults are the contract's, filled in rather than spelled, so
     * the help cannot name a variable the function no longer reads.
     */
    static final String USAGE = """
            Access Key Rotator: rotates IAM user access keys into each user's own Secrets Manager secret.

            Usage:
              java -jar access-key-rotator.jar run [options]     one rotation run, as the scheduled Lambda does it
              java -jar access-key-rotator.jar fetch [options]   key owners: write your new key into ~/.aws/credentials
              java -jar access-key-rotator.jar status [options]  admins, auditors: every key and what happens next, read-only
              java -jar access-key-rotator.jar credentials [options]  machines: a credential_process that follows rotations
              java -jar access-key-rotator.jar rotate --user NAME... --reason TEXT [--dry-run]   admins: a key leaked;
                                        replace the named users' keys now and disable the exposed ones at once
              java -jar access-key-rotator.jar --help

            run options:
              --dry-run                 plan and report only; nothing is changed (preview before deploying)
              --output json|table       report format on standard output (default: table)
              --region R                AWS region (default: from the profile or AWS_REGION)
              --profile P               credentials profile (default: the standard AWS credential chain)
              --endpoint-url URL        send every AWS call to this endpoint (local testing)
              --parameter-prefix P      Parameter Store prefix     [env %s, default %s]
              --secret-prefix P         secret name prefix         [env %s, default %s]
              --topic-arn ARN           SNS topic for notices      [env %s; required unless --dry-run]
              --kms-key-id ARN          the stack's KMS key ARN    [env %s; required unless --dry-run]
              --function-role-arn ARN   the rotator's role, the one principal (with the break-glass one) that may
                                        change user secrets    [env %s; required unless --dry-run]
              --break-glass-principal-arn ARN   administrators' repair principal [env %s]
              --opt-in-tag TAG          the stack's opt-in tag; %s must equal or narrow it [env %s]
              --contact TEXT            whom notices tell owners to contact [env %s]
              --max-concurrency N       users processed at once, 1-%d [env %s, default %d]
              --log-format text|json    standard error: short lines for a person (default), or the function's
                                        JSON log lines (with the report and metrics documents)
              --debug                   also the SDK's full error and informational log lines

            rotate options (emergency rotation, only the named users are read or changed):
              --user NAME               an IAM user whose key in use leaked; repeat for more users (required)
              --reason TEXT             why, told to the key owners in the notice (required)
              --dry-run, --output json|table, and the AWS and settings options of run
              exit codes as for run; 4 also when a named user is left to a person (attention)

            status options (read-only: never reads a secret value):
              --output table|json|csv   default: table
              --kms-key-id ARN          the stack's KMS key ARN, to tell secrets that are not the rotator's
              --region R, --profile P, --endpoint-url URL, --parameter-prefix P, --secret-prefix P   as for run

            fetch options:
              --user NAME               your IAM user name (required)
              --profile P               profile to write in the credentials file (default: default)
              --source-profile P        profile to read the secret with (default: the --profile being replaced,
                                        from the credentials file; a named one may also come from ~/.aws)
              --credentials-file PATH   default: AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials
              --region R, --endpoint-url URL, --secret-prefix P   as for run

            credentials options (credential_process: standard output is only the JSON the AWS CLI and SDKs read):
              --cache PATH              the cache credentials init wrote (default: ~/.aws/access-key-rotator/USER.json)
              --user NAME               the IAM user, for the default cache path
            credentials init: set a machine up once, from a key it holds today (never a key on the command line)
              --user NAME               the IAM user (required)
              --from-profile P | --stdin   the key to start from: a profile of ~/.aws, or its JSON on standard input
              --refresh-minutes N       how often to check the secret for a new key, 1-1440 (default 60)
              --cache PATH, --region R, --endpoint-url URL, --secret-prefix P   as above and for run
            credentials status [--user NAME | --cache PATH]: the cached key id and the next check, never the secret
            credentials exit codes: 0 done (a warning on stderr if AWS could not be asked), 2 usage, 3 not set up
              (run init), 4 cache unusable (run init again), 5 no key to start from (no such profile, or no key on
              standard input), 6 the secret holds no key of this user: not the rotator's secret (another KMS key, no
              marks) or a malformed key, nothing written (a refresh refused so serves the cached key and warns),
              7 AWS unreachable during init, 8 the cached key was disabled or deleted (run init with a working key),
              9 cannot write the cache

            run, status and fetch exit codes: 0 done, 1 at least one user failed, 2 usage or configuration error
              (a flag, no region, a bad parameter; nothing was changed), 3 credentials or AWS error (no sign-in,
              access denied, endpoint unreachable), 4 no user failed but at least one is blocked until a person acts,
              6 fetch refused the secret: not the rotator's (another KMS key, no marks) or a malformed key; nothing
              was written

            Credentials: --profile accepts every profile type the AWS CLI does (IAM Identity Center/SSO, assume
            role, credential_process, web identity, static keys); the region comes from --region, else the profile.

            Configuration (thresholds, opt-in tag, grace period, %s) is read from Parameter Store; see
            docs/operations.md.
            """.formatted(
            EnvironmentVariable.PARAMETER_PREFIX, EnvironmentVariable.DEFAULT_PARAMETER_PREFIX,
            EnvironmentVariable.SECRET_NAME_PREFIX, EnvironmentVariable.DEFAULT_SECRET_NAME_PREFIX,
            EnvironmentVariable.NOTICE_TOPIC_ARN,
            EnvironmentVariable.SECRET_KMS_KEY_ID,
            EnvironmentVariable.FUNCTION_ROLE_ARN,
            EnvironmentVariable.BREAK_GLASS_PRINCIPAL_ARN,
            Parameter.USER_TAG.parameterName(), EnvironmentVariable.OPT_IN_TAG,
            EnvironmentVariable.ADMIN_CONTACT,
            EnvironmentVariable.MAX_MAX_CONCURRENCY, EnvironmentVariable.MAX_CONCURRENCY,
            EnvironmentVariable.DEFAULT_MAX_CONCURRENCY,
            Parameter.DRY_RUN.parameterName());

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.getenv(), System.out, System.err));
    }

    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        return run(args, env, out, err, Clock.systemUTC());
    }

    /** With the clock that key ages and dates are computed on: the try-it runs on a local endpoint's own time. */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err,
                          Clock clock) {
        if (args.isEmpty() || args.contains("--help") || args.contains("-h")) {
            out.print(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        List<String> rest = args.subList(1, args.size());
        try {
            return switch (args.get(0)) {
                case "run" -> RunCommand.execute(rest, env, out, err, clock);
                case "fetch" -> FetchCommand.execute(rest, env, out, err);
                case "status" -> StatusCommand.execute(rest, env, out, err, clock);
                case "rotate" -> RotateCommand.execute(rest, env, out, err, clock);
                case "credentials" -> CredentialsCommand.execute(rest, env, System.in, out, err, clock);
                default -> throw new Arguments.UsageException("unknown command " + args.get(0));
            };
        } catch (Arguments.UsageException e) {
            err.println("error: " + e.getMessage() + " (see --help)");
            return ExitCode.USAGE;
        }
    }
}
