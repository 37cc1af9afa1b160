package dev.accesskeyrotator.service;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * What the handler returns and logs: the configuration used, counts, and every user's outcome.
 *
 * @param discovery how users were triaged: {@code credential-report} or {@code per-user}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunReport(String runId, boolean dryRun, String startedAt, String finishedAt, String discovery,
                        Map<String, Object> configuration, List<String> defaultedParameters,
                        Map<String, Integer> counts, List<UserResult> users) {

    public int count(ReportCount count) {
        return counts.getOrDefault(count.key(), 0);
    }

    /** @throws IllegalArgumentException for a name that is no count */
    public int count(String name) {
        return count(ReportCount.ofKey(name));
    }
}
