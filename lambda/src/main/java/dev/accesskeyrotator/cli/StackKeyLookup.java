package dev.accesskeyrotator.cli;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyManagerType;
import software.amazon.awssdk.services.kms.model.KeyMetadata;

import java.net.URI;
import java.util.Optional;

/**
 * Finds the stack's user secrets key from its alias with one {@code kms:DescribeKey}, made with the owner's own
 * credentials: nobody types a key ARN, and only a customer managed key counts (a squatter's secret under the AWS
 * managed key never matches).
 */
final class StackKeyLookup {

    sealed interface Outcome permits Found, Failed { }

    record Found(OwnedSecretCheck.StackKey key) implements Outcome { }

    /**
     * KMS gave no key: {@code NotFoundException} (no such alias), {@code AccessDeniedException}, a key that is not a
     * customer managed key, or no answer at all ({@code unreachable}).
     */
    record Failed(String errorCode, String message, boolean unreachable) implements Outcome { }

    private StackKeyLookup() {}

    static Outcome describe(String alias, Region region, Optional<URI> endpoint, AwsCredentialsProvider credentials,
                            UserSecretReader.Patience patience) {
        try (KmsClient kms = UserSecretReader.ownerClient(KmsClient.builder(), region, endpoint, credentials,
                patience)) {
            KeyMetadata key = kms.describeKey(request -> request.keyId(alias)).keyMetadata();
            if (key == null || key.arn() == null || !key.arn().contains(":key/")) {
                return new Failed("NoKeyArn", "DescribeKey named no key ARN for " + alias, false);
            }
            if (key.keyManager() != KeyManagerType.CUSTOMER) {
                return new Failed("NotACustomerManagedKey", alias + " names an AWS managed key", false);
            }
            return new Found(new OwnedSecretCheck.StackKey(key.arn()));
        } catch (AwsServiceException e) {
            // Only KMS's code and short message: never the whole response.
            String code = UserSecretReader.errorCode(e);
            String message = Optional.ofNullable(e.awsErrorDetails()).map(d -> d.errorMessage()).orElse("");
            return new Failed(code, message == null ? "" : message, false);
        } catch (SdkException e) {
            return new Failed(e.getClass().getSimpleName(), String.valueOf(e.getMessage()), true);
        }
    }
}
