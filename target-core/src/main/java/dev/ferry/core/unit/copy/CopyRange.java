package dev.ferry.core.unit.copy;

import dev.ferry.core.unit.LogicalUnit;

/**
 * One piece of a copy: {@code blocks} logical blocks from {@code sourceLba} of {@code source} to
 * {@code destinationLba} of {@code destination} (the same unit or two units; both must have the same logical block
 * size). A SCSI EXTENDED COPY segment descriptor or an NVMe Copy source range becomes one.
 */
public record CopyRange(LogicalUnit source, long sourceLba, LogicalUnit destination, long destinationLba,
                        long blocks) {
    /**
     * Whether the destination starts inside the source on the same unit: copied front to back, the first chunks
     * written would overwrite source blocks not yet read, so such a range is copied back to front (memmove).
     */
    boolean overlapsForward() {
        return source == destination && destinationLba > sourceLba && destinationLba - sourceLba < blocks;
    }
}
