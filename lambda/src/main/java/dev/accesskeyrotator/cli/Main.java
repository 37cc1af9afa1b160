package dev.accesskeyrotator.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The command line: the Lambda's code path from a shell ({@code run}), and the key owner's {@code fetch}.
 * Exit codes: 0 done, 1 the run reported failures, 2 usage or configuration error, 3 AWS error.
 */
public final class Main {
    static final String USAGE = """
            Access Key Rotator: rotates IAM user access keys into each user's own Secrets Manager secret.

            Usage:
              java -jar access-key-rotator.jar run [options]     one rotation run, as the scheduled Lambda does it
              java -jar access-key-rotator.jar fetch [options]   key owners: write your new key into ~/.aws/credentials
              java -jar access-key-rotator.jar --help

            run options:
              --dry-run                 plan and report only; nothing is changed (preview before deploying)
              --output json|table       report format on standard output (default: table)
              --region R                AWS region (default: from the profile or AWS_REGION)
              --profile P               credentials profile (default: the standard AWS credential chain)
              --endpoint-url URL        send every AWS call to this endpoint (local testing)
              --parameter-prefix P      Parameter Store prefix     [env PARAMETER_PREFIX, default /access-key-rotation/]
              --secret-prefix P         secret name prefix         [env SECRET_NAME_PREFIX, default access-key-rotation/]
              --topic-arn ARN           SNS topic for notices      [env NOTICE_TOPIC_ARN; required unless --dry-run]
              --kms-key-id ARN          the stack's KMS key ARN    [env SECRET_KMS_KEY_ID; required unless --dry-run]
              --function-role-arn ARN   the rotator's role, the one principal (with the break-glass one) that may
                                        change user secrets    [env FUNCTION_ROLE_ARN; required unless --dry-run]
              --break-glass-principal-arn ARN   administrators' repair principal [env BREAK_GLASS_PRINCIPAL_ARN]
              --opt-in-tag TAG          the stack's opt-in tag; user-tag must equal or narrow it [env OPT_IN_TAG]
              --contact TEXT            whom notices tell owners to contact [env ADMIN_CONTACT]
              --max-concurrency N       users processed at once, 1-32 [env MAX_CONCURRENCY, default 4]

            fetch options:
              --user NAME               your IAM user name (required)
              --profile P               profile to write in the credentials file (default: default)
              --source-profile P        profile to read the secret with (default: the --profile being replaced,
                                        from the credentials file; a named one may also come from ~/.aws)
              --credentials-file PATH   default: AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials
              --region R, --endpoint-url URL, --secret-prefix P   as for run

            Configuration (thresholds, opt-in tag, grace period, dry-run) is read from Parameter Store; see
            docs/operations.md.
            """;

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.getenv(), System.out, System.err));
    }

    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.contains("--help") || args.contains("-h")) {
            out.print(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        List<String> rest = args.subList(1, args.size());
        try {
            return switch (args.get(0)) {
                case "run" -> RunCommand.execute(rest, env, out, err);
                case "fetch" -> FetchCommand.execute(rest, env, out, err);
                default -> throw new Arguments.UsageException("unknown command " + args.get(0));
            };
        } catch (Arguments.UsageException e) {
            err.println("error: " + e.getMessage());
            err.println("see --help");
            return 2;
        }
    }
}
