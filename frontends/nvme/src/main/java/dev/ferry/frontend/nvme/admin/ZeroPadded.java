package dev.ferry.frontend.nvme.admin;

import dev.ferry.frontend.nvme.Limits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * A window of a data structure as long as the host asked, the part past the structure's end read as zeroes: no
 * host-sized buffer is allocated, the padding is a slice of one shared read-only block of MDTS zeroes.
 */
final class ZeroPadded {
    private static final ByteBuf ZEROES = Unpooled.unreleasableBuffer(
            Unpooled.buffer(Limits.MAX_DATA_TRANSFER).writeZero(Limits.MAX_DATA_TRANSFER).asReadOnly());

    private ZeroPadded() {
    }

    /**
     * Takes ownership of {@code data}; {@code offset} at most its size, {@code length} at most MDTS (the callers
     * checked both against the host's numbers).
     */
    static ByteBuf window(ByteBuf data, int offset, int length) {
        int available = Math.min(length, data.readableBytes() - offset);
        ByteBuf part = data.retainedSlice(data.readerIndex() + offset, available);
        data.release();
        int pad = length - available;
        return pad == 0 ? part : Unpooled.wrappedBuffer(part, ZEROES.slice(0, pad));
    }
}
