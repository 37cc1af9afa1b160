package dev.accesskeyrotator.lambda;

import dev.accesskeyrotator.contract.EnvironmentVariable;
import dev.accesskeyrotator.aws.AwsClients;
import dev.accesskeyrotator.wiring.RotatorFactory;
import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.RotationService;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * What a restored SnapStart function feels on its first invocation, approximated in a fresh JVM: build the
 * clients as the handler's constructor does, optionally prime, then time the first real run and count the classes
 * it still had to load. Started by the benchmark as {@code java -cp <test classpath> ... <endpoint> <topic> primed|cold}.
 */
public final class FirstRunProbe {
    private FirstRunProbe() {}

    public static void main(String[] args) {
        URI endpoint = URI.create(args[0]);
        String topic = args[1];
        boolean primed = args[2].equals("primed");
        AwsClients clients = new AwsClients(new AwsClients.Options(Region.US_EAST_1, Optional.of(endpoint),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")), List.of(),
                AwsClients.defaultRetryStrategy()));
        RotatorSettings settings = new RotatorSettings(EnvironmentVariable.DEFAULT_PARAMETER_PREFIX,
                EnvironmentVariable.DEFAULT_SECRET_NAME_PREFIX, topic,
                Optional.of("arn:aws:kms:us-east-1:123456789012:key/probe"), "probe", 4, Optional.empty(),
                Optional.of("arn:aws:iam::123456789012:role/probe"), Optional.empty());
        RotationService service = RotatorFactory.create(settings, clients, Clock.systemUTC(),
                new JsonLog(line -> { }, Clock.systemUTC()));
        if (primed) {
            Priming.prime(clients, settings, Clock.systemUTC());
        }
        var classLoading = ManagementFactory.getClassLoadingMXBean();
        long classesBefore = classLoading.getTotalLoadedClassCount();
        long start = System.nanoTime();
        var report = service.run(RotationService.RunRequest.normal());
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("{\"millis\":" + millis + ",\"classesLoaded\":"
                + (classLoading.getTotalLoadedClassCount() - classesBefore) + ",\"rotated\":" + report.count("rotated")
                + "}");
        clients.close();
    }
}
