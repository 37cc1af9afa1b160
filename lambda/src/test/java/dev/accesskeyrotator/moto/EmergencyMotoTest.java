package dev.accesskeyrotator.moto;

import dev.accesskeyrotator.e2e.EmergencyRotationEndToEndTest;
import dev.accesskeyrotator.localstack.SqsQueues;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.moto.MotoAccount.Key;
import dev.accesskeyrotator.testing.FakeLambdaContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Emergency rotation (rev 3) against moto: the AWS Health exposure event, as AWS documents it, fed to the Lambda
 * handler. moto answers GetAccessKeyLastUsed with the key's UserName as AWS does, which is how the function finds the
 * exposed key's user without listing the account.
 *
 * <p>Tagged {@code slow} (left out of the default build, run by {@code -Pslow}): it drives moto's server, a Python
 * process, and pays for its start and a reset per test.
 */
@Tag("slow")
class EmergencyMotoTest {
    private static final Instant START = Instant.parse("2031-05-01T06:00:00Z");

    @RegisterExtension
    final MotoExtension moto = new MotoExtension(START);

    private MotoAccount aws;
    private SqsQueues.Queue exposures;
    private SqsQueues.Queue attention;

    @BeforeEach
    void account() {
        aws = moto.account();
        aws.parameter("reminder-days", "0");
        exposures = aws.subscribe("exposures", "{\"event_type\":[\"key-exposed\"]}");
        attention = aws.subscribe("attention", "{\"event_type\":[\"attention\"]}");
    }

    private Map<String, Object> invoke(Map<String, Object> event) {
        return aws.handler().handleRequest(event, FakeLambdaContext.withPlentyOfTime());
    }

    @Test
    void anExposedKeyIsReplacedAndDisabledAtOnceAndTheSameEventAgainChangesAndSendsNothing() {
        aws.optedInUser("alice");
        Key exposed = aws.key("alice", 10);
        aws.otherUser("carol");
        Key carols = aws.key("carol", 10);

        Map<String, Object> first = invoke(EmergencyRotationEndToEndTest.healthEvent(exposed.id()));

        Key stored = aws.storedKey("alice");
        assertNotEquals(exposed.id(), stored.id(), "a new key is in alice's secret");
        assertEquals(Map.of(exposed.id(), false, stored.id(), true), aws.keys("alice"), "the exposed key is Inactive");
        assertEquals(List.of("alice"), aws.notices(exposures).stream()
                .map(n -> n.attribute("user_name").orElse("?")).toList(), "one key-exposed notice");
        assertEquals(Map.of(carols.id(), true), aws.keys("carol"), "other users are untouched");
        String printed = JsonLog.toJson(first) + String.join("\n", aws.logLines());
        assertFalse(printed.contains(stored.secret()) || printed.contains(exposed.secret()), "no secret in any output");

        invoke(EmergencyRotationEndToEndTest.healthEvent(exposed.id()));

        assertEquals(stored, aws.storedKey("alice"), "nothing changes the second time");
        assertEquals(Map.of(exposed.id(), false, stored.id(), true), aws.keys("alice"));
        assertEquals(List.of(), aws.notices(exposures), "nothing is sent twice");
    }

    @Test
    void anExposedKeyOfAUserWhoIsNotOptedInIsAnAttentionNoticeAndNothingChanges() {
        aws.otherUser("carol");
        Key carols = aws.key("carol", 10);

        invoke(EmergencyRotationEndToEndTest.healthEvent(carols.id()));

        assertEquals(Map.of(carols.id(), true), aws.keys("carol"), "nothing changed");
        assertFalse(aws.secretExists("carol"));
        List<SqsQueues.Notification> told = aws.notices(attention);
        assertEquals(1, told.size(), told.toString());
        assertEquals(true, told.get(0).message().contains(carols.id()), "the notice names the key");
        assertEquals(List.of(), aws.notices(exposures));
    }
}
