package dev.accesskeyrotator.localaws;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.iam.model.AccessKeyMetadata;
import software.amazon.awssdk.services.iam.model.CredentialReportExpiredException;
import software.amazon.awssdk.services.iam.model.CredentialReportNotPresentException;
import software.amazon.awssdk.services.iam.model.CredentialReportNotReadyException;
import software.amazon.awssdk.services.iam.model.DeleteConflictException;
import software.amazon.awssdk.services.iam.model.EntityAlreadyExistsException;
import software.amazon.awssdk.services.iam.model.EntityType;
import software.amazon.awssdk.services.iam.model.GetAccessKeyLastUsedResponse;
import software.amazon.awssdk.services.iam.model.GetAccountAuthorizationDetailsResponse;
import software.amazon.awssdk.services.iam.model.GetCredentialReportResponse;
import software.amazon.awssdk.services.iam.model.IamException;
import software.amazon.awssdk.services.iam.model.LimitExceededException;
import software.amazon.awssdk.services.iam.model.ListUsersResponse;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.ReportFormatType;
import software.amazon.awssdk.services.iam.model.ReportStateType;
import software.amazon.awssdk.services.iam.model.ServiceFailureException;
import software.amazon.awssdk.services.iam.model.StatusType;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.iam.model.User;
import software.amazon.awssdk.services.iam.model.UserDetail;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IAM semantics as a rotator sees them through a real SDK v2 {@link IamClient}. */
class IamEmulatorTest {
    private static final Instant START = LocalAws.DEFAULT_CLOCK_START;

    @RegisterExtension
    final LocalAwsExtension local = new LocalAwsExtension();

    private IamEmulator iam() {
        return local.aws().iam();
    }

    private IamClient client() {
        return local.iamClient();
    }

    private void seedUsers(int count) {
        for (int i = 0; i < count; i++) {
            iam().createUser(String.format("user-%05d", i), Map.of());
        }
    }

    // ---- users and paging ----------------------------------------------------------------------------------

    @Test
    void listUsersPagesByOneHundredByDefault() {
        seedUsers(2_500);

        List<String> names = client().listUsersPaginator().users().stream().map(User::userName).toList();

        assertEquals(iam().userNames(), names);
        assertEquals(2_500, new HashSet<>(names).size());
        assertEquals(25, local.aws().calls().count("iam", "ListUsers"));
    }

    @Test
    void listUsersPagesByMaxItemsUpToOneThousand() {
        seedUsers(2_500);

        List<ListUsersResponse> pages = client().listUsersPaginator(r -> r.maxItems(1000)).stream().toList();

        assertEquals(List.of(1000, 1000, 500), pages.stream().map(page -> page.users().size()).toList());
        assertTrue(pages.get(0).isTruncated());
        assertFalse(pages.get(2).isTruncated());
        assertNull(pages.get(2).marker());
        IamException tooMany = assertThrows(IamException.class, () -> client().listUsers(r -> r.maxItems(1001)));
        assertEquals("ValidationError", tooMany.awsErrorDetails().errorCode());
    }

    @Test
    void pagingSurvivesUsersDeletedBetweenPages() {
        seedUsers(5);

        ListUsersResponse first = client().listUsers(r -> r.maxItems(2));
        iam().deleteUserNow("user-00002");
        ListUsersResponse second = client().listUsers(r -> r.maxItems(2).marker(first.marker()));

        assertEquals(List.of("user-00003", "user-00004"), second.users().stream().map(User::userName).toList());
        assertFalse(second.isTruncated());
    }

    @Test
    void listUsersFiltersByPathPrefix() {
        client().createUser(r -> r.userName("svc-a").path("/service/"));
        client().createUser(r -> r.userName("human"));

        List<User> users = client().listUsers(r -> r.pathPrefix("/service/")).users();

        assertEquals(1, users.size());
        assertEquals("arn:aws:iam::123456789012:user/service/svc-a", users.get(0).arn());
    }

