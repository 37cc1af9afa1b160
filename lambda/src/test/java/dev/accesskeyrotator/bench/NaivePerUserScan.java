package dev.accesskeyrotator.bench;

import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKeyMetadata;
import software.amazon.awssdk.services.iam.model.StatusType;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.iam.model.User;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sns.SnsClient;

import java.time.Duration;
import java.time.Instant;

/**
 * The baseline: what most rotation scripts do. List every user, ask each for its tags and its keys, rotate what is
 * old. Correct enough for a comparison of API calls; it has none of the rotator's safety rules.
 */
final class NaivePerUserScan {
    private NaivePerUserScan() {}

    static int run(IamClient iam, SecretsManagerClient secrets, SnsClient sns, String topicArn, Instant now) {
        int rotated = 0;
        for (User user : iam.listUsersPaginator(r -> { }).users()) {
            boolean optedIn = iam.listUserTags(r -> r.userName(user.userName())).tags().stream()
                    .map(Tag::key).anyMatch("access-key-rotation"::equals);
            if (!optedIn) {
                continue;
            }
            for (AccessKeyMetadata key : iam.listAccessKeys(r -> r.userName(user.userName())).accessKeyMetadata()) {
                boolean old = Duration.between(key.createDate(), now).toDays() >= 90;
                if (key.status() != StatusType.ACTIVE || !old) {
                    continue;
                }
                var created = iam.createAccessKey(r -> r.userName(user.userName())).accessKey();
                secrets.putSecretValue(r -> r.secretId(SteadyStateAccount.SECRET_PREFIX + user.userName())
                        .secretString("{\"AccessKeyId\":\"" + created.accessKeyId() + "\",\"SecretAccessKey\":\""
                                + created.secretAccessKey() + "\"}"));
                iam.updateAccessKey(r -> r.userName(user.userName()).accessKeyId(key.accessKeyId())
                        .status(StatusType.INACTIVE));
                sns.publish(r -> r.topicArn(topicArn).message("Your access key was rotated"));
                rotated++;
            }
        }
        return rotated;
    }
}
