package dev.ferry.frontend.nvmerdma;

import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.frontend.nvme.Limits;
import dev.ferry.frontend.nvme.NvmeQueue;
import dev.ferry.frontend.nvme.NvmeRequest;
import dev.ferry.frontend.nvme.NvmeTarget;
import dev.ferry.frontend.nvme.QueueTransport;
import dev.ferry.frontend.nvme.spec.Cqe;
import dev.ferry.frontend.nvme.spec.Sqe;
import dev.ferry.frontend.nvme.spec.Status;
import dev.ferry.frontend.nvmerdma.cm.ConnectRequestCheck;
import dev.ferry.frontend.nvmerdma.cm.QueueDepths;
import dev.ferry.frontend.nvmerdma.cm.RdmaCmConnectPrivateData;
import dev.ferry.frontend.nvmerdma.cm.RdmaCmRejectPrivateData;
import dev.ferry.frontend.nvmerdma.cm.RdmaCmStatus;
import dev.ferry.frontend.nvmerdma.sgl.DataSgl;
import dev.ferry.frontend.nvmerdma.sgl.KeyedSglDescriptor;
import dev.ferry.frontend.nvmerdma.sgl.SglCheck;
import dev.ferry.frontend.nvmerdma.sgl.SglIdentifier;
import dev.ferry.frontend.nvmerdma.verbs.RdmaConnection;
import dev.ferry.frontend.nvmerdma.verbs.WorkCompletion;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One NVMe/RDMA queue pair = one RDMA_CM connection = one NVMe queue (nvmet's {@code struct nvmet_rdma_queue}).
 * Turns received command capsules into {@link NvmeRequest}s, takes host data from the capsule or fetches it by
 * RDMA READ, writes controller data by RDMA WRITE and SENDs the response capsule (with invalidate when the host
 * asked). Flow control: one posted receive per submission queue entry (CRQSIZE = HSQSIZE + 1), a host exceeding
 * that is disconnected, and send work requests are bounded by {@link QueueDepths#sendQueueDepth()}.
 * Everything runs on {@link #executor()}, where the CM events and completions of this connection are delivered.
 */
public final class RdmaQueuePair implements QueueTransport {
    private static final Logger LOG = LoggerFactory.getLogger(RdmaQueuePair.class);

    /** A command between its capsule and its response: the keyed descriptor (null if none) for WRITE/invalidate. */
    private record Command(KeyedSglDescriptor keyed) {
    }

    private final NvmeTarget target;
    private final RdmaConnection connection;
    private final Executor executor;
    private final CompletionQueue completionQueue;
    private final InetSocketAddress localAddress;
    private final int ioInCapsuleDataSize;
    private final Map<NvmeRequest, Command> active = new IdentityHashMap<>();
    /** Capsules that arrived before RDMA_CM_EVENT_ESTABLISHED (the host may send as soon as it sees the reply). */
    private final ArrayDeque<ByteBuf> early = new ArrayDeque<>();
    private RdmaQueueState state = RdmaQueueState.CONNECT_REQUESTED;
    private NvmeQueue queue;
    private QueueDepths depths;
    private SendCredits credits;
    private int postedReceives;
    private int postedSends;
    private boolean closeRequested;

    /** @param ioInCapsuleDataSize in-capsule data accepted on I/O queues (the admin queue takes 8 KiB) */
    public RdmaQueuePair(NvmeTarget target, RdmaConnection connection, Executor executor,
            CompletionQueue completionQueue, InetSocketAddress localAddress, int ioInCapsuleDataSize) {
        this.target = target;
        this.connection = connection;
        this.executor = executor;
        this.completionQueue = completionQueue;
        this.localAddress = localAddress;
        this.ioInCapsuleDataSize = ioInCapsuleDataSize;
    }

    public RdmaQueueState state() { return state; }
    public QueueDepths depths() { return depths; }

    /**
     * RDMA_CM_EVENT_CONNECT_REQUEST: checks the private data, then posts one receive per command slot before
     * accepting (so the host's first capsule finds one) or rejects with the RDMA CM status.
     */
    public boolean connectRequest(byte[] privateData) {
        ConnectRequestCheck.Result check = ConnectRequestCheck.check(privateData);
        if (!check.accepted()) {
            return reject(check.rejectStatus());
        }
        QueueDepths requested = check.depths();
        int capsuleSize = Sqe.SIZE + (requested.qid() == 0 ? Limits.ADMIN_IN_CAPSULE_DATA : ioInCapsuleDataSize);
        ByteBuf[] capsules = new ByteBuf[requested.commandSlots()];
        for (int i = 0; i < capsules.length; i++) {
            capsules[i] = connection.allocate(capsuleSize);
            if (capsules[i] == null) {
                Arrays.stream(capsules, 0, i).forEach(ByteBuf::release);
                return reject(RdmaCmStatus.NO_RESOURCES);
            }
        }
        depths = requested;
        credits = new SendCredits(depths.sendQueueDepth());
        queue = target.newQueue(this);
        for (ByteBuf capsule : capsules) {
            postReceive(capsule);
        }
        connection.accept(depths.accept().encode());
        return true;
    }

    private boolean reject(int status) {
        LOG.info("nvme/rdma connect request rejected with status {}", status);
        state = RdmaQueueState.CLOSED;
        connection.reject(new RdmaCmRejectPrivateData(RdmaCmConnectPrivateData.RECFMT_1_0, status).encode());
        connection.destroy();
        return false;
    }

    /** RDMA_CM_EVENT_ESTABLISHED. */
    public void established() {
        if (state != RdmaQueueState.CONNECT_REQUESTED) {
            return;
        }
        state = RdmaQueueState.ESTABLISHED;
        ByteBuf capsule;
        while (state == RdmaQueueState.ESTABLISHED && (capsule = early.poll()) != null) {
            capsule(capsule);
        }
    }

    /** RDMA_CM_EVENT_DISCONNECTED, TIMEWAIT_EXIT, DEVICE_REMOVAL, or a connect/QP error. */
    public void disconnected() {
        disconnect("host or device");
    }

    private void postReceive(ByteBuf buffer) {
        buffer.clear();
        postedReceives++;
        connection.postReceive(buffer, (status, length) -> received(buffer, status, length));
    }

    private void received(ByteBuf buffer, int status, int length) {
        postedReceives--;
        if (status != WorkCompletion.SUCCESS || state == RdmaQueueState.DISCONNECTING
                || state == RdmaQueueState.CLOSED) {
            buffer.release();
            failed(status, "receive");
            closeIfDrained();
            return;
        }
        buffer.writerIndex(length);
        if (state == RdmaQueueState.CONNECT_REQUESTED) {
            early.add(buffer);
        } else {
            capsule(buffer);
        }
    }

    /** One command capsule: the SQE, then in-capsule data. The receive is reposted once both are copied out. */
    private void capsule(ByteBuf capsule) {
        if (capsule.readableBytes() < Sqe.SIZE) {
            capsule.release();
            disconnect("capsule of " + capsule.readableBytes() + " bytes");
            return;
        }
        if (active.size() >= depths.commandSlots()) {
            capsule.release();
            disconnect("host exceeded its submission queue size");
            return;
        }
        boolean keyed = SglIdentifier.type(capsule.getUnsignedByte(Sqe.SGL_IDENTIFIER))
                == SglIdentifier.TYPE_KEYED_DATA_BLOCK;
        NvmeRequest r = queue.request();
        if (r == null) { // cannot happen below the command slots the check above bounds
            capsule.release();
            disconnect("no request free");
            return;
        }
        // The SQE for the controller model is copied, because the capsule's buffer is posted for the next receive.
        r.sqe(capsule, 0);
        active.put(r, new Command(keyed ? KeyedSglDescriptor.parse(capsule, Sqe.SGL_ADDRESS) : null));
        queue.receive(r);
        if (!r.isCompleted()) {
            hostData(r, capsule);
        }
        if (state == RdmaQueueState.ESTABLISHED) {
            postReceive(capsule);
        } else {
            capsule.release();
        }
    }

    private void hostData(NvmeRequest r, ByteBuf capsule) {
        int needed = r.hostDataLength();
        DataSgl sgl = SglCheck.check(capsule, needed, capsule.readableBytes() - Sqe.SIZE);
        if (sgl instanceof DataSgl.Invalid invalid) {
            queue.complete(r, invalid.status());
        } else if (needed == 0) {
            queue.execute(r);
        } else if (sgl instanceof DataSgl.InCapsule in) {
            ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(needed, needed);
            data.writeBytes(capsule, Sqe.SIZE + in.offset(), needed);
            r.hostData(data);
            queue.execute(r);
        } else if (sgl instanceof DataSgl.Keyed k) {
            rdmaRead(r, k.descriptor(), needed);
        }
    }

    private void rdmaRead(NvmeRequest r, KeyedSglDescriptor d, int length) {
        ByteBuf data = connection.allocate(length);
        if (data == null) { // registered memory used up for now: the host retries an interrupted command
            queue.complete(r, Status.COMMAND_INTERRUPTED);
            return;
        }
        Runnable drop = () -> {
            data.release();
            dropCommand(r);
        };
        sendQueue(done -> connection.rdmaRead(data, length, d.address(), d.key(), done), (status, n) -> {
            if (status != WorkCompletion.SUCCESS || state != RdmaQueueState.ESTABLISHED) {
                drop.run();
                failed(status, "RDMA READ");
                return;
            }
            data.writerIndex(length);
            r.hostData(data);
            queue.execute(r);
        }, drop);
    }

    /** A command that will never get a response (its connection is going). */
    private void dropCommand(NvmeRequest r) {
        active.remove(r);
        r.release();
    }

    @Override
    public void complete(NvmeRequest r) {
        Command c = active.remove(r);
        try {
            if (state != RdmaQueueState.ESTABLISHED) {
                return;
            }
            KeyedSglDescriptor keyed = c == null ? null : c.keyed();
            ByteBuf data = r.controllerData();
            if (keyed != null && r.status() == Status.SUCCESS && data != null && data.isReadable()
                    && !rdmaWrite(data, keyed)) {
                return;
            }
            ByteBuf response = connection.allocate(Cqe.SIZE);
            if (response == null) {
                disconnect("registered memory used up");
                return;
            }
            r.writeCqe(response);
            boolean invalidate = keyed != null && keyed.invalidate();
            int key = invalidate ? keyed.key() : 0;
            sendQueue(done -> connection.postSend(response, invalidate, key, done), (status, n) -> {
                response.release();
                failed(status, "SEND");
            }, response::release);
        } finally {
            r.release();
        }
    }

    /**
     * Controller data to the host's buffer; at most the descriptor's length. False when no registered buffer is
     * left (the connection then ends). Copied into registered memory for now:
     * the model allocates its own buffers. Posted before the SEND on the same RC QP, so it lands first.
     */
    private boolean rdmaWrite(ByteBuf data, KeyedSglDescriptor d) {
        int length = Math.min(data.readableBytes(), d.length());
        if (length == 0) {
            return true; // a zero-length descriptor wants no data: no registered buffer, no work request
        }
        ByteBuf out = connection.allocate(length);
        if (out == null) {
            disconnect("registered memory used up");
            return false;
        }
        out.writeBytes(data, data.readerIndex(), length);
        sendQueue(done -> connection.rdmaWrite(out, d.address(), d.key(), done), (status, n) -> {
            out.release();
            failed(status, "RDMA WRITE");
        }, out::release);
        return true;
    }

    /**
     * Posts one send-queue work request under flow control. {@code then} runs on its completion; {@code cancel}
     * instead, if the connection went away while it waited for a credit.
     */
    private void sendQueue(Consumer<WorkCompletion> post, WorkCompletion then, Runnable cancel) {
        credits.acquire(() -> {
            if (state != RdmaQueueState.ESTABLISHED) {
                cancel.run();
                credits.release();
                return;
            }
            postedSends++;
            post.accept((status, length) -> {
                postedSends--;
                credits.release();
                then.completed(status, length);
                if (closeRequested && postedSends == 0 && credits.idle()) {
                    disconnect("close requested");
                }
                closeIfDrained();
            });
        });
    }

    /** A work request failed: a flush is the expected end of a disconnect, anything else ends the connection. */
    private void failed(int status, String what) {
        if (status != WorkCompletion.SUCCESS && status != WorkCompletion.WR_FLUSH_ERR) {
            disconnect(what + " completed with status " + status);
        }
    }

    private void disconnect(String reason) {
        if (state == RdmaQueueState.DISCONNECTING || state == RdmaQueueState.CLOSED) {
            return;
        }
        LOG.info("nvme/rdma queue {} disconnecting: {}", depths == null ? -1 : depths.qid(), reason);
        state = RdmaQueueState.DISCONNECTING;
        early.forEach(ByteBuf::release);
        early.clear();
        connection.disconnect();
        if (credits != null) {
            credits.runWaiting();
        }
        closeIfDrained();
    }

    /** Frees everything once no work request is posted any more: flushed receives and sends have all returned. */
    private void closeIfDrained() {
        if (state != RdmaQueueState.DISCONNECTING || postedReceives > 0 || postedSends > 0) {
            return;
        }
        state = RdmaQueueState.CLOSED;
        connection.destroy();
        if (queue != null) {
            queue.closed();
        }
    }

    /** Closes after the responses already posted (a Disconnect command's, say) have completed. */
    @Override
    public void close() {
        executor.execute(() -> {
            closeRequested = true;
            if (postedSends == 0 && credits.idle()) {
                disconnect("close requested");
            }
        });
    }

    @Override
    public Executor executor() {
        return executor;
    }

    @Override
    public CompletionQueue completionQueue() {
        return completionQueue;
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }
}
