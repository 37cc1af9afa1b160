package dev.accesskeyrotator.org;

import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.aws.AwsFailures;
import dev.accesskeyrotator.port.OrganizationDirectory;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.organizations.model.Account;
import software.amazon.awssdk.services.organizations.model.Child;
import software.amazon.awssdk.services.organizations.model.ChildType;

import java.util.List;

/**
 * AWS Organizations through the SDK's own client ({@code software.amazon.awssdk:organizations}), configured as every
 * other client of the rotator ({@link AwsClients#configure}); each listing is read to its last page by the SDK's
 * paginator (which follows {@code NextToken} until it is absent: a short or even empty page need not be the last)
 * inside {@link AwsFailures#call}, so a failure on any page is classified like every other AWS failure.
 *
 * <p>Organizations has one endpoint per partition; the SDK's endpoint rules pick it (and its signing region) from
 * whatever region the function runs in: {@code us-east-1} in {@code aws}, {@code us-gov-west-1} in
 * {@code aws-us-gov}, {@code cn-northwest-1} in {@code aws-cn} (OrganizationsDirectoryTest).
 */
public final class OrganizationsDirectory implements OrganizationDirectory, AutoCloseable {
    /** The API's largest page: the fewest calls (the SDK would otherwise let the service pick a smaller page). */
    static final int MAX_RESULTS = 20;

    private final SdkHttpClient httpClient;
    private final OrganizationsClient organizations;

    public OrganizationsDirectory(AwsClients.Options options) {
        this.httpClient = AwsClients.httpClient();
        this.organizations = AwsClients.configure(OrganizationsClient.builder(), options, httpClient).build();
    }

    @Override
    public List<OrgAccount> accountsForParent(String parentId) {
        return AwsFailures.call("ListAccountsForParent", () -> organizations.listAccountsForParentPaginator(
                        r -> r.parentId(parentId).maxResults(MAX_RESULTS)).stream()
                .flatMap(page -> page.accounts().stream()).map(OrganizationsDirectory::orgAccount).toList());
    }

    @Override
    public String managementAccountId() {
        return AwsFailures.call("DescribeOrganization",
                () -> organizations.describeOrganization().organization().masterAccountId());
    }

    @Override
    public List<String> organizationalUnitsUnder(String parentId) {
        return AwsFailures.call("ListChildren", () -> organizations.listChildrenPaginator(
                        r -> r.parentId(parentId).childType(ChildType.ORGANIZATIONAL_UNIT).maxResults(MAX_RESULTS))
                .stream().flatMap(page -> page.children().stream()).map(Child::id).toList());
    }

    /** {@code State} where Organizations gives it; its older {@code Status} otherwise. */
    private static OrgAccount orgAccount(Account account) {
        String state = account.stateAsString() != null ? account.stateAsString() : account.statusAsString();
        return new OrgAccount(account.id(), account.name() == null ? "" : account.name(),
                state == null ? "" : state);
    }

    @Override
    public void close() {
        organizations.close();
        httpClient.close();
    }
}
