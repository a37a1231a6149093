package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * Drains one CQ: ibv_poll_cq in batches, each {@link IbvWc} handed on by its wr_id. Waiting is the caller's
 * (ibv_get_cq_event on the completion channel, then ack and re-arm), not busy polling: on soft-RoCE with one vCPU
 * a busy poll costs a scheduler tick per completion.
 */
public final class CompletionPoller {
    static final int BATCH = 16;

    private final Pointer cq;
    private final Memory wcs = new Memory((long) IbvWc.SIZE * BATCH);
    private final Sink requests;

    /** Where a polled completion goes ({@code WorkRequests::complete} fits). */
    @FunctionalInterface
    public interface Sink {
        void complete(long wrId, int status, int byteLength);
    }

    public CompletionPoller(Pointer cq, Sink requests) {
        this.cq = cq;
        this.requests = requests;
    }

    /** Polls until the CQ is empty; returns the completions dispatched, or a negative ibv_poll_cq error. */
    public int drain() {
        int total = 0;
        int n;
        while ((n = VerbsOps.pollCq(cq, BATCH, wcs)) > 0) {
            dispatch(wcs, n, requests);
            total += n;
        }
        return n < 0 ? n : total;
    }

    /** Hands {@code n} polled work completions to their callbacks. */
    static void dispatch(Pointer wcs, int n, Sink requests) {
        for (int i = 0; i < n; i++) {
            Pointer wc = wcs.share((long) i * IbvWc.SIZE);
            requests.complete(IbvWc.wrId(wc), IbvWc.status(wc), IbvWc.byteLength(wc));
        }
    }
}
