package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Function;
import com.sun.jna.Pointer;

/**
 * The data-path verbs. ibv_post_send, ibv_post_recv, ibv_poll_cq and ibv_req_notify_cq are static inline functions
 * in verbs.h that call the provider through {@code qp->context->ops} / {@code cq->context->ops}; libibverbs does not
 * export them, so (as jVerbs/DiSNI do) they are called here through those function pointers:
 * <pre>
 * struct ibv_context      { struct ibv_device *device; struct ibv_context_ops ops; ... }   ops at byte 8
 * struct ibv_context_ops  index 11 poll_cq, 12 req_notify_cq, 25 post_send, 26 post_recv (8-byte pointers)
 * struct ibv_qp, ibv_cq   { struct ibv_context *context; ... }                             context at byte 0
 * </pre>
 * The layout is the rdma-core ABI (IBVERBS_1.1, unchanged since the _compat_ slots were introduced).
 */
public final class VerbsOps {
    static final int CONTEXT_OPS = 8;
    static final int POINTER = 8;
    static final int OP_POLL_CQ = 11;
    static final int OP_REQ_NOTIFY_CQ = 12;
    static final int OP_POST_SEND = 25;
    static final int OP_POST_RECV = 26;

    private VerbsOps() {
    }

    /** Posts a chain of {@link IbvSendWr}; returns 0 or an errno, with the failing request in {@code badWr}. */
    public static int postSend(Pointer qp, Pointer sendWr, Pointer badWr) {
        return op(qp, OP_POST_SEND).invokeInt(new Object[] {qp, sendWr, badWr});
    }

    /** Posts a chain of {@link IbvRecvWr}. */
    public static int postRecv(Pointer qp, Pointer recvWr, Pointer badWr) {
        return op(qp, OP_POST_RECV).invokeInt(new Object[] {qp, recvWr, badWr});
    }

    /** Polls up to {@code entries} {@link IbvWc}s into {@code wc}; returns how many, or a negative error. */
    public static int pollCq(Pointer cq, int entries, Pointer wc) {
        return op(cq, OP_POLL_CQ).invokeInt(new Object[] {cq, entries, wc});
    }

    /** Arms the CQ so that its next completion raises an event on its completion channel. */
    public static int reqNotifyCq(Pointer cq, boolean solicitedOnly) {
        return op(cq, OP_REQ_NOTIFY_CQ).invokeInt(new Object[] {cq, solicitedOnly ? 1 : 0});
    }

    /** The function pointer {@code index} of the ops table of the context of {@code object} (a QP or CQ). */
    static Function op(Pointer object, int index) {
        Pointer context = object.getPointer(0);
        return Function.getFunction(context.getPointer(opsOffset(index)));
    }

    static long opsOffset(int index) {
        return CONTEXT_OPS + (long) index * POINTER;
    }
}
