package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Pointer;

/**
 * {@code struct ibv_recv_wr}, 32 bytes:
 * <pre>
 * 0  uint64_t wr_id
 * 8  struct ibv_recv_wr *next
 * 16 struct ibv_sge *sg_list
 * 24 int num_sge
 * </pre>
 */
public final class IbvRecvWr {
    public static final int SIZE = 32;
    static final int WR_ID = 0;
    static final int NEXT = 8;
    static final int SG_LIST = 16;
    static final int NUM_SGE = 24;

    private IbvRecvWr() {
    }

    /** One receive of a single scatter entry, not chained. */
    public static void write(Pointer wr, long wrId, Pointer sge) {
        wr.setLong(WR_ID, wrId);
        wr.setPointer(NEXT, null);
        wr.setPointer(SG_LIST, sge);
        wr.setInt(NUM_SGE, 1);
    }
}
