package dev.ferry.backend.block;

import java.nio.file.Path;

/**
 * A disk's request queue limits from {@code /sys/block/DISK/queue} (Documentation/ABI/stable/sysfs-block).
 * Partitions have no queue of their own: pass the parent disk's directory.
 *
 * @param logicalBlockSize   logical_block_size
 * @param physicalBlockSize  physical_block_size
 * @param rotational         rotational = 1
 * @param discardMaxBytes    discard_max_bytes, 0 when the device cannot discard
 * @param discardGranularity discard_granularity in bytes
 * @param writeBack          write_cache = "write back": a volatile cache that flushes must reach
 * @param fua                fua = 1: the device honours forced unit access itself
 * @param maxSectorsKb       max_sectors_kb: the largest request the block layer builds
 */
public record SysfsQueue(
        int logicalBlockSize,
        int physicalBlockSize,
        boolean rotational,
        long discardMaxBytes,
        long discardGranularity,
        boolean writeBack,
        boolean fua,
        int maxSectorsKb) {

    public static SysfsQueue read(Path diskDir) {
        Path q = diskDir.resolve("queue");
        return new SysfsQueue(
                (int) Sysfs.number(q.resolve("logical_block_size"), 512),
                (int) Sysfs.number(q.resolve("physical_block_size"), 512),
                Sysfs.number(q.resolve("rotational"), 0) == 1,
                Sysfs.number(q.resolve("discard_max_bytes"), 0),
                Sysfs.number(q.resolve("discard_granularity"), 0),
                "write back".equals(Sysfs.string(q.resolve("write_cache"), "")),
                Sysfs.number(q.resolve("fua"), 0) == 1,
                (int) Sysfs.number(q.resolve("max_sectors_kb"), 512));
    }
}
