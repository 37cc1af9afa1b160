package dev.accesskeyrotator.testing.fakes;

import dev.accesskeyrotator.port.Notifier;

import java.util.ArrayList;
import java.util.List;

/** Notices kept in memory, in the order published. */
public final class RecordingNotifier implements Notifier {
    private final PortFaults faults;
    private final List<Notice> published = new ArrayList<>();

    public RecordingNotifier(PortFaults faults) {
        this.faults = faults;
    }

    @Override
    public void publish(Notice notice) {
        faults.run("sns:Publish", () -> {
            synchronized (this) {
                published.add(notice);
            }
        });
    }

    public synchronized List<Notice> published() {
        return List.copyOf(published);
    }
}
