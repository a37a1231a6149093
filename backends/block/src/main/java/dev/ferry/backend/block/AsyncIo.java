package dev.ferry.backend.block;

import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker's io_uring: the worker submits aligned reads and writes and returns at once to take the next
 * request; a reaper thread completes them. Up to {@code depth} are in flight per worker, so one worker keeps a
 * device queue as busy as many blocking threads would, at a syscall per request instead of a sleep and a wake-up.
 * A full ring makes the worker wait for a free slot (back-pressure into the core's submission ring); the backend's
 * in-flight semaphore, bounding all workers together, is given back here as each request completes.
 */
final class AsyncIo implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncIo.class);
    private static final long STOP = -1;
    /** How long close waits for I/O still in flight (a device that stopped answering) before freeing the ring. */
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** How long close waits for the reaper to see its stop marker, which completes at once. */
    private static final long REAPER_STOP_MILLIS = 5000;

    private final IoUring ring;
    private final int depth;
    private final RangeLock rangeLock;
    private final Semaphore inFlight;
    private final AtomicReferenceArray<BlockRequest> requests;
    private final int[] lengths;
    private final int[] lockSlots;
    private final boolean[] reads;
    private final ArrayBlockingQueue<Integer> free;
    private final Thread reaper;
    private volatile boolean stopped;

    AsyncIo(IoUring ring, int depth, RangeLock rangeLock, Semaphore inFlight, String name) {
        this.ring = ring;
        this.depth = depth;
        this.rangeLock = rangeLock;
        this.inFlight = inFlight;
        this.requests = new AtomicReferenceArray<>(depth);
        this.lengths = new int[depth];
        this.lockSlots = new int[depth];
        this.reads = new boolean[depth];
        this.free = new ArrayBlockingQueue<>(depth);
        for (int i = 0; i < depth; i++) {
            free.add(i); // small Integers are cached: taking and returning slots allocates nothing
        }
        this.reaper = new Thread(this::reap, name);
        this.reaper.setDaemon(true);
        this.reaper.start();
    }

    /**
     * Starts a read or write of {@code length} bytes at {@code address}; the request completes on the reaper.
     *
     * @param lockSlot the {@link RangeLock} slot a write holds until it completes, -1 for a read
     */
    void submit(BlockRequest r, boolean read, int fd, long address, int length, long offset, int rwFlags,
            int lockSlot) {
        int slot = takeSlot();
        lengths[slot] = length;
        lockSlots[slot] = lockSlot;
        reads[slot] = read;
        requests.set(slot, r); // volatile: publishes the fields above to the reaper
        ring.prepare(read ? IoUring.IORING_OP_READ : IoUring.IORING_OP_WRITE, fd, address, length, offset, rwFlags,
                slot);
        ring.submit();
    }

    private int takeSlot() {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return free.take();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void reap() {
        while (!stopped) {
            try {
                ring.await(this::completed);
            } catch (RuntimeException e) {
                // A bug here must not strand every later completion of this ring.
                LOG.error("io_uring completion failed", e);
            }
        }
    }

    private void completed(long userData, int result) {
        if (userData == STOP) {
            stopped = true;
            return;
        }
        int slot = (int) userData;
        BlockRequest r = requests.getAndSet(slot, null);
        int length = lengths[slot];
        boolean read = reads[slot];
        if (lockSlots[slot] >= 0) {
            rangeLock.unlock(lockSlots[slot]);
        }
        free.add(slot);
        inFlight.release();
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

    /** Waits for everything in flight, then stops the reaper and frees the ring. The workers have stopped. */
    @Override
    public void close() {
        long deadline = System.nanoTime() + DRAIN_NANOS;
        while (free.size() < depth) {
            if (System.nanoTime() > deadline) {
                LOG.warn("closing with {} reads/writes still in flight", depth - free.size());
                break;
            }
            Thread.yield();
        }
        ring.prepare(IoUring.IORING_OP_NOP, -1, 0, 0, 0, 0, STOP);
        ring.submit();
        try {
            reaper.join(REAPER_STOP_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (reaper.isAlive()) {
            // Freeing the ring under a thread still waiting on it would be a use-after-free; leaking it is less harm.
            LOG.warn("io_uring reaper did not stop within {} ms; the ring is left open", REAPER_STOP_MILLIS);
            return;
        }
        ring.close();
    }
}
