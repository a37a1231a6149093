package dev.ferry.frontend.scsi;

import dev.ferry.core.backend.BackendDescriptor;

/**
 * The limits a logical unit advertises in the Block Limits VPD page (SBC-3 6.5.3) and enforces on commands; one
 * source for both so that what is reported is what is checked.
 *
 * @param maxTransferBlocks        MAXIMUM TRANSFER LENGTH (READ/WRITE/VERIFY/WRITE AND VERIFY)
 * @param optimalTransferBlocks    OPTIMAL TRANSFER LENGTH (0 = not reported)
 * @param optimalGranularityBlocks OPTIMAL TRANSFER LENGTH GRANULARITY (physical block in logical blocks)
 * @param maxCompareAndWriteBlocks MAXIMUM COMPARE AND WRITE LENGTH (0-255; 0: COMPARE AND WRITE is not supported,
 *                                 SBC-4 6.6.4)
 * @param maxUnmapLbaCount         MAXIMUM UNMAP LBA COUNT (0 when UNMAP is not supported)
 * @param maxUnmapDescriptors      MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT
 * @param unmapGranularityBlocks   OPTIMAL UNMAP GRANULARITY
 * @param maxWriteSameBlocks       MAXIMUM WRITE SAME LENGTH
 * @param pieceBlocks              the largest request handed to the backend: longer transfers are split
 *                                 ({@link SplitIo}), so MAXIMUM TRANSFER LENGTH is the frontend's, not the backend's
 */
record BlockLimits(int maxTransferBlocks, int optimalTransferBlocks, int optimalGranularityBlocks,
                   int maxCompareAndWriteBlocks, long maxUnmapLbaCount, int maxUnmapDescriptors,
                   int unmapGranularityBlocks, long maxWriteSameBlocks, int pieceBlocks) {

    /**
     * Blocks per UNMAP command: 1 Mi (512 MiB of 512-byte blocks, 4 GiB of 4 KiB ones). Linux splits discards by this;
     * libiscsi's iscsi-test-cu calls any explicit limit above 1 Mi "insanely big".
     */
    static final long UNMAP_LBA_LIMIT = 1 << 20;
    /** Ranges per UNMAP command: 256 descriptors = 4 KiB of parameter data. */
    static final int UNMAP_DESCRIPTOR_LIMIT = 256;
    /**
     * WRITE SAME length: 4 Mi blocks. Zeroing/unmapping is one request; a pattern is written in chunks one after the
     * other, so a longer command would outlast initiator timeouts.
     */
    static final long WRITE_SAME_LIMIT = 1 << 22;
    /** COMPARE AND WRITE carries twice its length as Data-Out; 255 is the most its one-byte field can say. */
    static final int COMPARE_AND_WRITE_LIMIT = 255;
    /**
     * Transfers larger than this are refused (Data-In is one direct buffer, Data-Out is collected whole by the
     * transport). 32 MiB: as much as the Linux iSCSI initiator sends in one command (0xFFFF sectors, rounded), and
     * what libiscsi's WriteSame16.Unmap writes in one WRITE(16) whatever the limit says (65536 blocks of 512 bytes).
     */
    static final int TRANSFER_BYTES_LIMIT = 32 << 20;

    static BlockLimits of(BackendDescriptor d) {
        int bs = d.logicalBlockSize();
        int maxTransfer = Math.max(1, TRANSFER_BYTES_LIMIT / bs);
        int piece = Math.max(1, Math.min(d.maxTransferBlocks(), maxTransfer));
        long capacityLimit = Math.max(1, d.capacityBlocks());
        return new BlockLimits(
                maxTransfer,
                Math.min(d.optimalTransferBlocks(), maxTransfer),
                Math.max(1, d.physicalBlockSize() / bs),
                // one request, twice the data, and no more than the backend compares atomically
                Math.min(d.maxCompareAndWriteBlocks(), Math.max(1, Math.min(COMPARE_AND_WRITE_LIMIT, piece / 2))),
                d.discard() ? Math.min(UNMAP_LBA_LIMIT, capacityLimit) : 0,
                d.discard() ? UNMAP_DESCRIPTOR_LIMIT : 0,
                Math.max(1, d.discardGranularityBlocks()),
                Math.min(WRITE_SAME_LIMIT, capacityLimit),
                piece);
    }
}
