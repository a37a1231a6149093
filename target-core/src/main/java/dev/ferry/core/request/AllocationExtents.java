package dev.ferry.core.request;

import io.netty.buffer.ByteBuf;

/**
 * The answer to {@link BlockOp#ALLOCATION_STATUS} in the request's {@code data}: consecutive extents from the
 * request's LBA, each {@link #BYTES} bytes, an 8-byte block count then one state byte (0 mapped, 1 deallocated).
 * The frontend sizes {@code data} (its maximum capacity) for the extents it can answer, which bounds what a backend
 * can append. Adjacent extents of one state are merged, so a backend may append block by block.
 */
public final class AllocationExtents {
    public static final int BYTES = 9;
    private static final byte MAPPED = 0;
    private static final byte DEALLOCATED = 1;

    private AllocationExtents() {
    }

    /**
     * Appends {@code blocks} (> 0) blocks of one state after those already in {@code out}.
     *
     * @return false when {@code out} is full: the extent was not added and the backend should stop
     */
    public static boolean append(ByteBuf out, long blocks, boolean deallocated) {
        byte state = deallocated ? DEALLOCATED : MAPPED;
        int last = out.writerIndex() - BYTES;
        if (last >= out.readerIndex() && out.getByte(last + 8) == state) {
            out.setLong(last, out.getLong(last) + blocks);
            return true;
        }
        if (out.maxWritableBytes() < BYTES) {
            return false;
        }
        out.writeLong(blocks).writeByte(state);
        return true;
    }

    /** Whether {@code out} can take no extent of a state other than its last one's. */
    public static boolean full(ByteBuf out) {
        return out.maxWritableBytes() < BYTES;
    }

    /** Number of extents in {@code in}, from its reader index. */
    public static int count(ByteBuf in) {
        return in.readableBytes() / BYTES;
    }

    /** Block count of extent {@code i}. */
    public static long blocks(ByteBuf in, int i) {
        return in.getLong(in.readerIndex() + i * BYTES);
    }

    /** Whether extent {@code i} is deallocated (else mapped). */
    public static boolean deallocated(ByteBuf in, int i) {
        return in.getByte(in.readerIndex() + i * BYTES + 8) == DEALLOCATED;
    }
}
