package dev.accesskeyrotator.infra;

import software.amazon.awscdk.App;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.AnyPrincipal;
import software.amazon.awscdk.services.iam.ArnPrincipal;
import software.amazon.awscdk.services.iam.IPrincipal;
import software.amazon.awscdk.services.iam.PolicyDocument;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Key policies of the stack's two KMS keys.
 *
 * <p>Neither key delegates use to IAM: the account may administer the keys (so they never become unmanageable and
 * CloudFormation can update them) but the key policy alone names who may encrypt and decrypt. An identity policy
 * granting {@code kms:Decrypt} on {@code *} (AdministratorAccess, say) therefore does not open the user secrets;
 * reading one would first need a visible, logged key policy change.
 */
final class KeyPolicies {
    /** Administration only, no cryptographic use; listed one by one because the stack has no wildcard actions. */
    static final List<String> KEY_ADMINISTRATION_ACTIONS = List.of(
            "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:DescribeKey", "kms:DisableKey",
            "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation", "kms:GetKeyPolicy",
            "kms:GetKeyRotationStatus", "kms:ListGrants", "kms:ListKeyPolicies", "kms:ListKeyRotations",
            "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:RevokeGrant", "kms:RotateKeyOnDemand",
            "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias",
            "kms:UpdateKeyDescription");

    static final String SECRETS_MANAGER_SERVICE = "secretsmanager." + Aws.REGION + ".amazonaws.com";
    static final String SNS_SERVICE = "sns." + Aws.REGION + ".amazonaws.com";

    private KeyPolicies() {}

    /** KMS's limit on the size of a key policy. */
    static final int MAX_KEY_POLICY_BYTES = 32_768;

    /**
     * The user secrets key: the rotator encrypts and decrypts through Secrets Manager, only secrets under the
     * prefix; each IAM user of this account decrypts through Secrets Manager, only their own secret; and each role an
     * administrator named for a user decrypts through Secrets Manager, only that user's secret.
     *
     * @param keyAdministrators who administers the key; empty: the account (and so whoever IAM lets administer it)
     */
    static PolicyDocument userSecretsKey(IPrincipal rotatorRole, String secretNamePrefix,
                                         Map<String, List<String>> delegatedReaders, List<String> keyAdministrators) {
        return userSecretsKey(rotatorRole, "arn:" + Aws.PARTITION + ":secretsmanager:" + Aws.REGION + ":"
                        + Aws.ACCOUNT_ID + ":secret:" + secretNamePrefix, SECRETS_MANAGER_SERVICE, Aws.ACCOUNT_ID,
                administrators(keyAdministrators, new AccountRootPrincipal()), delegatedReaders,
                ReaderNaming.PRINCIPAL);
    }

    /** How a key policy names a delegated reader: as the statement's principal, or in its conditions. */
    private enum ReaderNaming { PRINCIPAL, CONDITION }

    /**
     * A member account's user secrets key (the spoke's): as the single-account one, administered by the account, but
     * with the delegated readers named in conditions rather than as principals. One spoke template serves every
     * member account, and KMS refuses a key policy whose principals do not exist; a reader role exists in one
     * account at most. Each reader statement admits a role of the key's own account only ({@code
     * aws:PrincipalAccount}), so a reader decrypts in the account its ARN names and nowhere else.
     */
    static PolicyDocument spokeUserSecretsKey(IPrincipal spokeRole, String secretNamePrefix,
                                              Map<String, List<String>> delegatedReaders) {
        return userSecretsKey(spokeRole, "arn:" + Aws.PARTITION + ":secretsmanager:" + Aws.REGION + ":"
                        + Aws.ACCOUNT_ID + ":secret:" + secretNamePrefix, SECRETS_MANAGER_SERVICE, Aws.ACCOUNT_ID,
                administrators(List.of(), new AccountRootPrincipal()), delegatedReaders, ReaderNaming.CONDITION);
    }

    /**
     * An upper bound of the deployed size of the user secrets key policy, in bytes: the policy built with the longest
     * partition, region and role name it can be deployed with instead of the stack's tokens, as compact JSON (how
     * CloudFormation hands it to KMS).
     */
    static int userSecretsKeyPolicyBytes(String secretNamePrefix, Map<String, List<String>> delegatedReaders,
                                         List<String> keyAdministrators) {
        return userSecretsKeyPolicyBytes(secretNamePrefix, delegatedReaders, keyAdministrators,
                ReaderNaming.PRINCIPAL);
    }

