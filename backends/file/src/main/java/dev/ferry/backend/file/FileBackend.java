package dev.ferry.backend.file;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.backend.BackendException;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.SyncFailedException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A disk stored in a regular file, with positional {@link FileChannel} I/O. The calls block, so the core runs
 * several workers on it ({@link #workers()}). Flush and FUA use {@code force(false)} (fdatasync). An unmap (and a
 * zeroing that may deallocate) punches a hole ({@link FileAllocation}), or writes zeroes on a file system that
 * cannot; a zeroing that must stay mapped writes zeroes. Which blocks are mapped is read back with SEEK_DATA and
 * SEEK_HOLE. A resize sets the file's length with ftruncate(2): growing leaves a hole, shrinking (only
 * ever asked for a backstore nothing maps) drops the data past the new end.
 */
public final class FileBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(FileBackend.class);
    static final int DEFAULT_WORKERS = 4;
    /** Size of the zero source and of each worker's compare buffer. */
    private static final int CHUNK_BYTES = 1 << 20;
    private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(CHUNK_BYTES).asReadOnlyBuffer();

    private volatile BackendDescriptor descriptor;
    private final Path path;
    private final FileChannel channel;
    /** SEEK_DATA/SEEK_HOLE on the same file, for {@link BlockOp#ALLOCATION_STATUS}. */
    private final FileAllocation allocation;
    private final int blockSize;
    /** Without a volatile write cache every write must be durable before it completes. */
    private final boolean writeThrough;
    private final StripeLocks locks = new StripeLocks();
    private final ThreadLocal<ByteBuffer> compareBuffer =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(CHUNK_BYTES));

    FileBackend(BackendDescriptor descriptor, Path path, FileChannel channel, FileAllocation allocation) {
        this.descriptor = descriptor;
        this.path = path;
        this.channel = channel;
        this.allocation = allocation;
        this.blockSize = descriptor.logicalBlockSize();
        this.writeThrough = !descriptor.writeCacheEnabled();
    }

    @Override
    public BackendDescriptor describe() {
        return descriptor;
    }

    @Override
    public synchronized BackendDescriptor resize(long capacityBytes) throws BackendException {
        BackendDescriptor d = descriptor;
        long blocks = capacityBytes / blockSize;
        if (d.readOnly()) {
            throw new BackendException("backstore " + d.name() + " is read-only, so " + path + " keeps its size");
        }
        if (blocks <= 0) {
            throw new BackendException("backstore " + d.name() + ": a size of " + capacityBytes
                    + " bytes holds no block of " + blockSize + " bytes");
        }
        // RandomAccessFile.setLength is ftruncate(2) on the same file; FileChannel.truncate cannot grow.
        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
            raf.setLength(blocks * blockSize);
        } catch (IOException e) {
            throw new BackendException("backstore " + d.name() + ": cannot resize " + path + ": " + e.getMessage(), e);
        }
        descriptor = d.withCapacityBlocks(blocks);
        return descriptor;
    }

    /** The size is the configuration's, so there is nothing to re-read. */
    @Override
    public BackendDescriptor rereadCapacity() throws BackendException {
        throw new BackendException("backstore " + descriptor.name() + " has the size its configuration gives: give"
                + " the new size");
    }

    @Override
    public int workers() {
        return DEFAULT_WORKERS;
    }

    @Override
    public void execute(BlockRequest r) {
        long offset = r.lba() * blockSize;
        long length = (long) r.blocks() * blockSize;
        try {
            long miscompare = -1;
            switch (r.op()) {
                case READ -> read(offset, (int) length, r.data());
                case WRITE -> {
                    long held = locks.lock(offset, length);
                    try {
                        write(offset, r.data(), r.data().readerIndex(), (int) length);
                    } finally {
                        locks.unlock(held);
                    }
                    makeDurable(r.fua());
                }
                case WRITE_ZEROES -> {
                    zeroLocked(offset, length, r.deallocate());
                    makeDurable(r.fua());
                }
                case UNMAP -> {
                    for (int i = 0; i < r.rangeCount(); i++) {
                        zeroLocked(r.rangeLba(i) * blockSize, (long) r.rangeBlocks(i) * blockSize, true);
                    }
                    makeDurable(r.fua());
                }
                case COMPARE_AND_WRITE -> {
                    miscompare = compareAndWrite(offset, (int) length, r.data());
                    if (miscompare < 0) {
                        makeDurable(r.fua());
                    }
                }
                case VERIFY -> miscompare = compare(offset, length, r.data());
                case FLUSH -> sync();
                case PREFETCH -> {
                    // The page cache reads ahead on its own; a hint needs no work here.
                }
                case ALLOCATION_STATUS -> allocation.describe(r.lba(), r.blocks(), blockSize, r.data());
            }
            if (miscompare >= 0) {
                r.completeMiscompare(miscompare);
            } else {
                r.complete(CompletionStatus.GOOD);
            }
        } catch (IOException e) {
            LOG.warn("backstore {}: {} of {} blocks at LBA {} failed: {}", descriptor.name(), r.op(), r.blocks(),
                    r.lba(), e.toString());
            if (e instanceof SyncFailedException && e.getCause() instanceof IOException cause) {
                r.completeSyncFailed(IoFailures.status(cause, true));
            } else {
                r.complete(IoFailures.status(e, r.op() != BlockOp.READ && r.op() != BlockOp.VERIFY));
            }
        }
    }

    /** Reads straight into the request's buffer: its writable region, then advances the writer index. */
    private void read(long offset, int length, ByteBuf out) throws IOException {
        int start = out.writerIndex();
        long pos = offset;
        for (ByteBuffer dst : out.nioBuffers(start, length)) {
            pos = readFully(dst, pos);
        }
        out.writerIndex(start + length);
    }

    private long readFully(ByteBuffer dst, long pos) throws IOException {
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos);
            if (n < 0) {
                // Someone truncated the file behind our back: past its end reads as a hole would.
                while (dst.hasRemaining()) {
                    dst.put((byte) 0);
                }
                break;
            }
            pos += n;
        }
        return pos;
    }

    private void write(long offset, ByteBuf in, int from, int length) throws IOException {
        long pos = offset;
        for (ByteBuffer src : in.nioBuffers(from, length)) {
            while (src.hasRemaining()) {
                pos += channel.write(src, pos);
            }
        }
    }

    /** Zeroes the range: with {@code deallocate}, by punching a hole where the file system can. */
    private void zeroLocked(long offset, long length, boolean deallocate) throws IOException {
        long held = locks.lock(offset, length);
        try {
            if (deallocate && allocation.punchHole(offset, length)) {
                return;
            }
            long pos = offset;
            long end = offset + length;
            while (pos < end) {
                ByteBuffer z = ZEROES.duplicate();
                z.limit((int) Math.min(CHUNK_BYTES, end - pos));
                while (z.hasRemaining()) {
                    pos += channel.write(z, pos);
                }
            }
        } finally {
            locks.unlock(held);
        }
    }

    /** @return the first differing byte's offset, or -1 when equal and the second half was written */
    private long compareAndWrite(long offset, int length, ByteBuf data) throws IOException {
        long held = locks.lock(offset, length);
        try {
            long at = compare(offset, length, data);
            if (at < 0) {
                write(offset, data, data.readerIndex() + length, length);
            }
            return at;
        } finally {
            locks.unlock(held);
        }
    }

    /**
     * Reads the range chunk by chunk (which also proves it readable) and compares it with {@code expected} from its
     * reader index, if given.
     *
     * @return offset of the first differing byte relative to {@code offset}, or -1
     */
    private long compare(long offset, long length, ByteBuf expected) throws IOException {
        ByteBuffer buf = compareBuffer.get();
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(CHUNK_BYTES, length - done);
            buf.clear().limit(n);
            readFully(buf, offset + done);
            buf.flip();
            if (expected != null) {
                int at = buf.mismatch(expected.nioBuffer(expected.readerIndex() + (int) done, n));
                if (at >= 0) {
                    return done + at;
                }
            }
            done += n;
        }
        return -1;
    }

    private void makeDurable(boolean fua) throws IOException {
        if (fua || writeThrough) {
            sync();
        }
    }

    /** fdatasync; its failure is told apart from the write's own, since it may have lost other cached data. */
    private void sync() throws SyncFailedException {
        try {
            channel.force(false);
        } catch (IOException e) {
            SyncFailedException failed = new SyncFailedException("fdatasync: " + e.getMessage());
            failed.initCause(e);
            throw failed;
        }
    }

    @Override
    public void close() {
        try {
            if (!descriptor.readOnly()) {
                channel.force(false);
            }
        } catch (IOException e) {
            LOG.warn("backstore {}: final flush failed: {}", descriptor.name(), e.toString());
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("backstore {}: close failed: {}", descriptor.name(), e.toString());
        }
        allocation.close();
    }
}
