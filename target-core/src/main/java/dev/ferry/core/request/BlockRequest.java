package dev.ferry.core.request;

import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.LogicalUnit;
import io.netty.buffer.ByteBuf;

/**
 * One protocol-neutral block request. Instances are pooled per {@link CompletionQueue} (one per frontend event
 * loop) and recycled: a frontend {@link CompletionQueue#acquire() acquires} one, fills it, {@link
 * LogicalUnit#submit submits} it, receives it back in its {@link RequestCompletion} on its own thread, and
 * {@link #release() releases} it. Nothing on this path allocates in the steady state.
 *
 * <p>Threading: fields are written by the frontend before submit, read and completed by a backend worker (or by
 * the frontend's own loop, for a non-blocking backend), and read again by the frontend after completion; the rings
 * between threads publish the writes safely.
 */
public final class BlockRequest {
    private static final int INITIAL_RANGES = 8;

    private final CompletionQueue owner;

    private LogicalUnit unit;
    private BlockOp op;
    private long lba;
    private int blocks;
    private boolean fua;
    private boolean deallocate;
    private ByteBuf data;
    private long[] rangeLbas = new long[INITIAL_RANGES];
    private int[] rangeBlocks = new int[INITIAL_RANGES];
    private int rangeCount;
    private RequestCompletion completion;
    private Object context;

    private CompletionStatus status;
    private long miscompareOffset;
    private long failedLba = -1;
    private boolean syncFailed;
    private long submitNanos;

    public BlockRequest(CompletionQueue owner) {
        this.owner = owner;
    }

    /** Fills the request for a data-less or data-carrying operation on {@code blocks} blocks at {@code lba}. */
    public BlockRequest set(BlockOp op, long lba, int blocks, ByteBuf data, RequestCompletion completion, Object context) {
        this.op = op;
        this.lba = lba;
        this.blocks = blocks;
        this.data = data;
        this.completion = completion;
        this.context = context;
        return this;
    }

    public BlockRequest fua(boolean fua) {
        this.fua = fua;
        return this;
    }

    public BlockRequest deallocate(boolean deallocate) {
        this.deallocate = deallocate;
        return this;
    }

    /** Adds one range to an {@link BlockOp#UNMAP} request. */
    public BlockRequest addRange(long rangeLba, int rangeBlockCount) {
        if (rangeCount == rangeLbas.length) {
            rangeLbas = java.util.Arrays.copyOf(rangeLbas, rangeCount * 2);
            rangeBlocks = java.util.Arrays.copyOf(rangeBlocks, rangeCount * 2);
        }
        rangeLbas[rangeCount] = rangeLba;
        rangeBlocks[rangeCount] = rangeBlockCount;
        rangeCount++;
        return this;
    }

    public CompletionQueue owner() { return owner; }
    public LogicalUnit unit() { return unit; }
    public BlockOp op() { return op; }
    public long lba() { return lba; }
    public int blocks() { return blocks; }
    public boolean fua() { return fua; }
    public boolean deallocate() { return deallocate; }
    public ByteBuf data() { return data; }
    public int rangeCount() { return rangeCount; }
    public long rangeLba(int i) { return rangeLbas[i]; }
    public int rangeBlocks(int i) { return rangeBlocks[i]; }
    public Object context() { return context; }
    public CompletionStatus status() { return status; }
    /** Byte offset of the first mismatch, valid when {@link #status()} is {@link CompletionStatus#MISCOMPARE}. */
    public long miscompareOffset() { return miscompareOffset; }
    /** The first block that failed (a medium error's LBA), or -1 when the backend could not tell which one. */
    public long failedLba() { return failedLba; }
    public long submitNanos() { return submitNanos; }

    /** Detaches the data buffer so that {@link #release()} does not release it; the caller now owns it. */
    public ByteBuf takeData() {
        ByteBuf d = data;
        data = null;
        return d;
    }

    /** Called by the core when the request enters a unit's ring. */
    public void submitted(LogicalUnit target, long nanos) {
        this.unit = target;
        this.submitNanos = nanos;
        this.status = null;
    }

    /** Completes the request; any thread may call this once. The result reaches the frontend on its own thread. */
    public void complete(CompletionStatus result) {
        this.status = result;
        if (unit != null) {
            unit.completing(this, result);
        }
        owner.post(this);
    }

    /** Completes with {@link CompletionStatus#MISCOMPARE} at the given byte offset. */
    public void completeMiscompare(long offset) {
        this.miscompareOffset = offset;
        complete(CompletionStatus.MISCOMPARE);
    }

    /**
     * Completes with a failure located at {@code lba}, the first block of the request that failed, so that the
     * initiator learns where its medium is bad (the SCSI sense INFORMATION field, SBC-4 4.18).
     */
    public void completeFailedAt(CompletionStatus result, long lba) {
        this.failedLba = lba;
        complete(result);
    }

    /**
     * Completes with a failure of the backend's sync (fdatasync or the device's cache flush) made for this request:
     * data written earlier and acknowledged from a volatile cache may be lost with it, so the unit stops promising
     * durability ({@link LogicalUnit#completing}). A failure of the request's own data write is not one.
     */
    public void completeSyncFailed(CompletionStatus result) {
        this.syncFailed = true;
        complete(result);
    }

    /** Whether the backend failed to sync for this request ({@link #completeSyncFailed}). */
    public boolean syncFailed() { return syncFailed; }

    /** Runs the frontend's completion callback; called by the owning {@link CompletionQueue} on its thread. */
    public void deliver() {
        if (unit != null) {
            unit.completed(this);
        }
        completion.completed(this);
    }

    /** Returns the request (and its data buffer, if still attached) to the owner's pool. Frontend thread only. */
    public void release() {
        if (data != null) {
            data.release();
            data = null;
        }
        unit = null;
        op = null;
        fua = false;
        deallocate = false;
        rangeCount = 0;
        completion = null;
        context = null;
        status = null;
        miscompareOffset = 0;
        failedLba = -1;
        syncFailed = false;
        owner.recycle(this);
    }
}
