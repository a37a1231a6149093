package dev.ferry.frontend.nvmerdma.sgl;

import io.netty.buffer.ByteBuf;

/**
 * SGL Data Block descriptor with the Offset subtype (NVMe Base 2.0 4.3.2, identifier 01h), which the RDMA binding
 * uses for in-capsule data, 16 bytes, little-endian:
 * <pre>
 * bytes 07:00  ADDRESS  offset of the data from the start of the capsule's data (after the 64-byte SQE)
 * bytes 11:08  LENGTH   32 bits
 * bytes 14:12  reserved
 * byte  15     SGL identifier 01h
 * </pre>
 */
public record InCapsuleSglDescriptor(long offset, long length) {
    public static final int ADDRESS = 0;
    public static final int LENGTH = 8;
    public static final int IDENTIFIER = 15;

    public static InCapsuleSglDescriptor parse(ByteBuf buf, int offset) {
        return new InCapsuleSglDescriptor(buf.getLongLE(offset + ADDRESS), buf.getUnsignedIntLE(offset + LENGTH));
    }

    public void write(ByteBuf buf, int offset) {
        buf.setLongLE(offset + ADDRESS, this.offset).setIntLE(offset + LENGTH, (int) length)
                .setMedium(offset + 12, 0)
                .setByte(offset + IDENTIFIER, SglIdentifier.of(SglIdentifier.TYPE_DATA_BLOCK,
                        SglIdentifier.SUBTYPE_OFFSET));
    }
}
