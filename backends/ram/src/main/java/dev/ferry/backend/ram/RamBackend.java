package dev.ferry.backend.ram;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.backend.BackendException;
import dev.ferry.core.request.AllocationExtents;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A sparse in-memory disk: capacity is split into fixed chunks that are allocated on first write, so memory grows
 * with the data written; never-written and unmapped chunks read as zeroes. It runs on the frontend event loops
 * ({@link #nonBlocking}), several at once. Writes, unmaps and compare-and-write
 * hold the locks of the chunks they touch (taken in ascending order), which makes compare-and-write atomic against
 * every other write; reads take no lock. A resize swaps in a longer or shorter chunk table holding every lock, so no
 * write lands in the table being replaced; chunks are shared by reference, so a read racing it still sees the data.
 */
public final class RamBackend implements Backend {
    static final int CHUNK_SHIFT = 16;
    static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    private static final int LOCK_STRIPES = 256;
    /** Chunks one {@code ALLOCATION_STATUS} request looks at, at most: 64 GiB, about a millisecond. */
    static final int MAX_ALLOCATION_SCAN_CHUNKS = 1 << 20;

    private volatile BackendDescriptor descriptor;
    private volatile AtomicReferenceArray<byte[]> chunks;
    private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];
    private final int blockSize;

    public RamBackend(BackendDescriptor descriptor) {
        this.descriptor = descriptor;
        this.blockSize = descriptor.logicalBlockSize();
        this.chunks = new AtomicReferenceArray<>(chunkCount(descriptor.capacityBytes()));
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    @Override
    public BackendDescriptor describe() {
        return descriptor;
    }

    private static int chunkCount(long capacityBytes) {
        long n = (capacityBytes + CHUNK_SIZE - 1) >>> CHUNK_SHIFT;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("RAM backstore too large");
        }
        return (int) n;
    }

    /** Grows with never-written (zero) blocks, or drops the chunks past a smaller end and clears the tail of the last. */
    @Override
    public BackendDescriptor resize(long capacityBytes) throws BackendException {
        long blocks = capacityBytes / blockSize;
        if (blocks <= 0) {
            throw new BackendException("backstore " + descriptor.name() + ": a size of " + capacityBytes
                    + " bytes holds no block of " + blockSize + " bytes");
        }
        int count;
        try {
            count = chunkCount(blocks * blockSize);
        } catch (IllegalArgumentException e) {
            throw new BackendException("backstore " + descriptor.name() + ": " + e.getMessage());
        }
        long stripes = lockStripes(0, LOCK_STRIPES);
        try {
            AtomicReferenceArray<byte[]> old = chunks;
            AtomicReferenceArray<byte[]> next = new AtomicReferenceArray<>(count);
            for (int i = 0; i < Math.min(count, old.length()); i++) {
                next.set(i, old.get(i));
            }
            chunks = next;
            descriptor = descriptor.withCapacityBlocks(blocks);
            // Blocks that come back after a shrink and a grow must read as zeroes, as they did before being written.
            long end = blocks * blockSize;
            zero(end, (long) count * CHUNK_SIZE - end);
        } finally {
            unlock(stripes);
        }
        return descriptor;
    }

    /** The size is the configuration's, so there is nothing to re-read. */
    @Override
    public BackendDescriptor rereadCapacity() throws BackendException {
        throw new BackendException("backstore " + descriptor.name() + " has the size its configuration gives: give"
                + " the new size");
    }

    /**
     * Every request completes from memory at once, holding at most the stripe locks of the chunks it writes, so the
     * core runs it on the event loop that decoded it. A resize holds every stripe while it swaps the chunk table
     * (one reference copied per 64 KiB chunk), which briefly stalls the loops writing meanwhile.
     */
    @Override
    public boolean nonBlocking() {
        return true;
    }

    @Override
    public void execute(BlockRequest r) {
        long offset = r.lba() * blockSize;
        long length = (long) r.blocks() * blockSize;
        switch (r.op()) {
            case READ -> {
                read(offset, length, r.data());
                r.complete(CompletionStatus.GOOD);
            }
            case WRITE -> {
                ByteBuf d = r.data();
                long stripes = lock(offset, length);
                try {
                    write(offset, length, d, d.readerIndex());
                } finally {
                    unlock(stripes);
                }
                r.complete(CompletionStatus.GOOD);
            }
            case WRITE_ZEROES -> {
                zeroLocked(offset, length);
                r.complete(CompletionStatus.GOOD);
            }
            case UNMAP -> {
                for (int i = 0; i < r.rangeCount(); i++) {
                    long o = r.rangeLba(i) * blockSize;
                    long l = (long) r.rangeBlocks(i) * blockSize;
                    zeroLocked(o, l);
                }
                r.complete(CompletionStatus.GOOD);
            }
            case COMPARE_AND_WRITE -> {
                ByteBuf d = r.data();
                long mismatch;
                long stripes = lock(offset, length);
                try {
                    mismatch = compare(offset, length, d, d.readerIndex());
                    if (mismatch < 0) {
                        write(offset, length, d, d.readerIndex() + (int) length);
                    }
                } finally {
                    unlock(stripes);
                }
                if (mismatch < 0) {
                    r.complete(CompletionStatus.GOOD);
                } else {
                    r.completeMiscompare(mismatch);
                }
            }
            case VERIFY -> {
                ByteBuf d = r.data();
                long at = d == null ? -1 : compare(offset, length, d, d.readerIndex());
                if (at < 0) {
                    r.complete(CompletionStatus.GOOD);
                } else {
                    r.completeMiscompare(at);
                }
            }
            case FLUSH, PREFETCH -> r.complete(CompletionStatus.GOOD);
            case ALLOCATION_STATUS -> {
                allocation(r.lba(), r.blocks(), r.data());
                r.complete(CompletionStatus.GOOD);
            }
        }
    }

    /**
     * The allocation map as it is: a chunk never written, or unmapped whole, holds no memory and is deallocated;
     * any other chunk is mapped, also where parts of it were unmapped (they read as zeroes but keep their memory).
     * Looks at {@link #MAX_ALLOCATION_SCAN_CHUNKS} chunks at most, so one request stays short on the event loop.
     */
    private void allocation(long lba, int blocks, ByteBuf out) {
        AtomicReferenceArray<byte[]> table = chunks;
        long blocksPerChunk = CHUNK_SIZE / blockSize;
        long end = lba + blocks;
        long pos = lba;
        for (int scanned = 0; pos < end && scanned < MAX_ALLOCATION_SCAN_CHUNKS; scanned++) {
            long index = pos / blocksPerChunk;
            if (index >= table.length()) {
                break; // a shrink swapped the table meanwhile: nothing past its end to describe
            }
            long next = Math.min(end, (index + 1) * blocksPerChunk);
            if (!AllocationExtents.append(out, next - pos, table.get((int) index) == null)) {
                break;
            }
            pos = next;
        }
    }

    private void read(long offset, long length, ByteBuf out) {
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            int index = (int) (pos >>> CHUNK_SHIFT);
            int within = (int) (pos & (CHUNK_SIZE - 1));
            int n = (int) Math.min(CHUNK_SIZE - within, end - pos);
            byte[] chunk = chunks.get(index);
            if (chunk == null) {
                out.writeZero(n);
            } else {
                out.writeBytes(chunk, within, n);
            }
            pos += n;
        }
    }

    private void write(long offset, long length, ByteBuf in, int from) {
        long pos = offset;
        long end = offset + length;
        int src = from;
        while (pos < end) {
            int index = (int) (pos >>> CHUNK_SHIFT);
            int within = (int) (pos & (CHUNK_SIZE - 1));
            int n = (int) Math.min(CHUNK_SIZE - within, end - pos);
            byte[] chunk = chunks.get(index);
            if (chunk == null) {
                chunk = new byte[CHUNK_SIZE];
                chunks.set(index, chunk);
            }
            in.getBytes(src, chunk, within, n);
            src += n;
            pos += n;
        }
    }

    private void zero(long offset, long length) {
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            int index = (int) (pos >>> CHUNK_SHIFT);
            int within = (int) (pos & (CHUNK_SIZE - 1));
            int n = (int) Math.min(CHUNK_SIZE - within, end - pos);
            byte[] chunk = chunks.get(index);
            if (chunk != null) {
                if (n == CHUNK_SIZE) {
                    chunks.set(index, null); // a whole chunk unmapped gives its memory back
                } else {
                    Arrays.fill(chunk, within, within + n, (byte) 0);
                }
            }
            pos += n;
        }
    }

    /**
     * @return offset (relative to {@code offset}) of the first differing byte, or -1 when equal. Compares a chunk's
     * span at a time against one bulk copy of the expected bytes (VERIFY and COMPARE AND WRITE only), not byte by
     * byte through the buffer, which leak tracking makes slow.
     */
    private long compare(long offset, long length, ByteBuf expected, int from) {
        byte[] want = new byte[(int) Math.min(length, CHUNK_SIZE)];
        long done = 0;
        while (done < length) {
            long pos = offset + done;
            int within = (int) (pos & (CHUNK_SIZE - 1));
            int n = (int) Math.min(CHUNK_SIZE - within, length - done);
            n = Math.min(n, want.length);
            expected.getBytes(from + (int) done, want, 0, n);
            byte[] chunk = chunks.get((int) (pos >>> CHUNK_SHIFT));
            int at = chunk == null ? firstNonZero(want, n) : Arrays.mismatch(chunk, within, within + n, want, 0, n);
            if (at >= 0) {
                return done + at;
            }
            done += n;
        }
        return -1;
    }

    private static int firstNonZero(byte[] a, int n) {
        for (int i = 0; i < n; i++) {
            if (a[i] != 0) {
                return i;
            }
        }
        return -1;
    }

    private void zeroLocked(long offset, long length) {
        long stripes = lock(offset, length);
        try {
            zero(offset, length);
        } finally {
            unlock(stripes);
        }
    }

    /**
     * Takes the stripe locks of every chunk in the range, in ascending stripe order (no lambda: this runs per write
     * on an event loop), and returns the stripes taken as {@code from << 32 | to} for {@link #unlock}.
     */
    private long lock(long offset, long length) {
        long first = offset >>> CHUNK_SHIFT;
        long last = (offset + Math.max(length, 1) - 1) >>> CHUNK_SHIFT;
        int from = 0;
        int to = LOCK_STRIPES;
        if (last - first + 1 < LOCK_STRIPES) {
            int a = (int) (first % LOCK_STRIPES);
            int b = (int) (last % LOCK_STRIPES);
            if (a <= b) { // else the range wraps around the stripes: take them all
                from = a;
                to = b + 1;
            }
        }
        return lockStripes(from, to);
    }

    private long lockStripes(int from, int to) {
        for (int i = from; i < to; i++) {
            locks[i].lock();
        }
        return (long) from << 32 | to;
    }

    private void unlock(long stripes) {
        int from = (int) (stripes >>> 32);
        int to = (int) stripes;
        for (int i = to - 1; i >= from; i--) {
            locks[i].unlock();
        }
    }

    /** Bytes of memory currently holding data. */
    public long allocatedBytes() {
        long n = 0;
        for (int i = 0; i < chunks.length(); i++) {
            if (chunks.get(i) != null) {
                n += CHUNK_SIZE;
            }
        }
        return n;
    }

    @Override
    public void close() {
        for (int i = 0; i < chunks.length(); i++) {
            chunks.set(i, null);
        }
    }
}
