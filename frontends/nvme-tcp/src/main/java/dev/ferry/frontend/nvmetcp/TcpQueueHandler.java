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
import dev.ferry.frontend.nvmetcp.pdu.H2CDataPlacement;
import dev.ferry.frontend.nvmetcp.pdu.Pdu;
import dev.ferry.frontend.nvmetcp.pdu.PduDecoder;
import dev.ferry.frontend.nvmetcp.pdu.PduEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import dev.ferry.frontend.transport.FlushCoalescer;
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
 *
 * <p>A Read or Write allocates nothing here: its {@link NvmeRequest} comes from the queue's pool, its data is copied
 * once by the decoder into its final I/O buffer (the in-capsule data's own, or its transfer's for H2CData), and its
 * response is written into pooled direct buffers, the read data going out as the read buffer itself.
 */
final class TcpQueueHandler extends ChannelInboundHandlerAdapter implements QueueTransport, H2CDataPlacement {
    private static final Logger LOG = LoggerFactory.getLogger(TcpQueueHandler.class);

    private final NvmeTarget target;
    private final Function<Channel, CompletionQueue> completionQueues;
    private final TcpLimits limits;
    /** One R2T per command, so the command bound keeps the transfers below the largest queue. */
    private final H2CTransfers<NvmeRequest> transfers = new H2CTransfers<>(Limits.MAX_QUEUE_ENTRIES);
    private final H2CTransfers.DataAttach<NvmeRequest> attachData = NvmeRequest::hostData;
    private ChannelHandlerContext ctx;
    private PduEncoder encoder;
    private NvmeQueue queue;
    private CompletionQueue completionQueue;
    private ScheduledFuture<?> connectDeadline;
    /** Commands whose capsule arrived and whose response is not yet written to the socket. */
    private int inFlight;
    /** Passed with the last buffer of every response: the command's slot frees once its response has left. */
    private WrittenCounter responseWritten;
    /** One flush per loop iteration for everything this connection wrote in it. */
    private FlushCoalescer flusher;
    /** Set on the first fatal error: nothing more from the host is looked at, including PDUs already decoded. */
    private boolean terminated;
    TcpQueueHandler(NvmeTarget target, Function<Channel, CompletionQueue> completionQueues, TcpLimits limits) {
        this.target = target;
        this.completionQueues = completionQueues;
        this.limits = limits;
    }

