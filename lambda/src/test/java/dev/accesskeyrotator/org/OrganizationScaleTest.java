package dev.accesskeyrotator.org;

import dev.accesskeyrotator.localaws.Calls;
import dev.accesskeyrotator.localaws.LocalAws;
import dev.accesskeyrotator.service.ReportCount;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A simulated organization run at scale: N accounts of U opted-in users each, one in a hundred due, through the
 * real worker (SDK clients, local endpoint) with the Distributed Map's concurrency emulated by a bounded pool, and
 * the aggregator. CI runs 20 accounts x 100 users; the figures in docs/organizations.md come from
 * {@code -Dorg.scale.accounts=200 -Dorg.scale.users=500} (see there for the command). Prints calls and wall time
 * per account.
 */
class OrganizationScaleTest {
    static final int ACCOUNTS = Integer.getInteger("org.scale.accounts", 20);
    static final int USERS = Integer.getInteger("org.scale.users", 100);
    /** The hub stack's MaxConcurrency. */
    static final int MAP_CONCURRENCY = Integer.getInteger("org.scale.concurrency", 10);

    private final OrganizationFixture org = new OrganizationFixture(LocalAws.start());

    @AfterEach
    void close() {
        org.close();
    }

    @Test
    void everyAccountIsRotatedWithTheSameSmallCallBudget() throws Exception {
        String ou = org.aws.organizations().createOrganizationalUnit(org.rootId, "workloads");
        List<String> accounts = new ArrayList<>();
        for (int i = 1; i <= ACCOUNTS; i++) {
            String id = String.format("5%011d", i);
            org.member(id, ou);
            org.steadyState(id, USERS);
            accounts.add(id);
        }
        int duePerAccount = (USERS + 99) / 100;
        org.aws.calls().reset();

        InProcessStateMachine.Execution execution = new InProcessStateMachine(org)
                .run(AccountLister.explicit(accounts, List.of()), MAP_CONCURRENCY, "scale");

        assertEquals(ACCOUNTS, ((Map<?, ?>) execution.output().get("accounts")).get(AccountResult.ROTATED),
                execution.output().toString());
        assertEquals("SUCCEEDED", execution.status());
        for (InProcessStateMachine.ItemRun item : execution.items()) {
            assertEquals(duePerAccount, ((Map<?, ?>) item.output().get("counts")).get(ReportCount.ROTATED.key()),
                    item.accountId());
        }
        Map<String, Long> spokeCalls = new TreeMap<>();
        for (String id : accounts) {
            spokeCalls.put(id, (long) org.aws.calls().inAccount(id).size());
        }
        List<Calls.Call> hubCalls = org.aws.calls().inAccount(org.aws.accountId());
        // Every account of the same shape costs the same calls: nothing grows with the number of accounts.
        assertEquals(Set.of(spokeCalls.get(accounts.get(0))), Set.copyOf(spokeCalls.values()));
        long perAccount = spokeCalls.get(accounts.get(0));
        Map<String, Long> byOperation = org.aws.calls().inAccount(accounts.get(0)).stream()
                .collect(Collectors.groupingBy(Calls.Call::key, TreeMap::new, Collectors.counting()));
        // Bulk discovery plus a fixed handful per due user and per reminder (each key gets one reminder per cycle),
        // however many users the account has.
        long reminded = execution.items().stream().filter(item -> item.accountId().equals(accounts.get(0)))
                .mapToLong(item -> ((Number) ((Map<?, ?>) item.output().get("counts"))
                        .get(ReportCount.REMINDED.key())).longValue()).sum();
        assertTrue(perAccount <= 12 + (USERS + 99) / 100 + 11L * duePerAccount + 6L * reminded,
                perAccount + " calls, " + reminded + " reminded: " + byOperation);

        List<Duration> walls = execution.items().stream().map(InProcessStateMachine.ItemRun::wallTime)
                .sorted(Comparator.naturalOrder()).toList();
        System.out.printf("organization scale run: %d accounts x %d users (%d due each), Map concurrency %d%n",
                ACCOUNTS, USERS, duePerAccount, MAP_CONCURRENCY);
        System.out.printf("  calls per member account: %d %s%n", perAccount, byOperation);
        System.out.printf("  hub calls: %d in all, %.1f per account %s%n", hubCalls.size(),
                hubCalls.size() / (double) ACCOUNTS, hubCalls.stream().collect(Collectors.groupingBy(Calls.Call::key,
                        TreeMap::new, Collectors.counting())));
        System.out.printf("  wall time per account: median %d ms, p95 %d ms, max %d ms; whole run %d ms%n",
                walls.get(walls.size() / 2).toMillis(), walls.get((int) Math.ceil(walls.size() * 0.95) - 1).toMillis(),
                walls.get(walls.size() - 1).toMillis(), execution.wallTime().toMillis());
    }
}
