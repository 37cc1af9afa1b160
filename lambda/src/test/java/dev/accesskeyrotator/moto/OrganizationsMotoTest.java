package dev.accesskeyrotator.moto;

import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.localaws.LocalAwsClients;
import dev.accesskeyrotator.localaws.LocalAwsExtension;
import dev.accesskeyrotator.org.AccountLister;
import dev.accesskeyrotator.org.AccountResult;
import dev.accesskeyrotator.org.OrganizationsDirectory;
import dev.accesskeyrotator.port.AwsFailure;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.organizations.model.ChildType;
import software.amazon.awssdk.services.organizations.model.ListChildrenResponse;
import software.amazon.awssdk.services.organizations.model.OrganizationFeatureSet;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Organization mode's account listing against moto's Organizations, an implementation nobody here wrote: the
 * organization is built through the SDK's own Organizations client (CreateOrganization, CreateOrganizationalUnit,
 * CreateAccount, MoveAccount, CloseAccount), then the project's adapter ({@link OrganizationsDirectory}, the
 * organizations module 2.40.2 on the BOM's core) and {@link AccountLister} list it as the hub's lister does.
 *
 * <p>What moto 5.2.1 cannot model: an account {@code PENDING_ACTIVATION}, {@code PENDING_CLOSURE} or {@code CLOSED}
 * (CloseAccount goes straight to {@code SUSPENDED}), and a caller that is neither the management account nor a
 * delegated administrator being refused (moto authorises nothing). Those are covered on the project's endpoint
 * (AccountListerTest).
 *
 * <p>Where moto and the project's endpoint disagree (each a test below, asserting moto's actual answer so that a moto
 * release that fixes it fails here):
 * <ul>
 *   <li>ListChildren ignores MaxResults and answers every child in one page; AWS and the endpoint page.</li>
 * </ul>
 * And where they agree: an unknown ParentId is ParentNotFoundException; ListAccountsForParent pages by 20.
 *
 * <p>Tagged {@code slow} (left out of the default build, run by {@code -Pslow}): it drives moto's server, a Python
 * process, and pays for its start and a reset per test.
 */
@Tag("slow")
class OrganizationsMotoTest {
    private static final Instant START = Instant.parse("2031-03-01T06:00:00Z");
    /** More than one page of ListAccountsForParent (20 at most), so the paginator must follow NextToken. */
    private static final int ACCOUNTS_IN_ONE_OU = 23;

    @RegisterExtension
    final MotoExtension moto = new MotoExtension(START);
    @RegisterExtension
    final LocalAwsExtension local = new LocalAwsExtension(START);

