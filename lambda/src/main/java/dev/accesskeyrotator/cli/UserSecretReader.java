package dev.accesskeyrotator.cli;

import dev.accesskeyrotator.service.SecretDocument;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretVersionIdsResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretVersionsListEntry;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The one reader of a user's own secret on the key owner's side, shared by {@code fetch} and {@code credentials}:
 * one Secrets Manager client (not the rotator's four, which would only slow a credential process down), the secret
 * proven the rotator's ({@link OwnedSecretCheck}) before its value is read, the document read by
 * {@link SecretDocument#heldKey} and its values checked ({@link KeyValues}). Every outcome is a value, so each command
 * words it for its own reader; none carries the secret value or the SDK's response.
 */
final class UserSecretReader {
    /**
     * The error codes with which AWS refuses the signing key itself: disabled or deleted (the JSON and query
     * protocols' names) or a secret that does not belong to the key id.
     */
    private static final String AWSCURRENT = "AWSCURRENT";

    private static final Set<String> KEY_REFUSED_CODES = Set.of("UnrecognizedClientException",
            "InvalidClientTokenId", "InvalidSignatureException", "SignatureDoesNotMatch");

    sealed interface Outcome permits Read, NoSecret, NotTrusted, Refused, KeyRefused, Unreachable { }

    /** The secret is the rotator's own for the expected user, and holds this well-formed key of that user. */
    record Read(SecretDocument.HeldKey key, OwnedSecretCheck.StackKey stackKey) implements Outcome { }

    /** There is no such secret (or, for a caller without an identity policy, AWS may say AccessDenied instead). */
    record NoSecret() implements Outcome { }

    /**
     * Nothing in the secret may be used: it is not proven to be the rotator's secret of this user (another KMS key,
     * a re-keyed value, no marks, the stack's key not found), or its value is not a well-formed key of this user.
     * The reason is one line that quotes no value.
     */
    record NotTrusted(String reason) implements Outcome { }

    /** AWS answered with an error about the request, for example AccessDeniedException. */
    record Refused(String errorCode, String message) implements Outcome { }

    /** AWS does not accept the key the request was signed with: it was disabled or deleted. */
    record KeyRefused(String errorCode, String message) implements Outcome { }

    /** No answer from AWS, or no credentials to sign with. */
    record Unreachable(String message) implements Outcome { }

    /** How long and how often to try: a person's fetch waits longer than a process an SDK blocks on. */
    /**
     * How long the owner's tools wait, and how they retry. The retry strategy is made anew for every client: an adaptive
     * strategy holds a rate-limiting token bucket that its client closes with it, so one strategy shared by clients
     * fails the others' calls once the first is closed ("Rate limiter bucket is closed").
     */
    record Patience(Duration connectTimeout, Duration socketTimeout, Duration callTimeout,
                    Supplier<RetryStrategy> retries) { }

    /** Where the stack's key comes from: pinned when the machine was set up, or looked up by the stack's alias. */
    sealed interface StackKeySource permits Pinned, ByAlias { }

    record Pinned(OwnedSecretCheck.StackKey key) implements StackKeySource { }

    record ByAlias(String alias) implements StackKeySource { }

    private UserSecretReader() {}

    /**
     * Proves the secret is the rotator's before reading its value: DescribeSecret (its KMS key and marks), the
     * stack's key, ListSecretVersionIds (the keys of the current version), then GetSecretValue of exactly that
     * version by the secret's ARN, so that a secret swapped or re-keyed meanwhile is not the one read.
     */
    static Outcome read(String secretId, String expectedUser, StackKeySource source, Region region,
                        Optional<URI> endpoint, AwsCredentialsProvider credentials, Patience patience) {
        try (SecretsManagerClient client = ownerClient(SecretsManagerClient.builder(), region, endpoint, credentials,
                patience)) {
            DescribeSecretResponse described = client.describeSecret(r -> r.secretId(secretId));
            OwnedSecretCheck.Metadata metadata = metadata(described);

            OwnedSecretCheck.StackKey stackKey;
            if (source instanceof Pinned pinned) {
                stackKey = pinned.key();
            } else {
                String alias = ((ByAlias) source).alias();
                StackKeyLookup.Outcome found = StackKeyLookup.describe(alias, region, endpoint, credentials, patience);
                if (found instanceof StackKeyLookup.Failed failed) {
                    if (failed.unreachable()) {
                        return new Unreachable(failed.message());
                    }
                    if (KEY_REFUSED_CODES.contains(failed.errorCode())) {
                        return new KeyRefused(failed.errorCode(), failed.message());
                    }
                    return new NotTrusted("cannot find the rotator's KMS key by its alias " + alias + " ("
                            + failed.errorCode() + ": " + CliAws.firstLine(failed.message()) + ")");
                }
                stackKey = ((StackKeyLookup.Found) found).key();
            }

            Optional<String> notOwned = OwnedSecretCheck.whyNotOwned(stackKey, metadata, expectedUser);
            if (notOwned.isPresent()) {
                return new NotTrusted("secret " + secretId + " is not the rotator's: " + notOwned.get());
            }
            String versionId = metadata.currentVersionId().orElseThrow();
            Optional<List<String>> versionKeys;
            try {
                versionKeys = versionKeys(client, metadata.arn(), versionId);
            } catch (AwsServiceException e) {
                String code = errorCode(e);
                if (KEY_REFUSED_CODES.contains(code)) {
                    throw e;
                }
                // Without it nothing shows whether the value was written under the stack's key: not proven.
                return new NotTrusted("cannot tell whether secret " + secretId + " is the rotator's: listing the KMS"
                        + " keys of its versions was refused (" + code + "); the rotator's secret policy allows it"
                        + " and is rewritten at the secret's next rotation");
            }
            Optional<String> notWritten = OwnedSecretCheck.whyNotWrittenByRotator(stackKey, versionKeys);
            if (notWritten.isPresent()) {
                return new NotTrusted("secret " + secretId + " is not the rotator's: " + notWritten.get());
            }

            String secretString = client.getSecretValue(r -> r.secretId(metadata.arn()).versionId(versionId))
                    .secretString();
            if (secretString != null && SecretDocument.isReservation(secretString)) {
                // The rotator's own secret, created before the user's first rotation (with a reminder): no key yet.
                return new NoSecret();
            }
            Optional<SecretDocument.HeldKey> held = secretString == null ? Optional.empty()
                    : SecretDocument.heldKey(secretString);
            if (held.isEmpty()) {
                return new NotTrusted("secret " + secretId + " does not hold an access key document");
            }
            Optional<String> malformed = KeyValues.problem(held.get(), expectedUser, true);
            if (malformed.isPresent()) {
                return new NotTrusted("secret " + secretId + " cannot be used: " + malformed.get());
            }
            return new Read(held.get(), stackKey);
        } catch (ResourceNotFoundException e) {
            return new NoSecret();
        } catch (AwsServiceException e) {
            String code = errorCode(e);
            String message = e.awsErrorDetails() == null || e.awsErrorDetails().errorMessage() == null
                    ? "a reply with HTTP status " + e.statusCode() + " and no AWS error message"
                    : e.awsErrorDetails().errorMessage();
            return KEY_REFUSED_CODES.contains(code) ? new KeyRefused(code, message) : new Refused(code, message);
        } catch (SdkClientException e) {
            return new Unreachable(e.getMessage());
        }
    }

    /**
     * AWS's error code, or {@code HTTP<status>} for a reply that carries none (a proxy, an emulator, some AccessDenied
     * paths): never null, which would say nothing and break every lookup by code.
     */
    static String errorCode(AwsServiceException e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        return code == null || code.isBlank() ? "HTTP" + e.statusCode() : code;
    }

    private static OwnedSecretCheck.Metadata metadata(DescribeSecretResponse described) {
        Map<String, String> tags = new HashMap<>();
        described.tags().forEach(tag -> tags.put(tag.key(), tag.value()));
        Optional<String> current = described.versionIdsToStages().entrySet().stream()
                .filter(entry -> entry.getValue().contains(AWSCURRENT)).map(Map.Entry::getKey).findFirst();
        return new OwnedSecretCheck.Metadata(described.arn(), described.name(),
                Optional.ofNullable(described.kmsKeyId()).filter(id -> !id.isEmpty()), tags, current,
                described.deletedDate() != null);
    }

    /**
     * The KMS keys of one version, as ListSecretVersionIds reports them; empty when it is not listed. A refusal is
     * thrown as the SDK's exception: an owner without the permission cannot prove the value is the rotator's.
     */
    private static Optional<List<String>> versionKeys(SecretsManagerClient client, String arn, String versionId) {
        String token = null;
        do {
            String page = token;
            ListSecretVersionIdsResponse versions = client.listSecretVersionIds(r -> r.secretId(arn).nextToken(page));
            for (SecretVersionsListEntry version : versions.versions()) {
                if (versionId.equals(version.versionId())) {
                    return Optional.of(version.hasKmsKeyIds() ? version.kmsKeyIds() : List.of());
                }
            }
            token = versions.nextToken();
        } while (token != null);
        return Optional.empty();
    }

    /**
     * Signed with a key the caller holds (not a profile), with the short patience of a process an SDK waits on.
     * Everything the SDK needs is built here, so a caller that does not get this far loads none of it.
     */
    static Outcome readWithKey(String secretId, String expectedUser, StackKeySource source, String region,
                               Optional<URI> endpoint, SecretDocument.HeldKey key) {
        return read(secretId, expectedUser, source, Region.of(region), endpoint,
                StaticCredentialsProvider.create(AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey())),
                new Patience(Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(20),
                        // Two tries: one lost packet is worth a retry, an outage is not worth the caller's wait.
                        () -> AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(2).build()));
    }

    /**
     * A client of the owner's tools, for Secrets Manager or KMS: the owner's credentials, this much patience, and the
     * URL connection HTTP client (the jar ships no other).
     */
    static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C ownerClient(
            B builder, Region region, Optional<URI> endpoint, AwsCredentialsProvider credentials, Patience patience) {
        builder.region(region)
                .credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(patience.connectTimeout())
                        .socketTimeout(patience.socketTimeout()))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(patience.retries().get())
                        .apiCallTimeout(patience.callTimeout())
                        .build());
        endpoint.ifPresent(builder::endpointOverride);
        return builder.build();
    }
}
