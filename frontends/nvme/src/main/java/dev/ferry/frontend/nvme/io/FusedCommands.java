package dev.ferry.frontend.nvme.io;

import dev.ferry.core.buffer.IoBuffers;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.frontend.nvme.NvmeQueue;
import dev.ferry.frontend.nvme.NvmeRequest;
import dev.ferry.frontend.nvme.spec.Opcodes;
import dev.ferry.frontend.nvme.spec.Sqe;
import dev.ferry.frontend.nvme.spec.Status;
import io.netty.buffer.ByteBuf;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Fused Compare + Write (NVMe Base 2.0 3.4.2; FUSES bit 0): the two halves are adjacent SQ entries and execute as
 * one atomic {@link BlockOp#COMPARE_AND_WRITE}. Each half's data may arrive separately (R2T), so a pair runs once
 * both are ready. A first half not followed by its second is aborted with "Missing Fused Command"; when the
 * compare fails the write is aborted with "Failed Fused Command". A pair longer than the namespace's backend
 * compares atomically ({@link dev.ferry.core.backend.BackendDescriptor#maxCompareAndWriteBlocks}, one 512-byte
 * sector for rbd) is refused with Invalid Field, its second half then with Missing Fused Command.
 */
final class FusedCommands {
    private static final class Pair {
        final NvmeRequest first;
        final NvmeRequest second;
        final LogicalUnit unit;
        boolean firstReady;
        boolean secondReady;

        Pair(NvmeRequest first, NvmeRequest second, LogicalUnit unit) {
            this.first = first;
            this.second = second;
            this.unit = unit;
        }
    }

    private final NvmeQueue queue;
    private final IoCommands io;
    /** A parsed first half whose successor has not been parsed yet. */
    private NvmeRequest waitingFirst;
    private final Map<NvmeRequest, Pair> pairs = new IdentityHashMap<>();
    /** First halves whose data arrived before their second half was parsed. */
    private final Set<NvmeRequest> readyFirsts = Collections.newSetFromMap(new IdentityHashMap<>());
    /** First halves that lost their second half while their data was still on the way. */
    private final Set<NvmeRequest> orphans = Collections.newSetFromMap(new IdentityHashMap<>());

    FusedCommands(NvmeQueue queue, IoCommands io) {
        this.queue = queue;
        this.io = io;
    }

    /** Called for every I/O command in submission order; true when it was taken (or completed) here. */
    boolean arrived(NvmeRequest r) {
        int fuse = Sqe.fuse(r.sqe());
        if (waitingFirst != null) {
            NvmeRequest first = waitingFirst;
            waitingFirst = null;
            if (fuse == Sqe.FUSE_SECOND) {
                pair(first, r);
                return true;
            }
            orphan(first);
        }
        if (fuse == Sqe.FUSE_SECOND) {
            queue.complete(r, Status.ABORTED_MISSING_FUSED);
            return true;
        }
        if (fuse == Sqe.FUSE_FIRST) {
            first(r);
            return true;
        }
        if (fuse != Sqe.FUSE_NONE) {
            queue.complete(r, Status.INVALID_FIELD);
            return true;
        }
        return false;
    }

    private void first(NvmeRequest r) {
        LogicalUnit u = queue.controller().namespace(r.nsid());
        if (r.opcode() != Opcodes.COMPARE) {
            queue.complete(r, Status.INVALID_FIELD); // Compare is the only first half this controller fuses
            return;
        }
        if (u == null) {
            queue.complete(r, Status.INVALID_NAMESPACE);
            return;
        }
        int status = io.reservationConflict(u, true) ? Status.RESERVATION_CONFLICT : io.checkTransfer(r, u, true);
        if (status == Status.SUCCESS && IoCommands.blocks(r) > u.descriptor().maxCompareAndWriteBlocks()) {
            status = Status.INVALID_FIELD; // longer than the backend compares atomically (as SPDK refuses over ACWU)
        }
        if (status == Status.SUCCESS && u.descriptor().readOnly()) {
            status = Status.NAMESPACE_WRITE_PROTECTED;
        }
        if (status != Status.SUCCESS) {
            queue.complete(r, status);
            return;
        }
        waitingFirst = r;
        r.expectHostData(IoCommands.transferBytes(r, u), this::firstReady);
    }

    private void pair(NvmeRequest first, NvmeRequest second) {
        LogicalUnit u = queue.controller().namespace(first.nsid());
        boolean matches = second.opcode() == Opcodes.WRITE && second.nsid() == first.nsid()
                && IoCommands.slba(second) == IoCommands.slba(first)
                && IoCommands.blocks(second) == IoCommands.blocks(first)
                && u != null && second.sglLength() == IoCommands.transferBytes(first, u);
        if (!matches) {
            orphan(first);
            queue.complete(second, Status.INVALID_FIELD);
            return;
        }
        Pair p = new Pair(first, second, u);
        p.firstReady = readyFirsts.remove(first);
        pairs.put(first, p);
        pairs.put(second, p);
        second.expectHostData(IoCommands.transferBytes(second, u), this::secondReady);
    }

    private void orphan(NvmeRequest first) {
        if (readyFirsts.remove(first)) {
            queue.complete(first, Status.ABORTED_MISSING_FUSED);
        } else {
            orphans.add(first);
        }
    }

    private void firstReady(NvmeRequest first) {
        if (orphans.remove(first)) {
            queue.complete(first, Status.ABORTED_MISSING_FUSED);
            return;
        }
        Pair p = pairs.get(first);
        if (p == null) {
            readyFirsts.add(first);
            return;
        }
        p.firstReady = true;
        submitWhenReady(p);
    }

    private void secondReady(NvmeRequest second) {
        Pair p = pairs.get(second);
        p.secondReady = true;
        submitWhenReady(p);
    }

    private void submitWhenReady(Pair p) {
        if (!p.firstReady || !p.secondReady) {
            return;
        }
        pairs.remove(p.first);
        pairs.remove(p.second);
        BlockRequest b = queue.transport().completionQueue().acquire();
        if (b == null) {
            queue.complete(p.first, Status.COMMAND_INTERRUPTED);
            queue.complete(p.second, Status.COMMAND_INTERRUPTED);
            return;
        }
        // COMPARE_AND_WRITE takes the compare data followed by the write data in one buffer.
        ByteBuf compare = p.first.hostData();
        ByteBuf write = p.second.hostData();
        ByteBuf both = IoBuffers.allocate(compare.readableBytes() + write.readableBytes());
        both.writeBytes(compare, compare.readerIndex(), compare.readableBytes())
                .writeBytes(write, write.readerIndex(), write.readableBytes());
        // The Write half's FUA (CDW12 bit 30) makes the written data durable before the pair completes.
        b.set(BlockOp.COMPARE_AND_WRITE, IoCommands.slba(p.first), IoCommands.blocks(p.first), both,
                this::completed, p).fua((p.second.cdw(12) & IoCommands.FUA) != 0);
        p.unit.submit(b);
    }

    private void completed(BlockRequest b) {
        Pair p = (Pair) b.context();
        CompletionStatus s = b.status();
        b.release();
        try {
            if (s == CompletionStatus.GOOD) {
                queue.complete(p.first, Status.SUCCESS);
                queue.complete(p.second, Status.SUCCESS);
            } else {
                queue.complete(p.first, StatusMapping.of(s));
                queue.complete(p.second, Status.ABORTED_FAILED_FUSED);
            }
        } catch (Throwable t) {
            // As for single commands (IoCommands): unanswerable now, so the connection closes.
            p.first.release();
            p.second.release();
            queue.transport().close();
        }
    }

    /** The connection is gone: halves that never reached the backend are released. */
    void clear() {
        if (waitingFirst != null) {
            waitingFirst.release();
            waitingFirst = null;
        }
        pairs.keySet().forEach(NvmeRequest::release);
        readyFirsts.forEach(NvmeRequest::release);
        orphans.forEach(NvmeRequest::release);
        pairs.clear();
        readyFirsts.clear();
        orphans.clear();
    }
}
