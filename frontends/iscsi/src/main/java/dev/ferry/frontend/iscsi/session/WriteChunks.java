package dev.ferry.frontend.iscsi.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.Arrays;

/**
 * The buffers one write's data lands in, by buffer offset: the unsolicited burst's and one per R2T, each added as
 * its data is allowed to come. They never overlap, and become the one buffer the command set reads when the write
 * runs. The arrays are kept for the task's next command unless a large write grew them.
 */
final class WriteChunks {
    /** Entries a reused task keeps (larger arrays came from one large write). */
    private static final int KEPT = 16;

    private int count;
    private int[] offsets = new int[2];
    private ByteBuf[] buffers = new ByteBuf[2];

    boolean isEmpty() {
        return count == 0;
    }

    /** The buffer holding {@code offset}, or null when no burst covering it was allowed yet. */
    ByteBuf at(int offset) {
        int i = floor(offset);
        return i >= 0 && offset < offsets[i] + buffers[i].capacity() ? buffers[i] : null;
    }

    /** Index of the last buffer starting at or before {@code offset}, or -1. */
    private int floor(int offset) {
        int lo = 0;
        int hi = count - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (offsets[mid] <= offset) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return hi;
    }

    /** Adds a buffer in offset order (the unsolicited burst's may come after R2T buffers beyond it). */
    void add(int offset, ByteBuf b) {
        if (count == buffers.length) {
            buffers = Arrays.copyOf(buffers, count * 2);
            offsets = Arrays.copyOf(offsets, count * 2);
        }
        int at = floor(offset) + 1;
        System.arraycopy(buffers, at, buffers, at + 1, count - at);
        System.arraycopy(offsets, at, offsets, at + 1, count - at);
        buffers[at] = b;
        offsets[at] = offset;
        count++;
    }

    /** {@code length} bytes at {@code offset} of the buffer holding them, as a retained slice to write into. */
    ByteBuf slice(int offset, int length) {
        int i = floor(offset);
        return buffers[i].retainedSlice(offset - offsets[i], length).clear();
    }

    /** Copies data into the buffer its range was allowed in (the caller checked the range against it). */
    void store(int offset, ByteBuf data, int length) {
        int i = floor(offset);
        buffers[i].setBytes(offset - offsets[i], data, data.readerIndex(), length);
    }

    /** The buffers in offset order as one (no copy), which the caller now owns; null when there are none. */
    ByteBuf join() {
        if (count == 0) {
            return null;
        }
        ByteBuf all;
        if (count == 1) {
            all = buffers[0];
        } else {
            CompositeByteBuf c = ByteBufAllocator.DEFAULT.compositeDirectBuffer(count);
            for (int i = 0; i < count; i++) {
                c.addComponent(true, buffers[i]);
            }
            all = c;
        }
        clear();
        return all;
    }

    /** Frees every buffer. */
    void release() {
        for (int i = 0; i < count; i++) {
            buffers[i].release();
        }
        clear();
    }

    private void clear() {
        Arrays.fill(buffers, 0, count, null);
        count = 0;
        if (buffers.length > KEPT) {
            buffers = new ByteBuf[2];
            offsets = new int[2];
        }
    }
}
