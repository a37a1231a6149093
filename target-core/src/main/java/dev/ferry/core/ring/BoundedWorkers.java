package dev.ferry.core.ring;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A few daemon threads with a bounded backlog, for work that must not run on an event loop because it may take
 * long (a DH exchange, an fsync, a round trip to a cluster): when the backlog is full, {@link #submit} says so and
 * the caller answers with its protocol's busy status instead of queueing without bound. Idle threads time out, so
 * a process that never needs the work keeps none.
 */
public final class BoundedWorkers {
    private final ThreadPoolExecutor pool;

    /** @param name thread name prefix, numbered from 1 */
    public BoundedWorkers(String name, int threads, int backlog) {
        AtomicInteger next = new AtomicInteger();
        pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(backlog), r -> {
            Thread t = new Thread(r, name + "-" + next.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
    }

    /** Runs {@code work} on a worker; false when the backlog is full. */
    public boolean submit(Runnable work) {
        try {
            pool.execute(work);
            return true;
        } catch (RejectedExecutionException full) {
            return false;
        }
    }
}
