package dev.ferry.frontend.nvmerdma.verbs;

import io.netty.buffer.ByteBuf;

/** Buffers inside memory registered once with a protection domain, and what an SGE needs to name them. */
public interface RegisteredBuffers {

    /** A buffer of {@code capacity} bytes, or null when the registered memory is used up. */
    ByteBuf allocate(int capacity);

    /** The virtual address of byte 0 of a buffer {@link #allocate} returned. */
    long address(ByteBuf buffer);

    /** The local key of the region holding that buffer. */
    int lkey(ByteBuf buffer);
}