    @Test
    void accountAuthorizationDetailsPageUsersWithTheirTags() {
        seedUsers(2_499);
        iam().createUser("zed", Map.of("rotation", "enabled"));

        List<GetAccountAuthorizationDetailsResponse> defaultPages =
                client().getAccountAuthorizationDetailsPaginator(r -> r.filter(EntityType.USER)).stream().toList();
        List<GetAccountAuthorizationDetailsResponse> bigPages = client()
                .getAccountAuthorizationDetailsPaginator(r -> r.filter(EntityType.USER).maxItems(1000)).stream().toList();

        assertEquals(25, defaultPages.size());
        assertEquals(3, bigPages.size());
        List<UserDetail> users = bigPages.stream().flatMap(page -> page.userDetailList().stream()).toList();
        assertEquals(iam().userNames(), users.stream().map(UserDetail::userName).toList());
        UserDetail zed = users.get(users.size() - 1);
        assertEquals(List.of(Tag.builder().key("rotation").value("enabled").build()), zed.tags());
        assertEquals("/", zed.path());
        assertEquals("arn:aws:iam::123456789012:user/zed", zed.arn());
        assertTrue(zed.userId().startsWith("AIDA"));
        assertEquals(START, zed.createDate());
        assertTrue(zed.groupList().isEmpty());
        assertTrue(zed.attachedManagedPolicies().isEmpty());
    }

    @Test
    void accountAuthorizationDetailsForOtherEntityTypesHoldNoUsers() {
        seedUsers(3);

        GetAccountAuthorizationDetailsResponse roles =
                client().getAccountAuthorizationDetails(r -> r.filter(EntityType.ROLE));

        assertTrue(roles.userDetailList().isEmpty());
        assertFalse(roles.isTruncated());
    }

    @Test
    void createGetTagUntagAndDeleteUser() {
        client().createUser(r -> r.userName("alice").tags(Tag.builder().key("team").value("blue").build()));
        client().tagUser(r -> r.userName("alice").tags(
                Tag.builder().key("owner").value("ops").build(), Tag.builder().key("team").value("red").build()));
        client().untagUser(r -> r.userName("alice").tagKeys("owner"));

        User user = client().getUser(r -> r.userName("alice")).user();
        assertEquals(List.of(Tag.builder().key("team").value("red").build()), user.tags());
        assertEquals(START, user.createDate());
        assertEquals(Map.of("team", "red"), iam().user("alice").orElseThrow().tags());

        client().deleteUser(r -> r.userName("alice"));
        assertThrows(NoSuchEntityException.class, () -> client().getUser(r -> r.userName("alice")));
    }

    @Test
    void userNamesAreUniqueRegardlessOfCase() {
        iam().createUser("Alice", Map.of());

        EntityAlreadyExistsException error = assertThrows(EntityAlreadyExistsException.class,
                () -> client().createUser(r -> r.userName("alice")));

        assertEquals(409, error.statusCode());
        assertEquals("EntityAlreadyExists", error.awsErrorDetails().errorCode());
    }

    @Test
    void listUserTagsPages() {
        iam().createUser("alice", Map.of());
        for (int i = 0; i < 5; i++) {
            int n = i;
            client().tagUser(r -> r.userName("alice").tags(Tag.builder().key("k" + n).value("v" + n).build()));
        }

        List<String> keys = client().listUserTagsPaginator(r -> r.userName("alice").maxItems(2)).stream()
                .flatMap(page -> page.tags().stream()).map(Tag::key).toList();

        assertEquals(List.of("k0", "k1", "k2", "k3", "k4"), keys);
        assertEquals(3, local.aws().calls().count("iam", "ListUserTags"));
    }

    @Test
    void missingUserIsNoSuchEntity() {
        NoSuchEntityException error = assertThrows(NoSuchEntityException.class,
                () -> client().listAccessKeys(r -> r.userName("ghost")));

        assertEquals(404, error.statusCode());
        assertEquals("NoSuchEntity", error.awsErrorDetails().errorCode());
        assertEquals("The user with name ghost cannot be found.", error.awsErrorDetails().errorMessage());
        assertThrows(NoSuchEntityException.class, () -> client().tagUser(r -> r.userName("ghost")
                .tags(Tag.builder().key("a").value("b").build())));
        assertThrows(NoSuchEntityException.class, () -> client().createAccessKey(r -> r.userName("ghost")));
    }

