package dev.ferry.core.unit.reservation;

import dev.ferry.core.ring.BoundedWorkers;

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
    private static final BoundedWorkers POOL = new BoundedWorkers("ferry-reservations", THREADS, BACKLOG);

    private ReservationWorkers() {
    }

    /** Runs {@code work} on a worker; false when the backlog is full. */
    static boolean submit(Runnable work) {
        return POOL.submit(work);
    }
}
