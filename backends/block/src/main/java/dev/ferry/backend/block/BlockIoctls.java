package dev.ferry.backend.block;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/** Block device ioctls from linux/fs.h, each with the argument type the kernel expects. */
public final class BlockIoctls {
    /** asm-generic/ioctl.h: _IOC(dir, type, nr, size) = dir << 30 | size << 16 | type << 8 | nr. */
    private static final int IOC_READ = 2;
    /** linux/fs.h: the block ioctls' type byte. */
    private static final int BLK = 0x12;

    /** int *: 1 when the device is read-only. */
    public static final long BLKROGET = io(94);
    /** unsigned int *: logical block size. */
    public static final long BLKSSZGET = io(104);
    /** uint64_t[2] {offset, length}: discard a byte range. */
    public static final long BLKDISCARD = io(119);
    /** unsigned int *: minimum I/O size (physical block or RAID chunk). */
    public static final long BLKIOMIN = io(120);
    /** unsigned int *: optimal I/O size, 0 when unknown. */
    public static final long BLKIOOPT = io(121);
    /** unsigned int *: physical block size. */
    public static final long BLKPBSZGET = io(123);
    /** uint64_t[2] {offset, length}: write zeroes (unmapping where the device guarantees zeroes). */
    public static final long BLKZEROOUT = io(127);
    /** uint64_t *: size in bytes; _IOR(0x12, 114, size_t). */
    public static final long BLKGETSIZE64 = ((long) IOC_READ << 30) | (8L << 16) | (BLK << 8) | 114;

    private BlockIoctls() {
    }

    private static long io(int nr) {
        return (BLK << 8) | nr;
    }

    public static long size64(int fd) {
        try (Memory m = new Memory(8)) {
            LibC.ioctl(fd, BLKGETSIZE64, Pointer.nativeValue(m));
            return m.getLong(0);
        }
    }

    /** For the ioctls that fill an int (BLKROGET, BLKSSZGET, BLKPBSZGET, BLKIOMIN, BLKIOOPT). */
    public static int intValue(int fd, long request) {
        try (Memory m = new Memory(4)) {
            m.setInt(0, 0);
            LibC.ioctl(fd, request, Pointer.nativeValue(m));
            return m.getInt(0);
        }
    }

    /**
     * BLKDISCARD or BLKZEROOUT on {@code [offset, offset + length)}.
     *
     * @param range 16 bytes of scratch for the uint64_t[2] argument, reused by the calling worker
     */
    public static void range(int fd, long request, Pointer range, long offset, long length) throws LastErrorException {
        range.setLong(0, offset);
        range.setLong(8, length);
        LibC.ioctl(fd, request, Pointer.nativeValue(range));
    }
}
