package dev.accesskeyrotator.port;

import java.util.List;

/** AWS Organizations, read-only: what is directly under a root or OU. Every method returns all pages. */
public interface OrganizationDirectory {

    /**
     * An account as Organizations lists it.
     *
     * @param state the account's {@code State} ({@code ACTIVE}, {@code SUSPENDED}, {@code PENDING_ACTIVATION},
     *              {@code PENDING_CLOSURE}, {@code CLOSED}), or its older {@code Status} where no state is given
     */
    record OrgAccount(String id, String name, String state) { }

    /** @throws AwsFailure when Organizations refuses (not the management account or a delegated administrator) */
    List<OrgAccount> accountsForParent(String parentId);

    /** The organization's management account ({@code DescribeOrganization}), where no spoke can be deployed. */
    String managementAccountId();

    /** The OUs directly under {@code parentId}. */
    List<String> organizationalUnitsUnder(String parentId);
}
