package dev.ferry.backend.block;

/**
 * Excludes overlapping writes to the same blocks while one of them is in progress, so COMPARE_AND_WRITE's read,
 * compare and write happen atomically against every other write. Holders are few (at most the backstore's queue
 * depth), so a short array under one monitor beats anything cleverer; nothing allocates after the array reached
 * that number.
 */
public final class RangeLock {
    private long[] starts = new long[8];
    private long[] ends = new long[8];
    private boolean[] used = new boolean[8];

    /** Blocks until no held range overlaps {@code [start, start + length)}, then holds it; returns the slot. */
    public synchronized int lock(long start, long length) {
        boolean interrupted = false;
        int slot;
        while ((slot = tryLock(start, length)) < 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true; // a started write must finish; keep the interrupt for the caller
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return slot;
    }

    /**
     * Holds {@code [start, start + length)} and returns its slot if no held range overlaps it, else returns -1 at
     * once: an event loop must not wait for a range that only its own completions would free.
     */
    public synchronized int tryLock(long start, long length) {
        long end = start + Math.max(length, 1);
        if (overlaps(start, end)) {
            return -1;
        }
        int slot = freeSlot();
        starts[slot] = start;
        ends[slot] = end;
        used[slot] = true;
        return slot;
    }

    /** Runs {@code action} while holding {@code [start, start + length)} and returns its result. */
    public <T> T holding(long start, long length, java.util.function.Supplier<T> action) {
        int slot = lock(start, length);
        try {
            return action.get();
        } finally {
            unlock(slot);
        }
    }

    public synchronized void unlock(int slot) {
        used[slot] = false;
        notifyAll();
    }

    private boolean overlaps(long start, long end) {
        for (int i = 0; i < used.length; i++) {
            if (used[i] && starts[i] < end && start < ends[i]) {
                return true;
            }
        }
        return false;
    }

    private int freeSlot() {
        for (int i = 0; i < used.length; i++) {
            if (!used[i]) {
                return i;
            }
        }
        int n = used.length;
        starts = java.util.Arrays.copyOf(starts, n * 2);
        ends = java.util.Arrays.copyOf(ends, n * 2);
        used = java.util.Arrays.copyOf(used, n * 2);
        return n;
    }
}
