package dev.ferry.frontend.nvmerdma.verbs;

import java.util.Arrays;

/**
 * The work requests posted and not yet completed, by the 64-bit {@code wr_id} that a polled {@code ibv_wc} names:
 * the wr_id is a slot index, so a completion finds its {@link WorkCompletion} without a map lookup. Grows on
 * demand; confined to the thread that posts and polls (the device's completion thread).
 */
public final class WorkRequests {
    private WorkCompletion[] pending;
    private int[] free;
    private int freeCount;
    private int outstanding;

    public WorkRequests(int initialCapacity) {
        pending = new WorkCompletion[initialCapacity];
        free = new int[initialCapacity];
        for (int i = 0; i < initialCapacity; i++) {
            free[i] = initialCapacity - 1 - i;
        }
        freeCount = initialCapacity;
    }

    /** Remembers {@code done} and returns the wr_id to post with. */
    public long add(WorkCompletion done) {
        if (freeCount == 0) {
            grow();
        }
        int slot = free[--freeCount];
        pending[slot] = done;
        outstanding++;
        return slot;
    }

    /** The completion of {@code wrId} arrived: forgets it, then calls its callback. */
    public void complete(long wrId, int status, int byteLength) {
        remove(wrId).completed(status, byteLength);
    }

    /** The post of {@code wrId} failed, so it will never complete: forgets it without calling back. */
    public void cancel(long wrId) {
        remove(wrId);
    }

    public int outstanding() {
        return outstanding;
    }

    private WorkCompletion remove(long wrId) {
        int slot = (int) wrId;
        WorkCompletion done = pending[slot];
        if (done == null) {
            throw new IllegalStateException("no work request " + wrId + " outstanding");
        }
        pending[slot] = null;
        free[freeCount++] = slot;
        outstanding--;
        return done;
    }

    private void grow() {
        int old = pending.length;
        int size = Math.max(16, old * 2);
        pending = Arrays.copyOf(pending, size);
        free = Arrays.copyOf(free, size);
        for (int i = size - 1; i >= old; i--) {
            free[freeCount++] = i;
        }
    }
}
