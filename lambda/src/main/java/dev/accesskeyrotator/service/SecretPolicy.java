package dev.accesskeyrotator.service;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.accesskeyrotator.config.SecretPrincipals;
import dev.accesskeyrotator.log.JsonLog;

import java.util.List;

/**
 * The resource policy of a user secret: its owner (and the roles an administrator named for that user at deploy
 * time) may read it, and nobody but the rotator (and the administrators' break-glass principal) may change its value,
 * policy, KMS key, tags or existence. Re-applied before every write.
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

    /**
     * What a reader of a user secret may do: its value and metadata, and the KMS keys of each version, with which
     * the key owner's tools prove a secret is the rotator's before they use it (a re-keyed value shows there).
     */
    static final List<String> READ_ACTIONS = List.of("secretsmanager:GetSecretValue",
            "secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds");

    private SecretPolicy() {}

    /**
     * @param principals the principals that may still change the secret (the rotator's role and the break-glass one),
     *                   with the readers an administrator named at deploy time for each user
     */
    static String forUser(String userArn, SecretPrincipals principals) {
        ObjectNode policy = JsonLog.mapper().createObjectNode();
        policy.put("Version", "2012-10-17");
        ArrayNode statements = policy.putArray("Statement");
        ownerRead(statements, userArn);
        delegatedRead(statements, principals.readersOf(userNameOf(userArn)));
        onlyRotatorChanges(statements, principals.writers());
        noReplicas(statements);
        return policy.toString();
    }

    /**
     * A replica lives in another region under a KMS key chosen when it is added, which need not be the stack's; so
     * no one adds one, the break-glass principal included. The function never replicates either, so it is not
     * spared: a Deny that spares no one cannot be sidestepped by running as the function. (Replication is within the
     * account: Secrets Manager has no cross-account replica.)
     */
    private static void noReplicas(ArrayNode statements) {
        ObjectNode deny = statements.addObject();
        deny.put("Sid", "NoOneReplicatesTheSecret");
        deny.put("Effect", "Deny");
        deny.putObject("Principal").put("AWS", "*");
        deny.put("Action", "secretsmanager:ReplicateSecretToRegions");
        deny.put("Resource", "*");
    }

    /**
     * Read access for the roles named for this user only. Without a matching statement in the stack's key policy
     * they could not decrypt; with it, the secret policy is what still limits them to this one secret.
     */
    private static void delegatedRead(ArrayNode statements, List<String> readers) {
        if (readers.isEmpty()) {
            return;
        }
        ObjectNode read = statements.addObject();
        read.put("Sid", "DelegatedReadersReadAccessKey");
        read.put("Effect", "Allow");
        ArrayNode roles = read.putObject("Principal").putArray("AWS");
        readers.forEach(roles::add);
        ArrayNode readActions = read.putArray("Action");
        READ_ACTIONS.forEach(readActions::add);
        read.put("Resource", "*");
    }

    /** An IAM user ARN ends with the user name after its path; a user name cannot contain '/'. */
    static String userNameOf(String userArn) {
        return userArn.substring(userArn.lastIndexOf('/') + 1);
    }

    /** A secret of the rotator's own that no user reads (its notice records). */
    static String forRotatorOnly(List<String> writers) {
        ObjectNode policy = JsonLog.mapper().createObjectNode();
        policy.put("Version", "2012-10-17");
        ArrayNode statements = policy.putArray("Statement");
        onlyRotatorChanges(statements, writers);
        noReplicas(statements);
        return policy.toString();
    }

    private static void ownerRead(ArrayNode statements, String userArn) {
        ObjectNode ownerRead = statements.addObject();
        ownerRead.put("Sid", "OwnerReadsOwnAccessKey");
        ownerRead.put("Effect", "Allow");
        ownerRead.putObject("Principal").put("AWS", userArn);
        ArrayNode readActions = ownerRead.putArray("Action");
        READ_ACTIONS.forEach(readActions::add);
        ownerRead.put("Resource", "*");
    }

    private static void onlyRotatorChanges(ArrayNode statements, List<String> writers) {
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
    }
}
