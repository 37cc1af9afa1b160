package dev.accesskeyrotator.bench;

import dev.accesskeyrotator.localaws.Calls;
import dev.accesskeyrotator.localaws.LocalAws;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The AWS calls a run spent on the users it rotated, by operation: every call that names the user (IAM's
 * {@code UserName}) or one of its keys, the user's secret (Secrets Manager's {@code SecretId} or {@code Name}), and the notices published
 * for the user (SNS's {@code user_name} attribute). Bulk calls (users, the credential report, the secret listing,
 * the parameters, the notice ledger, the run summary) serve every user and are counted in the run's total only.
 */
record RotationCost(int rotations, Map<String, Long> calls) {

    long total() {
        return calls.values().stream().mapToLong(Long::longValue).sum();
    }

    double perRotation() {
        return rotations == 0 ? 0 : (double) total() / rotations;
    }

    static RotationCost of(LocalAws aws, Collection<String> rotatedUsers, String secretPrefix) {
        return of(aws, rotatedUsers, secretPrefix, 0);
    }

    /** @param publishedBefore notices published before the calls were reset, which belong to earlier runs */
    static RotationCost of(LocalAws aws, Collection<String> rotatedUsers, String secretPrefix, int publishedBefore) {
        Set<String> users = Set.copyOf(rotatedUsers);
        // GetAccessKeyLastUsed names only the key: a key belongs to the users it is listed for, or named with.
        Set<String> keysOfUsers = new java.util.HashSet<>();
        users.forEach(user -> aws.iam().keys(user).forEach(key -> keysOfUsers.add(key.id())));
        aws.calls().all().stream().filter(call -> call.param("UserName").filter(users::contains).isPresent())
                .forEach(call -> call.param("AccessKeyId").ifPresent(keysOfUsers::add));
        Map<String, Long> calls = new TreeMap<>();
        for (Calls.Call call : aws.calls().all()) {
            if (call.service().equals("sns")) {
                continue;
            }
            if (call.param("UserName").filter(users::contains).isPresent()
                    || call.param("AccessKeyId").filter(keysOfUsers::contains).isPresent()
                    || secretOf(call, secretPrefix).filter(users::contains).isPresent()) {
                calls.merge(call.key(), 1L, Long::sum);
            }
        }
        long notices = aws.sns().published().stream().skip(publishedBefore)
                .filter(m -> m.attribute("user_name").filter(users::contains).isPresent()).count();
        if (notices > 0) {
            calls.put("sns:Publish", notices);
        }
        return new RotationCost(users.size(), calls);
    }

    /** The user whose secret a call names: by name, or by ARN (the name, then '-' and six characters). */
    private static java.util.Optional<String> secretOf(Calls.Call call, String secretPrefix) {
        Pattern secret = Pattern.compile("(?:^|:secret:)" + Pattern.quote(secretPrefix) + "(.+?)(?:-[A-Za-z0-9]{6})?$");
        return call.param("SecretId").or(() -> call.param("Name")).map(secret::matcher)
                .filter(java.util.regex.Matcher::find).map(m -> m.group(1));
    }
}
