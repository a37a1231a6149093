package dev.ferry.frontend.nvmerdma.verbs;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import java.nio.ByteBuffer;

/**
 * Fixed-size slots carved from one direct region, which the device registers once (ibv_reg_mr) so that every
 * buffer handed out shares its lkey: registration never happens per I/O. Buffers are Netty {@link ByteBuf}s that
 * give their slot back when released; release may happen on any thread (the backend may own write data last).
 * One slab per size class: command capsules, responses, data up to MDTS.
 */
public final class BufferSlab {
    private final ByteBuffer region;
    private final int slotSize;
    private final int[] free;
    private int freeCount;

    public BufferSlab(int slotSize, int slots) {
        this.slotSize = slotSize;
        this.region = ByteBuffer.allocateDirect(Math.multiplyExact(slotSize, slots));
        this.free = new int[slots];
        for (int i = 0; i < slots; i++) {
            free[i] = slots - 1 - i;
        }
        this.freeCount = slots;
    }

    /** The whole region, to register once with the protection domain. */
    public ByteBuffer region() {
        return region;
    }

    public int slotSize() {
        return slotSize;
    }

    /** A buffer of exactly {@code length} bytes (at most the slot size), or null when every slot is in use. */
    public ByteBuf allocate(int length) {
        if (length > slotSize) {
            throw new IllegalArgumentException(length + " bytes exceed the " + slotSize + "-byte slots");
        }
        int slot;
        synchronized (this) {
            if (freeCount == 0) {
                return null;
            }
            slot = free[--freeCount];
        }
        ByteBuffer memory = region.duplicate().position(slot * slotSize).limit(slot * slotSize + length).slice();
        return new SlotBuf(slot, memory).clear(); // the wrapping constructor marks the memory as written
    }

    /**
     * Offset in the region of a buffer this slab allocated (not a slice of one): the device adds the region's
     * address to build an SGE.
     */
    public long offsetOf(ByteBuf buf) {
        return (long) ((SlotBuf) buf).slot * slotSize;
    }

    /** Whether {@code buf} is one of this slab's buffers (not a slice of one). */
    public boolean owns(ByteBuf buf) {
        return buf instanceof SlotBuf s && s.slab() == this;
    }

    public synchronized int available() {
        return freeCount;
    }

    private synchronized void free(int slot) {
        free[freeCount++] = slot;
    }

    private final class SlotBuf extends UnpooledDirectByteBuf {
        final int slot;

        SlotBuf(int slot, ByteBuffer memory) {
            super(ByteBufAllocator.DEFAULT, memory, memory.capacity());
            this.slot = slot;
        }

        BufferSlab slab() {
            return BufferSlab.this;
        }

        @Override
        protected void deallocate() {
            super.deallocate();
            free(slot);
        }
    }
}
