package dev.ferry.backend.block;

import com.sun.jna.LastErrorException;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event loop's io_uring. The loop that decoded a request prepares its read or write here, hands everything it
 * prepared to the kernel in one io_uring_enter when it gets to its tasks (after this iteration's network I/O; at
 * once if the submission queue is full), and reaps the completions itself: right after submitting, and whenever
 * the ring's eventfd wakes it ({@link CompletionWatch}). A request never changes thread, and a burst of requests
 * costs one syscall.
 *
 * <p>Device slots: a request first takes one of the backend's queue-depth slots. When none is free it waits here,
 * in order; while requests wait, every slot given back anywhere is handed to a waiting ring, the rings taking
 * turns ({@link #grant}), so one busy loop cannot keep the others from the device.
 *
 * <p>Threading: everything runs on the loop thread except {@link #grant} and {@link #close}. The monitor is there for
 * close only (uncontended otherwise): once it is closed nothing touches the freed ring.
 */
final class LoopRing {
    private static final Logger LOG = LoggerFactory.getLogger(LoopRing.class);

    private final BlockBackend backend;
    private final RangeLock rangeLock;
    private final IoUring ring;
    private final Executor loop;
    private final Thread thread;
    private final CompletionWatch watch;
    /** Per slot: the request, its length, its range lock slot (-1 for a read), whether it reads. */
    private final BlockRequest[] requests;
    private final int[] lengths;
    private final int[] lockSlots;
    private final boolean[] reads;
    private final int[] freeSlots;
    private int freeCount;
    /** Requests that found no free device slot, oldest first; bounded by the loop's request pools. */
    private final ArrayDeque<BlockRequest> waiting = new ArrayDeque<>();
    private volatile boolean hasWaiting;
    /** Device slots other threads handed to this ring for its waiting requests ({@link #grant}). */
    private final AtomicInteger granted = new AtomicInteger();
    private final AtomicBoolean retryScheduled = new AtomicBoolean();
    private boolean flushScheduled;
    private final Runnable flushTask = this::flush;
    private final Runnable retryTask = this::retry;
    private final IoUring.Completion completion = this::completed;
    private boolean closed;

    /**
     * Opens a ring of {@code depth} entries for the calling loop thread.
     *
     * @throws LastErrorException when the kernel refuses the ring or its eventfd
     */
    static LoopRing open(BlockBackend backend, RangeLock rangeLock, Executor loop, int depth, String name) {
        IoUring ring = IoUring.tryCreate(depth);
        if (ring == null) {
            throw new LastErrorException(Errno.ENOMEM);
        }
        int eventfd = -1;
        try {
            eventfd = LibC.eventfd(0, LibC.EFD_CLOEXEC);
            ring.registerEventfd(eventfd);
            return new LoopRing(backend, rangeLock, ring, loop, depth, eventfd, name);
        } catch (RuntimeException e) {
            ring.close();
            if (eventfd >= 0) {
                LibC.close(eventfd);
            }
            throw e;
        }
    }

    private LoopRing(BlockBackend backend, RangeLock rangeLock, IoUring ring, Executor loop, int depth, int eventfd,
            String name) {
        this.backend = backend;
        this.rangeLock = rangeLock;
        this.ring = ring;
        this.loop = loop;
        this.thread = Thread.currentThread();
        this.requests = new BlockRequest[depth];
        this.lengths = new int[depth];
        this.lockSlots = new int[depth];
        this.reads = new boolean[depth];
        this.freeSlots = new int[depth];
        for (int i = 0; i < depth; i++) {
            freeSlots[freeCount++] = i;
        }
        this.watch = CompletionWatch.open(loop, eventfd, this::reap, name);
    }

    /** Whether the caller runs on this ring's loop, the only thread that may submit here. */
    boolean onLoop() {
        return Thread.currentThread() == thread;
    }

    /** Whether the loop's own poller wakes it for completions (no hand-off thread). */
    boolean watchedOnLoop() {
        return watch.onLoop();
    }

    /** Starts {@code r} if a device slot is free and none is waiting before it, else queues it. Loop thread. */
    synchronized void admit(BlockRequest r) {
        if (closed) {
            r.complete(CompletionStatus.UNIT_NOT_READY);
            return;
        }
        if (waiting.isEmpty() && backend.tryTakeSlot()) {
            backend.startOnLoop(this, r);
            return;
        }
        waiting.add(r);
        if (!hasWaiting) {
            hasWaiting = true;
            backend.starving(1);
            startWaiting(); // a slot given back before we said we wait would wake nobody
        }
    }

    /** Prepares a read into {@code address}; the request holds a device slot. Loop thread. */
    void read(BlockRequest r, int fd, long address, int length, long offset) {
        prepare(r, true, fd, address, length, offset, 0, -1);
    }

    /** Prepares a write from {@code address}; it holds a device slot and {@code lockSlot} until it completes. */
    void write(BlockRequest r, int fd, long address, int length, long offset, int rwFlags, int lockSlot) {
        prepare(r, false, fd, address, length, offset, rwFlags, lockSlot);
    }

    private void prepare(BlockRequest r, boolean read, int fd, long address, int length, long offset, int rwFlags,
            int lockSlot) {
        int slot = freeSlots[--freeCount]; // never empty: each ring has a slot for every device slot
        requests[slot] = r;
        lengths[slot] = length;
        lockSlots[slot] = lockSlot;
        reads[slot] = read;
        ring.prepare(read ? IoUring.IORING_OP_READ : IoUring.IORING_OP_WRITE, fd, address, length, offset, rwFlags,
                slot);
        if (ring.pending() == ring.entries() || !scheduleFlush()) {
            flush();
        }
    }

    /**
     * Submits at the end of this loop iteration: the task runs once the loop has handled its current I/O.
     *
     * @return false when the loop refuses tasks (it is shutting down): the caller submits at once instead
     */
    private boolean scheduleFlush() {
        if (flushScheduled) {
            return true;
        }
        try {
            loop.execute(flushTask);
        } catch (RejectedExecutionException e) {
            return false;
        }
        flushScheduled = true;
        return true;
    }

    /** Submits everything prepared in one io_uring_enter, then reaps what already completed. Loop thread. */
    private synchronized void flush() {
        flushScheduled = false;
        if (closed) {
            return;
        }
        try {
            backend.submitted(ring.submit());
        } catch (LastErrorException e) {
            int errno = e.getErrorCode();
            // Short of kernel resources for now: the entries stay prepared for the next try, if there is one.
            boolean transientError = errno == Errno.EINTR || errno == Errno.EAGAIN || errno == Errno.EBUSY;
            if (!transientError || !scheduleFlush()) {
                LOG.error("io_uring_enter failed ({}); failing the requests it did not take", Errno.name(errno));
                ring.abandonPending(errno, completion);
            }
        }
        reap();
    }

    /** Delivers every posted completion and starts what waited for the slots they gave back. Loop thread. */
    synchronized void reap() {
        if (closed) {
            return;
        }
        ring.reap(completion);
        startWaiting();
    }

    private void completed(long userData, int result) {
        int slot = (int) userData;
        BlockRequest r = requests[slot];
        requests[slot] = null;
        int length = lengths[slot];
        boolean read = reads[slot];
        if (lockSlots[slot] >= 0) {
            rangeLock.unlock(lockSlots[slot]);
        }
        freeSlots[freeCount++] = slot;
        backend.releaseSlot();
        CompletionStatus status;
        if (result == length) {
            status = CompletionStatus.GOOD;
            if (read) {
                r.data().writerIndex(r.data().writerIndex() + length);
            }
        } else if (result < 0) {
            status = read ? Errno.forRead(-result) : Errno.forWrite(-result);
        } else {
            status = read ? CompletionStatus.LBA_OUT_OF_RANGE : CompletionStatus.NO_SPACE; // the device ended early
        }
        r.complete(status);
    }

    private void startWaiting() {
        while (!waiting.isEmpty() && (takeGranted() || backend.tryTakeSlot())) {
            backend.startOnLoop(this, waiting.poll());
        }
        if (waiting.isEmpty() && hasWaiting) {
            hasWaiting = false;
            backend.starving(-1);
            while (takeGranted()) { // handed over as the last request started: it is not ours to keep
                backend.releaseSlot();
            }
        }
    }

    /**
     * Hands this ring a device slot another thread gave back, if requests wait here; the loop starts one with it.
     *
     * @return false when nothing waits here (the caller keeps the slot)
     */
    boolean grant() {
        if (!hasWaiting) {
            return false;
        }
        granted.incrementAndGet();
        if (!hasWaiting && takeGranted()) {
            return false; // the ring stopped waiting meanwhile and did not see this slot: take it back
        }
        if (retryScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(retryTask);
            } catch (RejectedExecutionException e) {
                retryScheduled.set(false); // the loop is gone: close reports what still waits
            }
        }
        return true;
    }

    private boolean takeGranted() {
        int g;
        do {
            g = granted.get();
            if (g == 0) {
                return false;
            }
        } while (!granted.compareAndSet(g, g - 1));
        return true;
    }

    private synchronized void retry() {
        retryScheduled.set(false); // first: a slot given back from here on schedules another retry
        if (!closed) {
            startWaiting();
        }
    }

    /**
     * Frees the ring; the backend saw every device slot come back (nothing in flight here) or gave up waiting, in
     * which case the ring is left open: freeing it under I/O still in flight would let the kernel write into memory
     * reused for something else.
     */
    void close(boolean drained) {
        synchronized (this) {
            closed = true;
            if (!drained) {
                LOG.warn("io_uring of loop {} closed with I/O in flight or waiting; the ring is left open", thread);
                return;
            }
            ring.close();
        }
        watch.close();
    }
}
