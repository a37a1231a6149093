package dev.ferry.frontend.nvme.spec;

import io.netty.buffer.ByteBuf;

/**
 * The 16-byte completion queue entry (NVMe Base 2.0 4.2.2 Figure 91, Fabrics CQE): DW0-1 command specific, DW2
 * SQHD 15:0 and SQID 31:16, DW3 CID 15:0, phase tag 16 (reserved on fabrics) and Status Field 31:17.
 */
public final class Cqe {
    public static final int SIZE = 16;

    private Cqe() {
    }

    public static void write(ByteBuf out, long result, int sqHead, int sqId, int cid, int status) {
        out.writeLongLE(result);
        out.writeShortLE(sqHead);
        out.writeShortLE(sqId);
        out.writeShortLE(cid);
        out.writeShortLE(status << 1);
    }

    public static int status(ByteBuf cqe) {
        return cqe.getUnsignedShortLE(cqe.readerIndex() + 14) >>> 1;
    }
}
