package dev.ferry.backend.file;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Locks byte ranges of the file by stripes of fixed-size chunks. Every write-like request holds the stripes of its
 * range while it runs, so COMPARE_AND_WRITE is atomic against every other write; reads take no lock. Stripes are
 * always taken in ascending order, so two requests can never deadlock.
 */
final class StripeLocks {
    static final int CHUNK_SHIFT = 16;
    private static final int STRIPES = 256;

    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

    StripeLocks() {
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** The stripes to take for a range, as {@code from << 32 | to} (to exclusive), for {@link #unlock}. */
    long lock(long offset, long length) {
        long first = offset >>> CHUNK_SHIFT;
        long last = (offset + Math.max(length, 1) - 1) >>> CHUNK_SHIFT;
        int from;
        int to;
        if (last - first + 1 >= STRIPES || first % STRIPES > last % STRIPES) {
            from = 0; // the range covers or wraps around every stripe: take them all
            to = STRIPES;
        } else {
            from = (int) (first % STRIPES);
            to = (int) (last % STRIPES) + 1;
        }
        for (int i = from; i < to; i++) {
            locks[i].lock();
        }
        return (long) from << 32 | to;
    }

    void unlock(long held) {
        int from = (int) (held >>> 32);
        int to = (int) held;
        for (int i = to - 1; i >= from; i--) {
            locks[i].unlock();
        }
    }
}
