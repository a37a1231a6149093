package dev.ferry.frontend.nvmerdma.cm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * RDMA_CM_REJECT private data sent by the controller when it refuses (Linux {@code struct nvme_rdma_cm_rej}),
 * 4 bytes, little-endian:
 * <pre>
 * bytes 01:00  RECFMT  record format, 0
 * bytes 03:02  STS     an {@link RdmaCmStatus} code
 * </pre>
 */
public record RdmaCmRejectPrivateData(int recfmt, int sts) {
    public static final int SIZE = 4;
    public static final int RECFMT = 0;
    public static final int STS = 2;

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(RECFMT, (short) recfmt).putShort(STS, (short) sts);
        return b.array();
    }

    public static RdmaCmRejectPrivateData parse(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        return new RdmaCmRejectPrivateData(RdmaCmConnectPrivateData.u16(b, RECFMT),
                RdmaCmConnectPrivateData.u16(b, STS));
    }
}
