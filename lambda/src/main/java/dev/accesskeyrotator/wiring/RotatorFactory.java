package dev.accesskeyrotator.wiring;

import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.aws.IamDirectory;
import dev.accesskeyrotator.aws.SecretsManagerStore;
import dev.accesskeyrotator.aws.SnsNotifier;
import dev.accesskeyrotator.aws.SsmParameterSource;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.RotationService;
import dev.accesskeyrotator.status.StatusView;

import java.time.Clock;

/**
 * Wires the run and the status view to the SDK-backed adapters: the one place that knows both sides, so neither side
 * knows the other.
 */
public final class RotatorFactory {
    private RotatorFactory() {}

    public static RotationService create(RotatorSettings settings, AwsClients clients, Clock clock, JsonLog log) {
        return create(settings, clients, clock, log, pause -> Thread.sleep(pause.toMillis()));
    }

    public static RotationService create(RotatorSettings settings, AwsClients clients, Clock clock, JsonLog log,
                                         IamDirectory.Sleeper reportPollSleeper) {
        return new RotationService(settings, clients.region().id(),
                new SsmParameterSource(clients.ssm()),
                new IamDirectory(clients.iam(), reportPollSleeper),
                new SecretsManagerStore(clients.secretsManager()),
                new SnsNotifier(clients::sns, settings.noticeTopicArn()),
                clock, log);
    }

    /** The read-only status view: IAM, Parameter Store and Secrets Manager metadata; SNS is never built. */
    public static StatusView statusView(RotatorSettings settings, AwsClients clients, Clock clock) {
        return new StatusView(settings, new SsmParameterSource(clients.ssm()),
                new IamDirectory(clients.iam(), pause -> Thread.sleep(pause.toMillis())),
                new SecretsManagerStore(clients.secretsManager()), clock);
    }
}
