package dev.accesskeyrotator.service;

import dev.accesskeyrotator.contract.Parameter;
import dev.accesskeyrotator.config.RotationConfig;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.domain.Finding;
import dev.accesskeyrotator.domain.RotationRules;
import dev.accesskeyrotator.domain.Step;
import dev.accesskeyrotator.domain.UserPlan;
import dev.accesskeyrotator.domain.UserState;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.AwsFailure;
import dev.accesskeyrotator.port.IdentityDirectory;
import dev.accesskeyrotator.port.IdentityDirectory.DirectoryUser;
import dev.accesskeyrotator.port.Notifier;
import dev.accesskeyrotator.port.SecretStore;
import dev.accesskeyrotator.port.SecretStore.SecretSummary;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One user per call: reads its state, asks the rules for a plan, then either renders the plan (dry run) or hands it
 * to a {@link StepExecutor}. Everything that can go wrong for this user becomes the user's outcome; only JVM errors
 * escape, as they would end the process anyway.
 */
final class UserRotator {

    /** Admits or refuses a rotation: the per-run blast-radius cap. */
    interface RotationBudget {
        boolean tryAcquire();
    }

    private final RotatorSettings settings;
    private final RotationConfig config;
    private final RotationRules rules;
    private final UserStateReader reader;
    private final RotationProtocol protocol;
    private final SecretStore secrets;
    private final Notifier notifier;
    private final NoticeComposer notices;
    private final NoticeLedger ledger;
    private final Clock clock;
    private final JsonLog log;

    UserRotator(RotatorSettings settings, RotationConfig config, IdentityDirectory iam, SecretStore secrets,
                Notifier notifier, NoticeComposer notices, SecretOwnership ownership, NoticeLedger ledger,
                Clock clock, JsonLog log) {
        this.settings = settings;
        this.config = config;
        this.rules = new RotationRules(config);
        this.reader = new UserStateReader(iam, secrets, ownership, config);
        this.protocol = new RotationProtocol(settings, iam, secrets, clock, log);
        this.ledger = ledger;
        this.secrets = secrets;
        this.notifier = notifier;
        this.notices = notices;
        this.clock = clock;
        this.log = log;
    }

    UserResult process(DirectoryUser user, Optional<SecretSummary> secret, RotationBudget budget) {
        String secretName = settings.secretNamePrefix() + user.userName();
        UserState state;
        UserPlan plan;
        try {
            Instant now = clock.instant();
            state = reader.read(user, secret, secretName, ledger.recordFor(user.userName()), now);
            plan = rules.decide(state, now);
        } catch (AwsFailure failure) {
            return UserResult.of(user.userName(), FailureClassifier.outcomeOf(failure),
                    FailureClassifier.reasonFor(failure));
        }
        if (plan.rotation().isPresent() && !budget.tryAcquire()) {
            plan = plan.withoutRotation(Finding.deferred(Parameter.MAX_ROTATIONS_PER_RUN.parameterName() + " ("
                    + config.maxRotationsPerRun() + ") reached; rotated in a later run"));
        }
        if (config.dryRun()) {
            return planned(plan, reader.valueNotRead(user.userName()));
        }
        return new StepExecutor(state, plan, config, protocol, secrets, notifier, notices, secretName, ledger, clock,
                log).run();
    }

    /** A dry run's line: what would be done, and the findings; nothing is changed. */
    static final String VALUE_NOT_READ = "secret value not read (this identity may not read it): planned from the"
            + " secret's tags";

    /** @param valueNotRead the plan rests on the secret's tags; the line says so, the reader may not trust it */
    private static UserResult planned(UserPlan plan, boolean valueNotRead) {
        Outcome outcome = plan.changesNothing() ? Outcome.UNCHANGED : Outcome.PLANNED;
        for (Finding finding : plan.findings()) {
            outcome = outcome.mostUrgent(finding.outcome());
        }
        String action = plan.changesNothing() ? null
                : "would " + String.join("; ", plan.steps().stream().map(Step::describe).toList());
        String oldKey = plan.rotation().map(Step.Rotate::replacedKeyId).orElse(null);
        String reasons = UserReportLine.reasons(plan.findings(), List.of());
        if (valueNotRead) {
            reasons = reasons == null || reasons.isEmpty() ? VALUE_NOT_READ : VALUE_NOT_READ + "; " + reasons;
        }
        return new UserResult(plan.userName(), outcome, action, oldKey, null, reasons, UserResult.Effects.NONE);
    }
}
