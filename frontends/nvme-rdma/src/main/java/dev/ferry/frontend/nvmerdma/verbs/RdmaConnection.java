package dev.ferry.frontend.nvmerdma.verbs;

import io.netty.buffer.ByteBuf;

/**
 * One RDMA_CM connection with its RC queue pair, as the NVMe/RDMA queue state machine uses it. The real
 * implementation sits on librdmacm/libibverbs; tests use a fake. Every buffer passed in must come from
 * {@link #allocate}, i.e. from memory registered once with the protection domain (never per I/O). Completions are
 * delivered through the {@link WorkCompletion} given with each request; work requests are signaled, so every post
 * completes exactly once (with {@link WorkCompletion#WR_FLUSH_ERR} after a disconnect).
 */
public interface RdmaConnection {

    /** A buffer of {@code capacity} bytes inside registered memory, released by the caller; null when used up. */
    ByteBuf allocate(int capacity);

    /** Accepts the connect request with this private data (RDMA_CM_REPLY). */
    void accept(byte[] privateData);

    /** Rejects the connect request with this private data (RDMA_CM_REJECT); the connection is then gone. */
    void reject(byte[] privateData);

    /** Posts a receive into the writable bytes of {@code buffer} (ibv_post_recv). */
    void postReceive(ByteBuf buffer, WorkCompletion done);

    /**
     * Sends the readable bytes of {@code buffer} (ibv_post_send, IBV_WR_SEND), or with {@code invalidate} set
     * IBV_WR_SEND_WITH_INV, which also invalidates the host's {@code invalidateKey}.
     */
    void postSend(ByteBuf buffer, boolean invalidate, int invalidateKey, WorkCompletion done);

    /** RDMA READ of {@code length} bytes at the host's {@code remoteAddress}/{@code rkey} into {@code buffer}. */
    void rdmaRead(ByteBuf buffer, int length, long remoteAddress, int rkey, WorkCompletion done);

    /** RDMA WRITE of the readable bytes of {@code buffer} to the host's {@code remoteAddress}/{@code rkey}. */
    void rdmaWrite(ByteBuf buffer, long remoteAddress, int rkey, WorkCompletion done);

    /** Starts the disconnect (rdma_disconnect): the QP enters the error state and posted requests flush. */
    void disconnect();

    /** Frees the QP and CM id once nothing is posted any more. */
    void destroy();
}
