package dev.accesskeyrotator.infra;

import dev.accesskeyrotator.contract.OptInTag;
import software.amazon.awscdk.services.iam.PolicyStatement;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a role needs to rotate the keys of one account's opted-in users into their own secrets: the same for the
 * single-account function and the organization's spoke role, so the two can never drift apart.
 */
final class RotationRolePolicy {
    private RotationRolePolicy() {}

    /**
     * @param anyUser           the ARN pattern of the account's IAM users
     * @param userSecrets       the ARN pattern of the user secrets under the prefix
     * @param userSecretsKeyArn the only KMS key user secrets may be created with
     * @param keyWord           how the statement ids name that key: "Stack" or "Account"
     * @param emergencyRotation whether the role also runs emergency rotation (rev 3), which reads one named user
     *                          ({@code iam:GetUser}); the organization's spoke role does not (docs/organizations.md)
     */
    static List<PolicyStatement> rotateKeysIntoOwnedSecrets(OptInTag tag, String anyUser, String userSecrets,
                                                            String userSecretsKeyArn, String keyWord,
                                                            boolean emergencyRotation) {
        List<String> discovery = new java.util.ArrayList<>(List.of("iam:GetAccountAuthorizationDetails",
                "iam:GenerateCredentialReport", "iam:GetCredentialReport"));
        if (emergencyRotation) {
            // GetUser (rev 3, emergency rotation) reads one user's tags, which discovery reads for all users.
            discovery.add("iam:GetUser");
        }
        return List.of(
                statement("DiscoverUsersReadOnly", discovery, List.of("*")),
                PolicyStatement.Builder.create()
                        .sid("ManageKeysOfOptedInUsersOnly")
                        .actions(RotatorStack.KEY_ACTIONS)
                        .resources(List.of(anyUser))
                        .conditions(tag.value()
                                .<Map<String, Object>>map(value -> Map.of(
                                        "StringEquals", Map.of(tag.resourceTagConditionKey(), value)))
                                // A key-only opt-in tag: the user must carry the tag, with any value.
                                .orElseGet(() -> Map.of("Null", Map.of(tag.resourceTagConditionKey(), "false"))))
                        .build(),
                PolicyStatement.Builder.create()
                        .sid("CreateUserSecretsOnlyWithThe" + keyWord + "Key")
                        .actions(List.of("secretsmanager:CreateSecret"))
                        .resources(List.of(userSecrets))
                        .conditions(new TreeMap<>(Map.of(
                                "StringEquals", Map.of("secretsmanager:KmsKeyId", userSecretsKeyArn),
                                // Never with replicas: a replica is encrypted with a key of its region's choosing.
                                "Null", Map.of("secretsmanager:AddReplicaRegions", "true"))))
                        .build(),
                PolicyStatement.Builder.create()
                        .sid("ShareUserSecretsOnlyWithPublicPolicyBlocked")
                        .actions(List.of("secretsmanager:PutResourcePolicy"))
                        .resources(List.of(userSecrets))
                        .conditions(Map.of("Bool", Map.of("secretsmanager:BlockPublicPolicy", "true")))
                        .build(),
                statement("MaintainUserSecrets", List.of("secretsmanager:DescribeSecret",
                        "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue",
                        "secretsmanager:TagResource"), List.of(userSecrets)),
                statement("ListSecrets", List.of("secretsmanager:ListSecrets"), List.of("*")),
                PolicyStatement.Builder.create()
                        .sid("UseUserSecretsKeyThroughSecretsManager")
                        .actions(List.of("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"))
                        .resources(List.of(userSecretsKeyArn))
                        .conditions(Map.of("StringEquals",
                                Map.of("kms:ViaService", KeyPolicies.SECRETS_MANAGER_SERVICE)))
                        .build());
    }

    private static PolicyStatement statement(String sid, List<String> actions, List<String> resources) {
        return PolicyStatement.Builder.create().sid(sid).actions(actions).resources(resources).build();
    }
}
