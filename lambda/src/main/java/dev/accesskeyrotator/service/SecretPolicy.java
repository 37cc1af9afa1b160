package dev.accesskeyrotator.service;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.accesskeyrotator.log.JsonLog;

import java.util.List;

/**
 * The resource policy of a user secret: its owner may read it, and nobody but the rotator (and the administrators'
 * break-glass principal) may change its value, policy, KMS key, tags or existence. Re-applied before every write.
 */
final class SecretPolicy {
    /**
     * Every Secrets Manager action that changes what a secret holds, who can read it, how it is encrypted, whether
     * it exists, or the tags the rotator keeps on it.
     */
    static final List<String> CHANGE_ACTIONS = List.of(
            "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecret", "secretsmanager:UpdateSecretVersionStage",
            "secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy", "secretsmanager:DeleteSecret",
            "secretsmanager:RestoreSecret", "secretsmanager:RotateSecret", "secretsmanager:CancelRotateSecret",
            "secretsmanager:ReplicateSecretToRegions", "secretsmanager:RemoveRegionsFromReplication",
            "secretsmanager:StopReplicationToReplica", "secretsmanager:TagResource", "secretsmanager:UntagResource");

    private SecretPolicy() {}

    /** @param writers the principals that may still change the secret: the rotator's role and the break-glass one */
    static String forUser(String userArn, List<String> writers) {
        ObjectNode policy = JsonLog.mapper().createObjectNode();
        policy.put("Version", "2012-10-17");
        ArrayNode statements = policy.putArray("Statement");

        ObjectNode ownerRead = statements.addObject();
        ownerRead.put("Sid", "OwnerReadsOwnAccessKey");
        ownerRead.put("Effect", "Allow");
        ownerRead.putObject("Principal").put("AWS", userArn);
        ArrayNode readActions = ownerRead.putArray("Action");
        readActions.add("secretsmanager:GetSecretValue");
        readActions.add("secretsmanager:DescribeSecret");
        ownerRead.put("Resource", "*");

        ObjectNode onlyRotatorChanges = statements.addObject();
        onlyRotatorChanges.put("Sid", "OnlyTheRotatorChangesTheSecret");
        onlyRotatorChanges.put("Effect", "Deny");
        onlyRotatorChanges.putObject("Principal").put("AWS", "*");
        ArrayNode changeActions = onlyRotatorChanges.putArray("Action");
        CHANGE_ACTIONS.forEach(changeActions::add);
        onlyRotatorChanges.put("Resource", "*");
        // aws:PrincipalArn is the role's ARN for any session of the role, so the rotator's own calls are never denied.
        ArrayNode exempt = onlyRotatorChanges.putObject("Condition").putObject("StringNotEquals")
                .putArray("aws:PrincipalArn");
        writers.forEach(exempt::add);
        return policy.toString();
    }
}
