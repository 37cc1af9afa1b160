package dev.accesskeyrotator.org;

import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.OrganizationsEmulator;
import dev.accesskeyrotator.localaws.OrganizationsEmulator.AccountState;
import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.testing.VirtualTimeRetryStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The account lister against the local Organizations endpoint, through the SDK's Organizations client: nested OUs
 * walked to any depth, every page followed, only ACTIVE accounts kept, exempt accounts left out.
 */
class AccountListerTest {
    private final LocalAws aws = LocalAws.start();
    private final OrganizationFixture org = new OrganizationFixture(aws);
    private final OrganizationsEmulator organizations = aws.organizations();
    private final VirtualTimeRetryStrategy retries = VirtualTimeRetryStrategy.of(AwsClients.defaultRetryStrategy());
    private final List<OrganizationsDirectory> directories = new ArrayList<>();

    @AfterEach
    void close() {
        directories.forEach(OrganizationsDirectory::close);
        aws.close();
    }

    /** The SDK's Organizations client as the lister builds it, signing with {@code keyId}, on virtual-time retries. */
    private OrganizationsDirectory api(String keyId) {
        OrganizationsDirectory directory = new OrganizationsDirectory(new AwsClients.Options(aws.region(),
                Optional.of(aws.endpoint()), StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, "s")),
                List.of(), retries));
        directories.add(directory);
        return directory;
    }

    @Test
    void walksNestedOrganizationalUnitsFollowingEveryPageAndKeepsOnlyActiveAccounts() {
        String prod = organizations.createOrganizationalUnit(org.rootId, "prod");
        String eu = organizations.createOrganizationalUnit(prod, "eu");
        String euWest = organizations.createOrganizationalUnit(eu, "eu-west");
        String us = organizations.createOrganizationalUnit(prod, "us");
        organizations.createOrganizationalUnit(prod, "empty");
        String sandbox = organizations.createOrganizationalUnit(org.rootId, "sandbox");
        organizations.addAccount(prod, "300000000001", "prod-shared", AccountState.ACTIVE);
        for (int i = 1; i <= 5; i++) {
            organizations.addAccount(euWest, "30000000010" + i, "eu-west-" + i, AccountState.ACTIVE);
        }
        organizations.addAccount(euWest, "300000000110", "eu-west-suspended", AccountState.SUSPENDED);
        organizations.addAccount(euWest, "300000000111", "eu-west-closing", AccountState.PENDING_CLOSURE);
        organizations.addAccount(eu, "300000000201", "eu-closed", AccountState.CLOSED);
        organizations.addAccount(eu, "300000000202", "eu-new", AccountState.PENDING_ACTIVATION);
        organizations.addAccount(us, "300000000301", "us-1", AccountState.ACTIVE);
        organizations.addAccount(us, "300000000302", "us-exempt", AccountState.ACTIVE);
        organizations.addAccount(sandbox, "300000000401", "sandbox-1", AccountState.ACTIVE);
        organizations.limitPageSize(2);

        AccountLister.Listing listing = new AccountLister(api(OrganizationFixture.HUB_WORKER_KEY))
                .fromOrganization(List.of(prod), List.of("300000000302"));

        assertEquals(List.of("300000000001", "300000000101", "300000000102", "300000000103", "300000000104",
                        "300000000105", "300000000301"),
                listing.accounts().stream().map(AccountLister.ListedAccount::accountId).toList());
        assertEquals("eu-west-1", listing.accounts().get(1).accountName());
        assertEquals(List.of("300000000110 not-enrolled account state SUSPENDED",
                        "300000000111 not-enrolled account state PENDING_CLOSURE",
                        "300000000201 not-enrolled account state CLOSED",
                        "300000000202 not-enrolled account state PENDING_ACTIVATION"),
                listing.notEnrolled().stream().map(r -> r.accountId() + " " + r.status() + " " + r.message())
                        .toList());
        assertEquals(List.of("300000000302 excluded"), listing.excluded().stream()
                .map(r -> r.accountId() + " " + r.status()).toList());
        // One page per OU (prod, eu, us, empty) but eu-west, whose 7 accounts take 4 pages of at most 2; child OUs:
        // prod's 3 take 2 pages, eu, us, empty and eu-west one (empty) page each.
        assertEquals(1 + 1 + 1 + 1 + 4, aws.calls().count("organizations", "ListAccountsForParent"));
        assertEquals(2 + 1 + 1 + 1 + 1, aws.calls().count("organizations", "ListChildren"));
        assertTrue(aws.calls().all().stream().filter(c -> c.service().equals("organizations"))
                .allMatch(c -> c.signingKeyId().orElseThrow().equals(OrganizationFixture.HUB_WORKER_KEY)));
    }

    @Test
    void severalParentsAndTheRootCountEachAccountOnce() {
        String prod = organizations.createOrganizationalUnit(org.rootId, "prod");
        organizations.addAccount(prod, "300000000001", "prod-1", AccountState.ACTIVE);

        AccountLister.Listing listing = new AccountLister(api(OrganizationFixture.HUB_WORKER_KEY))
                .fromOrganization(List.of(prod, org.rootId), List.of());

        assertEquals(List.of("123456789012", "300000000001"),
                listing.accounts().stream().map(AccountLister.ListedAccount::accountId).sorted().toList());
        // The management account is found under the root, but no StackSet can give it a spoke.
        assertEquals(List.of(OrganizationFixture.MANAGEMENT + " not-enrolled ManagementAccount"),
                listing.notEnrolled().stream().map(r -> r.accountId() + " " + r.status() + " " + r.errorCode())
                        .toList());
        assertEquals(1, aws.calls().count("organizations", "DescribeOrganization"));
    }

    @Test
    void anAccountThatIsNeitherManagementNorDelegatedAdministratorIsRefused() {
        String outsider = "AKIAOUTSIDER00000001";
        aws.sts().identify(outsider, "arn:aws:iam::400000000001:role/Lister");
        AwsFailure failure = assertThrows(AwsFailure.class, () -> new AccountLister(api(outsider))
                .fromOrganization(List.of(org.rootId), List.of()));
        assertEquals("AccessDeniedException", failure.errorCode());
        assertTrue(failure.is(AwsFailure.Kind.ACCESS_DENIED));
    }

    @Test
    void throttlingIsRetriedWithBackoffAndAnUnknownParentIsAnError() {
        aws.faults().on("organizations", "ListAccountsForParent").times(2).error(400, "TooManyRequestsException",
                "AWS Organizations can't complete your request because another request is already in progress.");
        AccountLister.Listing listing = new AccountLister(api(OrganizationFixture.HUB_WORKER_KEY))
                .fromOrganization(List.of(org.rootId), List.of());
        assertEquals(1, listing.accounts().size());
        // Two throttled answers, each retried by the SDK's retry strategy (back-off on virtual time), then the page.
        assertEquals(2, retries.retries());
        assertEquals(3, aws.calls().count("organizations", "ListAccountsForParent"));

        String unknown = "ou-" + org.rootId.substring(2) + "-zzzzzzzz";
        AwsFailure failure = assertThrows(AwsFailure.class, () -> new AccountLister(api(OrganizationFixture.HUB_WORKER_KEY))
                .fromOrganization(List.of(unknown), List.of()));
        assertEquals("ParentNotFoundException", failure.errorCode());
    }

    @Test
    void anExplicitListNeedsNoOrganizationsCallAndIdsAreValidated() {
        AccountLister.Listing listing = AccountLister.explicit(List.of("300000000002", "300000000001", "300000000003"),
                List.of("300000000003"));
        assertEquals(List.of(new AccountLister.ListedAccount("300000000001", ""),
                new AccountLister.ListedAccount("300000000002", "")), listing.accounts());
        assertEquals(List.of("300000000003"), listing.excluded().stream().map(AccountResult::accountId).toList());
        assertThrows(IllegalArgumentException.class, () -> AccountLister.explicit(List.of("12345"), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new AccountLister(api(OrganizationFixture.HUB_WORKER_KEY))
                .fromOrganization(List.of("prod"), List.of()));
        assertEquals(0, aws.calls().count("organizations", "ListAccountsForParent"));
    }
}
