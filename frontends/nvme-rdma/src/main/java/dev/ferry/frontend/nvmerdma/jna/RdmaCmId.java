package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Pointer;

/**
 * The leading fields of {@code struct rdma_cm_id}:
 * <pre>
 * 0  struct ibv_context *verbs   8  struct rdma_event_channel *channel   16 void *context   24 struct ibv_qp *qp
 * </pre>
 */
public final class RdmaCmId {
    static final int VERBS = 0;
    static final int QP = 24;

    private RdmaCmId() {
    }

    /** The device context the id is bound to (null for a listener bound to a wildcard address). */
    public static Pointer verbs(Pointer id) { return id.getPointer(VERBS); }
    /** The QP rdma_create_qp made for the id. */
    public static Pointer qp(Pointer id) { return id.getPointer(QP); }
}
