package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Pointer;

/**
 * {@code struct ibv_qp_init_attr}, 64 bytes:
 * <pre>
 * 0  void *qp_context           8  struct ibv_cq *send_cq     16 struct ibv_cq *recv_cq    24 struct ibv_srq *srq
 * 32 struct ibv_qp_cap { uint32_t max_send_wr, max_recv_wr, max_send_sge, max_recv_sge, max_inline_data }
 * 52 enum ibv_qp_type qp_type   56 int sq_sig_all
 * </pre>
 */
public final class IbvQpInitAttr {
    public static final int SIZE = 64;
    static final int SEND_CQ = 8;
    static final int RECV_CQ = 16;
    static final int MAX_SEND_WR = 32;
    static final int MAX_RECV_WR = 36;
    static final int MAX_SEND_SGE = 40;
    static final int MAX_RECV_SGE = 44;
    static final int QP_TYPE = 52;
    /** {@code enum ibv_qp_type}: reliable connected, the only type the NVMe/RDMA binding uses. */
    public static final int IBV_QPT_RC = 2;

    private IbvQpInitAttr() {
    }

    /** An RC QP on {@code cq} for both directions, sized by the negotiated depths, one SGE per request. */
    public static void write(Pointer attr, Pointer cq, int maxSendWr, int maxRecvWr) {
        attr.clear(SIZE);
        attr.setPointer(SEND_CQ, cq);
        attr.setPointer(RECV_CQ, cq);
        attr.setInt(MAX_SEND_WR, maxSendWr);
        attr.setInt(MAX_RECV_WR, maxRecvWr);
        attr.setInt(MAX_SEND_SGE, 1);
        attr.setInt(MAX_RECV_SGE, 1);
        attr.setInt(QP_TYPE, IBV_QPT_RC);
    }
}
