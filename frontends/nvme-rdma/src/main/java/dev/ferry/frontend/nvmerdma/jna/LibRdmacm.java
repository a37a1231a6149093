package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/** The librdmacm.so.1 functions of a passive (listening) side (rdma-core {@code rdma/rdma_cma.h}). */
public interface LibRdmacm extends Library {
    /** {@code enum rdma_port_space}: RDMA_PS_TCP, reliable connected. */
    int RDMA_PS_TCP = 0x0106;

    Pointer rdma_create_event_channel();

    void rdma_destroy_event_channel(Pointer channel);

    int rdma_create_id(Pointer channel, PointerByReference id, Pointer context, int portSpace);

    int rdma_destroy_id(Pointer id);

    /** {@code address} is a {@link SockaddrIn}. */
    int rdma_bind_addr(Pointer id, Pointer address);

    int rdma_listen(Pointer id, int backlog);

    /** Blocks until the next event on the channel; each must be acknowledged. */
    int rdma_get_cm_event(Pointer channel, PointerByReference event);

    /** Frees the event, including its private data: copy that out first. */
    int rdma_ack_cm_event(Pointer event);

    /** Creates the QP on the id's device: {@code initAttr} is an {@link IbvQpInitAttr}. */
    int rdma_create_qp(Pointer id, Pointer pd, Pointer initAttr);

    void rdma_destroy_qp(Pointer id);

    /** {@code connParam} is an {@link RdmaConnParam}. */
    int rdma_accept(Pointer id, Pointer connParam);

    int rdma_reject(Pointer id, Pointer privateData, byte privateDataLength);

    int rdma_disconnect(Pointer id);

    String rdma_event_str(int event);

    /** The port an id is bound to, in network byte order (the port a listener bound to 0 got). */
    short rdma_get_src_port(Pointer id);
}
