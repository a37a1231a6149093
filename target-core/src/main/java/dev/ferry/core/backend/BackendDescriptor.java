package dev.ferry.core.backend;

import dev.ferry.core.unit.UnitIdentity;

/**
 * A backend's description of itself, from which every frontend renders its protocol's view (SCSI INQUIRY/VPD and
 * READ CAPACITY, NVMe Identify Namespace).
 *
 * @param name                   the backstore name from the configuration
 * @param capacityBlocks         number of logical blocks
 * @param logicalBlockSize       bytes per logical block (512 or 4096)
 * @param physicalBlockSize      bytes per physical block (e.g. 4096 for 512e)
 * @param optimalTransferBlocks  preferred request size in logical blocks, 0 if unknown
 * @param maxTransferBlocks      largest request the backend takes in one piece, in logical blocks
 * @param discard                unmap/deallocate supported
 * @param discardGranularityBlocks unmap granularity in logical blocks (1 when any block can be unmapped)
 * @param discardZeroes          unmapped blocks read back as zeroes
 * @param writeZeroes            write-zeroes supported natively
 * @param volatileWriteCache     a volatile write cache exists (flush is meaningful)
 * @param writeCacheEnabled      the cache is currently enabled
 * @param rotational             a spinning disk (rotation rate unknown)
 * @param readOnly               writes are refused with write-protect
 * @param identity               stable identifiers and inquiry strings
 * @param reportsAllocation      the backend answers {@link dev.ferry.core.request.BlockOp#ALLOCATION_STATUS} from
 *                               what it really knows of mapped and deallocated blocks
 * @param maxCompareAndWriteBlocks the most blocks one atomic compare-and-write of this backend takes (0: none);
 *                               {@link #COMPARE_AND_WRITE_UNLIMITED} when only the frontends' own limits apply
 */
public record BackendDescriptor(
        String name,
        long capacityBlocks,
        int logicalBlockSize,
        int physicalBlockSize,
        int optimalTransferBlocks,
        int maxTransferBlocks,
        boolean discard,
        int discardGranularityBlocks,
        boolean discardZeroes,
        boolean writeZeroes,
        boolean volatileWriteCache,
        boolean writeCacheEnabled,
        boolean rotational,
        boolean readOnly,
        UnitIdentity identity,
        boolean reportsAllocation,
        int maxCompareAndWriteBlocks) {

    /** No compare-and-write limit of the backend's own: it takes any request length atomically. */
    public static final int COMPARE_AND_WRITE_UNLIMITED = Integer.MAX_VALUE;

    /**
     * A description of a backend that cannot tell mapped from deallocated blocks and takes compare-and-write of any
     * length ({@link #COMPARE_AND_WRITE_UNLIMITED}).
     */
    public BackendDescriptor(String name, long capacityBlocks, int logicalBlockSize, int physicalBlockSize,
                             int optimalTransferBlocks, int maxTransferBlocks, boolean discard,
                             int discardGranularityBlocks, boolean discardZeroes, boolean writeZeroes,
                             boolean volatileWriteCache, boolean writeCacheEnabled, boolean rotational,
                             boolean readOnly, UnitIdentity identity) {
        this(name, capacityBlocks, logicalBlockSize, physicalBlockSize, optimalTransferBlocks, maxTransferBlocks,
                discard, discardGranularityBlocks, discardZeroes, writeZeroes, volatileWriteCache, writeCacheEnabled,
                rotational, readOnly, identity, false, COMPARE_AND_WRITE_UNLIMITED);
    }

    /** This description of a backend that answers {@link dev.ferry.core.request.BlockOp#ALLOCATION_STATUS}. */
    public BackendDescriptor reportingAllocation() {
        return new BackendDescriptor(name, capacityBlocks, logicalBlockSize, physicalBlockSize, optimalTransferBlocks,
                maxTransferBlocks, discard, discardGranularityBlocks, discardZeroes, writeZeroes, volatileWriteCache,
                writeCacheEnabled, rotational, readOnly, identity, true, maxCompareAndWriteBlocks);
    }

    /** This description with another compare-and-write limit. */
    public BackendDescriptor withMaxCompareAndWriteBlocks(int blocks) {
        return new BackendDescriptor(name, capacityBlocks, logicalBlockSize, physicalBlockSize, optimalTransferBlocks,
                maxTransferBlocks, discard, discardGranularityBlocks, discardZeroes, writeZeroes, volatileWriteCache,
                writeCacheEnabled, rotational, readOnly, identity, reportsAllocation, blocks);
    }

    /** This description with another capacity: what a resize changes, and all it changes. */
    public BackendDescriptor withCapacityBlocks(long blocks) {
        return new BackendDescriptor(name, blocks, logicalBlockSize, physicalBlockSize, optimalTransferBlocks,
                maxTransferBlocks, discard, discardGranularityBlocks, discardZeroes, writeZeroes, volatileWriteCache,
                writeCacheEnabled, rotational, readOnly, identity, reportsAllocation, maxCompareAndWriteBlocks);
    }

    public long capacityBytes() {
        return capacityBlocks * logicalBlockSize;
    }

    /** log2(physical / logical): 3 for 512e (SCSI LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT). */
    public int physicalPerLogicalExponent() {
        return Integer.numberOfTrailingZeros(physicalBlockSize / logicalBlockSize);
    }
}