    /** Counts the requests of each operation the adapter sends. */
    private static final class CountCalls implements ExecutionInterceptor {
        final Map<String, Integer> calls = new ConcurrentHashMap<>();

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            calls.merge(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), 1, Integer::sum);
        }
    }

    private final CountCalls counted = new CountCalls();

    /** The adapter as the hub's lister builds it, pointed at moto; moto takes any key as its default account's. */
    private OrganizationsDirectory lister() {
        return new OrganizationsDirectory(new AwsClients.Options(MotoAccount.REGION,
                Optional.of(moto.account().endpoint()),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAHUBLISTER0000001", "secret")),
                List.of(counted), AwsClients::defaultRetryStrategy));
    }

    private OrganizationsClient administrator() {
        return moto.account().configure(OrganizationsClient.builder()).build();
    }

    /** Creates a member account (moto puts it under the root, as AWS does) and moves it under {@code parentId}. */
    private static String account(OrganizationsClient organizations, String rootId, String parentId, String name) {
        String id = organizations.createAccount(r -> r.accountName(name).email(name + "@example.com"))
                .createAccountStatus().accountId();
        if (!parentId.equals(rootId)) {
            organizations.moveAccount(r -> r.accountId(id).sourceParentId(rootId).destinationParentId(parentId));
        }
        return id;
    }

    private static String unit(OrganizationsClient organizations, String parentId, String name) {
        return organizations.createOrganizationalUnit(r -> r.parentId(parentId).name(name)).organizationalUnit().id();
    }

    @Test
    void theListerFindsEveryActiveMemberAtAnyDepthAndNamesWhyTheOthersAreLeftOut() {
        String root;
        String prod;
        List<String> euWest = new ArrayList<>();
        String prodShared;
        String usSuspended;
        String usExempt;
        String sandboxAccount;
        try (OrganizationsClient organizations = administrator()) {
            organizations.createOrganization(r -> r.featureSet(OrganizationFeatureSet.ALL));
            root = organizations.listRoots().roots().get(0).id();
            prod = unit(organizations, root, "prod");
            String eu = unit(organizations, prod, "eu");
            String euWestUnit = unit(organizations, eu, "eu-west");
            String us = unit(organizations, prod, "us");
            unit(organizations, prod, "empty");
            String sandbox = unit(organizations, root, "sandbox");
            prodShared = account(organizations, root, prod, "prod-shared");
            for (int i = 1; i <= ACCOUNTS_IN_ONE_OU; i++) {
                euWest.add(account(organizations, root, euWestUnit, "eu-west-" + i));
            }
            usSuspended = account(organizations, root, us, "us-suspended");
            organizations.closeAccount(r -> r.accountId(usSuspended));
            usExempt = account(organizations, root, us, "us-exempt");
            sandboxAccount = account(organizations, root, sandbox, "sandbox-1");
        }

        AccountLister.Listing underProd;
        AccountLister.Listing wholeOrganization;
        try (OrganizationsDirectory directory = lister()) {
            underProd = new AccountLister(directory).fromOrganization(List.of(prod), List.of(usExempt));
            wholeOrganization = new AccountLister(directory).fromOrganization(List.of(root), List.of(usExempt));
        }

        List<String> expectedUnderProd = new ArrayList<>(euWest);
        expectedUnderProd.add(prodShared);
        assertEquals(expectedUnderProd.stream().sorted().toList(), ids(underProd.accounts()));
        assertEquals("prod-shared", underProd.accounts().stream().filter(a -> a.accountId().equals(prodShared))
                .findFirst().orElseThrow().accountName());
        // CloseAccount in moto: SUSPENDED at once, which the lister reports as not enrolled.
        assertEquals(List.of(usSuspended + " not-enrolled AccountNotActive account state SUSPENDED"),
                results(underProd.notEnrolled()));
        assertEquals(List.of(usExempt + " excluded"), underProd.excluded().stream()
                .map(r -> r.accountId() + " " + r.status()).toList());

        // From the root: also the sandbox, and the management account (DescribeOrganization) is recognised.
        expectedUnderProd.add(sandboxAccount);
        assertEquals(expectedUnderProd.stream().sorted().toList(), ids(wholeOrganization.accounts()));
        assertEquals(List.of(MotoAccount.ACCOUNT_ID + " not-enrolled ManagementAccount",
                        usSuspended + " not-enrolled AccountNotActive"),
                wholeOrganization.notEnrolled().stream().map(r -> r.accountId() + " " + r.status() + " "
                        + r.errorCode()).sorted().toList());
        // eu-west's 23 accounts take two pages of ListAccountsForParent in each listing: moto pages as AWS does.
        int parentsUnderProd = 5; // prod, eu, eu-west, us, empty
        int parentsFromRoot = parentsUnderProd + 2; // root, sandbox
        assertEquals(Map.of("DescribeOrganization", 2,
                        "ListAccountsForParent", parentsUnderProd + 1 + parentsFromRoot + 1,
                        "ListChildren", parentsUnderProd + parentsFromRoot),
                new TreeMap<>(counted.calls));
    }

    /**
     * Organizations API Reference, ListChildren, MaxResults: "the number of items returned in one response ...
     * NextToken ... is not null" when more are available. The project's endpoint pages; moto 5.2.1 answers every
     * child in one response and no NextToken. The adapter follows NextToken either way, so the listing is the same.
     */
    @Test
    void listChildrenPagesOnTheProjectsEndpointAndNotInMoto() {
        String localRoot = local.aws().organizations().createOrganization(local.aws().accountId());
        for (int i = 0; i < 3; i++) {
            local.aws().organizations().createOrganizationalUnit(localRoot, "unit-" + i);
        }
        ListChildrenResponse localPage;
        try (OrganizationsClient organizations = LocalAwsClients.configure(OrganizationsClient.builder(), local.aws())
                .build()) {
            localPage = organizations.listChildren(r -> r.parentId(localRoot)
                    .childType(ChildType.ORGANIZATIONAL_UNIT).maxResults(1));
        }
        assertEquals(1, localPage.children().size());
        assertTrue(localPage.nextToken() != null, "the project's endpoint pages, as AWS does");

        ListChildrenResponse motoPage;
        try (OrganizationsClient organizations = administrator()) {
            organizations.createOrganization(r -> r.featureSet(OrganizationFeatureSet.ALL));
            String root = organizations.listRoots().roots().get(0).id();
            IntStream.range(0, 3).forEach(i -> unit(organizations, root, "unit-" + i));
            motoPage = organizations.listChildren(r -> r.parentId(root).childType(ChildType.ORGANIZATIONAL_UNIT)
                    .maxResults(1));
        }
        assertEquals(List.of(3, Optional.empty()), List.of(motoPage.children().size(),
                        Optional.ofNullable(motoPage.nextToken())),
                "moto departs from AWS here; if this fails, moto now pages ListChildren");
    }

    /**
     * Organizations API Reference, ListAccountsForParent, Errors: ParentNotFoundException (HTTP 400, a JSON 1.1
     * error). The adapter reports it by that code, so a mistyped OU in the hub's settings names itself. Both endpoints
     * agree.
     */
    @Test
    void anUnknownParentIsParentNotFoundOnBothEndpoints() {
        String localRoot = local.aws().organizations().createOrganization(local.aws().accountId());
        try (OrganizationsDirectory directory = new OrganizationsDirectory(new AwsClients.Options(local.aws().region(),
                Optional.of(local.aws().endpoint()), local.aws().credentials(), List.of(),
                AwsClients::defaultRetryStrategy))) {
            AwsFailure failure = assertThrows(AwsFailure.class,
                    () -> directory.accountsForParent("ou-" + localRoot.substring(2) + "-zzzzzzzz"));
            assertEquals("ParentNotFoundException", failure.errorCode(), "project endpoint");
        }

        String root;
        try (OrganizationsClient organizations = administrator()) {
            organizations.createOrganization(r -> r.featureSet(OrganizationFeatureSet.ALL));
            root = organizations.listRoots().roots().get(0).id();
        }
        try (OrganizationsDirectory directory = lister()) {
            AwsFailure failure = assertThrows(AwsFailure.class,
                    () -> directory.accountsForParent("ou-" + root.substring(2) + "-zzzzzzzz"));
            assertEquals("ParentNotFoundException", failure.errorCode(), "moto");
        }
    }

    private static List<String> ids(List<AccountLister.ListedAccount> accounts) {
        return accounts.stream().map(AccountLister.ListedAccount::accountId).toList();
    }

    private static List<String> results(List<AccountResult> results) {
        return results.stream().map(r -> r.accountId() + " " + r.status() + " " + r.errorCode() + " " + r.message())
                .toList();
    }
}
