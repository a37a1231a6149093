package dev.ferry.backend.block;

/**
 * What the block ioctls (linux/fs.h) report for an open block device.
 *
 * @param sizeBytes         BLKGETSIZE64
 * @param logicalBlockSize  BLKSSZGET
 * @param physicalBlockSize BLKPBSZGET
 * @param minimumIo         BLKIOMIN
 * @param optimalIo         BLKIOOPT, 0 when the device has no preference
 * @param readOnly          BLKROGET
 */
public record BlockGeometry(
        long sizeBytes, int logicalBlockSize, int physicalBlockSize, int minimumIo, int optimalIo, boolean readOnly) {

    public static BlockGeometry probe(int fd) {
        return new BlockGeometry(
                BlockIoctls.size64(fd),
                BlockIoctls.intValue(fd, BlockIoctls.BLKSSZGET),
                BlockIoctls.intValue(fd, BlockIoctls.BLKPBSZGET),
                BlockIoctls.intValue(fd, BlockIoctls.BLKIOMIN),
                BlockIoctls.intValue(fd, BlockIoctls.BLKIOOPT),
                BlockIoctls.intValue(fd, BlockIoctls.BLKROGET) != 0);
    }
}
