package dev.accesskeyrotator.localaws;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every request the endpoint received, in arrival order, including the ones a fault rule failed: a throttled call
 * that the SDK retried once counts twice, which is what lets tests assert on retries.
 */
public final class Calls {

    /**
     * Request parameters worth asserting on ("was user X ever looked at?"). Only these are kept so that recording
     * stays cheap and so that secret values passed in other parameters never end up in test logs.
     */
    static final List<String> RECORDED_PARAMETERS =
            List.of("UserName", "AccessKeyId", "SecretId", "Name", "TopicArn");

    /**
     * One received request: its operation, the {@link #RECORDED_PARAMETERS} it carried and the access key id it was
     * signed with (from SigV4's {@code Credential=AKID/...}; empty for an unsigned request). The endpoint accepts any
     * signature, so this is what tells which credentials a caller used; {@code accountId} is the account those
     * credentials act in.
     */
    public record Call(String service, String operation, Map<String, String> params, Optional<String> signingKeyId,
                       String accountId) {
        public Optional<String> param(String name) {
            return Optional.ofNullable(params.get(name));
        }

        public String key() {
            return service + ":" + operation;
        }
    }

    private final List<Call> log = new ArrayList<>();
    private final Map<String, Long> counts = new HashMap<>();

    void record(AwsRequest request, String accountId) {
        Map<String, String> selected = new LinkedHashMap<>();
        for (String name : RECORDED_PARAMETERS) {
            request.text(name).ifPresent(value -> selected.put(name, value));
        }
        Call call = new Call(request.service(), request.operation(), Map.copyOf(selected),
                WireFormat.signingAccessKeyId(request.headers()), accountId);
        synchronized (log) {
            log.add(call);
            counts.merge(call.key(), 1L, Long::sum);
        }
    }

    /** Requests received for one operation, e.g. {@code count("iam", "ListAccessKeys")}. */
    public long count(String service, String operation) {
        synchronized (log) {
            return counts.getOrDefault(service + ":" + operation, 0L);
        }
    }

    public long total() {
        synchronized (log) {
            return log.size();
        }
    }

    /** Counts keyed by {@code service:Operation}, e.g. {@code iam:ListAccessKeys}, sorted by key. */
    public Map<String, Long> snapshot() {
        synchronized (log) {
            return new TreeMap<>(counts);
        }
    }

    /** All requests so far, oldest first. */
    public List<Call> all() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    /** Requests whose {@code UserName} parameter was {@code userName}: empty means the user was never touched by name. */
    public List<Call> forUser(String userName) {
        return all().stream().filter(call -> call.param("UserName").filter(userName::equals).isPresent()).toList();
    }

    /** Requests that acted in one account, oldest first. */
    public List<Call> inAccount(String accountId) {
        return all().stream().filter(call -> call.accountId().equals(accountId)).toList();
    }

    public void reset() {
        synchronized (log) {
            log.clear();
            counts.clear();
        }
    }
}
