package dev.ferry.core.ring;

import dev.ferry.core.request.BlockRequest;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The return path for one frontend event loop: a pool of recycled {@link BlockRequest}s and the queues completions
 * reach the loop by. The pool size is the loop's bound on requests in flight: when {@link #acquire()} returns
 * {@code null} the frontend must push back (stop reading, answer busy), never queue without bound. Both queues hold
 * as many slots as the pool has requests, so a post never finds them full.
 *
 * <p>A completion posted on the loop itself (a {@link dev.ferry.core.backend.Backend#nonBlocking} backend run to
 * completion there) goes to a loop-local queue, without any atomic operation, and one drain per loop iteration
 * delivers them all: on Netty's I/O loops after the iteration's I/O and tasks, before the loop waits again (a tail
 * task, {@link LoopIteration#atEnd}), else as an ordinary task. A completion posted by
 * another thread (a backend worker) goes to a bounded MPSC ring, and the worker wakes the loop with one
 * {@link Executor#execute} only when it is not already draining, so under load many completions share one hand-off.
 * Either way a completion is never delivered inside the {@code submit} that caused it.
 *
 * <p>A plain {@link Executor} (tests) is accepted: every post then takes the ring.
 */
public final class CompletionQueue {
    private static final Logger LOG = LoggerFactory.getLogger(CompletionQueue.class);
    /** Indexes are never reused: per-loop state elsewhere is an array indexed by them, not a map. */
    private static final AtomicInteger NEXT_INDEX = new AtomicInteger();

    private final Executor loop;
    /** The loop as a Netty executor, to tell a post on the loop from a worker's; null for a plain Executor. */
    private final EventExecutor eventLoop;
    private final int index;
    private final MpscArrayQueue<BlockRequest> foreign;
    private final ArrayDeque<BlockRequest> local;
    private final ArrayDeque<BlockRequest> free;
    private final int capacity;
    private final AtomicBoolean foreignDrainScheduled = new AtomicBoolean();
    private final Runnable foreignDrain = this::drainForeign;
    private final Runnable localDrain = this::drainLocal;
    private boolean localDrainScheduled;
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
        this.eventLoop = loop instanceof EventExecutor e ? e : null;
        this.index = NEXT_INDEX.getAndIncrement();
        this.foreign = new MpscArrayQueue<>(capacity);
        this.capacity = foreign.capacity();
        this.local = new ArrayDeque<>(this.capacity);
        this.free = new ArrayDeque<>(this.capacity);
        for (int i = 0; i < this.capacity; i++) {
            free.add(new BlockRequest(this));
        }
    }

    /**
     * This queue's number, unique in the process and small (queues are made once per event loop and frontend): the
     * core keeps per-loop state (statistics, submits under way) in arrays indexed by it and maps a loop to a ring.
     */
    public int index() {
        return index;
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

    /** Posts a completed request from any thread; it is delivered later on the loop. */
    public void post(BlockRequest r) {
        if (eventLoop != null && eventLoop.inEventLoop()) {
            postLocal(r);
            return;
        }
        while (!foreign.offer(r)) {
            // Cannot happen while the pool bounds what is in flight; spin rather than lose a completion.
            Thread.onSpinWait();
        }
        if (foreignDrainScheduled.compareAndSet(false, true)) {
            loop.execute(foreignDrain);
        }
    }

    private void postLocal(BlockRequest r) {
        local.add(r);
        if (!localDrainScheduled) {
            localDrainScheduled = true;
            LoopIteration.atEnd(loop, localDrain);
        }
    }

    /** Delivers everything posted on the loop, including what the callbacks post meanwhile, in one task. */
    private void drainLocal() {
        try {
            BlockRequest r;
            while ((r = local.poll()) != null) {
                deliver(r);
            }
        } finally {
            localDrainScheduled = false;
        }
    }

    private void drainForeign() {
        foreignDrainScheduled.set(false);
        BlockRequest r;
        while ((r = foreign.poll()) != null) {
            deliver(r);
        }
    }

    private static void deliver(BlockRequest r) {
        try {
            r.deliver();
        } catch (Throwable t) {
            // One connection's failed callback (an Error too) must not strand the completions behind it.
            LOG.warn("completion callback of {} failed", r.op(), t);
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