    /** As above, for the spoke's key policy (readers in conditions, the account administers the key). */
    static int spokeUserSecretsKeyPolicyBytes(String secretNamePrefix, Map<String, List<String>> delegatedReaders) {
        return userSecretsKeyPolicyBytes(secretNamePrefix, delegatedReaders, List.of(), ReaderNaming.CONDITION);
    }

    private static int userSecretsKeyPolicyBytes(String secretNamePrefix, Map<String, List<String>> delegatedReaders,
                                                 List<String> keyAdministrators, ReaderNaming readerNaming) {
        String partition = "aws-iso-xx-xxxxxxxx";
        String region = "xx-xxxxxxxxxxxxxxx-9";
        String account = "123456789012";
        String longestRole = "arn:" + partition + ":iam::" + account + ":role/" + "r".repeat(64);
        PolicyDocument worstCase = userSecretsKey(new ArnPrincipal(longestRole),
                "arn:" + partition + ":secretsmanager:" + region + ":" + account + ":secret:" + secretNamePrefix,
                "secretsmanager." + region + ".amazonaws.com", account,
                administrators(keyAdministrators, new ArnPrincipal("arn:" + partition + ":iam::" + account + ":root")),
                delegatedReaders, readerNaming);
        Stack scratch = new Stack(new App(), "KeyPolicySize");
        return JsonText.of(scratch.resolve(worstCase)).getBytes(StandardCharsets.UTF_8).length;
    }

    private static PolicyStatement administrators(List<String> named, IPrincipal account) {
        return named.isEmpty() ? administration("AccountAdministersKeyWithoutUsingIt", List.of(account))
                : administration("KeyAdministratorsAdministerKeyWithoutUsingIt",
                        named.stream().<IPrincipal>map(ArnPrincipal::new).toList());
    }

    private static PolicyDocument userSecretsKey(IPrincipal rotatorRole, String secretArnPrefix,
                                                 String secretsManagerService, String accountId,
                                                 PolicyStatement administration,
                                                 Map<String, List<String>> delegatedReaders,
                                                 ReaderNaming readerNaming) {
        List<PolicyStatement> statements = new ArrayList<>(List.of(
                administration,
                PolicyStatement.Builder.create()
                        .sid("RotatorEncryptsUserSecretsThroughSecretsManager")
                        .principals(List.of(rotatorRole))
                        .actions(List.of("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"))
                        .resources(List.of("*"))
                        .conditions(new TreeMap<>(Map.of(
                                "StringEquals", Map.of("kms:ViaService", secretsManagerService),
                                // Secrets Manager binds every data key to the secret's ARN.
                                "StringLike", Map.of("kms:EncryptionContext:SecretARN", secretArnPrefix + "*"))))
                        .build(),
                PolicyStatement.Builder.create()
                        .sid("UsersDecryptOnlyTheirOwnSecretThroughSecretsManager")
                        // Any principal, narrowed by the conditions to IAM users of this account: the users need no
                        // identity policy of their own to read their secret.
                        .principals(List.of(new AnyPrincipal()))
                        .actions(List.of("kms:Decrypt"))
                        .resources(List.of("*"))
                        .conditions(new TreeMap<>(Map.of(
                                "StringEquals", new TreeMap<>(Map.of(
                                        "kms:ViaService", secretsManagerService,
                                        "aws:PrincipalAccount", accountId,
                                        // ${aws:username} below is defined for IAM users only.
                                        "aws:PrincipalType", "User")),
                                // The secret is <prefix><UserName>; Secrets Manager appends '-' and six characters.
                                "StringLike", Map.of("kms:EncryptionContext:SecretARN",
                                        secretArnPrefix + "${aws:username}-??????"))))
                        .build(),
                PolicyStatement.Builder.create()
                        .sid("UsersFindTheKeyByItsAlias")
                        // What a key owner's tools need to tell the stack's key from any other: its ARN, from the alias.
                        // Metadata only; it lets no one use the key.
                        .principals(List.of(new AnyPrincipal()))
                        .actions(List.of("kms:DescribeKey"))
                        .resources(List.of("*"))
                        .conditions(Map.of("StringEquals", new TreeMap<>(Map.of(
                                "aws:PrincipalAccount", accountId, "aws:PrincipalType", "User"))))
                        .build()));
        int number = 0;
        for (Map.Entry<String, List<String>> readers : new TreeMap<>(delegatedReaders).entrySet()) {
            Map<String, Object> conditions = new TreeMap<>(Map.of(
                    "StringEquals", Map.of("kms:ViaService", secretsManagerService),
                    // Exactly this user's secret: the name, then '-' and the six characters Secrets Manager
                    // appends. A longer user name that starts with this one does not match.
                    "StringLike", Map.of("kms:EncryptionContext:SecretARN",
                            secretArnPrefix + readers.getKey() + "-??????")));
            List<IPrincipal> principals = readers.getValue().stream().<IPrincipal>map(ArnPrincipal::new).toList();
            if (readerNaming == ReaderNaming.CONDITION) {
                principals = List.of(new AnyPrincipal());
                conditions.put("StringEquals", new TreeMap<>(Map.of("kms:ViaService", secretsManagerService,
                        "aws:PrincipalAccount", accountId)));
                // aws:PrincipalArn is the role's ARN for every session of the role.
                conditions.put("ArnEquals", Map.of("aws:PrincipalArn", readers.getValue()));
            }
            statements.add(PolicyStatement.Builder.create()
                    // Sids allow letters and digits only, and user names have more: the user is in the condition.
                    .sid("DelegatedReadersDecryptOneUsersSecret" + ++number)
                    .principals(principals)
                    .actions(List.of("kms:Decrypt"))
                    .resources(List.of("*"))
                    .conditions(conditions)
                    .build());
        }
        return PolicyDocument.Builder.create().statements(statements).build();
    }

