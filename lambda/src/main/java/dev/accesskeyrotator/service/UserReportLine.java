package dev.accesskeyrotator.service;

import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.domain.Finding;
import dev.accesskeyrotator.port.AwsFailure;

import java.util.ArrayList;
import java.util.List;

/** What happened to one user while its plan was applied, collected for its line in the run report. */
final class UserReportLine {
    private final String userName;
    private final List<Finding> findings;
    private final List<String> actions = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private Outcome outcome = Outcome.UNCHANGED;
    private String oldKeyId;
    private String newKeyId;
    private int rotated;
    private int disabled;
    private int deleted;
    private int notices;

    UserReportLine(String userName, List<Finding> findings) {
        this.userName = userName;
        this.findings = List.copyOf(findings);
        findings.forEach(f -> record(f.outcome()));
    }

    void record(Outcome happened) {
        outcome = outcome.mostUrgent(happened);
    }

    void action(String description) {
        actions.add(description);
    }

    void problem(Outcome happened, String description) {
        record(happened);
        problems.add(description);
    }

    /** Explains a problem whose outcome is already recorded. */
    void note(String description) {
        problems.add(description);
    }

    void failed(AwsFailure failure) {
        problem(FailureClassifier.outcomeOf(failure), FailureClassifier.reasonFor(failure));
    }

    void oldKey(String keyId) {
        oldKeyId = keyId;
    }

    void newKey(String keyId) {
        newKeyId = keyId;
    }

    void rotated() {
        rotated++;
    }

    void disabled() {
        disabled++;
    }

    void deleted() {
        deleted++;
    }

    void noticeSent() {
        notices++;
    }

    Outcome outcome() {
        return outcome;
    }

    /** The owner is told of an attention cause, found by the rules or met while applying the plan. */
    boolean needsAttention() {
        return outcome == Outcome.ATTENTION || findings.stream().anyMatch(f -> f.outcome() == Outcome.ATTENTION);
    }

    /** Findings and problems, for the report and the owner's attention notice. */
    String reasons() {
        return reasons(findings, problems);
    }

    UserResult build() {
        return new UserResult(userName, outcome, actions.isEmpty() ? null : String.join("; ", actions), oldKeyId,
                newKeyId, reasons(), new UserResult.Effects(rotated, disabled, deleted, notices));
    }

    static String reasons(List<Finding> findings, List<String> problems) {
        List<String> all = new ArrayList<>(findings.stream().map(Finding::reason).toList());
        all.addAll(problems);
        return all.isEmpty() ? null : String.join("; ", all);
    }
}
