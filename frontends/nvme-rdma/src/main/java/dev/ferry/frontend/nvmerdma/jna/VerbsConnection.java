package dev.ferry.frontend.nvmerdma.jna;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.ferry.frontend.nvmerdma.verbs.RdmaConnection;
import dev.ferry.frontend.nvmerdma.verbs.RegisteredBuffers;
import dev.ferry.frontend.nvmerdma.verbs.WorkCompletion;
import dev.ferry.frontend.nvmerdma.verbs.WorkRequests;
import io.netty.buffer.ByteBuf;
import java.lang.ref.Reference;
import java.util.concurrent.Executor;

/**
 * {@link RdmaConnection} over librdmacm/libibverbs: one CM id with its RC QP (none when the request is rejected),
 * buffers from the device's {@link RegisteredBuffers}, and its own {@link WorkRequests} table. Confined to the
 * queue pair's executor, so one scratch area serves every post (the provider copies a work request into its queue
 * before ibv_post_* returns). The 64-bit wr_id carries the connection number in its high half, so the device's
 * completion thread knows where to hand each completion ({@link #completed}).
 */
public final class VerbsConnection implements RdmaConnection {
    /** RDMA READs the host may have outstanding against us: none, it never reads target memory. */
    static final int RESPONDER_RESOURCES = 0;

    private final LibRdmacm cm;
    private final Pointer id;
    private final Pointer qp;
    private final RegisteredBuffers memory;
    private final long wrIdBase;
    private final Executor executor;
    private final int initiatorDepth;
    private final Runnable onDestroyed;
    private final WorkRequests requests = new WorkRequests(64);
    private final Memory sge = new Memory(IbvSge.SIZE);
    private final Memory sendWr = new Memory(IbvSendWr.SIZE);
    private final Memory recvWr = new Memory(IbvRecvWr.SIZE);
    private final Memory badWr = new Memory(Long.BYTES);
    private boolean destroyed;

    /**
     * @param connection     this connection's number on its device, the high half of every wr_id
     * @param initiatorDepth RDMA READs we may have outstanding (IRD/ORD granted in the accept)
     * @param onDestroyed    run once the QP and id are gone
     */
    public VerbsConnection(LibRdmacm cm, Pointer id, RegisteredBuffers memory, int connection, Executor executor,
            int initiatorDepth, Runnable onDestroyed) {
        this.cm = cm;
        this.id = id;
        this.qp = RdmaCmId.qp(id);
        this.memory = memory;
        this.wrIdBase = (long) connection << 32;
        this.executor = executor;
        this.initiatorDepth = initiatorDepth;
        this.onDestroyed = onDestroyed;
    }

    /** The connection number a wr_id names. */
    public static int connectionOf(long wrId) {
        return (int) (wrId >>> 32);
    }

    public Executor executor() {
        return executor;
    }

    /** A polled completion of one of this connection's work requests; on the executor. */
    public void completed(long wrId, int status, int byteLength) {
        if (!destroyed) { // a completion polled before the QP was destroyed and delivered after
            requests.complete(wrId & 0xFFFF_FFFFL, status, byteLength);
        }
    }

    @Override
    public ByteBuf allocate(int capacity) {
        return memory.allocate(capacity);
    }

    @Override
    public void accept(byte[] privateData) {
        Memory data = copy(privateData);
        Memory param = new Memory(RdmaConnParam.SIZE);
        RdmaConnParam.writeAccept(param, data, privateData.length, RESPONDER_RESOURCES, initiatorDepth);
        check(cm.rdma_accept(id, param), "rdma_accept");
        Reference.reachabilityFence(data); // param points at it: it must not be freed before rdma_accept returns
    }

    @Override
    public void reject(byte[] privateData) {
        check(cm.rdma_reject(id, copy(privateData), (byte) privateData.length), "rdma_reject");
    }

    @Override
    public void postReceive(ByteBuf buffer, WorkCompletion done) {
        long slot = requests.add(done);
        IbvSge.write(sge, memory.address(buffer) + buffer.writerIndex(), buffer.writableBytes(), memory.lkey(buffer));
        IbvRecvWr.write(recvWr, wrIdBase | slot, sge);
        posted(slot, VerbsOps.postRecv(qp, recvWr, badWr));
    }

    @Override
    public void postSend(ByteBuf buffer, boolean invalidate, int invalidateKey, WorkCompletion done) {
        long slot = requests.add(done);
        IbvSge.write(sge, memory.address(buffer) + buffer.readerIndex(), buffer.readableBytes(), memory.lkey(buffer));
        IbvSendWr.send(sendWr, wrIdBase | slot, sge, invalidate, invalidateKey);
        posted(slot, VerbsOps.postSend(qp, sendWr, badWr));
    }

    @Override
    public void rdmaRead(ByteBuf buffer, int length, long remoteAddress, int rkey, WorkCompletion done) {
        long slot = requests.add(done);
        IbvSge.write(sge, memory.address(buffer) + buffer.writerIndex(), length, memory.lkey(buffer));
        IbvSendWr.rdma(sendWr, wrIdBase | slot, sge, IbvSendWr.IBV_WR_RDMA_READ, remoteAddress, rkey);
        posted(slot, VerbsOps.postSend(qp, sendWr, badWr));
    }

    @Override
    public void rdmaWrite(ByteBuf buffer, long remoteAddress, int rkey, WorkCompletion done) {
        long slot = requests.add(done);
        IbvSge.write(sge, memory.address(buffer) + buffer.readerIndex(), buffer.readableBytes(), memory.lkey(buffer));
        IbvSendWr.rdma(sendWr, wrIdBase | slot, sge, IbvSendWr.IBV_WR_RDMA_WRITE, remoteAddress, rkey);
        posted(slot, VerbsOps.postSend(qp, sendWr, badWr));
    }

    @Override
    public void disconnect() {
        cm.rdma_disconnect(id); // fails harmlessly if the host disconnected first
    }

    /**
     * Destroys the QP and the id. rdma_destroy_id waits until every event of the id is acknowledged, which the CM
     * thread does right after handing the event over, so this never runs on that thread.
     */
    @Override
    public void destroy() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        if (qp != null) {
            cm.rdma_destroy_qp(id);
        }
        cm.rdma_destroy_id(id);
        onDestroyed.run();
    }

    /**
     * A post that failed will never complete: report it as a failed completion, later on the executor, so the
     * state machine ends the connection without re-entering itself.
     */
    private void posted(long slot, int rc) {
        if (rc != 0) {
            executor.execute(() -> requests.complete(slot, WorkCompletion.GENERAL_ERR, 0));
        }
    }

    private static Memory copy(byte[] data) {
        Memory m = new Memory(Math.max(1, data.length));
        m.write(0, data, 0, data.length);
        return m;
    }

    private static void check(int rc, String call) {
        if (rc != 0) {
            throw new IllegalStateException(call + " failed: errno " + Native.getLastError());
        }
    }
}
