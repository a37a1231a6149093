package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The exported libibverbs.so.1 functions Ferry uses (rdma-core {@code infiniband/verbs.h}). Objects stay opaque
 * {@link Pointer}s; the few fields read or written are at the offsets in this package's layout classes.
 * ibv_post_send, ibv_post_recv, ibv_poll_cq and ibv_req_notify_cq are static inline in verbs.h, not exported:
 * they go through {@link VerbsOps}.
 */
public interface LibIbverbs extends Library {
    /** {@code enum ibv_access_flags}. */
    int IBV_ACCESS_LOCAL_WRITE = 1;
    int IBV_ACCESS_REMOTE_WRITE = 1 << 1;
    int IBV_ACCESS_REMOTE_READ = 1 << 2;

    Pointer ibv_get_device_list(IntByReference numDevices);

    void ibv_free_device_list(Pointer list);

    /** Fills an {@link IbvDeviceAttr}. */
    int ibv_query_device(Pointer context, Pointer deviceAttr);

    Pointer ibv_alloc_pd(Pointer context);

    int ibv_dealloc_pd(Pointer pd);

    /** Registers {@code length} bytes at {@code addr}; once per pooled arena, never per I/O. */
    Pointer ibv_reg_mr(Pointer pd, Pointer addr, long length, int access);

    int ibv_dereg_mr(Pointer mr);

    Pointer ibv_create_comp_channel(Pointer context);

    int ibv_destroy_comp_channel(Pointer channel);

    Pointer ibv_create_cq(Pointer context, int cqe, Pointer cqContext, Pointer channel, int compVector);

    int ibv_destroy_cq(Pointer cq);

    /** Blocks on the completion channel's fd until a CQ armed with req_notify_cq has a completion. */
    int ibv_get_cq_event(Pointer channel, PointerByReference cq, PointerByReference cqContext);

    void ibv_ack_cq_events(Pointer cq, int nevents);
}
