package dev.ferry.frontend.nvme.auth;

import dev.ferry.core.ring.BoundedWorkers;

/**
 * Where authentication steps run: off the event loops, because one ffdhe8192 exchange costs two 8192-bit modPows
 * (about 0.3 s on a loaded 2-core machine), which any host that knows an allowed NQN could otherwise make a loop
 * spend on every connection, stalling every other queue of that loop. A few threads and a bounded backlog: when
 * full, the command ends with a retryable status instead of waiting in an unbounded queue.
 */
final class AuthWorkers {
    static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    static final int BACKLOG = 64;
    private static final BoundedWorkers POOL = new BoundedWorkers("ferry-nvme-auth", THREADS, BACKLOG);

    private AuthWorkers() {
    }

    /** Runs {@code work} on a worker; false when the backlog is full. */
    static boolean submit(Runnable work) {
        return POOL.submit(work);
    }
}
