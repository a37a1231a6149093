package dev.ferry.frontend.nvmerdma;

import java.util.ArrayDeque;

/**
 * Flow control of the send queue (nvmet's {@code sq_wr_avail} and {@code rsp_wr_wait_list}): at most the
 * negotiated send queue depth of work requests (SEND, RDMA READ, RDMA WRITE) are posted at once; posts beyond it
 * wait, in order, for a completion to return a credit.
 */
final class SendCredits {
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private int available;

    SendCredits(int depth) {
        this.available = depth;
    }

    /** Runs {@code post} now if a credit is free, else once one is. */
    void acquire(Runnable post) {
        if (available > 0 && waiting.isEmpty()) {
            available--;
            post.run();
        } else {
            waiting.add(post);
        }
    }

    /** A send work request completed: hands its credit to the oldest waiting post, if any. */
    void release() {
        Runnable next = waiting.poll();
        if (next != null) {
            next.run();
        } else {
            available++;
        }
    }

    /** Runs every waiting post now; after a disconnect each one releases what it holds instead of posting. */
    void runWaiting() {
        Runnable next;
        while ((next = waiting.poll()) != null) {
            next.run();
        }
    }

    boolean idle() {
        return waiting.isEmpty();
    }
}
