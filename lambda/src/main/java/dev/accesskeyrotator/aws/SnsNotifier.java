package dev.accesskeyrotator.aws;

import dev.accesskeyrotator.port.Notifier;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;

import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** SNS through SDK v2: one topic; message attributes let owners and admins filter. */
public final class SnsNotifier implements Notifier {
    private final Supplier<SnsClient> sns;
    private final String topicArn;

    public SnsNotifier(SnsClient sns, String topicArn) {
        this(() -> sns, topicArn);
    }

    /** The client is asked for at the first notice: a dry run publishes none and never builds it. */
    public SnsNotifier(Supplier<SnsClient> sns, String topicArn) {
        this.sns = sns;
        this.topicArn = topicArn;
    }

    @Override
    public void publish(Notice notice) {
        Map<String, MessageAttributeValue> attributes = notice.attributes().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> MessageAttributeValue.builder()
                        .dataType("String").stringValue(e.getValue()).build()));
        AwsCalls.run("Publish", () -> sns.get().publish(r -> r.topicArn(topicArn).subject(notice.subject())
                .message(notice.message()).messageAttributes(attributes)));
    }
}
