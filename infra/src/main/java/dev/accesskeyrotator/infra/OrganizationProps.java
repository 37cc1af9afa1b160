package dev.accesskeyrotator.infra;

import dev.accesskeyrotator.contract.Organization;
import software.constructs.Node;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The organization mode's settings, from context ({@code -c mode=organization}): where the spokes go and which
 * accounts a run covers, plus the single-account settings ({@link RotatorStackProps}) it shares.
 *
 * @param organizationId            {@code o-...}: the spoke role admits the hub only from this organization
 * @param organizationUnits         OUs (or the root) the StackSet deploys the spoke to and the lister walks
 * @param accounts                  if not empty, only these accounts are rotated and get the spoke (narrowing the OUs)
 * @param excludedAccounts          never listed, whatever OU they are in (per-account exemptions)
 * @param maxConcurrency            the Distributed Map's MaxConcurrency: accounts rotated at once
 * @param toleratedFailurePercentage the share of workers that may fail (time out, crash) before the Map fails
 * @param spokeMaxConcurrentAccounts the StackSet deploys the spoke to this many accounts at a time
 * @param spokeFailureTolerance     accounts whose spoke may fail to deploy before CloudFormation stops a StackSet
 *                                  operation (and the hub's update fails and rolls back); by default more than any
 *                                  organization has, so a member account can never roll back the hub
 */
public record OrganizationProps(RotatorStackProps base, String organizationId, List<String> organizationUnits,
                                List<String> accounts, List<String> excludedAccounts, String spokeRoleName,
                                int maxConcurrency, int toleratedFailurePercentage, int spokeMaxConcurrentAccounts,
                                int spokeFailureTolerance) {
    public static final String MODE_CONTEXT = "mode";
    public static final String ORGANIZATION_MODE = "organization";
    public static final int DEFAULT_MAX_CONCURRENCY = 10;
    public static final int DEFAULT_TOLERATED_FAILURE_PERCENTAGE = 10;
    public static final int DEFAULT_SPOKE_MAX_CONCURRENT_ACCOUNTS = 10;
    /** Above the number of accounts an organization can be raised to by quota request for most customers. */
    public static final int DEFAULT_SPOKE_FAILURE_TOLERANCE = 10_000;

    private static final Pattern ORGANIZATION_ID = Pattern.compile("o-[a-z0-9]{10,32}");
    private static final Pattern PARENT_ID = Pattern.compile("r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}");
    private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");

    public OrganizationProps {
        require("organizationId", organizationId, ORGANIZATION_ID);
        if (organizationUnits.isEmpty()) {
            throw new ContextValueRefused("context value organizationUnits is required in organization mode:"
                    + " the OUs (or root) the spoke StackSet deploys to, comma-separated (ou-...,ou-...)");
        }
        organizationUnits.forEach(id -> require("organizationUnits", id, PARENT_ID));
        accounts.forEach(id -> require("accounts", id, ACCOUNT_ID));
        excludedAccounts.forEach(id -> require("excludedAccounts", id, ACCOUNT_ID));
        if (maxConcurrency < 1 || maxConcurrency > 1000) {
            throw new ContextValueRefused("maxConcurrency must be 1 to 1000: " + maxConcurrency);
        }
        if (toleratedFailurePercentage < 0 || toleratedFailurePercentage > 100) {
            throw new ContextValueRefused("toleratedFailurePercentage must be 0 to 100: "
                    + toleratedFailurePercentage);
        }
        if (spokeMaxConcurrentAccounts < 1) {
            throw new ContextValueRefused("spokeMaxConcurrentAccounts must be at least 1: "
                    + spokeMaxConcurrentAccounts);
        }
        if (spokeFailureTolerance < 0) {
            throw new ContextValueRefused("spokeFailureTolerance must be at least 0: " + spokeFailureTolerance);
        }
        checkSingleAccountPrincipals(base);
        organizationUnits = List.copyOf(organizationUnits);
        accounts = List.copyOf(accounts);
        excludedAccounts = List.copyOf(excludedAccounts);
    }

    /**
     * Every Parameter Store path the hub's worker reads: the hub's parameters and the per-account overrides
     * ({@code <prefix>accounts/<account-id>/}, AccountOverrides), whose changes are announced alike.
     */
    public List<String> parameterPrefixes() {
        return List.of(base.parameterPrefix(), base.parameterPrefix() + Organization.ACCOUNT_OVERRIDES_DIRECTORY);
    }

    public static boolean requested(Node node) {
        return ORGANIZATION_MODE.equals(node.tryGetContext(MODE_CONTEXT));
    }

    public static OrganizationProps fromContext(Node node) {
        return new OrganizationProps(RotatorStackProps.fromContext(node).build(),
                text(node, "organizationId").orElse(""),
                list(node, "organizationUnits"), list(node, "accounts"), list(node, "excludedAccounts"),
                text(node, "spokeRoleName").orElse(Organization.DEFAULT_SPOKE_ROLE_NAME),
                number(node, "maxConcurrency").orElse(DEFAULT_MAX_CONCURRENCY),
                number(node, "toleratedFailurePercentage").orElse(DEFAULT_TOLERATED_FAILURE_PERCENTAGE),
                number(node, "spokeMaxConcurrentAccounts").orElse(DEFAULT_SPOKE_MAX_CONCURRENT_ACCOUNTS),
                number(node, "spokeFailureTolerance").orElse(DEFAULT_SPOKE_FAILURE_TOLERANCE));
    }

    private static Optional<Integer> number(Node node, String key) {
        return text(node, key).map(value -> {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new ContextValueRefused("context value " + key + " must be a whole number, got '" + value + "'");
            }
        });
    }

    private static Optional<String> text(Node node, String key) {
        return Optional.ofNullable(node.tryGetContext(key)).map(String::valueOf).map(String::strip)
                .filter(s -> !s.isEmpty());
    }

    private static List<String> list(Node node, String key) {
        return text(node, key).map(v -> Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .toList()).orElse(List.of());
    }

    /**
     * A break-glass principal is a principal of one account, while one worker serves every member account, where the
     * break-glass principal is that account's root: a principal of another account could change nothing there (the
     * secret's policy grants it nothing), so it would be ignored without a word. Refused at synth so that nobody
     * believes their member accounts have the protection they configured. Delegated readers are carried to the
     * spokes: each applies in the account its ARN names.
     */
    private static void checkSingleAccountPrincipals(RotatorStackProps base) {
        base.namedBreakGlassPrincipalArn().ifPresent(arn -> {
            throw new ContextValueRefused("context value breakGlassPrincipalArn is not supported in organization"
                    + " mode: in each member account the break-glass principal is that account's root, the one"
                    + " principal every account has, and '" + arn + "' names a single account. Remove"
                    + " -c breakGlassPrincipalArn (docs/organizations.md, who can read a member account's secrets).");
        });
        // The spoke's key policy names the readers in conditions, which take more room than principals.
        int spokeKeyPolicyBytes = KeyPolicies.spokeUserSecretsKeyPolicyBytes(base.secretNamePrefix(),
                base.delegatedReaders());
        if (spokeKeyPolicyBytes > KeyPolicies.MAX_KEY_POLICY_BYTES) {
            throw new ContextValueRefused("delegatedReaders make the spoke's user secrets key policy up to "
                    + spokeKeyPolicyBytes + " bytes; KMS allows " + KeyPolicies.MAX_KEY_POLICY_BYTES + " bytes per"
                    + " key policy. Name fewer readers: one role per reading system, for the users it needs");
        }
    }

    private static void require(String key, String value, Pattern pattern) {
        if (!pattern.matcher(value).matches()) {
            throw new ContextValueRefused("context value " + key + " has '" + value + "'; allowed: "
                    + pattern.pattern());
        }
    }
}
