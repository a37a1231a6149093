package dev.ferry.core.ring;

import dev.ferry.core.request.BlockRequest;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The return path for one frontend event loop: a pool of recycled {@link BlockRequest}s and a bounded MPSC ring
 * on which backend workers post completions. The ring holds as many slots as the pool has requests, so a post can
 * never find it full, and the pool size is the loop's bound on requests in flight: when {@link #acquire()}
 * returns {@code null} the frontend must push back (stop reading, answer busy), never queue without bound.
 *
 * <p>Workers wake the loop with one {@link Executor#execute} only when it is not already draining, so under load
 * many completions share one hand-off.
 */
public final class CompletionQueue {
    private static final Logger LOG = LoggerFactory.getLogger(CompletionQueue.class);
    private final Executor loop;
    private final MpscArrayQueue<BlockRequest> ring;
    private final ArrayDeque<BlockRequest> free;
    private final int capacity;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    private int inFlight;

    /**
     * @param loop     the frontend thread that owns this queue; completions run there
     * @param capacity most requests this loop may have in flight at once
     */
    public CompletionQueue(Executor loop, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.loop = loop;
        this.ring = new MpscArrayQueue<>(capacity);
        this.capacity = ring.capacity();
        this.free = new ArrayDeque<>(this.capacity);
        for (int i = 0; i < this.capacity; i++) {
            free.add(new BlockRequest(this));
        }
    }

    /** A free request, or {@code null} when the loop already has {@link #capacity()} in flight. Loop thread only. */
    public BlockRequest acquire() {
        BlockRequest r = free.poll();
        if (r != null) {
            inFlight++;
        }
        return r;
    }

    /** Called by {@link BlockRequest#release()}. Loop thread only. */
    public void recycle(BlockRequest r) {
        inFlight--;
        free.add(r);
    }

    /** Posts a completed request from any thread. */
    public void post(BlockRequest r) {
        while (!ring.offer(r)) {
            // Cannot happen while the pool bounds what is in flight; spin rather than lose a completion.
            Thread.onSpinWait();
        }
        if (drainScheduled.compareAndSet(false, true)) {
            loop.execute(drainTask);
        }
    }

    private void drain() {
        drainScheduled.set(false);
        BlockRequest r;
        while ((r = ring.poll()) != null) {
            try {
                r.deliver();
            } catch (Throwable t) {
                // One connection's failed callback (an Error too) must not strand the completions behind it.
                LOG.warn("completion callback of {} failed", r.op(), t);
            }
        }
    }

    public int capacity() {
        return capacity;
    }

    /**
     * The thread (a frontend event loop) that owns this queue. A {@link dev.ferry.core.backend.Backend#nonBlocking}
     * backend may run its own work there, e.g. submit the I/O this loop started once per loop iteration and reap
     * its completions on the loop.
     */
    public Executor loop() {
        return loop;
    }

    /** Requests acquired and not yet released. Loop thread only. */
    public int inFlight() {
        return inFlight;
    }
}
