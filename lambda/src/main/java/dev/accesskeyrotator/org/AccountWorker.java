package dev.accesskeyrotator.org;

import dev.accesskeyrotator.config.ConfigurationException;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.contract.Organization;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.port.MemberAccounts;
import dev.accesskeyrotator.port.MemberAccounts.MemberAccount;
import dev.accesskeyrotator.port.Notifier;
import dev.accesskeyrotator.port.ParameterSource;
import dev.accesskeyrotator.service.RotationService;
import dev.accesskeyrotator.service.RunReport;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Rotates one member account: enters it through its spoke role, reads the account's own KMS key from the spoke
 * role's own key policy (which only IAM permissions in the member account can change), and runs the same {@link RotationService} as the single-account function, with the hub's parameters
 * (and the account's overrides) and the hub's notice topic. Whatever goes wrong becomes this account's result, never
 * an exception: the Distributed Map runs every other account regardless, and the aggregator reports this one.
 */
public final class AccountWorker {
    private final RotatorSettings hub;
    private final String region;
    private final ParameterSource hubParameters;
    private final Notifier hubNotifier;
    private final MemberAccounts accounts;
    private final Clock clock;
    private final Consumer<String> logLines;
    private final Set<String> excludedAccounts;

    /**
     * @param hub      the hub's settings; the KMS key, the rotator's role and the break-glass principal are replaced
     *                 by each account's own, and of the delegated readers each account gets those of its own roles
     * @param logLines where the account's log lines go; each is tagged with the account id
     * @param excludedAccounts never entered, whoever invokes the worker (the lister leaves them out too, but the
     *                 worker function can be invoked directly)
     */
    public AccountWorker(RotatorSettings hub, String region, ParameterSource hubParameters, Notifier hubNotifier,
                         MemberAccounts accounts, Clock clock, Consumer<String> logLines,
                         Set<String> excludedAccounts) {
        this.excludedAccounts = Set.copyOf(excludedAccounts);
        this.hub = hub;
        this.region = region;
        this.hubParameters = hubParameters;
        this.hubNotifier = hubNotifier;
        this.accounts = accounts;
        this.clock = clock;
        this.logLines = logLines;
    }

    public AccountResult rotate(String accountId, String accountName, RotationService.Deadline deadline) {
        String startedAt = clock.instant().toString();
        JsonLog log = new JsonLog(line -> logLines.accept(tagged(line, accountId)), clock);
        if (excludedAccounts.contains(accountId)) {
            log.warn("account not entered: excluded", "status", AccountResult.EXCLUDED);
            return AccountLister.excluded(accountId, accountName);
        }
        String stage = AccountResult.STAGE_ASSUME_ROLE;
        try (MemberAccount account = accounts.enter(accountId)) {
            stage = AccountResult.STAGE_SPOKE_CONFIGURATION;
            RotatorSettings settings = settingsFor(account);
            stage = AccountResult.STAGE_RUN;
            RotationService service = new RotationService(settings, region,
                    new AccountOverrides(hubParameters, accountId), account.iam(), account.secrets(),
                    new AccountNotifier(hubNotifier, accountId), clock, log);
            RunReport report = service.run(new RotationService.RunRequest(false, deadline));
            return AccountResult.completed(accountId, accountName, report);
        } catch (AwsFailure failure) {
            if (stage.equals(AccountResult.STAGE_ASSUME_ROLE) && failure.kind() == AwsFailure.Kind.ACCESS_DENIED) {
                // AWS does not say why: no spoke role (outside the StackSet's targets, a spoke that failed to
                // deploy, an account that just joined) or a role that does not trust the hub. Either way nothing
                // in the account can be rotated, and it is reported, counted and named, but is not a run failure.
                log.warn("account not enrolled: its spoke role cannot be assumed", "status",
                        AccountResult.NOT_ENROLLED, "errorCode", failure.errorCode());
                return AccountResult.notRotated(accountId, accountName, AccountResult.NOT_ENROLLED,
                        failure.errorCode(), failure.getMessage());
            }
            log.error("account not rotated", "stage", stage, "errorCode", failure.errorCode());
            return AccountResult.failed(accountId, accountName, stage, failure.errorCode(), failure.getMessage(),
                    startedAt, clock.instant().toString());
        } catch (SpokeNotConfigured | ConfigurationException problem) {
            String code = problem instanceof SpokeNotConfigured missing ? missing.code : "InvalidConfiguration";
            log.error("account not rotated", "stage", stage, "errorCode", code, "problem", problem.getMessage());
            return AccountResult.failed(accountId, accountName, stage, code, problem.getMessage(), startedAt,
                    clock.instant().toString());
        } catch (RuntimeException unexpected) {
            // A bug must cost one account, not the Map: the others still run, and this one is reported.
            log.error("account not rotated", "stage", stage, "error", unexpected.toString());
            return AccountResult.failed(accountId, accountName, stage, "UnexpectedError", unexpected.toString(),
                    startedAt, clock.instant().toString());
        }
    }

    /**
     * The account's settings: its own KMS key (from the spoke role's own key policy, which the StackSet wrote), its
     * spoke role as the rotator principal in each secret's resource policy, and its root as the break-glass
     * principal.
     */
    private RotatorSettings settingsFor(MemberAccount account) {
        String source = "the spoke role's policy " + Organization.SPOKE_KEY_POLICY_NAME + " (statement "
                + Organization.SPOKE_KEY_STATEMENT + ")";
        String keyArn = account.spokeKeyArn().orElseThrow(() -> new SpokeNotConfigured("SpokeNotConfigured",
                source + " is missing in account " + account.accountId() + "; deploy the spoke stack there"));
        // The role may use this key only, so a wrong value would fail every read and write; but a key of another
        // account or region is a sign of a tampered or mis-deployed spoke, and is refused before any change.
        Pattern ownKey = Pattern.compile("arn:" + Pattern.quote(account.partition()) + ":kms:" + Pattern.quote(region)
                + ":" + account.accountId() + ":key/[A-Za-z0-9-]+");
        if (!ownKey.matcher(keyArn).matches()) {
            throw new SpokeNotConfigured("SpokeKeyInvalid", source + " in account " + account.accountId()
                    + " names '" + ConfigurationException.abbreviate(keyArn) + "', not a KMS key ARN of that account in "
                    + region);
        }
        return new RotatorSettings(hub.parameterPrefix(), hub.secretNamePrefix(), hub.noticeTopicArn(),
                Optional.of(keyArn), hub.adminContact(), hub.maxConcurrency(), hub.deployedOptInTag(),
                Optional.of(account.roleArn()),
                Optional.of("arn:" + account.partition() + ":iam::" + account.accountId() + ":root"),
                readersIn(account));
    }

    /**
     * The delegated readers that apply in this account: those whose role is in it. A role is one account's, and the
     * spoke key admits readers of its own account only, so a reader named with another account's ARN reads nothing
     * here; naming it in this account's secret policies would grant it nothing, and Secrets Manager refuses a policy
     * whose principal does not exist.
     */
    private Map<String, List<String>> readersIn(MemberAccount account) {
        String ownRoles = "arn:" + account.partition() + ":iam::" + account.accountId() + ":role/";
        Map<String, List<String>> readers = new TreeMap<>();
        hub.delegatedReaders().forEach((user, roles) -> {
            List<String> own = roles.stream().filter(role -> role.startsWith(ownRoles)).toList();
            if (!own.isEmpty()) {
                readers.put(user, own);
            }
        });
        return readers;
    }

    /** Every line names its account: one log group holds the lines of all of them. */
    static String tagged(String line, String accountId) {
        if (!line.startsWith("{") || line.length() < 2) {
            return line;
        }
        String field = "\"" + Organization.ACCOUNT_ID_FIELD + "\":" + JsonLog.toJson(accountId);
        return "{" + field + (line.equals("{}") ? "" : ",") + line.substring(1);
    }

    private static final class SpokeNotConfigured extends RuntimeException {
        final String code;

        SpokeNotConfigured(String code, String message) {
            super(message);
            this.code = code;
        }
    }
}
