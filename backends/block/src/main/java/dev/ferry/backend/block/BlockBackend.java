package dev.ferry.backend.block;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;
import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.backend.BackendException;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Linux block device (or a regular file) on an O_DIRECT descriptor.
 *
 * <p>With io_uring (the kernel and any seccomp profile allow it) the backend is {@link #nonBlocking()}: the core
 * calls {@link #execute} on the frontend event loop that decoded the request. Reads and writes whose ByteBuf is
 * native memory aligned for O_DIRECT go to the kernel in place through that loop's own ring ({@link LoopRing}):
 * submitted in one io_uring_enter per loop iteration, reaped on the loop. Everything that would block (bounced
 * buffers, flush, discard, write-zeroes, compare-and-write, a write whose blocks another write holds) runs on the
 * backend's own blocking threads. Without io_uring the core's worker threads call {@link #execute} and every
 * request is a blocking syscall there, as before. Data that cannot go in place moves through the thread's aligned
 * bounce buffer.
 *
 * <p>Writes, unmaps, write-zeroes and compare-and-write hold a {@link RangeLock} on their blocks, which makes
 * compare-and-write atomic against every other write; reads take no lock.
 */
public final class BlockBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(BlockBackend.class);
    /** Per-worker bounce buffer; larger transfers that need bouncing go in pieces of this size. */
    static final int BOUNCE_BYTES = 1 << 20;
    /**
     * Most event-loop rings per backend: one per loop that submits here, so the process's loops (one group sized to
     * the cores) stay far below it; requests from loops beyond it run on the blocking threads.
     */
    static final int MAX_RINGS = 64;
    /** How long close waits for I/O in flight (a device that stopped answering) before giving up on it. */
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(60);

    private volatile BackendDescriptor descriptor;
    private final int fd;
    private final boolean regularFile;
    /** No size is configured: the whole device (or file) is exported, so its capacity follows the device's. */
    private final boolean wholeDevice;
    private final int blockSize;
    private final int alignment;
    private final int workers;
    /**
     * Requests in flight at the device, at most the backstore's queue depth: taken before a request starts (without
     * waiting on an event loop, see {@link LoopRing#admit}), given back when it completes.
     */
    private final Semaphore inFlight;
    /** Rings with requests waiting for a device slot: whoever gives one back hands it to one of them. */
    private final AtomicInteger starvingRings = new AtomicInteger();
    /** Where the next handed-over slot starts looking, so the waiting loops take turns. */
    private final AtomicInteger grantCursor = new AtomicInteger();
    private final int queueDepth;
    private final AtomicInteger peakInFlight = new AtomicInteger();
    /** Every write is made durable before completion: write-through on a device whose cache is not reported. */
    private final boolean writeThrough;
    private final RangeLock rangeLock = new RangeLock();
    private final ThreadLocal<WorkerBuffers> buffers;
    /** io_uring is in use: {@link #execute} runs on event loops, each with its own ring. */
    private final boolean ringsEnabled;
    /** Each event loop's ring, made on its first request. */
    private final Map<Executor, LoopRing> ringsByLoop = new ConcurrentHashMap<>();
    private final List<LoopRing> rings = new CopyOnWriteArrayList<>();
    /** Loops that got no ring (over {@link #MAX_RINGS}, or the kernel refused): their requests block on a thread. */
    private final Set<Executor> ringless = ConcurrentHashMap.newKeySet();
    /** Runs what would block an event loop; only when {@link #ringsEnabled}. */
    private final ExecutorService blocking;
    private final LongAdder ringOps = new LongAdder();
    /** io_uring_enter calls made to submit (each takes every request a loop prepared since its last one). */
    private final LongAdder submitCalls = new LongAdder();
    private final LongAdder bouncedBytes = new LongAdder();
    private final LongAdder directBytes = new LongAdder();
    /** fdatasync calls made since open (flushes, and durable writes, unmaps and write-zeroes). */
    private final LongAdder syncs = new LongAdder();
    /** Cleared on the first EOPNOTSUPP/EINVAL from pwritev2(RWF_DSYNC): then write + fdatasync. */
    private volatile boolean dsyncWrites = LibC.Pwritev2.AVAILABLE;
    private boolean closed;

    /**
     * @param fd           an open O_DIRECT descriptor, owned (and closed) by this backend
     * @param wholeDevice  the whole device is exported (no size configured), so {@link #rereadCapacity} follows it
     * @param alignment    memory alignment O_DIRECT needs (at least the logical block size)
     * @param workers      threads for blocking syscalls (the core's workers, or ours beside the io_uring rings)
     * @param queueDepth   most requests in flight at the device, over all threads and rings
     * @param writeThrough make every write durable (the configuration turned the reported write cache off)
     * @param ioUring      use io_uring for aligned reads and writes where the kernel offers it
     */
    public BlockBackend(BackendDescriptor descriptor, int fd, boolean regularFile, boolean wholeDevice, int alignment,
            int workers, int queueDepth, boolean writeThrough, boolean ioUring) {
        this.descriptor = descriptor;
        this.fd = fd;
        this.regularFile = regularFile;
        this.wholeDevice = wholeDevice;
        this.blockSize = descriptor.logicalBlockSize();
        this.alignment = alignment;
        this.workers = workers;
        this.queueDepth = queueDepth;
        this.inFlight = new Semaphore(queueDepth);
        this.writeThrough = writeThrough;
        this.buffers = ThreadLocal.withInitial(() -> new WorkerBuffers(BOUNCE_BYTES, alignment));
        this.ringsEnabled = ioUring && IoUring.available();
        this.blocking = ringsEnabled ? blockingThreads(descriptor.name(), workers) : null;
    }

    /** Daemon threads for blocking syscalls; the queue holds at most what the loops' request pools let in flight. */
    private static ExecutorService blockingThreads(String name, int threads) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "ferry-" + name + "-blocking-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
    }

    /** True when io_uring is in use: then the core calls {@link #execute} on the submitting event loop. */
    @Override
    public boolean nonBlocking() {
        return ringsEnabled;
    }

    @Override
    public BackendDescriptor describe() {
        return descriptor;
    }

    @Override
    public int workers() {
        return workers;
    }

    /**
     * Exports the device's current size (BLKGETSIZE64; a file's end), e.g. after an admin grew the LV or ran
     * {@code losetup -c} on a loop device whose file grew. A configured size stays what it is.
     */
    @Override
    public synchronized BackendDescriptor rereadCapacity() throws BackendException {
        BackendDescriptor d = descriptor;
        if (!wholeDevice) {
            throw new BackendException("backstore " + d.name() + " exports the size its configuration gives, not"
                    + " the whole device: give the new size");
        }
        return publish(deviceBytes() / blockSize);
    }

    /** Exports {@code capacityBytes} of the device, which must have that many. */
    @Override
    public synchronized BackendDescriptor resize(long capacityBytes) throws BackendException {
        BackendDescriptor d = descriptor;
        if (wholeDevice) {
            throw new BackendException("backstore " + d.name() + " exports its whole device: grow the device, then"
                    + " re-read its size (ferry backstore resize " + d.name() + ")");
        }
        long available = deviceBytes();
        if (capacityBytes > available || capacityBytes < blockSize) {
            throw new BackendException("backstore " + d.name() + ": " + capacityBytes + " bytes do not fit the device ("
                    + available + " bytes)");
        }
        return publish(capacityBytes / blockSize);
    }

    /** BLKGETSIZE64 of the device, or the end of the regular file. */
    private long deviceBytes() throws BackendException {
        try {
            return regularFile ? LibC.lseek(fd, 0, LibC.SEEK_END) : BlockIoctls.size64(fd);
        } catch (LastErrorException e) {
            throw new BackendException("backstore " + descriptor.name() + ": cannot read the device size: "
                    + Errno.name(e.getErrorCode()), e);
        }
    }

    private BackendDescriptor publish(long blocks) {
        descriptor = descriptor.withCapacityBlocks(blocks);
        return descriptor;
    }

    @Override
    public void execute(BlockRequest r) {
        if (!ringsEnabled) {
            runBlocking(r); // on a core worker
            return;
        }
        LoopRing ring = ringOf(r.owner().loop());
        if (ring != null) {
            ring.admit(r);
        } else {
            blocking.execute(() -> runBlocking(r));
        }
    }

    /** The calling loop's ring, made on its first request; null when the caller may not or cannot have one. */
    private LoopRing ringOf(Executor loop) {
        LoopRing ring = ringsByLoop.get(loop);
        if (ring == null && !ringless.contains(loop)) {
            ring = openRing(loop);
        }
        return ring != null && ring.onLoop() ? ring : null;
    }

    private synchronized LoopRing openRing(Executor loop) {
        LoopRing ring = ringsByLoop.get(loop);
        if (ring != null || ringless.contains(loop) || closed) {
            return ring;
        }
        if (loop instanceof EventExecutor e && !e.inEventLoop()) {
            return null; // not the loop's own thread: a ring belongs to the thread that submits and reaps
        }
        if (rings.size() >= MAX_RINGS) {
            LOG.warn("backstore {}: more than {} event loops submit; loop {} uses blocking threads", descriptor.name(),
                    MAX_RINGS, loop);
            ringless.add(loop);
            return null;
        }
        try {
            ring = LoopRing.open(this, rangeLock, loop, queueDepth, // one loop may hold every device slot
                    "ferry-" + descriptor.name() + "-uring-" + rings.size());
        } catch (LastErrorException e) {
            LOG.warn("backstore {}: no io_uring for loop {} ({}); it uses blocking threads", descriptor.name(), loop,
                    Errno.name(e.getErrorCode()));
            ringless.add(loop);
            return null;
        }
        rings.add(ring);
        ringsByLoop.put(loop, ring);
        return ring;
    }

    /** Takes a device slot if one is free, without waiting (event loops). */
    boolean tryTakeSlot() {
        if (!inFlight.tryAcquire()) {
            return false;
        }
        notePeak();
        return true;
    }

    /**
     * Gives a device slot back: while loops have requests waiting for one, straight to one of them, in turn, so a
     * loop that keeps every slot busy cannot starve the others by taking each slot back itself; else to the free
     * slots.
     */
    void releaseSlot() {
        if (starvingRings.get() > 0) {
            int n = rings.size();
            int first = grantCursor.getAndIncrement();
            for (int i = 0; i < n; i++) {
                if (rings.get(Math.floorMod(first + i, n)).grant()) {
                    return;
                }
            }
        }
        inFlight.release();
    }

    /** A ring started ({@code +1}) or stopped ({@code -1}) having requests wait for a device slot. */
    void starving(int delta) {
        starvingRings.addAndGet(delta);
    }

    /** Counts the io_uring_enter calls a ring made to submit. */
    void submitted(int calls) {
        submitCalls.add(calls);
    }

    private void notePeak() {
        int now = queueDepth - inFlight.availablePermits();
        if (now > peakInFlight.get()) {
            peakInFlight.accumulateAndGet(now, Math::max);
        }
    }

    /**
     * Starts {@code r}, which holds a device slot, from its event loop: an aligned read, or an aligned write whose
     * blocks no other write holds, goes on the loop's ring; anything else runs on a blocking thread.
     */
    void startOnLoop(LoopRing ring, BlockRequest r) {
        long offset = r.lba() * blockSize;
        int length = r.blocks() * blockSize;
        ByteBuf d = r.data();
        if (r.op() == BlockOp.READ) {
            long address = inPlace(d, d.writerIndex(), length);
            if (address != 0) {
                ringOps.increment();
                directBytes.add(length);
                ring.read(r, fd, address, length, offset);
                return;
            }
        } else if (r.op() == BlockOp.WRITE) {
            long address = inPlace(d, d.readerIndex(), length);
            int slot = address == 0 ? -1 : rangeLock.tryLock(offset, length);
            if (slot >= 0) {
                // The range stays locked until the write completes.
                ringOps.increment();
                directBytes.add(length);
                ring.write(r, fd, address, length, offset, r.fua() || writeThrough ? LibC.RWF_DSYNC : 0, slot);
                return;
            }
        }
        try {
            blocking.execute(() -> {
                try {
                    run(r);
                } finally {
                    releaseSlot();
                }
            });
        } catch (RejectedExecutionException e) {
            releaseSlot(); // closing: the blocking threads are stopped
            r.complete(CompletionStatus.UNIT_NOT_READY);
        }
    }

    /** Takes a device slot (waiting for one), runs {@code r} with blocking syscalls, gives the slot back. */
    private void runBlocking(BlockRequest r) {
        inFlight.acquireUninterruptibly();
        notePeak();
        try {
            run(r);
        } finally {
            releaseSlot();
        }
    }

    /** Runs {@code r} to completion with blocking syscalls on the calling thread. */
    private void run(BlockRequest r) {
        long offset = r.lba() * blockSize;
        int length = r.blocks() * blockSize;
        BlockOp op = r.op();
        try {
            switch (op) {
                case READ -> {
                    ByteBuf d = r.data();
                    read(offset, length, d, d.writerIndex());
                    d.writerIndex(d.writerIndex() + length);
                    r.complete(CompletionStatus.GOOD);
                }
                case WRITE -> {
                    ByteBuf d = r.data();
                    int slot = rangeLock.lock(offset, length);
                    try {
                        write(offset, length, d, d.readerIndex(), r.fua() || writeThrough);
                    } finally {
                        rangeLock.unlock(slot);
                    }
                    r.complete(CompletionStatus.GOOD);
                }
                case COMPARE_AND_WRITE -> compareAndWrite(r, offset, length);
                case VERIFY -> {
                    long mismatch = compare(offset, length, r.data());
                    if (mismatch < 0) {
                        r.complete(CompletionStatus.GOOD);
                    } else {
                        r.completeMiscompare(mismatch);
                    }
                }
                case FLUSH -> {
                    sync();
                    r.complete(CompletionStatus.GOOD);
                }
                case UNMAP -> {
                    for (int i = 0; i < r.rangeCount(); i++) {
                        discard(r.rangeLba(i) * blockSize, (long) r.rangeBlocks(i) * blockSize);
                    }
                    syncIfDurable(r);
                    r.complete(CompletionStatus.GOOD);
                }
                case WRITE_ZEROES -> {
                    writeZeroes(offset, length, r.deallocate());
                    syncIfDurable(r);
                    r.complete(CompletionStatus.GOOD);
                }
                case PREFETCH -> r.complete(CompletionStatus.GOOD); // O_DIRECT bypasses the cache it would fill
            }
        } catch (LastErrorException e) {
            boolean reading = op == BlockOp.READ || op == BlockOp.VERIFY;
            r.complete(reading ? Errno.forRead(e.getErrorCode()) : Errno.forWrite(e.getErrorCode()));
        } catch (ShortTransferException e) {
            r.complete(e.status);
        } catch (SyncFailure e) {
            r.completeSyncFailed(Errno.forWrite(e.errno));
        }
    }

    /**
     * BLKDISCARD, BLKZEROOUT and fallocate may leave their effect in the device's volatile cache or the file
     * system's journal like any write: FUA (or write-through) needs the same fdatasync afterwards.
     */
    private void syncIfDurable(BlockRequest r) {
        if (r.fua() || writeThrough) {
            sync();
        }
    }

    /** fdatasync; its failure is told apart from the write's own, since it may have lost other cached data. */
    private void sync() {
        syncs.increment();
        try {
            LibC.fdatasync(fd);
        } catch (LastErrorException e) {
            throw new SyncFailure(e.getErrorCode());
        }
    }

    private void compareAndWrite(BlockRequest r, long offset, int length) {
        ByteBuf d = r.data();
        long mismatch = rangeLock.holding(offset, length, () -> {
            long at = compare(offset, length, d);
            if (at < 0) {
                write(offset, length, d, d.readerIndex() + length, r.fua() || writeThrough);
            }
            return at;
        });
        if (mismatch < 0) {
            r.complete(CompletionStatus.GOOD);
        } else {
            r.completeMiscompare(mismatch);
        }
    }

    /** Reads {@code length} bytes at {@code offset} into {@code out} at {@code index} (indexes untouched). */
    private void read(long offset, int length, ByteBuf out, int index) {
        long address = inPlace(out, index, length);
        if (address != 0) {
            preadFully(address, length, offset);
            directBytes.add(length);
            return;
        }
        WorkerBuffers w = buffers.get();
        for (int done = 0; done < length; ) {
            int n = Math.min(w.bounceSize, length - done);
            preadFully(w.bounce, n, offset + done);
            out.setBytes(index + done, w.view(n));
            done += n;
        }
        bouncedBytes.add(length);
    }

    private void write(long offset, int length, ByteBuf in, int index, boolean durable) {
        long address = inPlace(in, index, length);
        if (address != 0) {
            pwriteFully(address, length, offset, durable);
            directBytes.add(length);
            return;
        }
        WorkerBuffers w = buffers.get();
        for (int done = 0; done < length; ) {
            int n = Math.min(w.bounceSize, length - done);
            in.getBytes(index + done, w.view(n));
            pwriteFully(w.bounce, n, offset + done, durable);
            done += n;
        }
        bouncedBytes.add(length);
    }

    /** @return offset of the first byte that differs from {@code expected} (from its reader index), -1 if none */
    private long compare(long offset, int length, ByteBuf expected) {
        WorkerBuffers w = buffers.get();
        for (int done = 0; done < length; ) {
            int n = Math.min(w.bounceSize, length - done);
            preadFully(w.bounce, n, offset + done);
            if (expected != null) {
                int from = expected.readerIndex() + done;
                for (int i = 0; i < n; i++) {
                    if (w.view.get(i) != expected.getByte(from + i)) {
                        return done + i;
                    }
                }
            }
            done += n;
        }
        return -1;
    }

    /**
     * The native address to hand to the kernel for {@code [index, index + length)} of {@code b}, or 0 when the
     * buffer is not one contiguous native region aligned as O_DIRECT requires.
     */
    private long inPlace(ByteBuf b, int index, int length) {
        if (!b.hasMemoryAddress()) {
            return 0;
        }
        long address = b.memoryAddress() + index;
        return (address & (alignment - 1)) == 0 && length % alignment == 0 ? address : 0;
    }

    private void preadFully(long address, int length, long offset) {
        for (int done = 0; done < length; ) {
            long n = LibC.pread(fd, address + done, length - done, offset + done);
            if (n == 0) {
                throw new ShortTransferException(CompletionStatus.LBA_OUT_OF_RANGE); // the device shrank under us
            }
            done += (int) n;
        }
    }

    private void pwriteFully(long address, int length, long offset, boolean durable) {
        for (int done = 0; done < length; ) {
            long n = durable && dsyncWrites
                    ? dsyncWrite(address + done, length - done, offset + done)
                    : LibC.pwrite(fd, address + done, length - done, offset + done);
            if (n == 0) {
                throw new ShortTransferException(CompletionStatus.NO_SPACE);
            }
            done += (int) n;
        }
        if (durable && !dsyncWrites) {
            sync();
        }
    }

    /** pwritev2(RWF_DSYNC): the data is durable when the call returns, FUA on devices that have it. */
    private long dsyncWrite(long address, int length, long offset) {
        Pointer iov = buffers.get().iovec;
        iov.setLong(0, address);
        iov.setLong(8, length);
        try {
            return LibC.Pwritev2.pwritev2(fd, Pointer.nativeValue(iov), 1, offset, LibC.RWF_DSYNC);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != Errno.EOPNOTSUPP && e.getErrorCode() != Errno.EINVAL) {
                throw e;
            }
            dsyncWrites = false; // kernel older than 4.7: fall back for good
            long n = LibC.pwrite(fd, address, length, offset);
            sync();
            return n;
        }
    }

    private void discard(long offset, long length) {
        int slot = rangeLock.lock(offset, length);
        try {
            if (regularFile) {
                LibC.fallocate(fd, LibC.FALLOC_FL_PUNCH_HOLE | LibC.FALLOC_FL_KEEP_SIZE, offset, length);
            } else {
                BlockIoctls.range(fd, BlockIoctls.BLKDISCARD, buffers.get().range, offset, length);
            }
        } finally {
            rangeLock.unlock(slot);
        }
    }

    private void writeZeroes(long offset, long length, boolean deallocate) {
        int slot = rangeLock.lock(offset, length);
        try {
            if (!regularFile) {
                // The kernel unmaps where the device guarantees zeroes afterwards, else writes them.
                BlockIoctls.range(fd, BlockIoctls.BLKZEROOUT, buffers.get().range, offset, length);
                return;
            }
            int mode = (deallocate ? LibC.FALLOC_FL_PUNCH_HOLE : LibC.FALLOC_FL_ZERO_RANGE) | LibC.FALLOC_FL_KEEP_SIZE;
            try {
                LibC.fallocate(fd, mode, offset, length);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EOPNOTSUPP) {
                    throw e;
                }
                LibC.fallocate(fd, LibC.FALLOC_FL_PUNCH_HOLE | LibC.FALLOC_FL_KEEP_SIZE, offset, length);
            }
        } finally {
            rangeLock.unlock(slot);
        }
    }

    /** The most requests that were in flight at once since open; never above the queue depth. */
    public int peakInFlight() {
        return peakInFlight.get();
    }

    /** Reads and writes that went through io_uring since open. */
    public long ringOps() {
        return ringOps.sum();
    }

    /** io_uring_enter calls made to submit since open: fewer than {@link #ringOps()} when requests came in bursts. */
    public long submitCalls() {
        return submitCalls.sum();
    }

    /** Event loops with their own ring, and how many of them the loop's own poller wakes (no hand-off thread). */
    int rings() {
        return rings.size();
    }

    int ringsWatchedOnLoop() {
        return (int) rings.stream().filter(LoopRing::watchedOnLoop).count();
    }

    /** Bytes moved through a bounce buffer (a copy) since open. */
    public long bouncedBytes() {
        return bouncedBytes.sum();
    }

    /** fdatasync calls since open: flushes, and durable unmaps, write-zeroes and writes without RWF_DSYNC. */
    public long syncs() {
        return syncs.sum();
    }

    /** Bytes moved in place between the kernel and the request buffer since open. */
    public long directBytes() {
        return directBytes.sum();
    }

    /**
     * Waits (up to {@link #DRAIN_NANOS}) until no request is in flight or waits for a device slot, then stops the
     * blocking threads, frees the rings, makes the device durable and closes it. The core stopped submitting.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true; // no ring is opened from here on
        }
        long deadline = System.nanoTime() + DRAIN_NANOS;
        boolean idle = awaitIdle(deadline) && stopBlockingThreads(deadline);
        if (!idle) {
            LOG.warn("backstore {}: closing with {} requests in flight at the device", descriptor.name(),
                    queueDepth - inFlight.availablePermits());
        }
        rings.forEach(ring -> ring.close(idle));
        try {
            if (!descriptor.readOnly()) {
                LibC.fdatasync(fd);
            }
        } finally {
            LibC.close(fd);
        }
    }

    /**
     * Lets the blocking threads finish what they were given (a request waiting for a device slot there holds none);
     * past the deadline drops what they have not started, so nothing runs on the descriptor after it is closed.
     */
    private boolean stopBlockingThreads(long deadline) {
        if (blocking == null) {
            return true;
        }
        blocking.shutdown();
        try {
            if (blocking.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        blocking.shutdownNow();
        return false;
    }

    /** Read in this order: a waiting request takes its slot before its ring stops counting as starving. */
    private boolean awaitIdle(long deadline) {
        while (starvingRings.get() > 0 || inFlight.availablePermits() < queueDepth) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** fdatasync failed with {@code errno}. */
    private static final class SyncFailure extends RuntimeException {
        final int errno;

        SyncFailure(int errno) {
            super(null, null, false, false);
            this.errno = errno;
        }
    }

    /** A read or write moved no bytes: the device ended early. */
    private static final class ShortTransferException extends RuntimeException {
        final CompletionStatus status;

        ShortTransferException(CompletionStatus status) {
            super(null, null, false, false);
            this.status = status;
        }
    }
}