    /**
     * The topics key: the rotator publishes notices through SNS, CloudWatch publishes alarms and EventBridge
     * publishes parameter-change notices. SNS encrypts each message with a data key generated with the publisher's
     * permissions.
     */
    static PolicyDocument topicsKey(IPrincipal rotatorRole, List<String> keyAdministrators) {
        return PolicyDocument.Builder.create().statements(List.of(
                administrators(keyAdministrators, new AccountRootPrincipal()),
                PolicyStatement.Builder.create()
                        .sid("RotatorPublishesNoticesThroughSns")
                        .principals(List.of(rotatorRole))
                        .actions(List.of("kms:Decrypt", "kms:GenerateDataKey"))
                        .resources(List.of("*"))
                        .conditions(Map.of("StringEquals", Map.of("kms:ViaService", SNS_SERVICE)))
                        .build(),
                PolicyStatement.Builder.create()
                        .sid("CloudWatchPublishesAlarms")
                        .principals(List.of(new ServicePrincipal("cloudwatch.amazonaws.com")))
                        .actions(List.of("kms:Decrypt", "kms:GenerateDataKey"))
                        .resources(List.of("*"))
                        // Only for alarms of this account and region: CloudWatch must not be usable as a confused
                        // deputy by an alarm in another account that names a topic encrypted with this key.
                        .conditions(new TreeMap<>(Map.of(
                                "StringEquals", Map.of("aws:SourceAccount", Aws.ACCOUNT_ID),
                                "ArnLike", Map.of("aws:SourceArn", "arn:" + Aws.PARTITION + ":cloudwatch:"
                                        + Aws.REGION + ":" + Aws.ACCOUNT_ID + ":alarm:*"))))
                        .build(),
                PolicyStatement.Builder.create()
                        .sid(ParameterChangeNotice.SID)
                        .principals(List.of(new ServicePrincipal("events.amazonaws.com")))
                        .actions(List.of("kms:Decrypt", "kms:GenerateDataKey"))
                        .resources(List.of("*"))
                        // No aws:SourceArn/aws:SourceAccount here: SNS documents that these keys are not supported
                        // in a KMS key policy for EventBridge-to-encrypted-topic delivery, so the condition would
                        // never match and every parameter-change notice would be dropped without an error. Which
                        // rules may publish to the stack's topics is decided by the topic policies (the alarm topic
                        // admits only the stack's own rule, by aws:SourceArn). At worst a topic elsewhere that names
                        // this key has EventBridge spend this key's requests; it reaches none of the stack's messages.
                        .build()))
                .build();
    }

    /**
     * By default the account administers the key, which lets IAM decide who may: anyone whose policies allow
     * {@code kms:PutKeyPolicy} (PowerUserAccess does) could rewrite it. Named key administrators replace the account;
     * KMS then refuses a policy that would lock out the principal setting it, so they must include the role
     * CloudFormation deploys the stack with.
     */
    private static PolicyStatement administration(String sid, List<IPrincipal> administrators) {
        return PolicyStatement.Builder.create()
                .sid(sid)
                .principals(administrators)
                .actions(KEY_ADMINISTRATION_ACTIONS)
                .resources(List.of("*"))
                .build();
    }
}
