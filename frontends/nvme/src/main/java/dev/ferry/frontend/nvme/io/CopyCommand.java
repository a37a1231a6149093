package dev.ferry.frontend.nvme.io;

import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.copy.CopyAdmission;
import dev.ferry.core.unit.copy.CopyJob;
import dev.ferry.core.unit.copy.CopyRange;
import dev.ferry.frontend.nvme.NvmeQueue;
import dev.ferry.frontend.nvme.NvmeRequest;
import dev.ferry.frontend.nvme.spec.Status;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * NVM Command Set 1.0 3.3.1 Copy (19h): copies source ranges of one namespace, one after the other, to consecutive
 * blocks of the same namespace starting at SDLBA, in the core's {@link CopyJob} (no data crosses the fabric).
 *
 * <pre>
 * CDW10-11  SDLBA (starting destination LBA)
 * CDW12     NR(7:0, 0's based) | DESFMT(11:8) | PRINFOR(13:10) | DTYPE(23:20) | STCW(24) | PRINFOW(29:26) | FUA(30)
 *           | LR(31)
 * Source Range Entry, Copy Descriptor Format 0 (32 bytes): bytes 8-15 SLBA, bytes 16-17 NLB (0's based), the rest
 * reserved or end-to-end protection fields (no protection information is offered: ignored, as nvmet does)
 * </pre>
 * Limits (Identify Namespace MSSRL, MCL, MSRC; Identify Controller ONCS bit 8 and OCFS bit 0): at most
 * {@link #MAX_SOURCE_RANGES} ranges, each of at most {@link #maxSingleRangeBlocks} blocks and all together at most
 * {@link #maxCopyBlocks}; more is Command Size Limit Exceeded, checked on the command dword before the range list is
 * fetched where it can be. A copy runs with at most {@link #COPIES_PER_QUEUE} others of its queue and within
 * {@link CopyAdmission#GLOBAL}; beyond that it ends as Command Interrupted (retryable).
 */
public final class CopyCommand {
    /** MSRC + 1. */
    public static final int MAX_SOURCE_RANGES = 16;
    /** Identify Controller ONCS bit 8: Copy (NVM Command Set 1.0 Figure 101). */
    public static final int ONCS_COPY = 1 << 8;
    /** Identify Controller OCFS bit 0: Copy Descriptor Format 0 (source range entries of 32 bytes). */
    public static final int OCFS_FORMAT_0 = 1;
    static final int RANGE_ENTRY_SIZE = 32;
    /** The most bytes one Copy command moves (MCL in blocks of the namespace). */
    static final long MAX_COPY_BYTES = 64L << 20;
    static final int COPIES_PER_QUEUE = 2;
    static final int DESCRIPTOR_FORMAT_0 = 0;
    static final int FUA = 1 << 30;

    private final NvmeQueue queue;
    private final CopyAdmission admission = new CopyAdmission(COPIES_PER_QUEUE);

    CopyCommand(NvmeQueue queue) {
        this.queue = queue;
    }

    /** MCL: the most blocks one Copy command copies. */
    public static long maxCopyBlocks(int blockSize) {
        return MAX_COPY_BYTES / blockSize;
    }

    /** MSSRL: the most blocks one source range copies (a 16-bit field; NLB can say no more than 65,536). */
    public static int maxSingleRangeBlocks(int blockSize) {
        return (int) Math.min(0xFFFF, maxCopyBlocks(blockSize));
    }

    static int ranges(NvmeRequest r) {
        return (r.cdw(12) & 0xFF) + 1;
    }

    /** Checks the command dwords; returns the status to end with, or SUCCESS to fetch the range list. */
    int check(NvmeRequest r, LogicalUnit u) {
        if (((r.cdw(12) >>> 8) & 0xF) != DESCRIPTOR_FORMAT_0) {
            return Status.INVALID_FIELD;
        }
        if (ranges(r) > MAX_SOURCE_RANGES) {
            return Status.COMMAND_SIZE_LIMIT_EXCEEDED;
        }
        long sgl = r.sglLength();
        if (sgl < (long) ranges(r) * RANGE_ENTRY_SIZE || sgl > (long) MAX_SOURCE_RANGES * RANGE_ENTRY_SIZE) {
            return Status.DATA_SGL_LENGTH_INVALID;
        }
        if (u.descriptor().readOnly()) {
            return Status.NAMESPACE_WRITE_PROTECTED;
        }
        return Status.SUCCESS;
    }

    /** Decodes the source ranges (the host data) and runs the copy; {@code r} completes when it ended. */
    void execute(NvmeRequest r, LogicalUnit u) {
        List<CopyRange> ranges = new ArrayList<>(ranges(r));
        int status = decode(r.hostData(), ranges(r), IoCommands.slba(r), u, ranges);
        if (status != Status.SUCCESS) {
            queue.complete(r, status);
            return;
        }
        CopyJob job = CopyJob.start(queue.transport().completionQueue(), ranges, (r.cdw(12) & FUA) != 0,
                queue::isClosed, j -> queue.complete(r, StatusMapping.of(j.status())), admission,
                CopyAdmission.GLOBAL);
        if (job == null) {
            queue.complete(r, StatusMapping.of(CompletionStatus.BUSY));
        }
    }

    /**
     * Source Range Entries of format 0 into {@code out}: range i goes to the blocks after range i-1's. The sizes of
     * all ranges are checked first (beyond MSSRL or MCL: Command Size Limit Exceeded, a property of the command
     * whatever the namespace), then their blocks (beyond the namespace: LBA Out of Range), all before anything is
     * copied.
     */
    static int decode(ByteBuf list, int count, long sdlba, LogicalUnit u, List<CopyRange> out) {
        int blockSize = u.descriptor().logicalBlockSize();
        long total = 0;
        for (int i = 0; i < count; i++) {
            int blocks = blocks(list, i);
            total += blocks;
            if (blocks > maxSingleRangeBlocks(blockSize) || total > maxCopyBlocks(blockSize)) {
                return Status.COMMAND_SIZE_LIMIT_EXCEEDED;
            }
        }
        long capacity = u.descriptor().capacityBlocks();
        long destination = sdlba;
        for (int i = 0; i < count; i++) {
            long slba = list.getLongLE(list.readerIndex() + i * RANGE_ENTRY_SIZE + 8);
            int blocks = blocks(list, i);
            if (slba < 0 || slba > capacity - blocks || destination < 0 || destination > capacity - blocks) {
                return Status.LBA_OUT_OF_RANGE;
            }
            out.add(new CopyRange(u, slba, u, destination, blocks));
            destination += blocks;
        }
        return Status.SUCCESS;
    }

    /** NLB of entry {@code i}, bytes 16-17, 0's based. */
    private static int blocks(ByteBuf list, int i) {
        return list.getUnsignedShortLE(list.readerIndex() + i * RANGE_ENTRY_SIZE + 16) + 1;
    }
}
