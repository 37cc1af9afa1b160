package dev.accesskeyrotator.domain;

import java.util.List;
import java.util.Optional;

/**
 * What the rules decided for one user: changes to apply in order, and findings to report.
 *
 * @param maxKeyAgeDays the threshold that applied to this user (the override tag, or the configured one)
 */
public record UserPlan(String userName, List<Step> steps, List<Finding> findings, int maxKeyAgeDays) {

    public UserPlan {
        steps = List.copyOf(steps);
        findings = List.copyOf(findings);
    }

    public boolean changesNothing() {
        return steps.isEmpty();
    }

    public Optional<Step.Rotate> rotation() {
        return steps.stream().filter(Step.Rotate.class::isInstance).map(Step.Rotate.class::cast).findFirst();
    }

    /** The same plan without its rotation, for a user past the per-run rotation cap. */
    public UserPlan withoutRotation(Finding why) {
        List<Step> kept = steps.stream().filter(s -> !(s instanceof Step.Rotate)
                && !(s instanceof Step.DeleteInactiveKeyForRoom)).toList();
        List<Finding> withWhy = new java.util.ArrayList<>(findings);
        withWhy.add(why);
        return new UserPlan(userName, kept, withWhy, maxKeyAgeDays);
    }
}
