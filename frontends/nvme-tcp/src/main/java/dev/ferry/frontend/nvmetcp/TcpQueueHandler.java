package dev.ferry.frontend.nvmetcp;

import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.frontend.nvme.NvmeQueue;
import dev.ferry.frontend.nvme.NvmeRequest;
import dev.ferry.frontend.nvme.NvmeTarget;
import dev.ferry.frontend.nvme.QueueTransport;
import dev.ferry.frontend.nvme.spec.Sqe;
import dev.ferry.frontend.nvme.spec.Status;
import dev.ferry.frontend.nvmetcp.pdu.FatalErrorStatus;
import dev.ferry.frontend.nvmetcp.pdu.Pdu;
import dev.ferry.frontend.nvmetcp.pdu.PduType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One NVMe/TCP connection = one NVMe queue (NVMe/TCP 1.0 3.2). Turns CapsuleCmd PDUs into {@link NvmeRequest}s,
 * fetches host data (in-capsule, or solicited with R2T and collected from H2CData), and sends C2HData and
 * CapsuleResp PDUs back. Fatal transport errors end in a C2HTermReq and the close of this connection only.
 */
final class TcpQueueHandler extends ChannelInboundHandlerAdapter implements QueueTransport {
    private static final Logger LOG = LoggerFactory.getLogger(TcpQueueHandler.class);

    private final NvmeTarget target;
    private final Function<Channel, CompletionQueue> completionQueues;
    private final H2CTransfers transfers = new H2CTransfers();
    private ChannelHandlerContext ctx;
    private NvmeQueue queue;
    private CompletionQueue completionQueue;
    private boolean flushScheduled;
    private boolean terminated;
    private final Runnable flushTask = () -> {
        flushScheduled = false;
        ctx.flush();
    };

