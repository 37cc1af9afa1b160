package dev.accesskeyrotator.service;

import dev.accesskeyrotator.contract.Outcome;
import dev.accesskeyrotator.log.JsonLog;
import dev.accesskeyrotator.port.IdentityDirectory.DirectoryUser;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Works through the users a run looks at, a few at a time: no user starts once the run's deadline is near, one
 * user's bug never stops the others, and a JVM error ends the run as it would end the process. Results come back in
 * the users' order.
 */
final class UserFanOut {
    /** Runs over this many users to look at log how far they are, every this many users. */
    static final int PROGRESS_EVERY = 200;

    private final int maxConcurrency;
    private final JsonLog log;

    UserFanOut(int maxConcurrency, JsonLog log) {
        this.maxConcurrency = maxConcurrency;
        this.log = log;
    }

    List<UserResult> processAll(List<DirectoryUser> users, RotationService.Deadline deadline,
                                Function<DirectoryUser, UserResult> perUser, RotationService.Progress progress) {
        AtomicReference<Error> fatal = new AtomicReference<>();
        ExecutorService workers = Executors.newFixedThreadPool(maxConcurrency, runnable -> {
            Thread thread = new Thread(runnable, "rotator-worker");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<UserResult>> futures = new ArrayList<>(users.size());
            for (DirectoryUser user : users) {
                futures.add(workers.submit(() -> {
                    if (fatal.get() != null) {
                        return null;
                    }
                    try {
                        return processOne(user, deadline, perUser);
                    } catch (Error error) {
                        // The process would be dead now: start no further user and stop the ones in flight.
                        fatal.compareAndSet(null, error);
                        workers.shutdownNow();
                        throw error;
                    }
                }));
            }
            List<UserResult> results = new ArrayList<>(users.size());
            int done = 0;
            for (Future<UserResult> future : futures) {
                UserResult result = await(future, fatal);
                if (result != null) {
                    results.add(result);
                }
                done++;
                if (result != null) {
                    progress.userDone(done, users.size(), result);
                }
                // A long run otherwise says nothing until its report; the person or the log reader sees it move.
                if (users.size() > PROGRESS_EVERY && (done % PROGRESS_EVERY == 0 || done == users.size())) {
                    log.info("progress", "done", done, "of", users.size());
                }
            }
            return results;
        } finally {
            workers.shutdownNow();
            awaitQuietly(workers);
        }
    }

    private UserResult processOne(DirectoryUser user, RotationService.Deadline deadline,
                                  Function<DirectoryUser, UserResult> perUser) {
        if (deadline.nearlyOver()) {
            return UserResult.of(user.userName(), Outcome.DEFERRED, "run reached its time limit; done next run");
        }
        try {
            return perUser.apply(user);
        } catch (RuntimeException unexpected) {
            // A bug for one user must not stop the others; the message names only the exception.
            log.error("unexpected error for user", "user", user.userName(), "error", unexpected.toString());
            return UserResult.of(user.userName(), Outcome.FAILED, "unexpected error: " + unexpected);
        }
    }

    private static UserResult await(Future<UserResult> future, AtomicReference<Error> fatal) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("run interrupted", e);
        } catch (CancellationException e) {
            if (fatal.get() != null) {
                throw fatal.get();
            }
            throw e;
        } catch (ExecutionException e) {
            // Only JVM errors get here (processOne catches the rest): end the run as the process would end.
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void awaitQuietly(ExecutorService workers) {
        try {
            workers.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
