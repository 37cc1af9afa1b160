package dev.accesskeyrotator.service;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.accesskeyrotator.log.JsonLog;

/** The resource policy of a user secret: its owner may read it; nobody else gains anything from it. */
final class SecretPolicy {
    private SecretPolicy() {}

    static String ownerRead(String userArn) {
        ObjectNode policy = JsonLog.mapper().createObjectNode();
        policy.put("Version", "2012-10-17");
        ObjectNode statement = policy.putArray("Statement").addObject();
        statement.put("Sid", "OwnerReadsOwnAccessKey");
        statement.put("Effect", "Allow");
        statement.putObject("Principal").put("AWS", userArn);
        ArrayNode actions = statement.putArray("Action");
        actions.add("secretsmanager:GetSecretValue");
        actions.add("secretsmanager:DescribeSecret");
        statement.put("Resource", "*");
        return policy.toString();
    }
}
