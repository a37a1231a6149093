package dev.ferry.frontend.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * iSCSI header and data digests (RFC 7143 11.1, 13.1: CRC32C, RFC 3385). The 32-bit value is sent least significant
 * byte first, which is what Linux, libiscsi and LIO put on the wire.
 */
public final class Crc32c {
    public static final int DIGEST_LENGTH = 4;
    private static final byte[] ZEROS = new byte[4];

    private Crc32c() {
    }

    public static int header(byte[] bhs, byte[] ahs) {
        CRC32C c = new CRC32C();
        c.update(bhs, 0, bhs.length);
        if (ahs != null) {
            c.update(ahs, 0, ahs.length);
        }
        return (int) c.getValue();
    }

    /** The digest of {@code length} readable bytes from {@code index}, plus the zero padding to 4 bytes. */
    public static int data(ByteBuf buf, int index, int length) {
        CRC32C c = new CRC32C();
        if (buf.nioBufferCount() == 1) {
            c.update(buf.nioBuffer(index, length));
        } else {
            for (ByteBuffer b : buf.nioBuffers(index, length)) {
                c.update(b);
            }
        }
        int pad = padding(length);
        if (pad > 0) {
            c.update(ZEROS, 0, pad);
        }
        return (int) c.getValue();
    }

    /** Bytes of zero padding after a data segment of this length (11.2.3: segments end on a 4-byte boundary). */
    public static int padding(int length) {
        return (4 - (length & 3)) & 3;
    }
}