    @Test
    void userWithKeysCannotBeDeleted() {
        iam().createUser("alice", Map.of());
        iam().createAccessKey("alice", START, true);

        DeleteConflictException error = assertThrows(DeleteConflictException.class,
                () -> client().deleteUser(r -> r.userName("alice")));

        assertEquals("DeleteConflict", error.awsErrorDetails().errorCode());
        assertTrue(iam().deleteUserNow("alice"), "the hook deletes regardless");
        assertTrue(iam().userNames().isEmpty());
    }

    // ---- access keys ---------------------------------------------------------------------------------------

    @Test
    void createdKeyHasAwsShapedIdsAndTheClocksDate() {
        iam().createUser("alice", Map.of());
        local.aws().clock().advance(Duration.ofDays(3));

        AccessKey key = client().createAccessKey(r -> r.userName("alice")).accessKey();

        assertTrue(key.accessKeyId().matches("AKIA[A-Z0-9]{16}"), key.accessKeyId());
        assertEquals(40, key.secretAccessKey().length());
        assertEquals(StatusType.ACTIVE, key.status());
        assertEquals(START.plus(Duration.ofDays(3)), key.createDate());
        assertEquals("alice", key.userName());
        assertEquals(List.of(key.secretAccessKey()), iam().allSecretAccessKeys());
        assertEquals(key.secretAccessKey(), iam().accessKey(key.accessKeyId()).orElseThrow().secret());
    }

    @Test
    void aThirdKeyExceedsTheQuota() {
        iam().createUser("alice", Map.of());
        client().createAccessKey(r -> r.userName("alice"));
        client().createAccessKey(r -> r.userName("alice"));

        LimitExceededException error = assertThrows(LimitExceededException.class,
                () -> client().createAccessKey(r -> r.userName("alice")));

        assertEquals("LimitExceeded", error.awsErrorDetails().errorCode());
        assertEquals("Cannot exceed quota for AccessKeysPerUser: 2", error.awsErrorDetails().errorMessage());
        assertEquals(409, error.statusCode());
        assertEquals(3, local.aws().calls().count("iam", "CreateAccessKey"), "a quota error is not retried");
        assertEquals(2, iam().keys("alice").size());
    }

    @Test
    void keysAreListedDeactivatedAndDeleted() {
        iam().createUser("alice", Map.of());
        IamEmulator.KeySnapshot old = iam().createAccessKey("alice", START.minus(Duration.ofDays(100)), true);
        IamEmulator.KeySnapshot fresh = iam().createAccessKey("alice", START, true);

        client().updateAccessKey(r -> r.userName("alice").accessKeyId(old.id()).status(StatusType.INACTIVE));
        List<AccessKeyMetadata> listed = client().listAccessKeys(r -> r.userName("alice")).accessKeyMetadata();

        assertEquals(List.of(old.id(), fresh.id()), listed.stream().map(AccessKeyMetadata::accessKeyId).toList());
        assertEquals(StatusType.INACTIVE, listed.get(0).status());
        assertEquals(START.minus(Duration.ofDays(100)), listed.get(0).createDate());
        assertEquals("alice", listed.get(0).userName());

        client().deleteAccessKey(r -> r.userName("alice").accessKeyId(old.id()));
        assertEquals(List.of(fresh.id()), iam().keys("alice").stream().map(IamEmulator.KeySnapshot::id).toList());
        assertThrows(NoSuchEntityException.class,
                () -> client().deleteAccessKey(r -> r.userName("alice").accessKeyId(old.id())));
        assertTrue(iam().allSecretAccessKeys().contains(old.secret()), "deleted secrets stay on record");
    }

