package dev.ferry.core.ring;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One backend worker thread: drains its {@link SubmissionRing} and hands each request to the backend. It spins
 * briefly before parking, because a request usually follows another within microseconds under load, and a park
 * costs a context switch on both sides.
 */
public final class BackendWorker implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(BackendWorker.class);
    private static final int SPINS_BEFORE_PARK = 200;
    private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Backend backend;
    private final SubmissionRing ring;
    private final Predicate<BlockRequest> refuse;
    private final Thread thread;
    private volatile boolean running = true;

    public BackendWorker(String name, Backend backend, SubmissionRing ring) {
        this(name, backend, ring, r -> false);
    }

    /** @param refuse requests to complete with UNIT_NOT_READY instead of calling the backend (a write fence) */
    public BackendWorker(String name, Backend backend, SubmissionRing ring, Predicate<BlockRequest> refuse) {
        this.backend = backend;
        this.ring = ring;
        this.refuse = refuse;
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    @Override
    public void run() {
        int idle = 0;
        while (running || ring.size() > 0) {
            BlockRequest r = ring.poll();
            if (r == null) {
                if (++idle < SPINS_BEFORE_PARK) {
                    Thread.onSpinWait();
                } else {
                    ring.await(PARK_NANOS);
                    idle = 0;
                }
                continue;
            }
            idle = 0;
            if (refuse.test(r)) {
                r.complete(CompletionStatus.UNIT_NOT_READY);
                continue;
            }
            execute(backend, r);
        }
    }

    /**
     * Calls the backend for one request, on a worker or (a non-blocking backend) on the submitting event loop: a
     * backend bug fails this request, not the thread that serves every other one.
     */
    public static void execute(Backend backend, BlockRequest r) {
        try {
            backend.execute(r);
        } catch (RuntimeException e) {
            LOG.error("backend {} failed a {} request", backend.describe().name(), r.op(), e);
            r.complete(CompletionStatus.INTERNAL_ERROR);
        }
    }

    /** Asks the worker to stop once its ring is drained; {@link #awaitStopped} waits for that. */
    public void requestStop() {
        running = false;
        LockSupport.unpark(thread);
    }

    /**
     * Waits until the worker has ended or {@code deadlineNanos} ({@link System#nanoTime()} based) has passed.
     *
     * @return whether the worker ended; not when a backend call still blocks it
     */
    public boolean awaitStopped(long deadlineNanos) throws InterruptedException {
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
        return !thread.isAlive();
    }

    public String name() {
        return thread.getName();
    }
}
