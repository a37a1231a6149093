package dev.ferry.frontend.nvme;

import dev.ferry.frontend.nvme.spec.Status;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;

/**
 * Asynchronous Event Requests of one controller (NVMe Base 2.0 5.2): the host leaves up to {@link
 * Limits#ASYNC_EVENT_LIMIT} outstanding; an event completes one of them, or waits until the host sends one. Once
 * reported, an event stays masked until the host reads its log page without RAE (5.2.1).
 */
public final class AsyncEvents {
    /** Completion DW0 (Figure 146): type 2:0 = 2h Notice, information 15:8, log page 23:16. */
    public static final int NAMESPACE_ATTRIBUTE_CHANGED = 0x00_04_00_02;
    public static final int DISCOVERY_LOG_CHANGED = 0x00_70_F0_02;
    /** Asynchronous Event Configuration bits (5.27.1.7 Figure 323). */
    public static final int AEC_NAMESPACE_ATTRIBUTE = 1 << 8;
    public static final int AEC_DISCOVERY_LOG_CHANGE = 1 << 31;

    private final ArrayDeque<NvmeRequest> outstanding = new ArrayDeque<>();
    private final ArrayDeque<Integer> pending = new ArrayDeque<>();
    private final Set<Integer> reported = new HashSet<>();

    /** An Asynchronous Event Request arrived on the admin queue. */
    public void hold(NvmeQueue adminQueue, NvmeRequest r) {
        Integer ready;
        boolean overLimit = false;
        synchronized (this) {
            ready = pending.poll();
            if (ready == null) {
                overLimit = outstanding.size() >= Limits.ASYNC_EVENT_LIMIT;
                if (!overLimit) {
                    outstanding.add(r);
                    return;
                }
            }
        }
        if (overLimit) {
            adminQueue.complete(r, Status.ASYNC_EVENT_LIMIT_EXCEEDED);
        } else {
            adminQueue.complete(r, Status.SUCCESS, ready);
        }
    }

    /** Reports an event through an outstanding request, or keeps it until one arrives; any thread. */
    void raise(int event, NvmeQueue adminQueue) {
        NvmeRequest r;
        synchronized (this) {
            if (!reported.add(event)) {
                return;
            }
            r = outstanding.poll();
            if (r == null) {
                pending.add(event);
                return;
            }
        }
        if (adminQueue != null) {
            adminQueue.transport().executor().execute(() -> adminQueue.complete(r, Status.SUCCESS, event));
        }
    }

    public synchronized void rearm(int event) {
        reported.remove(event);
    }

    /**
     * Outstanding requests die with their connection: released, never completed, on their queue's loop (which
     * owns the queue's request pool; the deletion may come from the keep-alive timer).
     */
    void dropAll(NvmeQueue adminQueue) {
        List<NvmeRequest> dropped;
        synchronized (this) {
            dropped = new ArrayList<>(outstanding);
            outstanding.clear();
            pending.clear();
        }
        if (dropped.isEmpty() || adminQueue == null) {
            return;
        }
        try {
            adminQueue.transport().executor().execute(() -> dropped.forEach(NvmeRequest::release));
        } catch (RejectedExecutionException loopGone) {
            // The loop stopped: the queue, its pool and the requests go with it.
        }
    }
}
