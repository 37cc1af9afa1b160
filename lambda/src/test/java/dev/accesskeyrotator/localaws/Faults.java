package dev.accesskeyrotator.localaws;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
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
 * probability roll fails, or whose {@link RuleBuilder#times count} is used up, does not fire.
 * <p>
 * Probability rolls are repeatable even when several threads call at once: a roll is a function of the seed, the
 * rule, the user the request is about (its {@code UserName}, or the owner of its {@code AccessKeyId}) and how many
 * requests of that operation about that user the rule has seen before. The rotator works on each user from one
 * thread at a time and lists the account from one thread, so every request gets the same roll in any interleaving.
 */
public final class Faults {
    static final long DEFAULT_SEED = 20260101L;

    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    /** The user a request is about, or "" (account-wide calls); part of the key a probability roll is made for. */
    private final Function<AwsRequest, String> subject;
    /** The account a request acts in (see LocalAws); what {@link RuleBuilder#forAccount} compares. */
    private final Function<AwsRequest, String> account;
    private volatile long seed = DEFAULT_SEED;
    /** Probabilistic rules installed since the last reseed; numbers them so that two such rules roll independently. */
    private final AtomicInteger probabilisticRules = new AtomicInteger();

    /**
     * @param subject the user a request is about, or "" when it is about none
     * @param account the account a request acts in
     */
    Faults(Function<AwsRequest, String> subject, Function<AwsRequest, String> account) {
        this.subject = Objects.requireNonNull(subject);
        this.account = Objects.requireNonNull(account);
    }

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

    /**
     * Probabilistic rules installed from now on roll from {@code seed}, to explore a different but still repeatable
     * fault pattern.
     */
    public void reseed(long seed) {
        this.seed = seed;
        probabilisticRules.set(0);
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

        /**
         * Answer as something other than AWS would: a proxy's or gateway's page with this status and no AWS error
         * code in any form the SDK reads (no x-amzn-ErrorType header, no __type or Code in the body).
         */
        record NotAwsReply(int httpStatus, String contentType, String body) implements Action { }
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
        /** For probabilistic rules: the seed of their rolls and how many requests each roll key has seen. */
        private final long rollSeed;
        private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();

        private Rule(String service, String operation, Predicate<AwsRequest> condition, double probability,
                     int times, Action action) {
            this.service = service;
            this.operation = operation;
            this.condition = condition;
            this.probability = probability;
            this.remaining = new AtomicInteger(times);
            this.action = action;
            this.rollSeed = probability < 1.0 ? seed * 0x9E3779B97F4A7C15L + probabilisticRules.getAndIncrement() : 0;
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
            if (probability < 1.0 && roll(request) >= probability) {
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

        /** A number in [0, 1) fixed by this rule's seed, the request's operation and user, and its place among them. */
        private double roll(AwsRequest request) {
            String key = request.operation() + "/" + subject.apply(request);
            int occurrence = seen.computeIfAbsent(key, k -> new AtomicInteger()).getAndIncrement();
            long mixed = (rollSeed * 31 + key.hashCode()) * 31 + occurrence;
            return new SplittableRandom(mixed).nextDouble();
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

        /** Only requests that act in {@code accountId} (by the credentials they are signed with). */
        public RuleBuilder forAccount(String accountId) {
            return when(request -> account.apply(request).equals(accountId));
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

        /** Fire for each matching request with this probability (0..1); see the class comment for how rolls repeat. */
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

        /** A reply without an AWS error code, as a proxy, a gateway or an emulator may send one. */
        public Rule notAwsReply(int httpStatus, String contentType, String body) {
            return install(new Action.NotAwsReply(httpStatus, contentType, body));
        }

        private Rule install(Action action) {
            Rule rule = new Rule(service, operation, condition, probability, times, action);
            rules.add(rule);
            return rule;
        }
    }
}
