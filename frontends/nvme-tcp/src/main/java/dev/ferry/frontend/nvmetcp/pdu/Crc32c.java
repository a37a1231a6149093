package dev.ferry.frontend.nvmetcp.pdu;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * HDGST/DDGST: CRC32C (Castagnoli, the iSCSI polynomial) over the header or the data, sent little-endian
 * (NVMe/TCP 1.0 3.3.1.1). PAD is never covered.
 */
public final class Crc32c {
    private Crc32c() {
    }

    public static int of(ByteBuf buf, int index, int length) {
        CRC32C crc = new CRC32C();
        if (buf.hasArray()) {
            crc.update(buf.array(), buf.arrayOffset() + index, length);
        } else {
            for (ByteBuffer b : buf.nioBuffers(index, length)) {
                crc.update(b);
            }
        }
        return (int) crc.getValue();
    }
}
