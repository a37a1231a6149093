package dev.ferry.it;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Where one PDU ends, read from its first bytes only: enough for a proxy to act at PDU boundaries. */
enum PduFraming {
    /**
     * RFC 7143 11.2: a 48-byte BHS, TotalAHSLength (byte 4, in 4-byte words) of AHS, then DataSegmentLength (bytes
     * 5-7) of data padded to 4 bytes. Digests are not counted: the proxied sessions must negotiate None.
     */
    ISCSI(48) {
        @Override
        int length(byte[] header) {
            ByteBuffer b = ByteBuffer.wrap(header);
            int data = b.getInt(4) & 0xFFFFFF;
            return 48 + (b.get(4) & 0xFF) * 4 + data + (-data & 3);
        }
    },
    /**
     * NVMe/TCP 1.0 3.6.2 (Figure 15): PLEN (bytes 4-7, little-endian) of the 8-byte common header is the whole
     * PDU, padding and digests included.
     */
    NVME_TCP(8) {
        @Override
        int length(byte[] header) {
            return ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(4);
        }
    };

    private final int headerBytes;

    PduFraming(int headerBytes) {
        this.headerBytes = headerBytes;
    }

    /** How many bytes {@link #length} needs to see. */
    int headerBytes() {
        return headerBytes;
    }

    /** The whole PDU's length in bytes, from its first {@link #headerBytes()} bytes. */
    abstract int length(byte[] header);
}
