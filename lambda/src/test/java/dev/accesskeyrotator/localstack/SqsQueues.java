package dev.accesskeyrotator.localstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.accesskeyrotator.log.JsonLog;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Just enough SQS (CreateQueue, GetQueueAttributes, ReceiveMessage, DeleteMessage) to read what SNS delivered to a
 * queue. The project has no SQS client dependency: the rotator never uses SQS, only these tests do, so the calls are
 * made over SQS's JSON protocol with the SDK's own SigV4 signer and HTTP client.
 */
final class SqsQueues implements AutoCloseable {

    /** An SNS notification as SQS received it (not raw delivery: the SNS JSON envelope). */
    record Notification(String subject, String message, Map<String, String> attributes) {
        Optional<String> attribute(String name) {
            return Optional.ofNullable(attributes.get(name));
        }
    }

    record Queue(String url, String arn) { }

    private final URI endpoint;
    private final String region;
    private final AwsCredentialsIdentity credentials;
    private final SdkHttpClient http = UrlConnectionHttpClient.builder().build();
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    SqsQueues(URI endpoint, String region, String accessKeyId, String secretAccessKey) {
        this.endpoint = endpoint;
        this.region = region;
        this.credentials = AwsCredentialsIdentity.create(accessKeyId, secretAccessKey);
    }

    Queue create(String name) {
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
    List<Notification> drain(Queue queue, int expected, Duration timeout, Duration settle) {
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
        String body = request.toString();
        SdkHttpRequest unsigned = SdkHttpRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(endpoint)
                .putHeader("Content-Type", "application/x-amz-json-1.0")
                .putHeader("X-Amz-Target", "AmazonSQS." + operation)
                .build();
        SignedRequest signed = signer.sign(r -> r.identity(credentials)
                .request(unsigned)
                .payload(ContentStreamProvider.fromUtf8String(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "sqs")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region));
        try {
            HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder()
                    .request(signed.request())
                    .contentStreamProvider(signed.payload().orElse(null))
                    .build()).call();
            String text;
            try (InputStream in = response.responseBody().map(InputStream.class::cast)
                    .orElse(InputStream.nullInputStream())) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!response.httpResponse().isSuccessful()) {
                throw new IllegalStateException("SQS " + operation + " failed with HTTP "
                        + response.httpResponse().statusCode() + ": " + text);
            }
            return text.isBlank() ? JsonLog.mapper().createObjectNode() : JsonLog.mapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("SQS " + operation + " failed", e);
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
