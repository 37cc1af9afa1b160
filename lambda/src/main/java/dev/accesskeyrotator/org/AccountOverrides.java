package dev.accesskeyrotator.org;

import dev.accesskeyrotator.contract.Organization;
import dev.accesskeyrotator.port.ParameterSource;

import java.util.HashMap;
import java.util.Map;

/**
 * The hub's parameters as one member account sees them: those directly under the prefix, each replaced by the
 * account's own value under {@code <prefix>accounts/<account-id>/} where one is set. The run validates the merged
 * values exactly as it validates the hub's, so an override cannot widen the deployed opt-in tag.
 */
final class AccountOverrides implements ParameterSource {
    private final ParameterSource hub;
    private final String accountId;

    AccountOverrides(ParameterSource hub, String accountId) {
        this.hub = hub;
        this.accountId = accountId;
    }

    /** Where the overrides of {@code accountId} live under {@code prefix}. */
    static String overridePath(String prefix, String accountId) {
        return prefix + Organization.ACCOUNT_OVERRIDES_DIRECTORY + accountId + "/";
    }

    @Override
    public Map<String, String> readUnder(String prefix) {
        Map<String, String> merged = new HashMap<>(hub.readUnder(prefix));
        merged.putAll(hub.readUnder(overridePath(prefix, accountId)));
        return merged;
    }
}
