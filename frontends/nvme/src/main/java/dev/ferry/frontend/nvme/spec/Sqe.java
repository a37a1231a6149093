package dev.ferry.frontend.nvme.spec;

import io.netty.buffer.ByteBuf;

/**
 * Field accessors for a 64-byte submission queue entry (NVMe Base 2.0 4.2 Figure 88, Fabrics SQE 4.2 Figure 90).
 * All fields are little-endian; offsets are from the start of the entry.
 */
public final class Sqe {
    public static final int SIZE = 64;

    /** CDW0 bits 7:0. */
    public static final int OPC = 0;
    /** CDW0 bits 9:8 fused operation, 15:14 PSDT. */
    public static final int FLAGS = 1;
    /** CDW0 bits 31:16. */
    public static final int CID = 2;
    /** Fabrics commands: byte 4 is FCTYPE instead of NSID. */
    public static final int FCTYPE = 4;
    public static final int NSID = 4;
    /** SGL1 (4.3.2 Figure 117): address 24-31, length 32-35, identifier byte 39. */
    public static final int SGL_ADDRESS = 24;
    public static final int SGL_LENGTH = 32;
    public static final int SGL_IDENTIFIER = 39;
    /** NVMe base spec, SGL Descriptor Type 4h: Keyed SGL Data Block (the upper nibble of the identifier). */
    public static final int SGL_TYPE_KEYED_DATA_BLOCK = 0x4;
    public static final int CDW10 = 40;

    /** FUSE values (4.2 Figure 87). */
    public static final int FUSE_NONE = 0;
    public static final int FUSE_FIRST = 1;
    public static final int FUSE_SECOND = 2;
    /** PSDT 01b/10b: SGLs; fabrics transports never use PRPs. */
    public static final int PSDT_PRP = 0;

    /** SGL descriptor identifiers (4.3.2 Figure 119/120) used by the NVMe/TCP binding (TCP 1.0 3.3.2). */
    public static final int SGL_DATA_BLOCK_OFFSET = 0x01;
    public static final int SGL_TRANSPORT_DATA_BLOCK = 0x5A;

    private Sqe() {
    }

    public static int opcode(ByteBuf sqe) { return sqe.getUnsignedByte(OPC); }
    public static int fuse(ByteBuf sqe) { return sqe.getUnsignedByte(FLAGS) & 0x3; }
    public static int psdt(ByteBuf sqe) { return (sqe.getUnsignedByte(FLAGS) >>> 6) & 0x3; }
    public static int cid(ByteBuf sqe) { return sqe.getUnsignedShortLE(CID); }
    public static int fctype(ByteBuf sqe) { return sqe.getUnsignedByte(FCTYPE); }
    public static long nsid(ByteBuf sqe) { return sqe.getUnsignedIntLE(NSID); }
    public static long sglAddress(ByteBuf sqe) { return sqe.getLongLE(SGL_ADDRESS); }
    /**
     * SGL1's length: 32 bits (bytes 35:32) for data block descriptors (NVMe/TCP), 24 bits (bytes 34:32) for a
     * Keyed SGL Data Block descriptor (type 4h, NVMe/RDMA), whose byte 35 starts the key.
     */
    public static long sglLength(ByteBuf sqe) {
        return sglIdentifier(sqe) >>> 4 == SGL_TYPE_KEYED_DATA_BLOCK
                ? sqe.getUnsignedMediumLE(SGL_LENGTH) : sqe.getUnsignedIntLE(SGL_LENGTH);
    }
    public static int sglIdentifier(ByteBuf sqe) { return sqe.getUnsignedByte(SGL_IDENTIFIER); }

    /** Command dword {@code n} (10-15 are the command specific ones). */
    public static int cdw(ByteBuf sqe, int n) { return sqe.getIntLE(4 * n); }

}
