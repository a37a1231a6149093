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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Linux block device (or a regular file) on an O_DIRECT descriptor, fed by the core's worker threads. Reads and
 * writes whose ByteBuf is native memory aligned for O_DIRECT go to the kernel in place, through each worker's
 * io_uring where the kernel allows it ({@link AsyncIo}); everything else (bounced buffers, flush, discard,
 * compare-and-write) is a blocking syscall on the worker, with data through the worker's aligned bounce buffer.
 *
 * <p>Writes, unmaps, write-zeroes and compare-and-write hold a {@link RangeLock} on their blocks, which makes
 * compare-and-write atomic against every other write; reads take no lock.
 */
public final class BlockBackend implements Backend {
    /** Per-worker bounce buffer; larger transfers that need bouncing go in pieces of this size. */
    static final int BOUNCE_BYTES = 1 << 20;

    private volatile BackendDescriptor descriptor;
    private final int fd;
    private final boolean regularFile;
    /** No size is configured: the whole device (or file) is exported, so its capacity follows the device's. */
    private final boolean wholeDevice;
    private final int blockSize;
    private final int alignment;
    private final int workers;
    /**
     * Requests in flight at the device, at most the backstore's queue depth: taken before a request starts, given
     * back when it completes (on the io_uring reaper for reads and writes that went there).
     */
    private final Semaphore inFlight;
    private final int queueDepth;
    private final AtomicInteger peakInFlight = new AtomicInteger();
    /** Every write is made durable before completion: write-through on a device whose cache is not reported. */
    private final boolean writeThrough;
    private final RangeLock rangeLock = new RangeLock();
    private final ThreadLocal<WorkerBuffers> buffers;
    /** The calling worker's io_uring, null (per worker) where io_uring is unavailable or turned off. */
    private final ThreadLocal<AsyncIo> rings;
    private final List<AsyncIo> allRings = new CopyOnWriteArrayList<>();
    private final LongAdder ringOps = new LongAdder();
    private final LongAdder bouncedBytes = new LongAdder();
    private final LongAdder directBytes = new LongAdder();
    /** fdatasync calls made since open (flushes, and durable writes, unmaps and write-zeroes). */
    private final LongAdder syncs = new LongAdder();
    /** Cleared on the first EOPNOTSUPP/EINVAL from pwritev2(RWF_DSYNC): then write + fdatasync. */
    private volatile boolean dsyncWrites = LibC.Pwritev2.AVAILABLE;
    private volatile boolean closed;

    /**
     * @param fd           an open O_DIRECT descriptor, owned (and closed) by this backend
     * @param wholeDevice  the whole device is exported (no size configured), so {@link #rereadCapacity} follows it
     * @param alignment    memory alignment O_DIRECT needs (at least the logical block size)
     * @param queueDepth   most requests in flight at the device, over all workers and their rings
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
        this.rings = ThreadLocal.withInitial(() -> ioUring ? ring() : null);
    }

    private AsyncIo ring() {
        IoUring ring = IoUring.tryCreate(queueDepth); // any one worker may hold every slot the semaphore gives
        if (ring == null) {
            return null;
        }
        AsyncIo io = new AsyncIo(ring, queueDepth, rangeLock, inFlight,
                Thread.currentThread().getName() + "-uring");
        allRings.add(io);
        return io;
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
        inFlight.acquireUninterruptibly();
        peakInFlight.accumulateAndGet(queueDepth - inFlight.availablePermits(), Math::max);
        boolean onRing = false;
        try {
            onRing = start(r);
        } finally {
            if (!onRing) {
                inFlight.release();
            }
        }
    }

    /** Runs {@code r}, or starts it on the worker's io_uring and returns true (the reaper then completes it). */
    private boolean start(BlockRequest r) {
        long offset = r.lba() * blockSize;
        int length = r.blocks() * blockSize;
        BlockOp op = r.op();
        try {
            switch (op) {
                case READ -> {
                    ByteBuf d = r.data();
                    AsyncIo ring = rings.get();
                    long address = inPlace(d, d.writerIndex(), length);
                    if (ring != null && address != 0) {
                        ringOps.increment(); // counted first: the completion may overtake this thread
                        directBytes.add(length);
                        ring.submit(r, true, fd, address, length, offset, 0, -1);
                        return true;
                    }
                    read(offset, length, d, d.writerIndex());
                    d.writerIndex(d.writerIndex() + length);
                    r.complete(CompletionStatus.GOOD);
                }
                case WRITE -> {
                    ByteBuf d = r.data();
                    boolean durable = r.fua() || writeThrough;
                    AsyncIo ring = rings.get();
                    long address = inPlace(d, d.readerIndex(), length);
                    int slot = rangeLock.lock(offset, length);
                    if (ring != null && address != 0) {
                        // The range stays locked until the reaper completes the write.
                        ringOps.increment();
                        directBytes.add(length);
                        ring.submit(r, false, fd, address, length, offset, durable ? LibC.RWF_DSYNC : 0, slot);
                        return true;
                    }
                    try {
                        write(offset, length, d, d.readerIndex(), durable);
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
        return false;
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

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        allRings.forEach(AsyncIo::close); // waits for the writes still in flight
        try {
            if (!descriptor.readOnly()) {
                LibC.fdatasync(fd);
            }
        } finally {
            LibC.close(fd);
        }
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
