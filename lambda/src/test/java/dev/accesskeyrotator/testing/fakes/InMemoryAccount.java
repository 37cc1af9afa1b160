package dev.accesskeyrotator.testing.fakes;

import dev.accesskeyrotator.config.RotatorSettings;
import dev.accesskeyrotator.localaws.MutableClock;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.service.RotationService;
import dev.accesskeyrotator.service.RunReport;
import dev.accesskeyrotator.testing.RotatorHarness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One account behind in-memory ports, wired to the production {@link RotationService}: the rotation protocol without
 * HTTP, at the speed of method calls. Faults are armed on {@link #faults()}.
 */
public final class InMemoryAccount {
    public static final String OPT_IN_KEY = RotatorHarness.OPT_IN_KEY;

    private final MutableClock clock = MutableClock.startingAt("2026-01-01T00:00:00Z");
    private final PortFaults faults = new PortFaults();
    private final InMemoryIdentityDirectory iam = new InMemoryIdentityDirectory(faults, clock);
    private final InMemorySecretStore secrets = new InMemorySecretStore(faults);
    private final RecordingNotifier notifier = new RecordingNotifier(faults);
    /** The timer cut-over without reminders unless a test says otherwise, as the protocol setups assume. */
    private final InMemoryParameters parameters = new InMemoryParameters().set("cutover", "after-grace")
            .set("reminder-days", "0");
    private final List<String> logLines = Collections.synchronizedList(new ArrayList<>());

    public PortFaults faults() { return faults; }
    public InMemoryIdentityDirectory iam() { return iam; }
    public InMemorySecretStore secrets() { return secrets; }
    public RecordingNotifier notifier() { return notifier; }
    public InMemoryParameters parameters() { return parameters; }
    public MutableClock clock() { return clock; }

    public List<String> logLines() {
        synchronized (logLines) {
            return List.copyOf(logLines);
        }
    }

    public void optedInUser(String name) {
        iam.addUser(name, Map.of(OPT_IN_KEY, "enabled"));
    }

    public InMemoryIdentityDirectory.StoredKey key(String user, long ageDays, boolean active) {
        return iam.addKey(user, clock.instant().minus(Duration.ofDays(ageDays)), active);
    }

    public void advance(Duration duration) {
        clock.advance(duration);
    }

    public String secretName(String user) {
        return RotatorHarness.SECRET_PREFIX + user;
    }

    /** Rev 3: one emergency rotation, as the function makes it for a Health event or an admin's payload. */
    public dev.accesskeyrotator.service.EmergencyReport emergency(dev.accesskeyrotator.service.EmergencyRequest request) {
        RotatorSettings settings = RotatorHarness.settingsFor("arn:aws:sns:us-east-1:123456789012:notices",
                RotatorHarness.KMS_KEY, 1);
        return new RotationService(settings, "us-east-1", parameters, iam, secrets, notifier, clock,
                new JsonLog(logLines::add, clock)).runEmergency(request);
    }

    /** One run as the function makes it, one user at a time so that "the n-th call" is well defined. */
    public RunReport run() {
        RotatorSettings settings = RotatorHarness.settingsFor("arn:aws:sns:us-east-1:123456789012:notices",
                RotatorHarness.KMS_KEY, 1);
        return new RotationService(settings, "us-east-1", parameters, iam, secrets, notifier, clock,
                new JsonLog(logLines::add, clock)).run(RotationService.RunRequest.normal());
    }
}
