package dev.ferry.core.buffer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * The pool every frontend takes its data buffers from (read data, collected write data). Its buffers start on a
 * 4 KiB boundary, which is what O_DIRECT and io_uring need from memory (the logical block size, 512 or 4096), so
 * a block backend reads and writes them in place instead of copying through a bounce buffer. Netty's default pool
 * aligns only to 16 bytes; protocol headers keep using it, since aligning them would waste memory for nothing.
 */
public final class IoBuffers {
    /** Alignment of every buffer's first byte: the largest logical block size Ferry exports. */
    public static final int ALIGNMENT = 4096;

    private static final PooledByteBufAllocator POOL = new PooledByteBufAllocator(true,
            0, PooledByteBufAllocator.defaultNumDirectArena(), PooledByteBufAllocator.defaultPageSize(),
            PooledByteBufAllocator.defaultMaxOrder(), PooledByteBufAllocator.defaultSmallCacheSize(),
            PooledByteBufAllocator.defaultNormalCacheSize(), PooledByteBufAllocator.defaultUseCacheForAllThreads(),
            ALIGNMENT);

    private IoBuffers() {
    }

    /** A pooled direct buffer of exactly {@code bytes} capacity, aligned to {@link #ALIGNMENT}. */
    public static ByteBuf allocate(int bytes) {
        return POOL.directBuffer(bytes, bytes);
    }

    /** Direct memory the pool holds now, in bytes (what a hostile peer could make it grow). */
    public static long usedBytes() {
        return POOL.metric().usedDirectMemory();
    }
}
