package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Pointer;

/**
 * {@code struct ibv_send_wr} on LP64, 128 bytes (only the fields Ferry sets):
 * <pre>
 * 0  uint64_t wr_id
 * 8  struct ibv_send_wr *next
 * 16 struct ibv_sge *sg_list
 * 24 int num_sge
 * 28 enum ibv_wr_opcode opcode
 * 32 unsigned int send_flags
 * 36 union { __be32 imm_data; uint32_t invalidate_rkey; }
 * 40 union wr { struct rdma { uint64_t remote_addr; uint32_t rkey; } ... }   32 bytes
 * 72 union qp_type, 80 union bind_mw/tso                                       to 128
 * </pre>
 */
public final class IbvSendWr {
    public static final int SIZE = 128;
    static final int WR_ID = 0;
    static final int NEXT = 8;
    static final int SG_LIST = 16;
    static final int NUM_SGE = 24;
    static final int OPCODE = 28;
    static final int SEND_FLAGS = 32;
    static final int INVALIDATE_RKEY = 36;
    static final int RDMA_REMOTE_ADDR = 40;
    static final int RDMA_RKEY = 48;

    /** {@code enum ibv_wr_opcode}. */
    public static final int IBV_WR_RDMA_WRITE = 0;
    public static final int IBV_WR_SEND = 2;
    public static final int IBV_WR_RDMA_READ = 4;
    public static final int IBV_WR_SEND_WITH_INV = 9;
    /** {@code enum ibv_send_flags}: every request is signaled, so each one completes exactly once. */
    public static final int IBV_SEND_SIGNALED = 1 << 1;

    private IbvSendWr() {
    }

    /** A signaled SEND (with invalidate when {@code invalidate}) of one gather entry. */
    public static void send(Pointer wr, long wrId, Pointer sge, boolean invalidate, int invalidateKey) {
        common(wr, wrId, sge, invalidate ? IBV_WR_SEND_WITH_INV : IBV_WR_SEND);
        wr.setInt(INVALIDATE_RKEY, invalidate ? invalidateKey : 0);
    }

    /** A signaled RDMA READ or WRITE between one local entry and the host's {@code remoteAddress}/{@code rkey}. */
    public static void rdma(Pointer wr, long wrId, Pointer sge, int opcode, long remoteAddress, int rkey) {
        common(wr, wrId, sge, opcode);
        wr.setLong(RDMA_REMOTE_ADDR, remoteAddress);
        wr.setInt(RDMA_RKEY, rkey);
    }

    private static void common(Pointer wr, long wrId, Pointer sge, int opcode) {
        wr.clear(SIZE);
        wr.setLong(WR_ID, wrId);
        wr.setPointer(SG_LIST, sge);
        wr.setInt(NUM_SGE, 1);
        wr.setInt(OPCODE, opcode);
        wr.setInt(SEND_FLAGS, IBV_SEND_SIGNALED);
    }
}
