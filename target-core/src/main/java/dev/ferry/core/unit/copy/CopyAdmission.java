package dev.ferry.core.unit.copy;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bound on copies running at once. Each copy holds one chunk buffer and one block request at a time, so this
 * bounds the memory and backend work that copy offload can take, whatever hosts ask for. A full admission makes the
 * frontend answer busy (SCSI BUSY, NVMe Namespace Not Ready with retry) instead of queueing.
 */
public final class CopyAdmission {
    /** Copies running at once in the whole process: at most this many chunk buffers ({@link CopyJob#CHUNK_BYTES}). */
    public static final int GLOBAL_LIMIT = 16;
    /** Shared by every frontend and target. */
    public static final CopyAdmission GLOBAL = new CopyAdmission(GLOBAL_LIMIT);

    private final int limit;
    private final AtomicInteger running = new AtomicInteger();

    public CopyAdmission(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        this.limit = limit;
    }

    /** Takes a slot, or returns false when {@link #limit()} copies already run. Never blocks or spins. */
    boolean tryEnter() {
        int n;
        do {
            n = running.get();
            if (n >= limit) {
                return false;
            }
        } while (!running.compareAndSet(n, n + 1));
        return true;
    }

    void leave() {
        running.decrementAndGet();
    }

    public int limit() {
        return limit;
    }

    /** Copies running now. */
    public int running() {
        return running.get();
    }
}