    TcpQueueHandler(NvmeTarget target, Function<Channel, CompletionQueue> completionQueues) {
        this.target = target;
        this.completionQueues = completionQueues;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
        this.completionQueue = completionQueues.apply(context.channel());
        this.queue = target.newQueue(this);
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        try {
            if (terminated) {
                Pdu.releaseIfNeeded(msg);
            } else if (msg instanceof Pdu.CapsuleCommand c) {
                capsule(c);
            } else if (msg instanceof Pdu.H2CData d) {
                h2cData(d);
            } else if (msg instanceof Pdu.Fatal f) {
                fatal(f.fes(), f.fei(), f.header(), f.reason());
            } else if (msg instanceof Pdu.TermReq t) {
                LOG.info("nvme/tcp host {} terminated the connection: FES {} FEI {}", context.channel().remoteAddress(),
                        t.fes(), t.fei());
                Pdu.releaseIfNeeded(t);
                context.close();
            } else {
                Pdu.releaseIfNeeded(msg);
                fatal(FatalErrorStatus.PDU_SEQUENCE_ERROR, 0, null, "unexpected " + msg.getClass().getSimpleName());
            }
        } catch (RuntimeException e) {
            LOG.warn("nvme/tcp connection {} failed", context.channel().remoteAddress(), e);
            context.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
        context.flush();
    }

    private void capsule(Pdu.CapsuleCommand c) {
        NvmeRequest r = new NvmeRequest(c.sqe());
        ByteBuf inCapsule = c.data();
        queue.receive(r);
        if (r.isCompleted()) {
            release(inCapsule);
            return;
        }
        if (c.dataDigestError()) {
            release(inCapsule);
            queue.complete(r, Status.TRANSIENT_TRANSPORT_ERROR);
            return;
        }
        int needed = r.hostDataLength();
        int sgl = Sqe.sglIdentifier(r.sqe());
        if (inCapsule != null) {
            inCapsuleData(r, inCapsule, sgl, needed);
        } else if (needed > 0) {
            if (sgl != Sqe.SGL_TRANSPORT_DATA_BLOCK) {
                queue.complete(r, Status.SGL_DESCRIPTOR_TYPE_INVALID);
                return;
            }
            Pdu.R2t r2t = transfers.start(r, needed);
            ctx.write(r2t);
            scheduleFlush();
        } else if (r.sglLength() > 0 && sgl != Sqe.SGL_TRANSPORT_DATA_BLOCK) {
            queue.complete(r, Status.SGL_DESCRIPTOR_TYPE_INVALID); // controller-to-host data needs 5Ah (3.3.2)
        } else {
            queue.execute(r);
        }
    }

    /** In-capsule data is described by an SGL Data Block with an offset into the capsule data (3.3.2, 01h). */
    private void inCapsuleData(NvmeRequest r, ByteBuf data, int sgl, int needed) {
        long offset = Sqe.sglAddress(r.sqe());
        if (sgl != Sqe.SGL_DATA_BLOCK_OFFSET) {
            data.release();
            queue.complete(r, Status.SGL_DESCRIPTOR_TYPE_INVALID);
        } else if (offset < 0 || offset > data.readableBytes()) {
            data.release();
            queue.complete(r, Status.SGL_OFFSET_INVALID);
        } else if (needed == 0 || offset + needed > data.readableBytes()) {
            data.release();
            queue.complete(r, Status.DATA_SGL_LENGTH_INVALID);
        } else {
            r.hostData(data.retainedSlice(data.readerIndex() + (int) offset, needed));
            data.release();
            queue.execute(r);
        }
    }

    private void h2cData(Pdu.H2CData d) {
        try {
            H2CTransfers.Result result = transfers.accept(d);
            if (result.fatalStatus() != 0) {
                fatal(result.fatalStatus(), result.fatalOffset(), h2cDataHeader(d), result.reason());
                return;
            }
            NvmeRequest done = result.completed();
            if (done == null) {
                return;
            }
            if (result.digestError()) {
                queue.complete(done, Status.TRANSIENT_TRANSPORT_ERROR);
            } else {
                queue.execute(done);
            }
        } finally {
            d.release();
        }
    }

    /** The offending H2CData header for a TermReq, rebuilt from its fields (the decoder consumed the bytes). */
    private static ByteBuf h2cDataHeader(Pdu.H2CData d) {
        int length = d.data().readableBytes();
        ByteBuf h = Unpooled.buffer(PduType.DATA_HLEN);
        h.writeByte(PduType.H2C_DATA).writeByte(d.last() ? PduType.FLAG_LAST_PDU : 0).writeByte(PduType.DATA_HLEN)
                .writeByte(PduType.DATA_HLEN).writeIntLE(PduType.DATA_HLEN + length)
                .writeShortLE(d.cccid()).writeShortLE(d.ttag()).writeIntLE(d.dataOffset()).writeIntLE(length)
                .writeZero(4);
        return h;
    }

    private void fatal(int fes, long fei, ByteBuf header, String reason) {
        terminated = true;
        LOG.info("nvme/tcp connection {}: fatal transport error ({}), closing", ctx.channel().remoteAddress(), reason);
        if (fes == 0) {
            release(header);
            ctx.close();
            return;
        }
        ctx.writeAndFlush(new Pdu.TermReq(fes, fei, header)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void complete(NvmeRequest r, ByteBuf cqe) {
        try {
            if (terminated || !ctx.channel().isActive()) {
                cqe.release();
                return;
            }
            ByteBuf data = r.controllerData();
            boolean hasData = data != null && data.isReadable() && r.status() == Status.SUCCESS;
            // SUCCESS lets the host skip the CapsuleResp, allowed only with SQ flow control disabled (3.6.2.9).
            boolean success = hasData && queue.flowControlDisabled();
            if (hasData) {
                int length = (int) Math.min(data.readableBytes(), r.sglLength());
                ctx.write(new Pdu.C2HData(r.cid(), 0, data.retainedSlice(data.readerIndex(), length), true, success));
            }
            if (success) {
                cqe.release();
            } else {
                ctx.write(new Pdu.CapsuleResponse(cqe));
            }
            scheduleFlush();
        } finally {
            r.release();
        }
    }

    /** Completions arrive in bursts from the completion ring; one flush per burst. */
    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            ctx.channel().eventLoop().execute(flushTask);
        }
    }

    /** Closes after what is already written (a Disconnect's response, say) has gone out. */
    @Override
    public void close() {
        Channel ch = ctx.channel();
        ch.eventLoop().execute(() -> ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE));
    }

    @Override
    public Executor executor() {
        return ctx.channel().eventLoop();
    }

    @Override
    public CompletionQueue completionQueue() {
        return completionQueue;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) ctx.channel().localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) ctx.channel().remoteAddress();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        transfers.clear();
        queue.closed();
        context.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        LOG.debug("nvme/tcp connection {}: {}", context.channel().remoteAddress(), cause.toString());
        context.close();
    }

    private static void release(ByteBuf b) {
        if (b != null) {
            b.release();
        }
    }
}
