package dev.ferry.frontend.nvme;

import java.util.ArrayDeque;

/**
 * The {@link NvmeRequest}s of one queue, recycled so that a command allocates nothing: made on first need, at most
 * {@code limit} in use at once (the transport bounds its commands before asking, so running out is its bug, told
 * by null). Loop thread only.
 */
final class RequestPool {
    private final ArrayDeque<NvmeRequest> free = new ArrayDeque<>();
    private int inUse;

    /** A request for a new command, or null when {@code limit} are in use already. */
    NvmeRequest acquire(int limit) {
        if (inUse >= limit) {
            return null;
        }
        NvmeRequest r = free.poll();
        if (r == null) {
            r = new NvmeRequest(this);
        }
        inUse++;
        r.reuse();
        return r;
    }

    void recycle(NvmeRequest r) {
        inUse--;
        free.push(r);
    }

    int inUse() {
        return inUse;
    }
}
