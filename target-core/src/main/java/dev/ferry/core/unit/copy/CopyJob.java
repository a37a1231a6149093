package dev.ferry.core.unit.copy;

import dev.ferry.core.buffer.IoBuffers;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.request.RequestCompletion;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.LogicalUnit;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One copy offload (SCSI EXTENDED COPY, NVMe Copy) run inside the target: for each {@link CopyRange} in order, a
 * chunk is READ from the source unit into a pooled buffer and that buffer is written to the destination unit, the
 * next chunk only after the write completed. The data never passes through a network stack, and one copy holds at
 * most one chunk buffer ({@link #CHUNK_BYTES}) and one block request at a time. Writes go through
 * {@link LogicalUnit#submit}, so the destination's write cache setting (write-through when it is off), write protect
 * and range checks apply as to any write; a failed chunk ends the copy with what was copied so far recorded.
 *
 * <p>Runs on the thread of its {@link CompletionQueue} (a frontend event loop): started there, continued from each
 * request's completion there, and {@link Listener#finished} is called there: inside {@link #start} only when the
 * copy ends before its first request (nothing to copy, already aborted, a range refused).
 * {@code aborted} is asked before every request (task management abort, connection loss): an aborted copy stops
 * after the request in flight and finishes with {@link CompletionStatus#ABORTED}.
 */
public final class CopyJob {
    /** The largest chunk read and written at once (fewer blocks when a unit's largest request is smaller). */
    public static final int CHUNK_BYTES = 1 << 20;
    /** How long a chunk a full ring refused waits before it is offered again. */
    static final long BUSY_RETRY_MICROS = 200;

    /** Told once, on the loop, when the copy ended (completely or not). */
    @FunctionalInterface
    public interface Listener {
        void finished(CopyJob job);
    }

    private final CompletionQueue queue;
    private final List<CopyRange> ranges;
    private final BooleanSupplier aborted;
    private final Listener listener;
    private final CopyAdmission[] admissions;
    private final boolean fua;
    /**
     * The one block request of this copy, taken at the start and used for every read and write: a copy that started
     * never fails half way because other commands took all of the loop's requests.
     */
    private final BlockRequest request;
    private final Runnable next = this::next;

    /** Progress, written on the loop; volatile so that a status query from another loop sees it. */
    private volatile int rangeIndex;
    /** Blocks of the current range copied so far. */
    private long rangeDone;
    private volatile long blocksCopied;
    private volatile long bytesCopied;
    private int chunkBlockSize;
    /** The chunk in flight: its blocks, source and destination LBAs. */
    private int chunkBlocks;
    private long chunkSource;
    private long chunkDestination;

    private volatile CompletionStatus status;
    private long failedLba = -1;
    private boolean failedOnSource;

    private CopyJob(CompletionQueue queue, List<CopyRange> ranges, boolean fua, BooleanSupplier aborted,
                    Listener listener, CopyAdmission[] admissions, BlockRequest request) {
        this.fua = fua;
        this.request = request;
        this.queue = queue;
        this.ranges = List.copyOf(ranges);
        this.aborted = aborted;
        this.listener = listener;
        this.admissions = admissions;
    }

    /**
     * Starts a copy of {@code ranges} if every admission has room (typically the frontend target's own and
     * {@link CopyAdmission#GLOBAL}) and the loop has a free block request; otherwise returns null and nothing was
     * started: the frontend answers busy. Called on the loop of {@code queue}.
     */
    public static CopyJob start(CompletionQueue queue, List<CopyRange> ranges, BooleanSupplier aborted,
                                Listener listener, CopyAdmission... admissions) {
        return start(queue, ranges, false, aborted, listener, admissions);
    }

    /** As {@link #start(CompletionQueue, List, BooleanSupplier, Listener, CopyAdmission...)}; {@code fua} makes every
     * write durable before it completes (NVMe Copy's FUA), whatever the destination's write cache. */
    public static CopyJob start(CompletionQueue queue, List<CopyRange> ranges, boolean fua, BooleanSupplier aborted,
                                Listener listener, CopyAdmission... admissions) {
        for (int i = 0; i < admissions.length; i++) {
            if (!admissions[i].tryEnter()) {
                for (int j = 0; j < i; j++) {
                    admissions[j].leave();
                }
                return null;
            }
        }
        BlockRequest request = queue.acquire();
        if (request == null) {
            for (CopyAdmission a : admissions) {
                a.leave();
            }
            return null;
        }
        CopyJob job = new CopyJob(queue, ranges, fua, aborted, listener, admissions.clone(), request);
        job.next();
        return job;
    }

    /** Ranges finished completely: a failed copy failed in range number {@code rangesDone()}. */
    public int rangesDone() {
        return rangeIndex;
    }

    /** Blocks written to destinations so far, over all ranges. */
    public long blocksCopied() {
        return blocksCopied;
    }

    /** Bytes written to destinations so far (ranges may differ in block size). */
    public long bytesCopied() {
        return bytesCopied;
    }

    /** How the copy ended: null while it runs. */
    public CompletionStatus status() {
        return status;
    }

    /** The first block that failed (on the source when {@link #failedOnSource()}), or -1 when unknown. */
    public long failedLba() {
        return failedLba;
    }

    /** Whether the failure was the source's (a read); else the destination's (a write) or the copy's own. */
    public boolean failedOnSource() {
        return failedOnSource;
    }

    /** Issues the next chunk's READ, or finishes. */
    private void next() {
        if (aborted.getAsBoolean()) {
            finish(CompletionStatus.ABORTED, -1, false);
            return;
        }
        while (rangeIndex < ranges.size() && rangeDone == ranges.get(rangeIndex).blocks()) {
            rangeIndex++;
            rangeDone = 0;
        }
        if (rangeIndex == ranges.size()) {
            finish(CompletionStatus.GOOD, -1, false);
            return;
        }
        CopyRange r = ranges.get(rangeIndex);
        int blockSize = r.source().descriptor().logicalBlockSize();
        if (rangeDone == 0 && !admissible(r, blockSize)) {
            return;
        }
        long remaining = r.blocks() - rangeDone;
        chunkBlocks = (int) Math.min(remaining, chunkLimit(r, blockSize));
        long offset = r.overlapsForward() ? remaining - chunkBlocks : rangeDone;
        chunkBlockSize = blockSize;
        chunkSource = r.sourceLba() + offset;
        chunkDestination = r.destinationLba() + offset;
        request.set(BlockOp.READ, chunkSource, chunkBlocks, IoBuffers.allocate(chunkBlocks * blockSize), this::read,
                null).fua(false);
        r.source().submit(request);
    }

    /**
     * A range is checked whole before its first block moves, so a range that cannot be copied (beyond a unit's
     * capacity, block sizes that differ) copies nothing; the ranges before it stay copied.
     */
    private boolean admissible(CopyRange r, int blockSize) {
        if (r.destination().descriptor().logicalBlockSize() != blockSize || r.blocks() < 0) {
            finish(CompletionStatus.INVALID_FIELD, -1, false);
            return false;
        }
        if (!inCapacity(r.source(), r.sourceLba(), r.blocks())) {
            finish(CompletionStatus.LBA_OUT_OF_RANGE, -1, true);
            return false;
        }
        if (!inCapacity(r.destination(), r.destinationLba(), r.blocks())) {
            finish(CompletionStatus.LBA_OUT_OF_RANGE, -1, false);
            return false;
        }
        return true;
    }

    private static boolean inCapacity(LogicalUnit u, long lba, long blocks) {
        return lba >= 0 && lba <= u.descriptor().capacityBlocks() - blocks;
    }

    private static int chunkLimit(CopyRange r, int blockSize) {
        int limit = CHUNK_BYTES / blockSize;
        limit = Math.min(limit, positiveOr(r.source().descriptor().maxTransferBlocks(), limit));
        limit = Math.min(limit, positiveOr(r.destination().descriptor().maxTransferBlocks(), limit));
        return Math.max(1, limit);
    }

    private static int positiveOr(int value, int otherwise) {
        return value > 0 ? value : otherwise;
    }

    private void read(BlockRequest read) {
        if (read.status() == CompletionStatus.BUSY) {
            retryLater(() -> resubmit(BlockOp.READ, chunkSource, ranges.get(rangeIndex).source(), this::read, false));
            return;
        }
        if (read.status() != CompletionStatus.GOOD) {
            finish(read.status(), read.failedLba(), true);
            return;
        }
        if (aborted.getAsBoolean()) {
            finish(CompletionStatus.ABORTED, -1, false);
            return;
        }
        // the read buffer, filled, becomes the write's data
        read.set(BlockOp.WRITE, chunkDestination, chunkBlocks, read.data(), this::written, null).fua(fua);
        ranges.get(rangeIndex).destination().submit(read);
    }

    private void written(BlockRequest write) {
        if (write.status() == CompletionStatus.BUSY) {
            retryLater(() -> resubmit(BlockOp.WRITE, chunkDestination, ranges.get(rangeIndex).destination(),
                    this::written, fua));
            return;
        }
        if (write.status() != CompletionStatus.GOOD) {
            finish(write.status(), write.failedLba(), false);
            return;
        }
        ByteBuf data = write.takeData();
        if (data != null) {
            data.release();
        }
        rangeDone += chunkBlocks;
        blocksCopied += chunkBlocks;
        bytesCopied += (long) chunkBlocks * chunkBlockSize;
        // The next chunk as a new task of the loop, not from this completion: with a backend run on the loop every
        // chunk completes at once, and a copy of gigabytes would otherwise keep the loop from every other
        // connection's I/O until it ended.
        try {
            queue.loop().execute(next);
        } catch (RejectedExecutionException e) {
            finish(CompletionStatus.ABORTED, -1, false); // the loop is shutting down
        }
    }

    /**
     * A unit whose ring is full answered BUSY: the chunk is tried again a little later with the same buffer, so a
     * busy backend slows the copy down (push back) instead of ending it half done, which a host retrying a copy
     * whose ranges overlap could not undo. An abort or a closing loop still ends it.
     */
    private void retryLater(Runnable retry) {
        if (aborted.getAsBoolean()) {
            finish(CompletionStatus.ABORTED, -1, false);
            return;
        }
        try {
            if (queue.loop() instanceof ScheduledExecutorService loop) {
                loop.schedule(retry, BUSY_RETRY_MICROS, TimeUnit.MICROSECONDS);
            } else {
                queue.loop().execute(retry); // a plain executor (tests) cannot wait
            }
        } catch (RejectedExecutionException e) {
            finish(CompletionStatus.ABORTED, -1, false); // the loop is shutting down
        }
    }

    private void resubmit(BlockOp op, long lba, LogicalUnit unit, RequestCompletion completion, boolean writeFua) {
        if (aborted.getAsBoolean()) {
            finish(CompletionStatus.ABORTED, -1, false);
            return;
        }
        request.set(op, lba, chunkBlocks, request.data(), completion, null).fua(writeFua);
        unit.submit(request);
    }

    private void finish(CompletionStatus result, long lba, boolean onSource) {
        status = result;
        failedLba = lba;
        failedOnSource = onSource;
        request.release(); // with the chunk buffer, if one is still attached
        for (CopyAdmission a : admissions) {
            a.leave();
        }
        listener.finished(this);
    }
}
