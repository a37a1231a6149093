package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.ferry.frontend.nvmerdma.verbs.BufferSlab;
import dev.ferry.frontend.nvmerdma.verbs.RdmaConnection;
import dev.ferry.frontend.nvmerdma.verbs.WorkCompletion;
import dev.ferry.frontend.nvmerdma.verbs.WorkRequests;
import io.netty.buffer.ByteBuf;

/**
 * {@link RdmaConnection} over librdmacm/libibverbs: one CM id with its RC QP, buffers from a {@link BufferSlab}
 * registered once (one lkey), and completions dispatched by wr_id through the device's {@link WorkRequests}.
 * Confined to the device's completion thread, so one scratch area serves every post: the provider copies a work
 * request into its queue before ibv_post_* returns. Not yet exercised on hardware (see the soft-RoCE test plan).
 */
public final class VerbsConnection implements RdmaConnection {
    private final LibRdmacm cm;
    private final Pointer id;
    private final Pointer qp;
    private final BufferSlab slab;
    private final long regionAddress;
    private final int lkey;
    private final WorkRequests requests;
    private final int responderResources;
    private final int initiatorDepth;
    private final Memory sge = new Memory(IbvSge.SIZE);
    private final Memory sendWr = new Memory(IbvSendWr.SIZE);
    private final Memory recvWr = new Memory(IbvRecvWr.SIZE);
    private final Memory badWr = new Memory(Long.BYTES);

    /**
     * @param regionAddress      address of {@code slab}'s region, registered with local key {@code lkey}
     * @param responderResources RDMA READs the host may have outstanding against us (none: it never reads)
     * @param initiatorDepth     RDMA READs we may have outstanding: min of the host's responder resources and
     *                           the device's max_qp_init_rd_atom
     */
    public VerbsConnection(LibRdmacm cm, Pointer id, BufferSlab slab, long regionAddress, int lkey,
            WorkRequests requests, int responderResources, int initiatorDepth) {
        this.cm = cm;
        this.id = id;
        this.qp = RdmaCmId.qp(id);
        this.slab = slab;
        this.regionAddress = regionAddress;
        this.lkey = lkey;
        this.requests = requests;
        this.responderResources = responderResources;
        this.initiatorDepth = initiatorDepth;
    }

    @Override
    public ByteBuf allocate(int capacity) {
        ByteBuf b = slab.allocate(capacity);
        if (b == null) {
            throw new IllegalStateException("registered buffers exhausted"); // the slab is sized for all queues
        }
        return b;
    }

    @Override
    public void accept(byte[] privateData) {
        Memory data = copy(privateData);
        Memory param = new Memory(RdmaConnParam.SIZE);
        RdmaConnParam.writeAccept(param, data, privateData.length, responderResources, initiatorDepth);
        check(cm.rdma_accept(id, param), "rdma_accept");
    }

    @Override
    public void reject(byte[] privateData) {
        check(cm.rdma_reject(id, copy(privateData), (byte) privateData.length), "rdma_reject");
    }

    @Override
    public void postReceive(ByteBuf buffer, WorkCompletion done) {
        long wrId = requests.add(done);
        IbvSge.write(sge, address(buffer) + buffer.writerIndex(), buffer.writableBytes(), lkey);
        IbvRecvWr.write(recvWr, wrId, sge);
        posted(wrId, VerbsOps.postRecv(qp, recvWr, badWr));
    }

    @Override
    public void postSend(ByteBuf buffer, boolean invalidate, int invalidateKey, WorkCompletion done) {
        long wrId = requests.add(done);
        IbvSge.write(sge, address(buffer) + buffer.readerIndex(), buffer.readableBytes(), lkey);
        IbvSendWr.send(sendWr, wrId, sge, invalidate, invalidateKey);
        posted(wrId, VerbsOps.postSend(qp, sendWr, badWr));
    }

    @Override
    public void rdmaRead(ByteBuf buffer, int length, long remoteAddress, int rkey, WorkCompletion done) {
        long wrId = requests.add(done);
        IbvSge.write(sge, address(buffer) + buffer.writerIndex(), length, lkey);
        IbvSendWr.rdma(sendWr, wrId, sge, IbvSendWr.IBV_WR_RDMA_READ, remoteAddress, rkey);
        posted(wrId, VerbsOps.postSend(qp, sendWr, badWr));
    }

    @Override
    public void rdmaWrite(ByteBuf buffer, long remoteAddress, int rkey, WorkCompletion done) {
        long wrId = requests.add(done);
        IbvSge.write(sge, address(buffer) + buffer.readerIndex(), buffer.readableBytes(), lkey);
        IbvSendWr.rdma(sendWr, wrId, sge, IbvSendWr.IBV_WR_RDMA_WRITE, remoteAddress, rkey);
        posted(wrId, VerbsOps.postSend(qp, sendWr, badWr));
    }

    @Override
    public void disconnect() {
        cm.rdma_disconnect(id); // fails harmlessly if the host disconnected first
    }

    /** Must not run on the CM event thread while an event of this id is unacknowledged (rdma_destroy_id waits). */
    @Override
    public void destroy() {
        cm.rdma_destroy_qp(id);
        cm.rdma_destroy_id(id);
    }

    private long address(ByteBuf buffer) {
        return regionAddress + slab.offsetOf(buffer);
    }

    /** A post that failed will never complete: report it as a failed completion so the state machine ends it. */
    private void posted(long wrId, int rc) {
        if (rc != 0) {
            requests.complete(wrId, WorkCompletion.GENERAL_ERR, 0);
        }
    }

    private static Memory copy(byte[] data) {
        Memory m = new Memory(Math.max(1, data.length));
        m.write(0, data, 0, data.length);
        return m;
    }

    private static void check(int rc, String call) {
        if (rc != 0) {
            throw new IllegalStateException(call + " failed: " + rc);
        }
    }
}
