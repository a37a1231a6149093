package dev.ferry.core.request;

/** The protocol-neutral operations a backend executes. Each frontend translates its own commands into these. */
public enum BlockOp {
    /** Read {@code blocks} blocks at {@code lba} into {@code data}. */
    READ,
    /** Write {@code data} ({@code blocks} blocks) at {@code lba}; with {@code fua} durable before completion. */
    WRITE,
    /** Make every completed write durable (SYNCHRONIZE CACHE, NVMe Flush). */
    FLUSH,
    /** Deallocate the ranges in {@code ranges}; unmapped blocks read back as zeroes. */
    UNMAP,
    /** Write zeroes to {@code blocks} blocks at {@code lba}; {@code deallocate} lets the backend unmap instead. */
    WRITE_ZEROES,
    /**
     * Atomically compare {@code blocks} blocks at {@code lba} with the first half of {@code data} and, only if
     * equal, write the second half. A mismatch completes with {@link CompletionStatus#MISCOMPARE} and
     * {@link BlockRequest#miscompareOffset()} set to the first differing byte.
     */
    COMPARE_AND_WRITE,
    /**
     * Check that {@code blocks} blocks at {@code lba} are readable; if {@code data} is present, also compare them
     * with it (SCSI VERIFY with BYTCHK, NVMe Verify/Compare).
     */
    VERIFY,
    /** Hint that {@code blocks} blocks at {@code lba} will be read soon (PRE-FETCH); no data moves. */
    PREFETCH,
    /**
     * Tell which of the {@code blocks} blocks at {@code lba} are mapped and which deallocated: append consecutive
     * extents, the first starting at {@code lba}, to {@code data} with {@link AllocationExtents#append} until the
     * blocks are covered or {@code data} is full. A backend may stop earlier (it bounds its own work) but covers at
     * least one block. Only sent to a backend whose description {@link
     * dev.ferry.core.backend.BackendDescriptor#reportsAllocation reports allocation} (SCSI GET LBA STATUS).
     */
    ALLOCATION_STATUS;

    /** Changes what the medium holds: refused on a write-protected unit, made durable when the write cache is off. */
    public boolean writesMedium() {
        return this == WRITE || this == UNMAP || this == WRITE_ZEROES || this == COMPARE_AND_WRITE;
    }
}
