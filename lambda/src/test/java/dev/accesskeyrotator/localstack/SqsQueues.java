package dev.accesskeyrotator.localstack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.accesskeyrotator.log.JsonLog;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Just enough SQS (CreateQueue, GetQueueAttributes, ReceiveMessage, DeleteMessage) to read what SNS delivered to a
 * queue, through the SDK's SQS client (a test dependency: the rotator itself never uses SQS).
 */
public final class SqsQueues implements AutoCloseable {

    /** An SNS notification as SQS received it (not raw delivery: the SNS JSON envelope). */
    public record Notification(String subject, String message, Map<String, String> attributes) {
        public Optional<String> attribute(String name) {
            return Optional.ofNullable(attributes.get(name));
        }
    }

    public record Queue(String url, String arn) { }

    private final SqsClient sqs;

    public SqsQueues(URI endpoint, String region, String accessKeyId, String secretAccessKey) {
        this.sqs = SqsClient.builder().region(Region.of(region)).endpointOverride(endpoint)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(accessKeyId, secretAccessKey))).build();
    }

    public Queue create(String name) {
        String url = sqs.createQueue(r -> r.queueName(name)).queueUrl();
        String arn = sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        return new Queue(url, arn);
    }

    /**
     * Receives and deletes notifications until {@code expected} have arrived or {@code timeout} has passed, then
     * waits {@code settle} more for any extra ones (so callers can assert "exactly").
     */
    public List<Notification> drain(Queue queue, int expected, Duration timeout, Duration settle) {
        List<Notification> received = new ArrayList<>();
        Instant deadline = Instant.now().plus(timeout);
        while (received.size() < expected && Instant.now().isBefore(deadline)) {
            received.addAll(receiveOnce(queue, 2));
        }
        Instant settled = Instant.now().plus(settle);
        while (Instant.now().isBefore(settled)) {
            received.addAll(receiveOnce(queue, 1));
        }
        return received;
    }

    /**
     * Everything in the queue now, without waiting: for an emulator that delivers SNS to SQS inside the Publish call
     * (moto), where a notice not in the queue when Publish returned was not sent.
     */
    public List<Notification> receiveAvailable(Queue queue) {
        List<Notification> received = new ArrayList<>();
        for (List<Notification> batch = receiveOnce(queue, 0); !batch.isEmpty(); batch = receiveOnce(queue, 0)) {
            received.addAll(batch);
        }
        return received;
    }

    private List<Notification> receiveOnce(Queue queue, int waitSeconds) {
        List<Notification> notifications = new ArrayList<>();
        for (Message message : sqs.receiveMessage(r -> r.queueUrl(queue.url()).maxNumberOfMessages(10)
                .waitTimeSeconds(waitSeconds)).messages()) {
            notifications.add(parseEnvelope(message.body()));
            sqs.deleteMessage(r -> r.queueUrl(queue.url()).receiptHandle(message.receiptHandle()));
        }
        return notifications;
    }

    private static Notification parseEnvelope(String body) {
        try {
            JsonNode envelope = JsonLog.mapper().readTree(body);
            Map<String, String> attributes = new java.util.LinkedHashMap<>();
            envelope.path("MessageAttributes").fields().forEachRemaining(e ->
                    attributes.put(e.getKey(), e.getValue().path("Value").asText()));
            return new Notification(envelope.path("Subject").asText(null), envelope.path("Message").asText(),
                    attributes);
        } catch (IOException e) {
            throw new UncheckedIOException("SQS message body is not an SNS envelope", e);
        }
    }

    @Override
    public void close() {
        sqs.close();
    }
}
