package dev.ferry.core.buffer;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC32C (Castagnoli, RFC 3385), the digest of iSCSI (RFC 7143 11.1, 13.1) and NVMe/TCP (NVMe/TCP 1.0 3.3.1.1):
 * both put the 32-bit value on the wire least significant byte first. One {@link CRC32C} per thread is reset and
 * reused, so a digest allocates nothing but the NIO view a direct buffer needs.
 */
public final class Crc32c {
    /** Bytes a digest takes on the wire. */
    public static final int DIGEST_LENGTH = 4;
    private static final byte[] ZEROS = new byte[4];
    private static final ThreadLocal<CRC32C> CRC = ThreadLocal.withInitial(CRC32C::new);

    private Crc32c() {
    }

    /** The CRC32C of {@code length} bytes of {@code buf} from {@code index}, followed by {@code zeroPadding} zeros. */
    public static int of(ByteBuf buf, int index, int length, int zeroPadding) {
        CRC32C c = start();
        if (buf.hasArray()) {
            c.update(buf.array(), buf.arrayOffset() + index, length);
        } else if (buf.nioBufferCount() == 1) {
            c.update(buf.internalNioBuffer(index, length));
        } else {
            for (ByteBuffer b : buf.nioBuffers(index, length)) {
                c.update(b);
            }
        }
        c.update(ZEROS, 0, zeroPadding);
        return (int) c.getValue();
    }

    /** The CRC32C of {@code length} bytes of {@code buf} from {@code index}. */
    public static int of(ByteBuf buf, int index, int length) {
        return of(buf, index, length, 0);
    }

    /** The CRC32C of {@code first} followed by {@code second} (either may be null). */
    public static int of(byte[] first, byte[] second) {
        CRC32C c = start();
        if (first != null) {
            c.update(first, 0, first.length);
        }
        if (second != null) {
            c.update(second, 0, second.length);
        }
        return (int) c.getValue();
    }

    private static CRC32C start() {
        CRC32C c = CRC.get();
        c.reset();
        return c;
    }
}