    /** Runs as the accepted connection's pipeline is built, so the Connect deadline counts from accept. */
    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
        this.flusher = new FlushCoalescer(context);
        this.completionQueue = completionQueues.apply(context.channel());
        this.queue = target.newQueue(this);
        this.encoder = context.pipeline().get(PduEncoder.class);
        context.pipeline().get(PduDecoder.class).placeH2CDataWith(this);
        this.responseWritten = new WrittenCounter(context.channel(), () -> inFlight--,
                cause -> failConnection("writing a response", cause));
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
        flushSoon(); // after the iteration's completions, which a non-blocking backend delivers at its end
    }

    private void capsule(Pdu.CapsuleCommand c) {
        NvmeRequest r = inFlight < commandLimit() ? queue.request() : null;
        if (r == null) {
            // The host submitted into a full queue. NVMe/TCP has no status for that; like nvmet and SPDK, the
            // connection ends, here with a PDU Sequence Error (3.6.2.5), before anything is allocated for it.
            c.release();
            fatal(FatalErrorStatus.PDU_SEQUENCE_ERROR, 0, null, "more than " + commandLimit() + " commands in flight");
            return;
        }
        inFlight++;
        r.sqe(c.sqe(), 0);
        ByteBuf inCapsule = c.takeData();
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
            int ttag = transfers.start(r, r.cid(), needed);
            if (ttag < 0) {
                queue.complete(r, Status.COMMAND_INTERRUPTED); // cannot happen below the command limit
                return;
            }
            ByteBuf r2t = ctx.alloc().directBuffer(encoder.r2tLength());
            encoder.writeR2t(r2t, r.cid(), ttag, 0, needed);
            ctx.write(r2t, ctx.voidPromise());
            flushSoon();
        } else if (r.sglLength() > 0 && sgl != Sqe.SGL_TRANSPORT_DATA_BLOCK) {
            queue.complete(r, Status.SGL_DESCRIPTOR_TYPE_INVALID); // controller-to-host data needs 5Ah (3.3.2)
        } else {
            queue.execute(r);
        }
    }

    /**
     * In-capsule data is described by an SGL Data Block with an offset into the capsule data (3.3.2, 01h). The
     * decoder put the capsule's data in an I/O buffer of its own: when it is exactly the command's data, as for
     * any host that does not pad, it becomes the command's buffer as it is.
     */
    private void inCapsuleData(NvmeRequest r, ByteBuf data, int sgl, int needed) {
        long offset = Sqe.sglAddress(r.sqe());
        boolean taken = false;
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
            if (offset == 0 && needed == data.readableBytes()) {
                r.hostData(data);
                taken = true;
            } else {
                // Just the command's data: a slice would pin the rest of the capsule until the command ends.
                ByteBuf copy = IoBuffers.allocate(needed);
                r.hostData(copy.writeBytes(data, data.readerIndex() + (int) offset, needed));
            }
        } finally {
            if (!taken) {
                data.release();
            }
        }
        queue.execute(r);
    }

    /** An H2CData header: its data goes straight into its transfer's buffer, or the PDU is a fatal error. */
    @Override
    public ByteBuf destination(ByteBuf header, int cccid, int ttag, int dataOffset, int length) {
        if (terminated) {
            return null;
        }
        try {
            ByteBuf to = transfers.destination(cccid, ttag, dataOffset, length);
            if (to == null) {
                fatal(transfers.refusalStatus(), transfers.refusalField(), header.copy(0, header.writerIndex()),
                        transfers.refusalReason());
            }
            return to;
        } catch (Throwable t) {
            failConnection("serving a PDU", t);
            return null;
        }
    }

    /** An H2CData PDU's data is in place: the command runs once all of its data is. */
    @Override
    public void placed(int ttag, boolean digestError) {
        if (terminated) {
            return;
        }
        try {
            NvmeRequest done = transfers.arrived(ttag, digestError, attachData);
            if (done == null) {
                return;
            }
            if (transfers.lastDigestError()) {
                queue.complete(done, Status.TRANSIENT_TRANSPORT_ERROR);
            } else {
                queue.execute(done);
            }
        } catch (Throwable t) {
            failConnection("serving a PDU", t);
        }
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

    /**
     * The response goes out in pooled direct buffers written here, the payload of a C2HData as the read buffer
     * itself: [C2HData header] [data] [DDGST + CapsuleResp], the CapsuleResp left out when the C2HData carries
     * SUCCESS.
     */
    @Override
    public void complete(NvmeRequest r) {
        try {
            if (terminated || !ctx.channel().isActive()) {
                return;
            }
            ByteBuf data = r.controllerData();
            boolean hasData = data != null && data.isReadable() && r.status() == Status.SUCCESS;
            // SUCCESS lets the host skip the CapsuleResp, allowed only with SQ flow control disabled (3.6.2.9).
            boolean success = hasData && queue.flowControlDisabled();
            if (!hasData) {
                ByteBuf response = ctx.alloc().directBuffer(encoder.capsuleResponseLength());
                encoder.writeCapsuleResponse(response, r);
                ctx.write(response, responseWritten);
            } else {
                ByteBuf payload = r.takeControllerData();
                int length = (int) Math.min(payload.readableBytes(), r.sglLength());
                payload.writerIndex(payload.readerIndex() + length);
                ByteBuf header = ctx.alloc().directBuffer(encoder.c2hDataHeaderLength());
                encoder.writeC2hDataHeader(header, r.cid(), 0, length, true, success);
                ctx.write(header, ctx.voidPromise());
                int trailerLength = encoder.dataDigestLength() + (success ? 0 : encoder.capsuleResponseLength());
                if (trailerLength == 0) {
                    ctx.write(payload, responseWritten);
                } else {
                    ByteBuf trailer = ctx.alloc().directBuffer(trailerLength);
                    encoder.writeDataDigest(trailer, payload);
                    if (!success) {
                        encoder.writeCapsuleResponse(trailer, r);
                    }
                    ctx.write(payload, ctx.voidPromise());
                    ctx.write(trailer, responseWritten);
                }
            }
            flushSoon();
        } catch (Throwable t) {
            failConnection("sending a response", t);
        } finally {
            r.release();
        }
    }

    /** Completions arrive in bursts; one flush per loop iteration, after the iteration's completions. */
    private void flushSoon() {
        flusher.flushSoon();
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
        transfers.clear(NvmeRequest::release);
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
