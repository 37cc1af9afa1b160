package dev.accesskeyrotator.localaws;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * S3 objects, path-style ({@code /bucket/key}), for what the organization mode reads and writes: the Distributed
 * Map's result files and the organization report. {@code GetObject} and {@code PutObject} only.
 *
 * <p>Like S3, a SigV4 request must carry {@code x-amz-content-sha256}, and a {@code PutObject} whose header is a
 * digest must match the body ({@code XAmzContentSHA256Mismatch}); missing buckets and keys are {@code NoSuchBucket}
 * and {@code NoSuchKey} (404).
 */
public final class S3Emulator {
    static final String CONTENT_SHA256 = "x-amz-content-sha256";
    private static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    /** {@code STREAMING-UNSIGNED-PAYLOAD-TRAILER}, {@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER)}. */
    private static final String STREAMING = "STREAMING-";

    /** A stored object's bytes and content type. */
    public record StoredObject(byte[] body, String contentType) {
        public String text() { return new String(body, StandardCharsets.UTF_8); }
    }

    private final Map<String, Map<String, StoredObject>> buckets = new HashMap<>();

    public synchronized void createBucket(String bucket) {
        buckets.putIfAbsent(bucket, new TreeMap<>());
    }

    public synchronized void put(String bucket, String key, String text) {
        requireBucket(bucket).put(key, new StoredObject(text.getBytes(StandardCharsets.UTF_8), "application/json"));
    }

    public synchronized Optional<StoredObject> get(String bucket, String key) {
        return Optional.ofNullable(requireBucket(bucket).get(key));
    }

    public synchronized List<String> keys(String bucket) {
        return List.copyOf(requireBucket(bucket).keySet());
    }

    /** The operation a request is: {@code GetObject} or {@code PutObject}. */
    static String operationOf(String method) {
        return switch (method) {
            case "GET" -> "GetObject";
            case "PUT" -> "PutObject";
            default -> "Unsupported" + method;
        };
    }

    synchronized WireFormat.Reply serve(String method, String bucket, String key, Map<String, List<String>> headers,
                                        byte[] body) {
        String declared = headers.getOrDefault(CONTENT_SHA256, List.of()).stream().findFirst().orElseThrow(() ->
                AwsServiceError.badRequest("InvalidRequest", "Missing required header for this request: "
                        + CONTENT_SHA256));
        Map<String, StoredObject> objects = buckets.get(bucket);
        if (objects == null) {
            throw AwsServiceError.notFound("NoSuchBucket", "The specified bucket does not exist");
        }
        if (key.isEmpty()) {
            throw AwsServiceError.badRequest("InvalidRequest", "LocalAws emulates object operations only");
        }
        switch (method) {
            case "GET" -> {
                StoredObject object = objects.get(key);
                if (object == null) {
                    throw AwsServiceError.notFound("NoSuchKey", "The specified key does not exist.");
                }
                return new WireFormat.Reply(200, object.contentType(), Map.of(), object.body());
            }
            case "PUT" -> {
                if (declared.startsWith(STREAMING)) {
                    body = decodeAwsChunked(body, headers);
                } else if (!declared.equals(UNSIGNED_PAYLOAD) && !declared.equals(sha256(body))) {
                    throw AwsServiceError.badRequest("XAmzContentSHA256Mismatch",
                            "The provided 'x-amz-content-sha256' header does not match what was computed.");
                }
                String contentType = headers.getOrDefault("content-type", List.of("binary/octet-stream")).get(0);
                objects.put(key, new StoredObject(body.clone(), contentType));
                return new WireFormat.Reply(200, "application/xml", Map.of("ETag", "\"" + sha256(body) + "\""),
                        new byte[0]);
            }
            default -> throw new AwsServiceError(405, "MethodNotAllowed",
                    "The specified method is not allowed against this resource.");
        }
    }

    /**
     * A streaming upload's body ({@code Content-Encoding: aws-chunked}), as S3 documents it: chunks of
     * {@code <hex size>[;chunk-signature=...]\r\n<bytes>\r\n}, a zero-size chunk, then optional trailing headers
     * ({@code x-amz-checksum-crc32: <base64>}, checked here like S3 does) and an empty line. The decoded length must
     * be {@code x-amz-decoded-content-length}. Chunk signatures are not checked, as no signature is.
     */
    static byte[] decodeAwsChunked(byte[] body, Map<String, List<String>> headers) {
        java.io.ByteArrayOutputStream decoded = new java.io.ByteArrayOutputStream();
        int at = 0;
        while (true) {
            int lineEnd = indexOfCrlf(body, at);
            String sizeLine = new String(body, at, lineEnd - at, StandardCharsets.US_ASCII);
            int size = Integer.parseInt(sizeLine.split(";", 2)[0].strip(), 16);
            at = lineEnd + 2;
            if (size == 0) {
                break;
            }
            decoded.write(body, at, size);
            at += size + 2;
        }
        Map<String, String> trailers = new HashMap<>();
        while (at < body.length) {
            int lineEnd = indexOfCrlf(body, at);
            String line = new String(body, at, lineEnd - at, StandardCharsets.US_ASCII);
            at = lineEnd + 2;
            if (line.isEmpty()) {
                break;
            }
            trailers.put(line.substring(0, line.indexOf(':')).strip().toLowerCase(java.util.Locale.ROOT),
                    line.substring(line.indexOf(':') + 1).strip());
        }
        byte[] bytes = decoded.toByteArray();
        String declaredLength = headers.getOrDefault("x-amz-decoded-content-length", List.of("")).get(0);
        if (!declaredLength.equals(Integer.toString(bytes.length))) {
            throw AwsServiceError.badRequest("IncompleteBody",
                    "You did not provide the number of bytes specified by the Content-Length HTTP header.");
        }
        String crc32 = trailers.get("x-amz-checksum-crc32");
        if (crc32 != null) {
            java.util.zip.CRC32 checksum = new java.util.zip.CRC32();
            checksum.update(bytes);
            String computed = java.util.Base64.getEncoder().encodeToString(
                    java.nio.ByteBuffer.allocate(4).putInt((int) checksum.getValue()).array());
            if (!computed.equals(crc32)) {
                throw AwsServiceError.badRequest("BadDigest",
                        "The CRC32 you specified did not match the calculated checksum.");
            }
        }
        return bytes;
    }

    private static int indexOfCrlf(byte[] body, int from) {
        for (int i = from; i + 1 < body.length; i++) {
            if (body[i] == '\r' && body[i + 1] == '\n') {
                return i;
            }
        }
        throw AwsServiceError.badRequest("InvalidRequest", "aws-chunked body is truncated");
    }

    private Map<String, StoredObject> requireBucket(String bucket) {
        Map<String, StoredObject> objects = buckets.get(bucket);
        if (objects == null) {
            throw new IllegalStateException("no bucket " + bucket);
        }
        return objects;
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