    @Test
    void keyOfAnotherUserIsNoSuchEntity() {
        iam().createUser("alice", Map.of());
        iam().createUser("bob", Map.of());
        IamEmulator.KeySnapshot bobs = iam().createAccessKey("bob", START, true);

        NoSuchEntityException error = assertThrows(NoSuchEntityException.class, () -> client().updateAccessKey(
                r -> r.userName("alice").accessKeyId(bobs.id()).status(StatusType.INACTIVE)));

        assertEquals("The Access Key with id " + bobs.id() + " cannot be found.", error.awsErrorDetails().errorMessage());
        assertTrue(iam().keys("bob").get(0).active());
    }

    @Test
    void lastUsedIsNotApplicableUntilTheKeyIsUsed() {
        iam().createUser("alice", Map.of());
        IamEmulator.KeySnapshot key = iam().createAccessKey("alice", START, true);

        GetAccessKeyLastUsedResponse never = client().getAccessKeyLastUsed(r -> r.accessKeyId(key.id()));
        iam().markKeyUsed(key.id(), START.plusSeconds(60), "s3", "eu-west-1");
        GetAccessKeyLastUsedResponse used = client().getAccessKeyLastUsed(r -> r.accessKeyId(key.id()));

        assertEquals("alice", never.userName());
        assertNull(never.accessKeyLastUsed().lastUsedDate());
        assertEquals("N/A", never.accessKeyLastUsed().serviceName());
        assertEquals("N/A", never.accessKeyLastUsed().region());
        assertEquals(START.plusSeconds(60), used.accessKeyLastUsed().lastUsedDate());
        assertEquals("s3", used.accessKeyLastUsed().serviceName());
        assertEquals("eu-west-1", used.accessKeyLastUsed().region());
        assertThrows(NoSuchEntityException.class, () -> client().getAccessKeyLastUsed(r -> r.accessKeyId("AKIANOSUCHKEY0000000")));
    }

