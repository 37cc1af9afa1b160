package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.service.SecretDocument;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The one reader of a user's own secret on the key owner's side, shared by {@code fetch} and {@code credentials}:
 * one Secrets Manager client (not the rotator's four, which would only slow a credential process down), one call,
 * the document read by {@link SecretDocument#heldKey}, and the owner checked. Every outcome is a value, so each
 * command words it for its own reader; none carries the secret value or the SDK's response.
 */
final class UserSecretReader {
    /**
     * The error codes with which AWS refuses the signing key itself: disabled or deleted (the JSON and query
     * protocols' names) or a secret that does not belong to the key id.
     */
    private static final Set<String> KEY_REFUSED_CODES = Set.of("UnrecognizedClientException",
            "InvalidClientTokenId", "InvalidSignatureException", "SignatureDoesNotMatch");

    sealed interface Outcome permits Read, NoSecret, NotAKeyDocument, OtherUsersKey, Refused, KeyRefused,
            Unreachable { }

    /** The secret holds this key of the expected user. */
    record Read(SecretDocument.HeldKey key) implements Outcome { }

    /** There is no such secret (or, for a caller without an identity policy, AWS may say AccessDenied instead). */
    record NoSecret() implements Outcome { }

    /** A binary secret, or a value without an access key. */
    record NotAKeyDocument() implements Outcome { }

    record OtherUsersKey(String owner) implements Outcome { }

    /** AWS answered with an error about the request, for example AccessDeniedException. */
    record Refused(String errorCode, String message) implements Outcome { }

    /** AWS does not accept the key the request was signed with: it was disabled or deleted. */
    record KeyRefused(String errorCode, String message) implements Outcome { }

    /** No answer from AWS, or no credentials to sign with. */
    record Unreachable(String message) implements Outcome { }

    /** How long and how often to try: a person's fetch waits longer than a process an SDK blocks on. */
    record Patience(Duration connectTimeout, Duration socketTimeout, Duration callTimeout, RetryStrategy retries) { }

    private UserSecretReader() {}

    static Outcome read(String secretId, String expectedUser, Region region, Optional<URI> endpoint,
                        AwsCredentialsProvider credentials, Patience patience) {
        String secretString;
        try (SecretsManagerClient client = client(region, endpoint, credentials, patience)) {
            secretString = client.getSecretValue(r -> r.secretId(secretId)).secretString();
        } catch (ResourceNotFoundException e) {
            return new NoSecret();
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
            String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
            return KEY_REFUSED_CODES.contains(code) ? new KeyRefused(code, message) : new Refused(code, message);
        } catch (SdkClientException e) {
            return new Unreachable(e.getMessage());
        }
        Optional<SecretDocument.HeldKey> held = SecretDocument.heldKey(secretString);
        if (held.isEmpty()) {
            return new NotAKeyDocument();
        }
        Optional<String> owner = held.get().userName();
        if (owner.isPresent() && !owner.get().equals(expectedUser)) {
            return new OtherUsersKey(owner.get());
        }
        return new Read(held.get());
    }

    /**
     * Signed with a key the caller holds (not a profile), with the short patience of a process an SDK waits on.
     * Everything the SDK needs is built here, so a caller that does not get this far loads none of it.
     */
    static Outcome readWithKey(String secretId, String expectedUser, String region, Optional<URI> endpoint,
                               SecretDocument.HeldKey key) {
        return read(secretId, expectedUser, Region.of(region), endpoint,
                StaticCredentialsProvider.create(AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey())),
                new Patience(Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(20),
                        // Two tries: one lost packet is worth a retry, an outage is not worth the caller's wait.
                        AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(2).build()));
    }

    private static SecretsManagerClient client(Region region, Optional<URI> endpoint,
                                               AwsCredentialsProvider credentials, Patience patience) {
        var builder = SecretsManagerClient.builder()
                .region(region)
                .credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(patience.connectTimeout())
                        .socketTimeout(patience.socketTimeout()))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(patience.retries())
                        .apiCallTimeout(patience.callTimeout())
                        .build());
        endpoint.ifPresent(builder::endpointOverride);
        return builder.build();
    }
}
