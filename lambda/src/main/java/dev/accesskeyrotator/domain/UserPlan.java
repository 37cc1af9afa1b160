package dev.accesskeyrotator.domain;

import java.util.List;
import java.util.Optional;

/**
 * What the rules decided for one user: changes to apply in order, and findings to report.
 *
 * @param maxKeyAgeDays the threshold that applied to this user (the override tag, or the configured one)
 * @param owedNotice    the notice for the current key that the rotation's own notice replaces; sent instead when the
 *                      rotation is taken out of the plan
 */
public record UserPlan(String userName, List<Step> steps, List<Finding> findings, int maxKeyAgeDays,
                       Optional<Step.SendPendingNotice> owedNotice) {

    public UserPlan(String userName, List<Step> steps, List<Finding> findings, int maxKeyAgeDays) {
        this(userName, steps, findings, maxKeyAgeDays, Optional.empty());
    }

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
        List<Step> kept = new java.util.ArrayList<>();
        owedNotice.ifPresent(kept::add);
        steps.stream().filter(s -> !(s instanceof Step.Rotate) && !(s instanceof Step.DeleteInactiveKeyForRoom))
                .forEach(kept::add);
        List<Finding> withWhy = new java.util.ArrayList<>(findings);
        withWhy.add(why);
        return new UserPlan(userName, kept, withWhy, maxKeyAgeDays, Optional.empty());
    }
}
