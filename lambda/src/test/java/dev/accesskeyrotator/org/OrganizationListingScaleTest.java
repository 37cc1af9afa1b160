package dev.accesskeyrotator.org;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.contract.Organization;
import dev.accesskeyrotator.localaws.Calls;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.localaws.OrganizationsEmulator.AccountState;
import dev.accesskeyrotator.log.JsonLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The organization run's own path at 10,000 accounts, without the workers: the lister walks 100 OUs of 100 accounts
 * through Organizations (pages of 20), writes the Map's items to S3, the Map reads them back as its ItemReader does
 * (nothing passes through the 256 KiB state), every item answers with a completed result, the results are written as
 * ResultWriter writes them, and the aggregator reports every account. Prints the wall time and the calls; the
 * figures in docs/organizations.md come from this test ({@code -Dorg.listing.accounts} changes the size).
 */
class OrganizationListingScaleTest {
    static final int ACCOUNTS = Integer.getInteger("org.listing.accounts", 10_000);
    static final int PER_OU = 100;

    private final OrganizationFixture org = new OrganizationFixture(LocalAws.start());

    @AfterEach
    void close() {
        org.close();
    }

    @Test
    void tenThousandAccountsAreListedReadByTheMapAndReportedWithoutPassingThroughTheState() throws Exception {
        String workloads = org.aws.organizations().createOrganizationalUnit(org.rootId, "workloads");
        String ou = null;
        for (int i = 0; i < ACCOUNTS; i++) {
            if (i % PER_OU == 0) {
                ou = org.aws.organizations().createOrganizationalUnit(workloads, "team-" + i / PER_OU);
            }
            org.aws.organizations().addAccount(ou, String.format("6%011d", i), "account-" + i, AccountState.ACTIVE);
        }
        org.aws.calls().reset();

        InProcessStateMachine.Execution execution;
        try (var api = new OrganizationsDirectory(org.hubOptions())) {
            execution = new InProcessStateMachine(org).run(
                    () -> new AccountLister(api).fromOrganization(List.of(workloads), List.of()),
                    item -> Map.of("accountId", item.get(Organization.ACCOUNT_ID_FIELD), "status",
                            AccountResult.ROTATED, "dryRun", false, "counts", Map.of("usersScanned", 1)),
                    100, "scale-10000");
        }

        assertEquals("SUCCEEDED", execution.status());
        assertEquals(ACCOUNTS, execution.items().size());
        JsonNode report = JsonLog.mapper().readTree(org.aws.s3().get(InProcessStateMachine.BUCKET,
                (String) execution.output().get("reportKey")).orElseThrow().text());
        assertEquals(ACCOUNTS, report.path("accounts").path(AccountResult.ROTATED).asInt());
        assertEquals(ACCOUNTS, report.path("perAccount").size());
        int itemsFileBytes = org.aws.s3().get(InProcessStateMachine.BUCKET, Organization.LISTINGS_PREFIX
                + "/scale-10000/" + ListAccountsHandler.ACCOUNTS_FILE).orElseThrow().body().length;
        assertTrue(itemsFileBytes > 256 * 1024 || ACCOUNTS < 10_000, itemsFileBytes + " bytes of items");
        Map<String, Long> calls = org.aws.calls().all().stream()
                .collect(Collectors.groupingBy(Calls.Call::key, TreeMap::new, Collectors.counting()));
        // One page per 20 accounts per OU, one ListChildren page per 20 OUs (and one per OU, empty).
        assertEquals((long) (ACCOUNTS / PER_OU) * (PER_OU / 20) + 1,
                calls.get("organizations:ListAccountsForParent"));
        System.out.printf("organization listing scale: %d accounts in %d OUs, wall time %d ms (items file %d bytes)"
                + "%n  calls: %s%n", ACCOUNTS, ACCOUNTS / PER_OU, execution.wallTime().toMillis(), itemsFileBytes,
                calls);
    }
}
