package dev.accesskeyrotator.moto;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The simulated time shared by the rotator under test and moto: each move is written to moto's clock file before it
 * returns, so a key created, used or disabled next is stamped with exactly this instant, as on the project's own
 * endpoint (whose {@code MutableClock} this mirrors).
 */
public final class MotoClock extends Clock {
    private final MotoServer server;
    private volatile Instant now;

    MotoClock(MotoServer server, Instant start) {
        this.server = server;
        set(start);
    }

    public void set(Instant instant) {
        server.setClock(instant);
        now = instant;
    }

    public void advance(Duration duration) {
        set(now.plus(duration));
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
