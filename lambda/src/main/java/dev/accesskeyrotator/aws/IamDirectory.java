package dev.accesskeyrotator.aws;

import dev.accesskeyrotator.domain.AccessKey;
import dev.accesskeyrotator.domain.KeyUse;
import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.port.IdentityDirectory;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKeyLastUsed;
import software.amazon.awssdk.services.iam.model.EntityType;
import software.amazon.awssdk.services.iam.model.GetCredentialReportResponse;
import software.amazon.awssdk.services.iam.model.ReportStateType;
import software.amazon.awssdk.services.iam.model.StatusType;
import software.amazon.awssdk.services.iam.model.Tag;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** IAM through SDK v2. */
public final class IamDirectory implements IdentityDirectory {

    /** Pauses between credential report polls; injectable so tests do not sleep. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** GetAccountAuthorizationDetails allows 1,000 items per page: ten calls for 10,000 users. */
    public static final int DETAILS_PAGE_SIZE = 1000;
    /** Generation usually completes within seconds; past this the run falls back to per-user listing. */
    public static final int REPORT_POLLS = 8;

    private final IamClient iam;
    private final Sleeper sleeper;

    public IamDirectory(IamClient iam, Sleeper sleeper) {
        this.iam = iam;
        this.sleeper = sleeper;
    }

    @Override
    public List<DirectoryUser> listUsersWithTags() {
        return AwsCalls.call("GetAccountAuthorizationDetails", () -> {
            List<DirectoryUser> users = new ArrayList<>();
            iam.getAccountAuthorizationDetailsPaginator(r -> r.filter(EntityType.USER).maxItems(DETAILS_PAGE_SIZE))
                    .forEach(page -> page.userDetailList().forEach(user -> users.add(
                            new DirectoryUser(user.userName(), user.arn(), tags(user.tags())))));
            return users;
        });
    }

    @Override
    public List<AccessKey> listAccessKeys(String userName) {
        return AwsCalls.call("ListAccessKeys", () -> iam.listAccessKeys(r -> r.userName(userName))
                .accessKeyMetadata().stream()
                .map(k -> new AccessKey(k.accessKeyId(), k.status() == StatusType.ACTIVE, k.createDate()))
                .toList());
    }

    @Override
    public Optional<String> userOfKey(String accessKeyId) {
        try {
            return AwsCalls.call("GetAccessKeyLastUsed", () -> Optional.ofNullable(
                    iam.getAccessKeyLastUsed(r -> r.accessKeyId(accessKeyId)).userName()));
        } catch (AwsFailure failure) {
            if (failure.is(AwsFailure.Kind.NOT_FOUND)) {
                return Optional.empty();
            }
            throw failure;
        }
    }

    @Override
    public Optional<DirectoryUser> user(String userName) {
        try {
            return AwsCalls.call("GetUser", () -> {
                var user = iam.getUser(r -> r.userName(userName)).user();
                return Optional.of(new DirectoryUser(user.userName(), user.arn(), tags(user.tags())));
            });
        } catch (AwsFailure failure) {
            if (failure.is(AwsFailure.Kind.NOT_FOUND)) {
                return Optional.empty();
            }
            throw failure;
        }
    }

    @Override
    public Optional<KeyUse> lastUsed(String userName, String accessKeyId) {
        return AwsCalls.call("GetAccessKeyLastUsed", () -> {
            AccessKeyLastUsed used = iam.getAccessKeyLastUsed(r -> r.accessKeyId(accessKeyId)).accessKeyLastUsed();
            if (used == null || used.lastUsedDate() == null) {
                return Optional.empty();
            }
            // IAM answers "N/A" for the region and service of a key that was never used.
            return Optional.of(new KeyUse(used.lastUsedDate(), known(used.region()), known(used.serviceName())));
        });
    }

    private static Optional<String> known(String value) {
        return Optional.ofNullable(value).filter(v -> !v.isBlank() && !"N/A".equals(v));
    }

    @Override
    public NewAccessKey createAccessKey(String userName) {
        return AwsCalls.call("CreateAccessKey", () -> {
            var key = iam.createAccessKey(r -> r.userName(userName)).accessKey();
            return new NewAccessKey(key.userName(), key.accessKeyId(), key.secretAccessKey(), key.createDate());
        });
    }

    @Override
    public void deactivateAccessKey(String userName, String accessKeyId) {
        AwsCalls.run("UpdateAccessKey", () -> iam.updateAccessKey(r -> r.userName(userName)
                .accessKeyId(accessKeyId).status(StatusType.INACTIVE)));
    }

    @Override
    public void deleteAccessKey(String userName, String accessKeyId) {
        AwsCalls.run("DeleteAccessKey", () -> iam.deleteAccessKey(r -> r.userName(userName)
                .accessKeyId(accessKeyId)));
    }

    @Override
    public Optional<RawCredentialReport> credentialReport() {
        Duration pause = Duration.ofMillis(500);
        for (int poll = 1; poll <= REPORT_POLLS; poll++) {
            ReportStateType state = AwsCalls.call("GenerateCredentialReport",
                    () -> iam.generateCredentialReport(r -> { }).state());
            if (state == ReportStateType.COMPLETE) {
                return fetchReport();
            }
            try {
                sleeper.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
            pause = pause.multipliedBy(2).compareTo(Duration.ofSeconds(4)) > 0 ? Duration.ofSeconds(4)
                    : pause.multipliedBy(2);
        }
        return Optional.empty();
    }

    private Optional<RawCredentialReport> fetchReport() {
        try {
            GetCredentialReportResponse report = AwsCalls.call("GetCredentialReport",
                    () -> iam.getCredentialReport(r -> { }));
            if (report.content() == null || report.generatedTime() == null) {
                // Some IAM look-alikes answer without content or time; without them the report cannot be trusted.
                return Optional.empty();
            }
            return Optional.of(new RawCredentialReport(report.content().asString(StandardCharsets.UTF_8),
                    report.generatedTime()));
        } catch (AwsFailure failure) {
            if (failure.is(AwsFailure.Kind.NOT_FOUND) || failure.is(AwsFailure.Kind.INVALID_STATE)) {
                return Optional.empty();
            }
            throw failure;
        }
    }

    private static Map<String, String> tags(List<Tag> tags) {
        return AwsCalls.tagMap(tags, Tag::key, Tag::value);
    }
}
