package dev.ferry.frontend.nvme.auth;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where authentication steps run: off the event loops, because one ffdhe8192 exchange costs two 8192-bit modPows
 * (about 0.3 s on a loaded 2-core machine), which any host that knows an allowed NQN could otherwise make a loop
 * spend on every connection, stalling every other queue of that loop. A few threads and a bounded backlog: when
 * full, the command ends with a retryable status instead of waiting in an unbounded queue.
 */
final class AuthWorkers {
    static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    static final int BACKLOG = 64;
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final ThreadPoolExecutor POOL = pool();

    private AuthWorkers() {
    }

    private static ThreadPoolExecutor pool() {
        ThreadPoolExecutor p = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(BACKLOG), r -> {
                    Thread t = new Thread(r, "ferry-nvme-auth-" + NEXT.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        p.allowCoreThreadTimeOut(true); // no idle threads where nobody authenticates
        return p;
    }

    /** Runs {@code work} on a worker; false when the backlog is full. */
    static boolean submit(Runnable work) {
        try {
            POOL.execute(work);
            return true;
        } catch (RejectedExecutionException full) {
            return false;
        }
    }
}
