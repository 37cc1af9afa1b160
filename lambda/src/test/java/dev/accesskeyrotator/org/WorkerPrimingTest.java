package dev.accesskeyrotator.org;

import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.contract.Organization;
import dev.accesskeyrotator.localaws.Calls;
import dev.accesskeyrotator.localaws.LocalAws;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker's SnapStart priming makes only read-only calls, through the worker's own clients, enters no member
 * account, publishes nothing, and a failing call only primes less.
 */
class WorkerPrimingTest {
    private final OrganizationFixture org = new OrganizationFixture(LocalAws.start());

    @AfterEach
    void close() {
        org.close();
    }

    @Test
    void primingReadsTheHubsConfigurationAndAsksWhoItIsButEntersNoAccount() {
        org.member("111111111111", org.rootId);
        org.optedInUser("111111111111", "alice", 400);
        try (AwsClients hub = new AwsClients(org.hubOptions());
             AssumedRoleAccounts accounts = new AssumedRoleAccounts(org.hubOptions(), OrganizationFixture::shortRetries,
                     Organization.DEFAULT_SPOKE_ROLE_NAME, pause -> { })) {
            org.aws.calls().reset();
            List<String> done = WorkerPriming.prime(hub, accounts, org.hubSettings(), org.aws.clock());

            assertEquals(List.of("GetParametersByPath", "GetCallerIdentity and member clients",
                    "rules, documents, notices, report and account result"), done);
            assertEquals(List.of("ssm:GetParametersByPath", "sts:GetCallerIdentity"),
                    org.aws.calls().all().stream().map(Calls.Call::key).toList());
            assertTrue(org.aws.sts().sessions().isEmpty(), "no spoke role assumed");
            assertTrue(org.aws.sns().published().isEmpty());
            assertEquals(1, org.aws.account("111111111111").iam().keys("alice").size(), "the member is untouched");
        }
    }

    @Test
    void aFailingCallOnlyPrimesLess() {
        for (String service : List.of("ssm", "sts")) {
            org.aws.faults().on(service, "*").error(403, "AccessDenied", "not allowed");
        }
        try (AwsClients hub = new AwsClients(org.hubOptions());
             AssumedRoleAccounts accounts = new AssumedRoleAccounts(org.hubOptions(), OrganizationFixture::shortRetries,
                     Organization.DEFAULT_SPOKE_ROLE_NAME, pause -> { })) {
            List<String> done = WorkerPriming.prime(hub, accounts, org.hubSettings(), org.aws.clock());

            assertEquals(3, done.size(), done.toString());
            assertTrue(done.get(0).startsWith("GetParametersByPath (failed"), done.toString());
            assertTrue(done.get(1).startsWith("GetCallerIdentity and member clients (failed"), done.toString());
            assertEquals("rules, documents, notices, report and account result", done.get(2),
                    "the in-process part needs no AWS");
        }
    }
}
