package dev.ferry.frontend.nvmetcp;

import dev.ferry.core.buffer.IoBuffers;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.frontend.nvme.Limits;
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
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One NVMe/TCP connection = one NVMe queue (NVMe/TCP 1.0 3.2). Turns CapsuleCmd PDUs into {@link NvmeRequest}s,
 * fetches host data (in-capsule, or solicited with R2T and collected from H2CData), and sends C2HData and
 * CapsuleResp PDUs back. Fatal transport errors end in a C2HTermReq and the close of this connection only.
 *
 * <p>What a host can make this connection hold is bounded before anything is allocated: commands in flight, from
 * their capsule until their response is written to the socket, never exceed the queue's entries (SQSIZE + 1; only
 * the Connect command before Connect), each with at most MDTS bytes of data; a host that submits beyond that gets a
 * fatal error. The connection stops reading while its outbound bytes are above the high water mark, must complete
 * ICReq and Connect within an absolute deadline from accept, and any failure while serving it closes it alone.
 */
final class TcpQueueHandler extends ChannelInboundHandlerAdapter implements QueueTransport {
    private static final Logger LOG = LoggerFactory.getLogger(TcpQueueHandler.class);

    private final NvmeTarget target;
    private final Function<Channel, CompletionQueue> completionQueues;
    private final TcpLimits limits;
    /** One R2T per command, so the command bound keeps the transfers below the largest queue. */
    private final H2CTransfers transfers = new H2CTransfers(Limits.MAX_QUEUE_ENTRIES);
    private ChannelHandlerContext ctx;
    private NvmeQueue queue;
    private CompletionQueue completionQueue;
    private ScheduledFuture<?> connectDeadline;
    /** Commands whose capsule arrived and whose response is not yet written to the socket. */
    private int inFlight;
    private boolean flushScheduled;
    /** Set on the first fatal error: nothing more from the host is looked at, including PDUs already decoded. */
    private boolean terminated;
    private final Runnable flushTask = () -> {
        flushScheduled = false;
        ctx.flush();
    };
    private final ChannelFutureListener answered = f -> {
        inFlight--;
        if (!f.isSuccess()) {
            failConnection("writing a response", f.cause());
        }
    };

    TcpQueueHandler(NvmeTarget target, Function<Channel, CompletionQueue> completionQueues, TcpLimits limits) {
        this.target = target;
        this.completionQueues = completionQueues;
        this.limits = limits;
    }

    /** Runs as the accepted connection's pipeline is built, so the Connect deadline counts from accept. */
    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
        this.completionQueue = completionQueues.apply(context.channel());
        this.queue = target.newQueue(this);
        this.connectDeadline = context.executor().schedule(this::connectDeadlinePassed,
                limits.connectDeadline().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void connectDeadlinePassed() {
        if (queue.controller() == null && !terminated) {
            LOG.info("nvme/tcp connection {}: no ICReq and Connect within {}, closing", ctx.channel().remoteAddress(),
                    limits.connectDeadline());
            terminate();
            ctx.close();
        }
    }

    /** Commands this queue takes at once: its entries after Connect, and before it only the Connect command. */
    private int commandLimit() {
        return Math.max(1, queue.entries());
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
                terminate();
                context.close();
            } else {
                Pdu.releaseIfNeeded(msg);
                fatal(FatalErrorStatus.PDU_SEQUENCE_ERROR, 0, null, "unexpected " + msg.getClass().getSimpleName());
            }
        } catch (Throwable t) {
            // Errors too (an OutOfMemoryError included): they belong to this connection, not to the event loop.
            failConnection("serving a PDU", t);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
        context.flush();
    }

