package dev.ferry.frontend.nvmerdma.cm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * RDMA_CM_REQUEST private data sent by the host (NVMe-oF RDMA transport binding, Linux {@code struct
 * nvme_rdma_cm_req}), 32 bytes, little-endian:
 * <pre>
 * bytes 01:00  RECFMT   record format, 0 for this version
 * bytes 03:02  QID      0 = admin queue, else I/O queue id
 * bytes 05:04  HRQSIZE  host receive queue size: RDMA receives the host posts for response capsules
 * bytes 07:06  HSQSIZE  host send queue size, 0's based: the submission queue size (the Connect SQSIZE)
 * bytes 09:08  CNTLID   controller id for I/O queues (FFFFh = any), reserved (0) for the admin queue
 * bytes 31:10  reserved
 * </pre>
 */
public record RdmaCmConnectPrivateData(int recfmt, int qid, int hrqsize, int hsqsize, int cntlid) {
    public static final int SIZE = 32;
    public static final int RECFMT = 0;
    public static final int QID = 2;
    public static final int HRQSIZE = 4;
    public static final int HSQSIZE = 6;
    public static final int CNTLID = 8;
    /** RECFMT of the 1.0 binding, the only one defined. */
    public static final int RECFMT_1_0 = 0;

    /** Reads the fields; the caller checked the length ({@link ConnectRequestCheck}). */
    public static RdmaCmConnectPrivateData parse(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        return new RdmaCmConnectPrivateData(u16(b, RECFMT), u16(b, QID), u16(b, HRQSIZE), u16(b, HSQSIZE),
                u16(b, CNTLID));
    }

    /** Encodes the request as a host would (tests, and a future initiator). */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(RECFMT, (short) recfmt).putShort(QID, (short) qid).putShort(HRQSIZE, (short) hrqsize)
                .putShort(HSQSIZE, (short) hsqsize).putShort(CNTLID, (short) cntlid);
        return b.array();
    }

    /** Submission queue entries: HSQSIZE is 0's based. */
    public int submissionQueueEntries() {
        return hsqsize + 1;
    }

    static int u16(ByteBuffer b, int offset) {
        return Short.toUnsignedInt(b.getShort(offset));
    }
}
