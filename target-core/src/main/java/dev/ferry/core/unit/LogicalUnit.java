package dev.ferry.core.unit;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.backend.BackendException;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.ring.BackendWorker;
import dev.ferry.core.ring.SubmissionRing;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One opened storage resource as the core routes to it: the backend, its description, and the rings and workers
 * that feed it. Frontends submit here and never see the backend. Range and write-protect checks happen here once,
 * for every protocol.
 */
public final class LogicalUnit {
    /** Slots per worker ring; with the per-loop request pools this bounds what can wait in front of a backend. */
    public static final int RING_CAPACITY = 1024;
    /** How long {@link #close} lets the workers drain their rings (as the single worker join did before). */
    static final long CLOSE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final Logger LOG = LoggerFactory.getLogger(LogicalUnit.class);

    private final Backend backend;
    /** Replaced whole on a resize, so a request is checked against one consistent description. */
    private volatile BackendDescriptor descriptor;
    private final SubmissionRing[] rings;
    private final List<BackendWorker> workers = new ArrayList<>();
    private final AtomicInteger nextRing = new AtomicInteger();
    private final UnitStatistics statistics = new UnitStatistics();
    /** Submits under way; {@link #close} waits for them so none lands in a ring nobody drains any more. */
    private final AtomicInteger submitting = new AtomicInteger();
    private volatile boolean closed;

    public LogicalUnit(Backend backend, int workerCount) {
        this.backend = backend;
        this.descriptor = backend.describe();
        this.rings = new SubmissionRing[workerCount];
        for (int i = 0; i < workerCount; i++) {
            rings[i] = new SubmissionRing(RING_CAPACITY);
            workers.add(new BackendWorker("ferry-" + descriptor.name() + "-" + i, backend, rings[i]));
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

    /**
     * Routes a request to a backend worker. The request always completes through its owner's completion queue,
     * also when it is refused here (out of range, write-protected, ring full, unit closed because a frontend
     * still held it after a reconfiguration removed it), so a frontend has one path.
     */
    public void submit(BlockRequest r) {
        r.submitted(this, System.nanoTime());
        submitting.incrementAndGet();
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
            int first = Math.floorMod(nextRing.getAndIncrement(), rings.length);
            for (int i = 0; i < rings.length; i++) {
                if (rings[(first + i) % rings.length].offer(r)) {
                    return;
                }
            }
            r.complete(CompletionStatus.BUSY);
        } finally {
            submitting.decrementAndGet();
        }
    }

    private CompletionStatus check(BlockRequest r) {
        BackendDescriptor d = descriptor;
        BlockOp op = r.op();
        if (d.readOnly() && (op == BlockOp.WRITE || op == BlockOp.UNMAP
                || op == BlockOp.WRITE_ZEROES || op == BlockOp.COMPARE_AND_WRITE)) {
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

    /** Called on the frontend thread as a request is delivered back. */
    public void completed(BlockRequest r) {
        statistics.record(r, descriptor.logicalBlockSize());
    }

    /**
     * Refuses new submits, waits for those under way to reach a ring, stops the workers after they drained their
     * rings, then closes the backend. Every wait ends by one deadline, {@link #CLOSE_TIMEOUT_NANOS} from the
     * call: a backend call that never returns leaves its worker (a daemon thread) behind, and then the backend
     * is not closed under it but left open, with a warning naming the workers.
     */
    public void close() throws InterruptedException {
        closed = true;
        long deadline = System.nanoTime() + CLOSE_TIMEOUT_NANOS;
        // A submit never blocks (the rings refuse when full), so this ends in microseconds unless a submitter is stuck.
        while (submitting.get() > 0 && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
        workers.forEach(BackendWorker::requestStop);
        List<String> stuck = new ArrayList<>();
        for (BackendWorker w : workers) {
            if (!w.awaitStopped(deadline)) {
                stuck.add(w.name());
            }
        }
        if (!stuck.isEmpty()) {
            LOG.warn("backstore {}: worker(s) {} still inside the backend after {} s; the backend is left open",
                    name(), stuck, TimeUnit.NANOSECONDS.toSeconds(CLOSE_TIMEOUT_NANOS));
            return;
        }
        backend.close();
    }
}
