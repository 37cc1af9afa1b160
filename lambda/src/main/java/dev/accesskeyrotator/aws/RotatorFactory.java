package dev.accesskeyrotator.aws;

import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.RotationService;
import dev.accesskeyrotator.status.StatusView;

import java.time.Clock;

/** Wires the service to SDK-backed adapters; the one place that knows both sides. */
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
