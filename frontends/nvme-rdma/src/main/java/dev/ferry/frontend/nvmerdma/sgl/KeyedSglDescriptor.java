package dev.ferry.frontend.nvmerdma.sgl;

import io.netty.buffer.ByteBuf;

/**
 * Keyed SGL Data Block descriptor (NVMe Base 2.0 4.3.2, type 4h), 16 bytes, little-endian:
 * <pre>
 * bytes 07:00  ADDRESS  host virtual address of the data
 * bytes 10:08  LENGTH   24 bits
 * bytes 14:11  KEY      the host memory key (rkey)
 * byte  15     SGL identifier: 40h address, 4Fh address + invalidate key
 * </pre>
 */
public record KeyedSglDescriptor(long address, int length, int key, boolean invalidate) {
    public static final int ADDRESS = 0;
    public static final int LENGTH = 8;
    public static final int KEY = 11;
    public static final int IDENTIFIER = 15;

    /** Reads the descriptor starting at {@code offset}; the identifier must be a keyed data block (checked). */
    public static KeyedSglDescriptor parse(ByteBuf buf, int offset) {
        return new KeyedSglDescriptor(buf.getLongLE(offset + ADDRESS), buf.getUnsignedMediumLE(offset + LENGTH),
                buf.getIntLE(offset + KEY),
                SglIdentifier.subtype(buf.getUnsignedByte(offset + IDENTIFIER)) == SglIdentifier.SUBTYPE_INVALIDATE_KEY);
    }

    public void write(ByteBuf buf, int offset) {
        buf.setLongLE(offset + ADDRESS, address).setMediumLE(offset + LENGTH, length).setIntLE(offset + KEY, key)
                .setByte(offset + IDENTIFIER, SglIdentifier.of(SglIdentifier.TYPE_KEYED_DATA_BLOCK,
                        invalidate ? SglIdentifier.SUBTYPE_INVALIDATE_KEY : SglIdentifier.SUBTYPE_ADDRESS));
    }
}
