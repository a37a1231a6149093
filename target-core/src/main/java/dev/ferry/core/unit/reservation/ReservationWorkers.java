package dev.ferry.core.unit.reservation;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where reservation changes that may touch storage run, one pool per process: off the event loops, because a
 * commit may fsync the APTPL file ({@link ReservationStore#save}) or make a compare-and-swap round trip to a
 * {@link SharedReservationStore} (seconds when the cluster is slow, again for every lost race), which would stall
 * every other connection of the loop. A few threads and a bounded backlog: when full, the command ends with the
 * protocol's busy status instead of waiting in an unbounded queue. A unit hands its changes to one worker at a
 * time, in arrival order ({@link UnitReservations#change}), so a unit whose store is slow holds one worker and the
 * backlog holds units waiting for a worker.
 */
final class ReservationWorkers {
    static final int THREADS = 4;
    static final int BACKLOG = 256;
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final ThreadPoolExecutor POOL = pool();

    private ReservationWorkers() {
    }

    private static ThreadPoolExecutor pool() {
        ThreadPoolExecutor p = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(BACKLOG), r -> {
                    Thread t = new Thread(r, "ferry-reservations-" + NEXT.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        p.allowCoreThreadTimeOut(true); // no idle threads where nobody changes reservations
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
