package dev.ferry.backend.scsi;

/**
 * SBC-3 6.6.4 Block Limits VPD page (B0h), table 182. Lengths are in logical blocks; 0 means "not reported".
 *
 * @param maxTransfer            8-11 MAXIMUM TRANSFER LENGTH
 * @param optimalTransfer        12-15 OPTIMAL TRANSFER LENGTH
 * @param maxUnmapLbaCount       20-23 MAXIMUM UNMAP LBA COUNT
 * @param maxUnmapDescriptors    24-27 MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT
 * @param optimalUnmapGranularity 28-31 OPTIMAL UNMAP GRANULARITY
 * @param maxWriteSame           36-43 MAXIMUM WRITE SAME LENGTH
 */
public record BlockLimits(long maxTransfer, long optimalTransfer, long maxUnmapLbaCount, long maxUnmapDescriptors,
        long optimalUnmapGranularity, long maxWriteSame) {

    public static final BlockLimits NONE = new BlockLimits(0, 0, 0, 0, 0, 0);

    public static BlockLimits parse(byte[] page) {
        int n = Math.min(page.length, 4 + BigEndian.get16(page, 2));
        return new BlockLimits(
                n >= 12 ? BigEndian.get32(page, 8) : 0,
                n >= 16 ? BigEndian.get32(page, 12) : 0,
                n >= 24 ? BigEndian.get32(page, 20) : 0,
                n >= 28 ? BigEndian.get32(page, 24) : 0,
                n >= 32 ? BigEndian.get32(page, 28) : 0,
                n >= 44 ? BigEndian.get64(page, 36) : 0);
    }
}
