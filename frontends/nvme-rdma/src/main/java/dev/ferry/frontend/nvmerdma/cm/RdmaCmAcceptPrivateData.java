package dev.ferry.frontend.nvmerdma.cm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * RDMA_CM_REPLY private data sent by the controller when it accepts (Linux {@code struct nvme_rdma_cm_rep}),
 * 32 bytes, little-endian:
 * <pre>
 * bytes 01:00  RECFMT   record format, 0
 * bytes 03:02  CRQSIZE  controller receive queue size: receives posted for command capsules
 * bytes 31:04  reserved
 * </pre>
 */
public record RdmaCmAcceptPrivateData(int recfmt, int crqsize) {
    public static final int SIZE = 32;
    public static final int RECFMT = 0;
    public static final int CRQSIZE = 2;

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(RECFMT, (short) recfmt).putShort(CRQSIZE, (short) crqsize);
        return b.array();
    }

    public static RdmaCmAcceptPrivateData parse(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        return new RdmaCmAcceptPrivateData(RdmaCmConnectPrivateData.u16(b, RECFMT),
                RdmaCmConnectPrivateData.u16(b, CRQSIZE));
    }
}
