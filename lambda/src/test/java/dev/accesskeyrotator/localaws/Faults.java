package dev.accesskeyrotator.localaws;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Fault injection applied by the endpoint around emulator calls. Rules read as sentences:
 * <pre>{@code
 * aws.faults().on("iam", "CreateAccessKey").times(1).crashAfterSuccess();
 * aws.faults().on("iam", "*").forUser("bob").error(500, "ServiceFailure", "boom");
 * aws.faults().on("ssm", "PutParameter").withProbability(0.3).throttle();
 * aws.faults().on("sns", "Publish").latency(Duration.ofMillis(200));
 * }</pre>
 * For each request the rules are tried in the order they were added. Latency rules that fire delay the request and
 * let evaluation continue; the first error, throttle or crash rule that fires decides the outcome. A rule whose
 * probability roll fails, or whose {@link RuleBuilder#times count} is used up, does not fire. Probability rolls come
 * from one seeded {@link Random} so that a single-threaded test sees the same faults on every run.
 */
public final class Faults {
    static final long DEFAULT_SEED = 20260101L;

    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private volatile Random random = new Random(DEFAULT_SEED);

    /** Starts a rule for one operation of one service ({@code "iam"}, {@code "ssm"}, ...); operation "*" matches any. */
    public RuleBuilder on(String service, String operation) {
        return new RuleBuilder(Objects.requireNonNull(service), Objects.requireNonNull(operation));
    }

    /** Removes every rule; requests are served normally again. */
    public void clear() {
        rules.clear();
    }

    /** Removes one rule, leaving the others (for example an observer a test installed) in place. */
    public void remove(Rule rule) {
        rules.remove(rule);
    }

    /** Restarts the probability rolls from {@code seed}, to explore a different but still repeatable fault pattern. */
    public void reseed(long seed) {
        random = new Random(seed);
    }

    public List<Rule> rules() {
        return List.copyOf(rules);
    }

    /**
     * Fires the matching latency rules (sleeping on the caller's thread) and returns the first error, throttle or
     * crash rule that fires, or null when the request should be served normally.
     */
    Rule apply(AwsRequest request) {
        for (Rule rule : rules) {
            if (!rule.tryFire(request)) {
                continue;
            }
            if (rule.action() instanceof Action.Latency latency) {
                sleep(latency.delay());
            } else {
                return rule;
            }
        }
        return null;
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What a fired rule does to the request. */
    public sealed interface Action {
        /** Fail the request with this status and error code, in the service's protocol. */
        record ErrorResponse(int httpStatus, String code, String message) implements Action { }

        /** Fail with the service's throttling error, which the SDK retries with backoff. */
        record Throttle() implements Action { }

        /** Delay the request, then serve it (or let a later rule fail it). */
        record Latency(Duration delay) implements Action { }

        /** Serve the request so that its effect stays, then make the caller's SDK call die with {@link SimulatedCrash}. */
        record CrashAfterSuccess() implements Action { }

        /** Serve the request so that its effect stays, then answer with an error anyway (a timeout or 5xx after the change). */
        record ErrorAfterSuccess(int httpStatus, String code, String message) implements Action { }
    }

    /** An installed rule; {@link #fired()} tells how often it took effect. */
    public final class Rule {
        private final String service;
        private final String operation;
        private final Predicate<AwsRequest> condition;
        private final double probability;
        private final Action action;
        /** Firings left; negative means unlimited. */
        private final AtomicInteger remaining;
        private final AtomicInteger fired = new AtomicInteger();

        private Rule(String service, String operation, Predicate<AwsRequest> condition, double probability,
                     int times, Action action) {
            this.service = service;
            this.operation = operation;
            this.condition = condition;
            this.probability = probability;
            this.remaining = new AtomicInteger(times);
            this.action = action;
        }

        public Action action() { return action; }

        public int fired() { return fired.get(); }

        private boolean tryFire(AwsRequest request) {
            if (!service.equals(request.service())
                    || !(operation.equals("*") || operation.equals(request.operation()))
                    || remaining.get() == 0
                    || !condition.test(request)) {
                return false;
            }
            if (probability < 1.0 && random.nextDouble() >= probability) {
                return false;
            }
            // Concurrent requests may race for the last firing; only the one that decrements from above zero wins.
            int left = remaining.getAndUpdate(n -> n > 0 ? n - 1 : n);
            if (left == 0) {
                return false;
            }
            fired.incrementAndGet();
            return true;
        }

        /**
         * Gives a firing back: a crash-after-success rule whose request failed on its own never took effect, so the
         * crash is still owed to the next successful request.
         */
        void refund() {
            fired.decrementAndGet();
            remaining.getAndUpdate(n -> n >= 0 ? n + 1 : n);
        }

        @Override
        public String toString() {
            return service + "." + operation + " -> " + action + " (fired " + fired() + ")";
        }
    }

    /** Collects the conditions of a rule; one of the action methods installs it. */
    public final class RuleBuilder {
        private final String service;
        private final String operation;
        private Predicate<AwsRequest> condition = request -> true;
        private double probability = 1.0;
        private int times = -1;

        private RuleBuilder(String service, String operation) {
            this.service = service;
            this.operation = operation;
        }

        /** Only requests matching {@code predicate} (combined with earlier conditions). */
        public RuleBuilder when(Predicate<AwsRequest> predicate) {
            condition = condition.and(predicate);
            return this;
        }

        /** Only requests whose {@code UserName} parameter is {@code userName}. */
        public RuleBuilder forUser(String userName) {
            return when(request -> request.text("UserName").filter(userName::equals).isPresent());
        }

        /** Fire at most {@code count} times; without this the rule fires for every matching request. */
        public RuleBuilder times(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("times must be at least 1: " + count);
            }
            times = count;
            return this;
        }

        public RuleBuilder once() {
            return times(1);
        }

        /** Fire for each matching request with this probability (0..1), rolled with the seeded random. */
        public RuleBuilder withProbability(double chance) {
            if (chance < 0 || chance > 1) {
                throw new IllegalArgumentException("probability must be within 0..1: " + chance);
            }
            probability = chance;
            return this;
        }

        public Rule error(int httpStatus, String code, String message) {
            return install(new Action.ErrorResponse(httpStatus, code, message));
        }

        public Rule throttle() {
            return install(new Action.Throttle());
        }

        public Rule latency(Duration delay) {
            return install(new Action.Latency(delay));
        }

        public Rule crashAfterSuccess() {
            return install(new Action.CrashAfterSuccess());
        }

        public Rule errorAfterSuccess(int httpStatus, String code, String message) {
            return install(new Action.ErrorAfterSuccess(httpStatus, code, message));
        }

        private Rule install(Action action) {
            Rule rule = new Rule(service, operation, condition, probability, times, action);
            rules.add(rule);
            return rule;
        }
    }
}
