package dev.ferry.backend.rbd;

import com.sun.jna.CallbackReference;
import com.sun.jna.CallbackThreadInitializer;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.backend.BackendException;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jctools.queues.MpmcArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An RBD image served through librbd's asynchronous C API. A worker thread only starts each request
 * ({@code rbd_aio_*}) and takes the next; librbd calls {@link #completed} on its own thread when the OSDs answered,
 * which completes the {@link BlockRequest} (the core posts it back to the frontend's event loop). No thread waits
 * per I/O. At most {@code queueDepth} requests are in flight: a worker finding them all taken waits for one to
 * complete, which pushes back into the core's submission ring.
 *
 * <p>The workers are the core's, not the event loops ({@link #nonBlocking()} is false): the {@code rbd_aio_*} calls
 * take librbd's image locks, which an image refresh or a resize holds for a round trip to the cluster, and the
 * worker waits for a free slot when the queue is full. Since the worker already keeps librbd off the loops, librbd
 * dispatches each request on the worker's thread ({@code rbd_non_blocking_aio = false}, {@link RbdImage#DEFAULTS})
 * instead of handing it to one more thread of its own: one thread hop less per I/O.
 *
 * <p>Data goes to and from librbd at the ByteBuf's own native memory; a heap or composite buffer is copied once
 * through a pooled direct buffer. Compare-and-write is librbd's, atomic on the OSD against every other write of
 * every client; librbd 16 takes it for one 512-byte sector only, which the descriptor says
 * ({@link BackendDescriptor#maxCompareAndWriteBlocks}) so that the frontends advertise and enforce it (rather than
 * an emulation that would be atomic on this node only); a longer one reaching librbd gets EINVAL: INVALID FIELD.
 */
public final class RbdBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(RbdBackend.class);
    /** Longer than the default osd and mon op timeouts (30 s), after which librbd fails what is in flight. */
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /**
     * Backends that closed with I/O still in flight: librbd may yet call their callback, so neither it nor their
     * slots may be collected.
     */
    private static final Set<RbdBackend> ABANDONED = Collections.newSetFromMap(new ConcurrentHashMap<>());

    private final RbdImage rbd;
    private volatile BackendDescriptor descriptor;
    private final int blockSize;
    private final int workers;
    private final int depth;
    private final Semaphore inFlight;
    private final Slot[] slots;
    /**
     * The slots not in flight: taken by the worker, given back by librbd's threads, without a lock (a permit of
     * {@link #inFlight} guarantees one is there).
     */
    private final MpmcArrayQueue<Slot> free;
    /** librbd keeps only the native stub of this callback: the field keeps it (and the stub) alive. */
    private final Ceph.CompletionCallback callback = this::completed;
    /** The native stub's address, resolved once: passed as a plain long, the per-I/O call converts nothing. */
    private final long callbackAddress;
    private final AtomicLong lastErrorLog = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
    private final AtomicLong errorsSinceLog = new AtomicLong();
    private volatile boolean closed;
    /** Set once by {@link #watchCapacity}; stopped first on close. */
    private RbdHeaderWatch headerWatch;

    /** One request in flight: its completion arg is the slot's index. */
    private static final class Slot {
        final int index;
        BlockRequest request;
        /** Native operations still to complete (an UNMAP starts one discard per range). */
        final AtomicInteger parts = new AtomicInteger();
        /** The first negative return of any part, or 0. */
        final AtomicLong error = new AtomicLong();
        /** The bounce buffer standing in for the request's, or the VERIFY read's buffer; null when none. */
        ByteBuf bounce;
        /**
         * Native out-parameters: rbd_aio_compare_and_write's uint64_t *mismatch_off, then
         * rbd_aio_create_completion's rbd_completion_t *c (read at once): nothing allocates per request.
         */
        final Memory out = new Memory(2 * Long.BYTES);
        final long mismatchAddress = Pointer.nativeValue(out);
        final long completionAddress = mismatchAddress + Long.BYTES;

        Slot(int index) {
            this.index = index;
        }
    }

    RbdBackend(RbdImage rbd, BackendDescriptor descriptor, int workers, int queueDepth) {
        this.rbd = rbd;
        this.descriptor = descriptor;
        this.blockSize = descriptor.logicalBlockSize();
        this.workers = workers;
        this.depth = queueDepth;
        this.inFlight = new Semaphore(queueDepth);
        this.slots = new Slot[queueDepth];
        this.free = new MpmcArrayQueue<>(Math.max(2, queueDepth)); // its least capacity
        for (int i = 0; i < queueDepth; i++) {
            slots[i] = new Slot(i);
            free.offer(slots[i]);
        }
        // librbd's completion threads stay attached to the JVM instead of attaching for every callback. JNA reads
        // the initializer when it makes the callback's native stub, so it is set before the stub's address is taken.
        Native.setCallbackThreadInitializer(callback,
                new CallbackThreadInitializer(true, false, "ferry-rbd-" + descriptor.name()));
        this.callbackAddress = Pointer.nativeValue(CallbackReference.getFunctionPointer(callback));
    }

    @Override
    public BackendDescriptor describe() {
        return descriptor;
    }

    @Override
    public int workers() {
        return workers;
    }

    /** The cluster's fsid and the image's id, which the unit's identity is derived from. */
    String identitySource() {
        return rbd.fsid + "/" + rbd.poolId + "/" + rbd.imageId;
    }

    /** Requests started and not yet completed. */
    int inFlight() {
        return depth - free.size();
    }

    /** Resizes the image (both ways: the core shrinks only an unmapped backstore). */
    @Override
    public synchronized BackendDescriptor resize(long capacityBytes) throws BackendException {
        long blocks = capacityBytes / blockSize;
        if (blocks <= 0) {
            throw new BackendException("backstore " + descriptor.name() + ": a size of " + capacityBytes
                    + " bytes holds no block of " + blockSize + " bytes");
        }
        rbd.resize(blocks * blockSize);
        return publish(rbd.size() / blockSize);
    }

    /** Picks up a size changed elsewhere ({@code rbd resize}, another Ferry node): librbd follows the header. */
    @Override
    public synchronized BackendDescriptor rereadCapacity() throws BackendException {
        return publish(rbd.size() / blockSize);
    }

    private BackendDescriptor publish(long blocks) {
        descriptor = descriptor.withCapacityBlocks(blocks);
        return descriptor;
    }

    /**
     * Follows the image's header, so that an {@code rbd resize} by any other client (or another Ferry node) reaches
     * the core without {@code ferry backstore resize NAME}.
     */
    @Override
    public synchronized void watchCapacity(Runnable changed) {
        if (closed || headerWatch != null) {
            return;
        }
        try {
            headerWatch = RbdHeaderWatch.start(rbd, descriptor.name(), changed);
        } catch (BackendException e) {
            LOG.warn("{}; an outside resize needs ferry backstore resize {}", e.getMessage(), descriptor.name());
        }
    }

    @Override
    public void execute(BlockRequest r) {
        if (r.op() == BlockOp.PREFETCH) {
            r.complete(CompletionStatus.GOOD); // librbd has no read-ahead to fill without its cache
            return;
        }
        inFlight.acquireUninterruptibly();
        Slot slot = free.poll(); // a permit guarantees a free slot
        int index = slot.index;
        slot.request = r;
        slot.error.set(0);
        try {
            start(r, slot, index);
        } catch (RuntimeException e) {
            LOG.error("backstore {}: starting {} failed", descriptor.name(), r.op(), e);
            slot.error.compareAndSet(0, -Errno.ENOMEM); // INTERNAL ERROR: the request never reached librbd
            if (slot.parts.get() == 0) {
                finish(index);
            }
        }
    }

    /** Starts the native operations of {@code r}; the last one to complete finishes the slot. */
    private void start(BlockRequest r, Slot slot, int index) {
        long offset = r.lba() * blockSize;
        int length = r.blocks() * blockSize;
        long image = rbd.image;
        if (r.op() == BlockOp.UNMAP) {
            int n = r.rangeCount();
            slot.parts.set(n + 1); // one more than the ranges, so no early completion ends the slot while starting
            for (int i = 0; i < n; i++) {
                long c = completion(slot, index);
                if (c != 0) {
                    started(c, index, Ceph.rbd_aio_discard(image, r.rangeLba(i) * blockSize,
                            (long) r.rangeBlocks(i) * blockSize, c));
                }
            }
            partDone(index, 0);
            return;
        }
        long buffer = switch (r.op()) { // may throw (no memory for a bounce buffer): execute then finishes the slot
            case READ -> sink(slot, r.data(), length);
            case VERIFY -> bounce(slot, length);
            case WRITE -> source(slot, r.data(), length);
            case COMPARE_AND_WRITE -> source(slot, r.data(), 2 * length);
            default -> 0;
        };
        slot.parts.set(1);
        long c = completion(slot, index);
        if (c == 0) {
            return;
        }
        long rc = switch (r.op()) {
            case READ, VERIFY -> Ceph.rbd_aio_read(image, offset, length, buffer, c);
            case WRITE -> Ceph.rbd_aio_write(image, offset, length, buffer, c);
            case COMPARE_AND_WRITE -> Ceph.rbd_aio_compare_and_write(image, offset, length, buffer, buffer + length,
                    c, slot.mismatchAddress, 0);
            case WRITE_ZEROES -> Ceph.rbd_aio_write_zeroes(image, offset, length, c, 0, 0);
            case FLUSH -> Ceph.rbd_aio_flush(image, c);
            case UNMAP, PREFETCH -> throw new IllegalStateException(r.op() + " has its own path");
            case ALLOCATION_STATUS -> throw new IllegalStateException("no " + r.op() + " reaches a backend that does"
                    + " not report allocation");
        };
        started(c, index, rc);
    }

    /** A new librbd completion whose callback arg is the slot's index, or 0 when none could be made (a failed part). */
    private long completion(Slot slot, int index) {
        int rc = Ceph.rbd_aio_create_completion(index, callbackAddress, slot.completionAddress);
        if (rc < 0) {
            partDone(index, rc);
            return 0;
        }
        return slot.out.getLong(Long.BYTES);
    }

    /** What an {@code rbd_aio_*} call returned: librbd never calls back for a call it refused. */
    private void started(long completion, int index, long rc) {
        if (rc < 0) {
            Ceph.rbd_aio_release(completion);
            partDone(index, rc);
        }
    }

    /** The address where a read lands: the buffer's own at its writer index, or a bounce buffer's. */
    private static long sink(Slot slot, ByteBuf d, int length) {
        d.ensureWritable(length);
        long at = address(d, d.writerIndex(), length);
        return at != 0 ? at : bounce(slot, length);
    }

    private static long bounce(Slot slot, int length) {
        slot.bounce = PooledByteBufAllocator.DEFAULT.directBuffer(length);
        return address(slot.bounce, 0, length);
    }

    /** The address of the bytes to write: the buffer's own at its reader index, or a copy's. */
    private static long source(Slot slot, ByteBuf d, int length) {
        long at = address(d, d.readerIndex(), length);
        if (at != 0) {
            return at;
        }
        long copy = bounce(slot, length);
        slot.bounce.writeBytes(d, d.readerIndex(), length);
        return copy;
    }

    /** The native address of {@code length} bytes at {@code index}, or 0 when they are not one native region. */
    private static long address(ByteBuf b, int index, int length) {
        if (b.hasMemoryAddress()) {
            return b.memoryAddress() + index;
        }
        if (b.isDirect() && b.nioBufferCount() == 1) {
            return Pointer.nativeValue(Native.getDirectBufferPointer(b.nioBuffer(index, length)));
        }
        return 0;
    }

    /** librbd's callback, on one of its threads. */
    private void completed(long completion, long arg) {
        try {
            long result = Ceph.rbd_aio_get_return_value(completion);
            Ceph.rbd_aio_release(completion);
            partDone((int) arg, result);
        } catch (RuntimeException | Error e) {
            LOG.error("backstore {}: rbd completion failed", descriptor.name(), e); // never unwind into librbd
        }
    }

    private void partDone(int index, long result) {
        Slot slot = slots[index];
        if (result < 0) {
            slot.error.compareAndSet(0, result);
        }
        if (slot.parts.decrementAndGet() == 0) {
            finish(index);
        }
    }

    /** Settles the request of slot {@code index}, gives the slot back, then completes the request. */
    private void finish(int index) {
        Slot slot = slots[index];
        BlockRequest r = slot.request;
        ByteBuf bounce = slot.bounce;
        long error = slot.error.get();
        slot.request = null;
        slot.bounce = null;
        long offset = r.lba() * blockSize;
        int length = r.blocks() * blockSize;
        CompletionStatus status = CompletionStatus.GOOD;
        long miscompare = -1;
        if (error == -Errno.EILSEQ && r.op() == BlockOp.COMPARE_AND_WRITE) {
            // librbd 16 gives the offset within the request; should a later one give the image's, it is past it.
            long at = slot.out.getLong(0);
            miscompare = at >= length ? at - offset : at;
        } else if (error < 0) {
            int errno = (int) -error;
            status = Errno.status(errno, r.op() == BlockOp.READ || r.op() == BlockOp.VERIFY);
            logFailure(r.op(), errno);
        } else if (r.op() == BlockOp.READ) {
            ByteBuf d = r.data();
            if (bounce != null) {
                d.writeBytes(bounce, 0, length);
            } else {
                d.writerIndex(d.writerIndex() + length);
            }
        } else if (r.op() == BlockOp.VERIFY && r.data() != null) {
            miscompare = firstDifference(bounce, r.data(), length);
        }
        if (bounce != null) {
            bounce.release();
        }
        free.offer(slot);
        inFlight.release();
        if (miscompare >= 0) {
            r.completeMiscompare(miscompare);
        } else {
            r.complete(status);
        }
    }

    private static long firstDifference(ByteBuf have, ByteBuf expected, int length) {
        int from = expected.readerIndex();
        for (int i = 0; i < length; i++) {
            if (have.getByte(i) != expected.getByte(from + i)) {
                return i;
            }
        }
        return -1;
    }

    /** At most one line per interval, so a cluster gone away does not flood the log with one line per request. */
    private void logFailure(BlockOp op, int errno) {
        long now = System.nanoTime();
        long last = lastErrorLog.get();
        long suppressed = errorsSinceLog.incrementAndGet();
        if (now - last >= LOG_INTERVAL_NANOS && lastErrorLog.compareAndSet(last, now)) {
            errorsSinceLog.addAndGet(-suppressed);
            LOG.warn("backstore {}: image {}: {} failed: {}{}", descriptor.name(), rbd.spec.imageSpec(), op,
                    Errno.name(errno), suppressed > 1 ? " (" + suppressed + " failures since the last report)" : "");
        }
    }

    /**
     * Waits for what is in flight (librbd fails it by the op timeouts at the latest), then closes the image and
     * the connection; rbd_close also writes back and releases the exclusive lock. If I/O is still in flight after
     * {@link #DRAIN_NANOS}, the image is left open: closing it under running callbacks would free what they use.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RbdHeaderWatch watch;
        synchronized (this) {
            watch = headerWatch;
        }
        if (watch != null) {
            watch.close();
        }
        long deadline = System.nanoTime() + DRAIN_NANOS;
        while (free.size() < depth) {
            if (System.nanoTime() - deadline > 0) {
                LOG.warn("backstore {}: {} requests still in flight at close; image {} is left open",
                        descriptor.name(), depth - free.size(), rbd.spec.imageSpec());
                ABANDONED.add(this);
                return;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ABANDONED.add(this);
                return;
            }
        }
        rbd.close();
    }
}
