package dev.accesskeyrotator.port;

import dev.accesskeyrotator.domain.AccessKey;
import dev.accesskeyrotator.domain.KeyUse;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The IAM side: users, their tags and their access keys. */
public interface IdentityDirectory {

    /** An IAM user with its tags, as bulk discovery returns it. */
    record DirectoryUser(String userName, String arn, Map<String, String> tags) {}

    /**
     * A key just created. The secret is only carried from IAM to the user secret; {@link #toString()} hides it so
     * it cannot reach a log line by accident.
     */
    record NewAccessKey(String userName, String accessKeyId, String secretAccessKey, Instant createDate) {
        @Override
        public String toString() {
            return "NewAccessKey[userName=" + userName + ", accessKeyId=" + accessKeyId + ", secretAccessKey=***]";
        }
    }

    /** The IAM credential report as AWS returned it: CSV text and when it was generated. */
    record RawCredentialReport(String csv, Instant generatedAt) {}

    /** Every user with its tags, all pages. */
    List<DirectoryUser> listUsersWithTags();

    List<AccessKey> listAccessKeys(String userName);

    /**
     * Rev 3, emergency rotation: the user an access key belongs to, as GetAccessKeyLastUsed names it, without
     * listing the account; empty when IAM knows no such key (deleted, or never of this account).
     */
    Optional<String> userOfKey(String accessKeyId);

    /** Rev 3, emergency rotation: one user with its tags (GetUser); empty when there is no such user. */
    Optional<DirectoryUser> user(String userName);

    /** When, where and by which service the key was last used; empty if never. */
    Optional<KeyUse> lastUsed(String userName, String accessKeyId);

    NewAccessKey createAccessKey(String userName);

    void deactivateAccessKey(String userName, String accessKeyId);

    void deleteAccessKey(String userName, String accessKeyId);

    /** Generates (bounded polling) and fetches the credential report; empty when AWS cannot provide one now. */
    Optional<RawCredentialReport> credentialReport();
}
