package dev.accesskeyrotator.service;

import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.port.AwsFailure;

/**
 * The one place that decides what an AWS failure means for a user's outcome. A failure that the next run is
 * expected to get past by itself is {@code deferred}; anything else needs a person and is {@code failed}.
 */
final class FailureClassifier {
    private FailureClassifier() {}

    static Outcome outcomeOf(AwsFailure failure) {
        return switch (failure.kind()) {
            // Still throttled after the SDK's retries: the next run finds a quieter account.
            case THROTTLED -> Outcome.DEFERRED;
            // IAM's two-key quota or a secret created meanwhile: another rotation of this user is in progress.
            case LIMIT_EXCEEDED, ALREADY_EXISTS -> Outcome.DEFERRED;
            // The user was deleted after discovery: there is nothing left to rotate.
            case NOT_FOUND -> "ListAccessKeys".equals(failure.operation()) ? Outcome.UNCHANGED : Outcome.FAILED;
            case INVALID_STATE, ACCESS_DENIED, OTHER -> Outcome.FAILED;
        };
    }

    /** The report's reason for a failure, in the words a person acts on. */
    static String reasonFor(AwsFailure failure) {
        if (failure.is(AwsFailure.Kind.NOT_FOUND) && "ListAccessKeys".equals(failure.operation())) {
            return "user was deleted during the run";
        }
        if (failure.is(AwsFailure.Kind.THROTTLED)) {
            return "throttled by AWS; checked again next run (" + failure.getMessage() + ")";
        }
        if (failure.is(AwsFailure.Kind.LIMIT_EXCEEDED)) {
            return "IAM reports two keys already: another rotation may be in progress; checked again next run";
        }
        return failure.getMessage();
    }
}
