package dev.ferry.core.unit;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.backend.BackendException;
import dev.ferry.core.request.AllocationExtents;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.ring.BackendWorker;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.ring.SubmissionRing;
import dev.ferry.core.unit.reservation.ReservationStore;
import dev.ferry.core.unit.reservation.UnitReservations;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One opened storage resource as the core routes to it: the backend, its description, and the rings and workers
 * that feed it, with the state every protocol shares (write cache setting, reservations). Frontends submit here and
 * never see the backend. Range and write-protect checks, write-through while the write cache is off, and refusing
 * durable work after durability was lost happen here once, for every protocol.
 *
 * <p>A {@link Backend#nonBlocking} backend runs on the event loop that submits (run to completion: no rings, no
 * workers); any other is fed through one ring per worker, each loop to its own ring ({@link CompletionQueue#index()}
 * modulo the rings, the next ones when it is full). What each loop does here it counts in its own state (statistics,
 * submits under way), so no I/O updates a line another loop writes.
 */
public final class LogicalUnit {
    private static final Logger LOG = LoggerFactory.getLogger(LogicalUnit.class);
    /** Slots per worker ring; with the per-loop request pools this bounds what can wait in front of a backend. */
    public static final int RING_CAPACITY = 1024;
    /** How long {@link #close} lets the workers drain their rings (as the single worker join did before). */
    static final long CLOSE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Backend backend;
    /** {@link Backend#nonBlocking}, asked once: the unit has rings and workers only when it is false. */
    private final boolean runsOnLoop;
    /** Replaced whole on a resize, so a request is checked against one consistent description. */
    private volatile BackendDescriptor descriptor;
    private final SubmissionRing[] rings;
    private final List<BackendWorker> workers = new ArrayList<>();
    private final UnitStatistics statistics = new UnitStatistics();
    private final WriteCache writeCache;
    private final UnitReservations reservations;
    /**
     * Submits under way, per loop; {@link #close} waits for them so that none lands in a ring nobody drains any more
     * and none is inside the backend when it is closed.
     */
    private final PerLoop<LoopSubmits> submitting = new PerLoop<>(LoopSubmits::new);
    private volatile boolean closed;
    /**
     * Set for good when a flush or the sync of a durable write failed. After a failed fdatasync the kernel may have dropped the
     * dirty pages and cleared the error, so a later flush would succeed without the data being anywhere (the
     * PostgreSQL "fsyncgate" lesson): from then on every flush and every durable write fails until the backstore
     * is reopened (a new unit). A flush running concurrently with the failing one on another worker may still pass;
     * every one started after the failure was reported does not.
     */
    private volatile boolean durabilityLost;
    /** Null, or whether this node may change the medium now ({@link #fenceWrites}). */
    private volatile BooleanSupplier writeFence;

    /**
     * A unit whose reservations do not survive a restart (APTPL is refused).
     *
     * @param workerCount worker threads for a backend that may block; none are made for a {@link Backend#nonBlocking}
     *                    one
     */
    public LogicalUnit(Backend backend, int workerCount) {
        this(backend, workerCount, null);
    }

    /**
     * @param reservationDirectory where this unit keeps APTPL reservations (one file named after the backstore),
     *                             loaded now; null for none
     * @throws IllegalStateException when a saved reservation file cannot be read: better not to start than to drop
     *                               registrations another host relies on for fencing
     */
    public LogicalUnit(Backend backend, int workerCount, java.nio.file.Path reservationDirectory) {
        this.backend = backend;
        this.runsOnLoop = backend.nonBlocking();
        this.descriptor = backend.describe();
        this.writeCache = new WriteCache(descriptor);
        this.reservations = new UnitReservations(reservationDirectory == null ? null
                : new ReservationStore(reservationDirectory, descriptor.name()));
        this.rings = new SubmissionRing[runsOnLoop ? 0 : workerCount];
        for (int i = 0; i < rings.length; i++) {
            rings[i] = new SubmissionRing(RING_CAPACITY);
            workers.add(new BackendWorker("ferry-" + descriptor.name() + "-" + i, backend, rings[i], this::fenced));
        }
    }

    public void start() {
        workers.forEach(BackendWorker::start);
    }

    public BackendDescriptor descriptor() {
        return descriptor;
    }

    /**
     * Resizes the backend ({@link Backend#resize}) and publishes its new description: requests submitted from now
     * on are checked against the new capacity. Frontends learn of it through {@link UnitRegistry#capacityChanged}.
     */
    public synchronized BackendDescriptor resize(long capacityBytes) throws BackendException {
        return publish(backend.resize(capacityBytes));
    }

    /** Re-reads the capacity of a resource whose size is its own ({@link Backend#rereadCapacity}) and publishes it. */
    public synchronized BackendDescriptor rereadCapacity() throws BackendException {
        return publish(backend.rereadCapacity());
    }

    /**
     * Follows a resource resized outside Ferry ({@link Backend#watchCapacity}): re-reads its capacity and, when it
     * changed, tells {@code changed}. A shrink is taken as it is (the resource already has its new end): requests
     * past it are refused as LBA out of range from then on, and the initiators are told as for a grow.
     */
    public void followCapacity(CapacityListener changed) {
        backend.watchCapacity(() -> {
            if (closed) {
                return;
            }
            long before;
            BackendDescriptor now;
            try {
                synchronized (this) {
                    before = descriptor.capacityBlocks();
                    now = rereadCapacity();
                }
            } catch (BackendException e) {
                LOG.warn("backstore {}: cannot re-read its size after an outside change: {}", name(), e.getMessage());
                return;
            }
            if (now.capacityBlocks() != before) {
                LOG.info("backstore {} resized from {} to {} blocks of {} bytes (resized outside Ferry)", name(),
                        before, now.capacityBlocks(), now.logicalBlockSize());
                changed.capacityChanged(this);
            }
        });
    }

    /** Frontends cache everything but the capacity (block limits, identity); a backend changes only that. */
    private BackendDescriptor publish(BackendDescriptor next) {
        descriptor = next;
        return next;
    }

    public String name() {
        return descriptor.name();
    }

    public UnitStatistics statistics() {
        return statistics;
    }

    /** The unit's persistent reservations, shared by every export and protocol that reaches the unit. */
    public UnitReservations reservations() {
        return reservations;
    }

    /**
     * Makes every request that changes the medium fail with {@link CompletionStatus#UNIT_NOT_READY} whenever
     * {@code mayWrite} says no, checked as it is submitted and again just before its backend call (a worker may hold
     * it in between). A gateway member passes its lease: a process that was stopped past its lease deadline must not
     * write once it runs again, whichever of its threads runs first (another member may own the image by then).
     */
    public void fenceWrites(BooleanSupplier mayWrite) {
        this.writeFence = mayWrite;
    }

    /** Whether {@code r} changes the medium while the {@link #fenceWrites fence} is closed. */
    private boolean fenced(BlockRequest r) {
        BooleanSupplier f = writeFence;
        return f != null && r.op().writesMedium() && !f.getAsBoolean();
    }

    /** The unit's volatile write cache setting, shared by every protocol that exports the unit. */
    public WriteCache writeCache() {
        return writeCache;
    }

    /**
     * Routes a request to a backend worker (or runs a {@link Backend#nonBlocking} backend right here). The request
     * always completes through its owner's completion queue, also when it is refused here (out of range,
     * write-protected, durability lost, ring full, unit closed because a frontend still held it after a
     * reconfiguration removed it), so a frontend has one path; never inside this call when the queue's executor is
     * an event loop. A write-class request gets FUA while the write cache is off. Called on the thread of the
     * request's completion queue.
     */
    public void submit(BlockRequest r) {
        r.submitted(this, System.nanoTime());
        LoopSubmits loop = submitting.get(r.owner().index());
        loop.enter();
        try {
            if (closed) {
                r.complete(CompletionStatus.UNIT_NOT_READY);
                return;
            }
            CompletionStatus refused = check(r);
            if (refused != null) {
                r.complete(refused);
                return;
            }
            if (fenced(r)) {
                r.complete(CompletionStatus.UNIT_NOT_READY);
                return;
            }
            if (writeCache.forcesUnitAccess(r.op(), r.fua())) {
                r.fua(true);
            }
            if (durabilityLost && needsDurability(r)) {
                r.complete(CompletionStatus.MEDIUM_ERROR_WRITE);
                return;
            }
            if (runsOnLoop) {
                BackendWorker.execute(backend, r); // run to completion on the loop
                return;
            }
            // The loop's own ring keeps its requests in order and its producer index on one core.
            int first = r.owner().index() % rings.length;
            for (int i = 0; i < rings.length; i++) {
                if (rings[(first + i) % rings.length].offer(r)) {
                    return;
                }
            }
            r.complete(CompletionStatus.BUSY);
        } finally {
            loop.leave();
        }
    }


    private CompletionStatus check(BlockRequest r) {
        BackendDescriptor d = descriptor;
        BlockOp op = r.op();
        if (d.readOnly() && op.writesMedium()) {
            return CompletionStatus.WRITE_PROTECTED;
        }
        if (op == BlockOp.UNMAP) {
            for (int i = 0; i < r.rangeCount(); i++) {
                if (!inRange(d, r.rangeLba(i), r.rangeBlocks(i))) {
                    return CompletionStatus.LBA_OUT_OF_RANGE;
                }
            }
            return null;
        }
        if (op == BlockOp.FLUSH) {
            return null;
        }
        if (op == BlockOp.ALLOCATION_STATUS) {
            if (!d.reportsAllocation()) {
                return CompletionStatus.UNSUPPORTED; // a backend that does not report allocation never sees one
            }
            if (r.blocks() <= 0 || r.data() == null || r.data().maxWritableBytes() < AllocationExtents.BYTES) {
                return CompletionStatus.INVALID_FIELD;
            }
        }
        if (!inRange(d, r.lba(), r.blocks())) {
            return CompletionStatus.LBA_OUT_OF_RANGE;
        }
        long bytes = (long) r.blocks() * d.logicalBlockSize();
        boolean dataFits = switch (op) {
            case READ -> r.data() != null && r.data().writableBytes() >= bytes;
            case WRITE -> r.data() != null && r.data().readableBytes() >= bytes;
            case COMPARE_AND_WRITE -> r.data() != null && r.data().readableBytes() >= 2 * bytes;
            case VERIFY -> r.data() == null || r.data().readableBytes() >= bytes;
            default -> true;
        };
        if (!dataFits) {
            return CompletionStatus.INVALID_FIELD;
        }
        return null;
    }

    private static boolean inRange(BackendDescriptor d, long lba, long blocks) {
        return lba >= 0 && blocks >= 0 && lba <= d.capacityBlocks() - blocks;
    }

    /**
     * A flush, or a write that must be durable when it completes: it has FUA (asked for, or the cache is switched
     * off), or the unit has no volatile cache at all, so the backend writes every write through.
     */
    private boolean needsDurability(BlockRequest r) {
        return r.op() == BlockOp.FLUSH || (r.op().writesMedium() && (r.fua() || !writeCache.present()));
    }

    /**
     * Called by {@link BlockRequest#complete} on the completing thread, before the frontend hears of it: a failed
     * flush, or a request whose backend sync failed ({@link BlockRequest#completeSyncFailed}), makes durability
     * lost for this unit (see {@link #durabilityLost}). A write that failed on its own blocks (a bad sector, no
     * space to allocate) fails alone: it says nothing of data acknowledged before.
     */
    public void completing(BlockRequest r, CompletionStatus result) {
        boolean failure = result == CompletionStatus.MEDIUM_ERROR_WRITE || result == CompletionStatus.NO_SPACE
                || result == CompletionStatus.INTERNAL_ERROR;
        if (failure && !durabilityLost && (r.op() == BlockOp.FLUSH || r.syncFailed())) {
            durabilityLost = true;
            LOG.error("{}: a {} could not be made durable; every flush and durable write now fails until the"
                    + " backstore is reopened", name(), r.op());
        }
    }

    /** Whether a flush or durable write failed since the unit was opened: flushes and FUA writes are refused. */
    public boolean durabilityLost() {
        return durabilityLost;
    }

    /** Called on the thread of the request's completion queue as the request is delivered back. */
    public void completed(BlockRequest r) {
        statistics.record(r, descriptor.logicalBlockSize());
    }

    /**
     * Refuses new submits, waits for those under way to reach a ring (or, run on a loop, to leave the backend), stops
     * the workers after they drained their rings, then closes the backend. Every wait ends by one deadline,
     * {@link #CLOSE_TIMEOUT_NANOS} from the call: a backend call that never returns leaves its worker (a daemon
     * thread) behind, and then the backend is not closed under it but left open, with a warning naming the workers.
     */
    public void close() throws InterruptedException {
        closed = true;
        long deadline = System.nanoTime() + CLOSE_TIMEOUT_NANOS;
        List<String> stuck = new ArrayList<>();
        // A submit never blocks (the rings refuse when full), so this ends in microseconds unless a submitter is stuck
        // (in a non-blocking backend that blocks after all). One moment with none under way is enough: a submit that
        // starts after it sees the unit closed.
        submitting.forEach(loop -> {
            while (loop.underWay()) {
                if (System.nanoTime() - deadline >= 0) {
                    stuck.add("an event loop");
                    return;
                }
                Thread.onSpinWait();
            }
        });
        workers.forEach(BackendWorker::requestStop);
        for (BackendWorker w : workers) {
            if (!w.awaitStopped(deadline)) {
                stuck.add(w.name());
            }
        }
        if (!stuck.isEmpty()) {
            LOG.warn("backstore {}: {} still inside the backend after {} s; the backend is left open",
                    name(), stuck, TimeUnit.NANOSECONDS.toSeconds(CLOSE_TIMEOUT_NANOS));
            return;
        }
        backend.close();
    }
}
