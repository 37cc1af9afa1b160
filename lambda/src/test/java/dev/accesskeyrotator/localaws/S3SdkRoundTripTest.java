package dev.accesskeyrotator.localaws;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The S3 emulator through the SDK's own S3 client: its streaming uploads (aws-chunked with a CRC32 trailer) are
 * decoded and checked as S3 does; objects read back byte for byte; a missing key is NoSuchKey.
 */
class S3SdkRoundTripTest {
    private final LocalAws aws = LocalAws.start();
    private final S3Client s3 = LocalAwsClients.configure(S3Client.builder(), aws).forcePathStyle(true).build();

    @AfterEach
    void close() {
        s3.close();
        aws.close();
    }

    @Test
    void aStreamingUploadIsStoredDecodedAndReadBack() {
        aws.s3().createBucket("results");
        byte[] body = "{\"accounts\":[1,2,3]}".repeat(1000).getBytes(StandardCharsets.UTF_8);

        s3.putObject(r -> r.bucket("results").key("run/report.json").contentType("application/json"),
                RequestBody.fromBytes(body));

        assertArrayEquals(body, aws.s3().get("results", "run/report.json").orElseThrow().body());
        assertEquals("application/json", aws.s3().get("results", "run/report.json").orElseThrow().contentType());
        assertArrayEquals(body, s3.getObjectAsBytes(r -> r.bucket("results").key("run/report.json")).asByteArray());
        assertThrows(NoSuchKeyException.class, () -> s3.getObject(r -> r.bucket("results").key("missing")));
    }

    @Test
    void aChunkedBodyWhoseTrailerChecksumOrLengthIsWrongIsRefused() {
        byte[] chunked = "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        AwsServiceError digest = assertThrows(AwsServiceError.class, () -> S3Emulator.decodeAwsChunked(chunked,
                Map.of("x-amz-decoded-content-length", List.of("5"))));
        assertEquals("BadDigest", digest.code());
        byte[] plain = "5\r\nhello\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), S3Emulator.decodeAwsChunked(plain,
                Map.of("x-amz-decoded-content-length", List.of("5"))));
        AwsServiceError length = assertThrows(AwsServiceError.class, () -> S3Emulator.decodeAwsChunked(plain,
                Map.of("x-amz-decoded-content-length", List.of("6"))));
        assertEquals("IncompleteBody", length.code());
    }
}
