package dev.accesskeyrotator.lambda;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrimingTest {

    @Test
    void primingWalksTheWholeRotationPathWithoutTheNetwork() {
        long start = System.nanoTime();
        List<String> operations = Priming.prime();
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "priming never waits on retries");

        // Discovery, triage, the per-user read, every write of a rotation, and the run summary: the restored
        // function meets no class on its first run that priming did not load.
        assertEquals(List.of("GetParametersByPath", "GetAccountAuthorizationDetails", "ListSecrets",
                "GenerateCredentialReport", "GetCredentialReport",
                // the run's attention-notice records (none yet)
                "GetSecretValue",
                // a user rotated for the first time: confirmed by name to have no secret, which is reserved (with
                // its policy and the intent to create a key) before the key exists
                "ListAccessKeys", "DescribeSecret", "CreateSecret", "PutResourcePolicy", "TagResource",
                "CreateAccessKey", "GetSecretValue", "PutSecretValue", "Publish", "TagResource",
                // a user rotated before: its secret's value, then ownership confirmed, its policy re-applied and
                // the intent recorded right before the write, which goes by ARN; with cutover=on-use the old key
                // stays active for the cut-over
                "ListAccessKeys", "GetSecretValue", "DescribeSecret", "PutResourcePolicy", "TagResource",
                "CreateAccessKey", "GetSecretValue", "PutSecretValue", "Publish", "TagResource",
                // the run summary
                "Publish"), operations);
    }

    @Test
    void primingCanRunRepeatedly() {
        assertTrue(Priming.prime().contains("CreateAccessKey"));
        assertTrue(Priming.prime().contains("CreateAccessKey"));
    }
}
