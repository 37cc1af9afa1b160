package dev.accesskeyrotator.localstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.testing.SignedJsonCalls;

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
 * queue. The project has no SQS client dependency: the rotator never uses SQS, only these tests do, so the calls are
 * made over SQS's JSON protocol with the SDK's own SigV4 signer and HTTP client ({@link SignedJsonCalls}).
 */
public final class SqsQueues implements AutoCloseable {

    /** An SNS notification as SQS received it (not raw delivery: the SNS JSON envelope). */
    public record Notification(String subject, String message, Map<String, String> attributes) {
        public Optional<String> attribute(String name) {
            return Optional.ofNullable(attributes.get(name));
        }
    }

    public record Queue(String url, String arn) { }

    private final SignedJsonCalls calls;

    public SqsQueues(URI endpoint, String region, String accessKeyId, String secretAccessKey) {
        this.calls = new SignedJsonCalls(endpoint, region, accessKeyId, secretAccessKey);
    }

    public Queue create(String name) {
        ObjectNode request = JsonLog.mapper().createObjectNode().put("QueueName", name);
        String url = call("CreateQueue", request).path("QueueUrl").asText();
        ObjectNode attributes = JsonLog.mapper().createObjectNode().put("QueueUrl", url);
        attributes.putArray("AttributeNames").add("QueueArn");
        String arn = call("GetQueueAttributes", attributes).path("Attributes").path("QueueArn").asText();
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
        ObjectNode request = JsonLog.mapper().createObjectNode()
                .put("QueueUrl", queue.url())
                .put("MaxNumberOfMessages", 10)
                .put("WaitTimeSeconds", waitSeconds);
        List<Notification> notifications = new ArrayList<>();
        for (JsonNode message : call("ReceiveMessage", request).path("Messages")) {
            notifications.add(parseEnvelope(message.path("Body").asText()));
            call("DeleteMessage", JsonLog.mapper().createObjectNode().put("QueueUrl", queue.url())
                    .put("ReceiptHandle", message.path("ReceiptHandle").asText()));
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

    private JsonNode call(String operation, ObjectNode request) {
        return calls.call(SignedJsonCalls.Service.SQS, operation, request);
    }

    @Override
    public void close() {
        calls.close();
    }
}
