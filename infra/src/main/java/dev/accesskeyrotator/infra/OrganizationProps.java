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
            throw new IllegalArgumentException("context value organizationUnits is required in organization mode:"
                    + " the OUs (or root) the spoke StackSet deploys to, comma-separated (ou-...,ou-...)");
        }
        organizationUnits.forEach(id -> require("organizationUnits", id, PARENT_ID));
        accounts.forEach(id -> require("accounts", id, ACCOUNT_ID));
        excludedAccounts.forEach(id -> require("excludedAccounts", id, ACCOUNT_ID));
        if (maxConcurrency < 1 || maxConcurrency > 1000) {
            throw new IllegalArgumentException("maxConcurrency must be 1 to 1000: " + maxConcurrency);
        }
        if (toleratedFailurePercentage < 0 || toleratedFailurePercentage > 100) {
            throw new IllegalArgumentException("toleratedFailurePercentage must be 0 to 100: "
                    + toleratedFailurePercentage);
        }
        if (spokeMaxConcurrentAccounts < 1) {
            throw new IllegalArgumentException("spokeMaxConcurrentAccounts must be at least 1: "
                    + spokeMaxConcurrentAccounts);
        }
        if (spokeFailureTolerance < 0) {
            throw new IllegalArgumentException("spokeFailureTolerance must be at least 0: " + spokeFailureTolerance);
        }
        organizationUnits = List.copyOf(organizationUnits);
        accounts = List.copyOf(accounts);
        excludedAccounts = List.copyOf(excludedAccounts);
    }

    public static boolean requested(Node node) {
        return ORGANIZATION_MODE.equals(node.tryGetContext(MODE_CONTEXT));
    }

    public static OrganizationProps fromContext(Node node) {
        return new OrganizationProps(RotatorStackProps.fromContext(node).build(),
                text(node, "organizationId").orElse(""),
                list(node, "organizationUnits"), list(node, "accounts"), list(node, "excludedAccounts"),
                text(node, "spokeRoleName").orElse(Organization.DEFAULT_SPOKE_ROLE_NAME),
                text(node, "maxConcurrency").map(Integer::parseInt).orElse(DEFAULT_MAX_CONCURRENCY),
                text(node, "toleratedFailurePercentage").map(Integer::parseInt)
                        .orElse(DEFAULT_TOLERATED_FAILURE_PERCENTAGE),
                text(node, "spokeMaxConcurrentAccounts").map(Integer::parseInt)
                        .orElse(DEFAULT_SPOKE_MAX_CONCURRENT_ACCOUNTS),
                text(node, "spokeFailureTolerance").map(Integer::parseInt).orElse(DEFAULT_SPOKE_FAILURE_TOLERANCE));
    }

    private static Optional<String> text(Node node, String key) {
        return Optional.ofNullable(node.tryGetContext(key)).map(String::valueOf).map(String::strip)
                .filter(s -> !s.isEmpty());
    }

    private static List<String> list(Node node, String key) {
        return text(node, key).map(v -> Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .toList()).orElse(List.of());
    }

    private static void require(String key, String value, Pattern pattern) {
        if (!pattern.matcher(value).matches()) {
            throw new IllegalArgumentException("context value " + key + " has '" + value + "'; allowed: "
                    + pattern.pattern());
        }
    }
}