    private void capsule(Pdu.CapsuleCommand c) {
        if (inFlight >= commandLimit()) {
            // The host submitted into a full queue. NVMe/TCP has no status for that; like nvmet and SPDK, the
            // connection ends, here with a PDU Sequence Error (3.6.2.5), before anything is allocated for it.
            c.release();
            fatal(FatalErrorStatus.PDU_SEQUENCE_ERROR, 0, null, "more than " + commandLimit() + " commands in flight");
            return;
        }
        inFlight++;
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
            if (r2t == null) {
                queue.complete(r, Status.COMMAND_INTERRUPTED); // cannot happen below the command limit
                return;
            }
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
        try {
            if (sgl != Sqe.SGL_DATA_BLOCK_OFFSET) {
                queue.complete(r, Status.SGL_DESCRIPTOR_TYPE_INVALID);
                return;
            }
            if (offset < 0 || offset > data.readableBytes()) {
                queue.complete(r, Status.SGL_OFFSET_INVALID);
                return;
            }
            if (needed == 0 || offset + needed > data.readableBytes()) {
                queue.complete(r, Status.DATA_SGL_LENGTH_INVALID);
                return;
            }
            // A copy of just the command's data: a slice would pin the whole receive buffer until the command ends.
            ByteBuf copy = IoBuffers.allocate(needed);
            r.hostData(copy.writeBytes(data, data.readerIndex() + (int) offset, needed));
        } finally {
            data.release();
        }
        queue.execute(r);
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
        if (terminated) {
            release(header);
            return;
        }
        terminate();
        LOG.info("nvme/tcp connection {}: fatal transport error ({}), closing", ctx.channel().remoteAddress(), reason);
        if (fes == 0) {
            release(header);
            ctx.close();
            return;
        }
        closeAfter(ctx.writeAndFlush(new Pdu.TermReq(fes, fei, header)));
    }

    /** Something failed while serving this connection: it closes, and nothing it sent is looked at any more. */
    private void failConnection(String what, Throwable cause) {
        if (!terminated && ctx.channel().isActive()) {
            LOG.warn("nvme/tcp connection {} failed {}, closing", ctx.channel().remoteAddress(), what, cause);
        }
        terminate();
        ctx.close();
    }

    private void terminate() {
        terminated = true;
        ctx.channel().config().setAutoRead(false);
        if (ctx.pipeline().get(IcReqHandler.class) != null) {
            ctx.pipeline().remove(IcReqHandler.class); // so that not even an ICReq is answered any more
        }
    }

    /** Closes once {@code last} is written, or after the close grace if the host does not read it. */
    private void closeAfter(ChannelFuture last) {
        Channel ch = ctx.channel();
        ScheduledFuture<?> forced = ch.eventLoop().schedule(() -> {
            ch.close();
        }, limits.closeGrace().toNanos(), TimeUnit.NANOSECONDS);
        last.addListener(f -> {
            forced.cancel(false);
            ch.close();
        });
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
            ChannelFuture last = null;
            if (hasData) {
                int length = (int) Math.min(data.readableBytes(), r.sglLength());
                last = ctx.write(new Pdu.C2HData(r.cid(), 0, data.retainedSlice(data.readerIndex(), length), true,
                        success));
            }
            if (success) {
                cqe.release();
            } else {
                last = ctx.write(new Pdu.CapsuleResponse(cqe));
            }
            // The command's slot frees once the host can have its answer, so queued responses stay within SQSIZE.
            last.addListener(answered);
            scheduleFlush();
        } catch (Throwable t) {
            failConnection("sending a response", t);
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

    /** Closes after what is already written (a Disconnect's response, say) has gone out, or after the close grace. */
    @Override
    public void close() {
        ctx.channel().eventLoop().execute(() -> closeAfter(ctx.writeAndFlush(Unpooled.EMPTY_BUFFER)));
    }

    /** Read backpressure: no new commands (nor data) are read while the host is not taking our responses. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) {
        context.channel().config().setAutoRead(!terminated && context.channel().isWritable());
        context.fireChannelWritabilityChanged();
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
        connectDeadline.cancel(false);
        transfers.clear();
        queue.closed();
        context.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        LOG.debug("nvme/tcp connection {}: {}", context.channel().remoteAddress(), cause.toString());
        terminate();
        context.close();
    }

    private static void release(ByteBuf b) {
        if (b != null) {
            b.release();
        }
    }
}
