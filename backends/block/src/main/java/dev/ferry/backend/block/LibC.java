package dev.ferry.backend.block;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The few libc calls the Linux backends make, bound with JNA direct mapping (no proxy, no per-call reflection).
 * Buffers are passed as raw addresses ({@code long}) so a Netty direct buffer's memory can go straight to the
 * kernel. Every call that can fail throws {@link LastErrorException} carrying errno; nothing allocates on success.
 */
public final class LibC {
    /** fcntl.h; O_DIRECT is the one flag whose value differs between the two 64-bit architectures we run on. */
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_EXCL = 0200;
    public static final int O_NONBLOCK = 04000;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_DIRECT = Platform.isARM() ? 0200000 : 040000;

    /** linux/fs.h RWF_DSYNC: per-write O_DSYNC, i.e. FUA on a block device (Linux 4.7). */
    public static final int RWF_DSYNC = 0x2;

    /** linux/falloc.h */
    public static final int FALLOC_FL_KEEP_SIZE = 0x01;
    public static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    public static final int FALLOC_FL_ZERO_RANGE = 0x10;

    public static final int SEEK_END = 2;

    /** sys/eventfd.h */
    public static final int EFD_CLOEXEC = O_CLOEXEC;

    static {
        Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private LibC() {
    }

    public static native int open(String path, int flags) throws LastErrorException;

    public static native int close(int fd) throws LastErrorException;

    public static native long read(int fd, long buf, long count) throws LastErrorException;

    public static native long write(int fd, long buf, long count) throws LastErrorException;

    public static native int eventfd(int initval, int flags) throws LastErrorException;

    public static native long pread(int fd, long buf, long count, long offset) throws LastErrorException;

    public static native long pwrite(int fd, long buf, long count, long offset) throws LastErrorException;

    public static native int fdatasync(int fd) throws LastErrorException;

    /** ioctl(2) with a pointer or integer argument; variadic in C, which the x86-64 and AArch64 ABIs pass alike. */
    public static native int ioctl(int fd, long request, long arg) throws LastErrorException;

    public static native int fallocate(int fd, int mode, long offset, long len) throws LastErrorException;

    public static native long lseek(int fd, long offset, int whence) throws LastErrorException;

    /** syscall(2), for the io_uring calls glibc has no wrapper for; unused arguments are passed as 0. */
    public static native long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6)
            throws LastErrorException;

    public static native long mmap(long addr, long length, int prot, int flags, int fd, long offset)
            throws LastErrorException;

    public static native int munmap(long addr, long length) throws LastErrorException;

    /**
     * pwritev2(2) (glibc 2.26) in its own class, so a libc without it leaves the rest of LibC usable and
     * {@link #AVAILABLE} tells the caller to fall back to write + fdatasync.
     */
    public static final class Pwritev2 {
        public static final boolean AVAILABLE;

        static {
            boolean linked;
            try {
                Native.register(Pwritev2.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
                linked = true;
            } catch (UnsatisfiedLinkError e) {
                linked = false;
            }
            AVAILABLE = linked;
        }

        private Pwritev2() {
        }

        /** @param iov address of {@code iovcnt} struct iovec {void *iov_base; size_t iov_len;} */
        public static native long pwritev2(int fd, long iov, int iovcnt, long offset, int flags)
                throws LastErrorException;
    }
}
