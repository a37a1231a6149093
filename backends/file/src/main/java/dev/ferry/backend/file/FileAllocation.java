package dev.ferry.backend.file;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import dev.ferry.core.request.AllocationExtents;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A backing file's allocation, through a file descriptor of its own (Java's FileChannel does not expose its
 * descriptor): unmapping punches holes with fallocate(2), and what the file system knows is read back with lseek(2)
 * SEEK_DATA and SEEK_HOLE. A logical block holding any
 * data byte is mapped; a block wholly inside a hole is deallocated. A file system without hole support answers
 * through the kernel's generic implementation, all data up to the end of the file, which is the truthful "mapped".
 * The calls may block, so they run on the backend's workers like every other file I/O.
 */
final class FileAllocation implements AutoCloseable {
    /** unistd.h (Linux 3.1): the next offset holding data, the next offset in a hole (the end of file counts). */
    static final int SEEK_DATA = 3;
    static final int SEEK_HOLE = 4;
    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 02000000;
    /** linux/falloc.h: deallocate the range, keeping the file's size; partial file system blocks are zeroed. */
    private static final int FALLOC_FL_KEEP_SIZE = 0x01;
    private static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    /** errno.h: SEEK_DATA at or past the last data byte; a file system that cannot punch holes. */
    private static final int ENXIO = 6;
    private static final int EOPNOTSUPP = 95;

    /** Data runs one request looks at, at most: two lseek calls each, a few milliseconds of a worker. */
    static final int MAX_ROUNDS = 4096;

    private final int fd;

    private FileAllocation(int fd) {
        this.fd = fd;
    }

    /** @param writable whether {@link #punchHole} will be called (not for a read-only backstore) */
    static FileAllocation open(Path path, boolean writable) throws IOException {
        try {
            return new FileAllocation(LibC.open(path.toString(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC));
        } catch (LastErrorException e) {
            throw new IOException("open " + path + ": errno " + e.getErrorCode(), e);
        }
    }

    /**
     * Deallocates {@code length} bytes at {@code offset}; they read back as zeroes. The caller holds the range's
     * stripe locks and makes it durable as it would a write.
     *
     * @return false when the file system cannot punch holes: the caller writes zeroes instead
     */
    boolean punchHole(long offset, long length) throws IOException {
        try {
            LibC.fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EOPNOTSUPP) {
                return false;
            }
            throw new IOException("fallocate PUNCH_HOLE " + length + " bytes at " + offset + ": errno "
                    + e.getErrorCode(), e);
        }
    }

    /**
     * Appends the extents of the {@code blocks} blocks of {@code blockSize} bytes at {@code lba}, from the first on,
     * until they are covered, {@code out} is full, or {@link #MAX_ROUNDS} data runs were looked at: holes smaller
     * than a logical block (a file made sparse on a file system with smaller blocks) merge into one mapped extent,
     * so {@code out}'s size alone would not bound the lseek calls.
     */
    void describe(long lba, long blocks, int blockSize, ByteBuf out) throws IOException {
        long end = lba + blocks;
        long pos = lba;
        for (int round = 0; pos < end && round < MAX_ROUNDS; round++) {
            long data = seek(pos * blockSize, SEEK_DATA);
            long dataBlock = data < 0 ? end : Math.min(end, data / blockSize); // the block holding the first byte
            if (dataBlock > pos) {
                if (!AllocationExtents.append(out, dataBlock - pos, true)) {
                    return;
                }
                pos = dataBlock;
                if (pos == end) {
                    return;
                }
            }
            // Block pos holds data. Rounded up: a block with any data byte is mapped. At least that block, also when
            // the file was truncated meanwhile (-1).
            long hole = seek(Math.max(data, pos * blockSize), SEEK_HOLE);
            long holeBlock = Math.min(end, Math.max(pos + 1, (hole + blockSize - 1) / blockSize));
            if (!AllocationExtents.append(out, holeBlock - pos, false)) {
                return;
            }
            pos = holeBlock;
        }
    }

    /** lseek, with "no data past here" (ENXIO) as -1. */
    private long seek(long offset, int whence) throws IOException {
        try {
            return LibC.lseek(fd, offset, whence);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == ENXIO) {
                return -1;
            }
            throw new IOException("lseek " + (whence == SEEK_DATA ? "SEEK_DATA" : "SEEK_HOLE") + " at " + offset
                    + ": errno " + e.getErrorCode(), e);
        }
    }

    @Override
    public void close() {
        try {
            LibC.close(fd);
        } catch (LastErrorException e) {
            // nothing was written through this descriptor: nothing can be lost
        }
    }

    /** The libc calls, bound with JNA direct mapping. */
    private static final class LibC {
        static {
            Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        static native int open(String path, int flags) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;

        static native long lseek(int fd, long offset, int whence) throws LastErrorException;

        static native int fallocate(int fd, int mode, long offset, long len) throws LastErrorException;
    }
}