    @Test
    void tenThousandUsersSeedInstantly() {
        long start = System.nanoTime();
        Set<String> ids = new HashSet<>();
        IntStream.range(0, 10_000).forEach(i -> {
            iam().createUser("bulk-" + i, Map.of("rotate", "true"));
            ids.add(iam().createAccessKey("bulk-" + i, START, true).id());
        });

        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 1_000);
        assertEquals(10_000, ids.size());
        assertEquals(10_000, iam().allSecretAccessKeys().size());
    }

    // ---- credential report ---------------------------------------------------------------------------------

    /** Polls without sleeping: the emulator completes after a set number of polls, not after a time. */
    private GetCredentialReportResponse generateAndFetch() {
        int polls = 1;
        while (client().generateCredentialReport().state() != ReportStateType.COMPLETE) {
            assertTrue(++polls <= 10, "report generation never completed");
        }
        return client().getCredentialReport();
    }

    private static List<String> lines(GetCredentialReportResponse report) {
        return List.of(report.content().asString(StandardCharsets.UTF_8).split("\n"));
    }

    @Test
    void reportIsStartedThenCompletedOnTheNextPoll() {
        assertThrows(CredentialReportNotPresentException.class, () -> client().getCredentialReport());

        assertEquals(ReportStateType.STARTED, client().generateCredentialReport().state());
        CredentialReportNotReadyException notReady =
                assertThrows(CredentialReportNotReadyException.class, () -> client().getCredentialReport());
        assertEquals("ReportInProgress", notReady.awsErrorDetails().errorCode());
        assertEquals(404, notReady.statusCode());
        assertEquals(ReportStateType.COMPLETE, client().generateCredentialReport().state());

        GetCredentialReportResponse report = client().getCredentialReport();
        assertEquals(ReportFormatType.TEXT_CSV, report.reportFormat());
        assertEquals(START, report.generatedTime());
    }

    @Test
    void reportGenerationCanTakeSeveralPolls() {
        iam().setCredentialReportPollsToComplete(3);

        List<ReportStateType> states = IntStream.range(0, 5)
                .mapToObj(i -> client().generateCredentialReport().state()).toList();

        assertEquals(List.of(ReportStateType.STARTED, ReportStateType.INPROGRESS, ReportStateType.INPROGRESS,
                ReportStateType.COMPLETE, ReportStateType.COMPLETE), states);
    }

    @Test
    void reportListsRootThenUsersWithTheOlderKeyFirst() {
        iam().createUser("alice", Map.of());
        IamEmulator.KeySnapshot newer = iam().createAccessKey("alice", Instant.parse("2025-12-01T10:00:00Z"), true);
        IamEmulator.KeySnapshot older = iam().createAccessKey("alice", Instant.parse("2025-06-01T08:30:00Z"), false);
        iam().markKeyUsed(newer.id(), Instant.parse("2025-12-24T12:00:00Z"), "sts", "us-east-1");
        iam().createUser("bob", Map.of());

        List<String> lines = lines(generateAndFetch());

        assertEquals(CredentialReports.HEADER, lines.get(0));
        assertEquals(22, lines.get(0).split(",").length);
        assertTrue(lines.get(1).startsWith("<root_account>,arn:aws:iam::123456789012:root,"), lines.get(1));
        assertEquals("alice,arn:aws:iam::123456789012:user/alice,2026-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,"
                + "false,2025-06-01T08:30:00+00:00,N/A,N/A,N/A,"
                + "true,2025-12-01T10:00:00+00:00,2025-12-24T12:00:00+00:00,us-east-1,sts,"
                + "false,N/A,false,N/A", lines.get(2));
        assertEquals("bob,arn:aws:iam::123456789012:user/bob,2026-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,"
                + "false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A", lines.get(3));
        assertEquals(4, lines.size());
        assertNotEquals(older.id(), newer.id());
    }

    @Test
    void reportIsASnapshotReusedForFourHours() {
        iam().createUser("alice", Map.of());
        GetCredentialReportResponse first = generateAndFetch();

        iam().createUser("bob", Map.of());
        local.aws().clock().advance(Duration.ofHours(3));
        assertEquals(ReportStateType.COMPLETE, client().generateCredentialReport().state(), "still fresh");
        GetCredentialReportResponse reused = client().getCredentialReport();
        assertEquals(first.content(), reused.content());
        assertEquals(START, reused.generatedTime());

        local.aws().clock().advance(Duration.ofHours(1));
        CredentialReportExpiredException expired =
                assertThrows(CredentialReportExpiredException.class, () -> client().getCredentialReport());
        assertEquals("ReportExpired", expired.awsErrorDetails().errorCode());
        assertEquals(410, expired.statusCode());

        GetCredentialReportResponse renewed = generateAndFetch();
        assertEquals(START.plus(Duration.ofHours(4)), renewed.generatedTime());
        assertTrue(lines(renewed).stream().anyMatch(line -> line.startsWith("bob,")));
        assertTrue(lines(first).stream().noneMatch(line -> line.startsWith("bob,")));
    }

    @Test
    void reportSnapshotIsTakenWhenGenerationStarts() {
        iam().createUser("alice", Map.of());
        client().generateCredentialReport();
        iam().createUser("late", Map.of());

        List<String> lines = lines(generateAndFetch());

        assertTrue(lines.stream().noneMatch(line -> line.startsWith("late,")));
    }

    @Test
    void unavailableReportFailsBothCalls() {
        iam().setCredentialReportAvailable(false);

        ServiceFailureException failure =
                assertThrows(ServiceFailureException.class, () -> client().generateCredentialReport());
        assertEquals(500, failure.statusCode());
        assertEquals("ServiceFailure", failure.awsErrorDetails().errorCode());
        CredentialReportNotPresentException notPresent =
                assertThrows(CredentialReportNotPresentException.class, () -> client().getCredentialReport());
        assertEquals("ReportNotPresent", notPresent.awsErrorDetails().errorCode());
        assertEquals(410, notPresent.statusCode());
    }

    @Test
    void corruptReportIsNotACredentialReport() {
        iam().createUser("alice", Map.of());
        generateAndFetch();
        iam().corruptCredentialReport();

        String content = client().getCredentialReport().content().asString(StandardCharsets.UTF_8);

        assertFalse(content.startsWith(CredentialReports.HEADER));
    }
}
