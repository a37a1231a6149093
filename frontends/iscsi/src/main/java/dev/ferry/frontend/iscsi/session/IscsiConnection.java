package dev.ferry.frontend.iscsi.session;

import dev.ferry.core.buffer.IoBuffers;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.frontend.iscsi.login.SessionParameters;
import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.IscsiPduDecoder;
import dev.ferry.frontend.iscsi.pdu.IscsiPduEncoder;
import dev.ferry.frontend.iscsi.pdu.IscsiProtocolException;
import dev.ferry.frontend.iscsi.pdu.MalformedPdu;
import dev.ferry.frontend.iscsi.pdu.Opcode;
import dev.ferry.frontend.iscsi.pdu.RejectPdu;
import dev.ferry.frontend.iscsi.pdu.TargetPdu;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import dev.ferry.frontend.transport.FlushCoalescer;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One iSCSI connection (RFC 7143): the Netty handler that takes decoded PDUs, routes each to the part of the
 * protocol it belongs to ({@link LoginPhase}, {@link CmdSnWindow}, {@link CommandFlow}, {@link DataOutCollector},
 * {@link NopExchange}, {@link TextExchange}, {@link Logout}, {@link TaskManagement}, {@link ConnectionTeardown}) and
 * sends their responses with the connection's StatSN. Everything runs on the channel's event loop; nothing here
 * blocks, and no exception leaves this handler.
 */
public final class IscsiConnection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(IscsiConnection.class);

    enum Phase { LOGIN, FULL_FEATURE, LOGGING_OUT, CLOSED }

    final TargetServices services;
    final IscsiPduDecoder decoder;
    final IscsiPduEncoder encoder;
    ChannelHandlerContext ctx;
    Phase phase = Phase.LOGIN;

    /** Set once login completes (null for a connection still logging in or that never did). */
    IscsiSession session;
    SessionParameters params;
    ExportCommands target;
    CompletionQueue queue;

    final TaskTable tasks = new TaskTable(this);
    final CmdSnWindow window = new CmdSnWindow(this);
    final LoginPhase login = new LoginPhase(this);
    final CommandFlow commands = new CommandFlow(this);
    final DataOutCollector dataOut = new DataOutCollector(this);
    final TaskManagement tmf = new TaskManagement(this);
    final NopExchange nop = new NopExchange(this);
    final TextExchange text = new TextExchange(this);
    final Logout logout = new Logout(this);
    final ConnectionTeardown teardown = new ConnectionTeardown(this);

    private int statSn;
    private int nextTtt = 1;
    /** One flush per loop iteration for everything this connection wrote in it. */
    private FlushCoalescer flusher;

    public IscsiConnection(TargetServices services, IscsiPduDecoder decoder, IscsiPduEncoder encoder) {
        this.services = services;
        this.decoder = decoder;
        this.encoder = encoder;
        // Each PDU is consumed before the next is decoded (a command parked for its CmdSN is detached).
        decoder.reuse(true);
        decoder.landing(this::landingFor);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.flusher = new FlushCoalescer(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        login.startDeadline();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (phase == Phase.CLOSED) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof MalformedPdu m) {
                LOG.debug("{}: rejecting {}: {}", ctx.channel(), Opcode.name(m.opcode()), m.detail());
                if (phase == Phase.LOGIN) {
                    // No Reject during login (RFC 7143 11.17): fail it.
                    fatal("malformed PDU during login: " + m.detail());
                    return;
                }
                reject(m.reason(), m.bhs());
                flush();
                return;
            }
            if (msg instanceof IscsiPdu pdu) {
                dispatch(pdu);
                return;
            }
            ReferenceCountUtil.release(msg);
        } catch (Throwable e) {
            // An Error too (OutOfMemoryError, say): this connection ends, and the PDUs decoded with this one are
            // released unprocessed (phase CLOSED) instead of each failing again; the loop serves the others.
            LOG.warn("{}: error handling a PDU, dropping the connection", ctx.channel(), e);
            drop("internal error");
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushSoon(); // after the iteration's completions, which a non-blocking backend delivers at its end
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause.getCause() instanceof IscsiProtocolException ? cause.getCause() : cause;
        if (root instanceof IscsiProtocolException) {
            LOG.warn("{}: {}; dropping the connection", ctx.channel(), root.getMessage());
        } else if (root instanceof java.io.IOException) {
            LOG.debug("{}: {}", ctx.channel(), root.toString());
        } else {
            LOG.warn("{}: dropping the connection", ctx.channel(), cause);
        }
        drop(root.getMessage() != null ? root.getMessage() : root.toString());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            nop.idle();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // Stop reading commands while the socket cannot take our responses.
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        teardown.cleanup();
        ctx.fireChannelInactive();
    }

    /** The initiator's address and port; any thread (Netty keeps a channel's remote address once connected). */
    java.net.InetSocketAddress peer() {
        return (java.net.InetSocketAddress) ctx.channel().remoteAddress();
    }

    /** Called from another connection's loop when a new login reinstates this session (RFC 7143 6.3.5). */
    void closeFromOutside(String why) {
        ctx.executor().execute(() -> {
            teardown.closing(why);
            ctx.close();
        });
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Dispatch

    private void dispatch(IscsiPdu pdu) {
        int op = pdu.opcode();
        if (phase == Phase.LOGIN) {
            if (op == Opcode.LOGIN_REQUEST) {
                login.request(pdu);
            } else {
                pdu.release();
                fatal(Opcode.name(op) + " before login completed");
            }
            return;
        }
        switch (op) {
            case Opcode.SCSI_DATA_OUT -> dataOut.dataOut(pdu);
            case Opcode.SNACK_REQUEST, Opcode.LOGIN_REQUEST -> {
                // ERL 0: SNACK is not supported (RFC 7143 7.1.5); a login belongs to the login phase only.
                reject(RejectPdu.PROTOCOL_ERROR, pdu.bhs());
                pdu.release();
            }
            case Opcode.NOP_OUT -> {
                if (pdu.itt() == IscsiPdu.RESERVED_TAG) {
                    nop.answered(pdu); // not a command, no CmdSN consumed
                } else {
                    window.ordered(pdu);
                }
            }
            default -> window.ordered(pdu);
        }
    }

    /** Runs a command whose CmdSN came up (or an immediate one). */
    void execute(IscsiPdu pdu) {
        switch (pdu.opcode()) {
            case Opcode.SCSI_COMMAND -> commands.scsiCommand(pdu);
            case Opcode.NOP_OUT -> nop.nopOut(pdu);
            case Opcode.TASK_MGMT_REQUEST -> tmf.request(pdu);
            case Opcode.TEXT_REQUEST -> text.request(pdu);
            case Opcode.LOGOUT_REQUEST -> logout.request(pdu);
            default -> {
                reject(RejectPdu.COMMAND_NOT_SUPPORTED, pdu.bhs());
                pdu.release();
            }
        }
    }

    /** Where an incoming data segment goes: a Data-Out into its write's buffer, immediate data into an I/O buffer. */
    private ByteBuf landingFor(IscsiPdu header) {
        if (phase != Phase.FULL_FEATURE) {
            return null;
        }
        return switch (header.opcode()) {
            case Opcode.SCSI_DATA_OUT -> dataOut.landingFor(header);
            case Opcode.SCSI_COMMAND -> IoBuffers.allocate(header.dataSegmentLength());
            default -> null;
        };
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Sending and closing

    int newTtt() {
        int t = nextTtt++;
        if (nextTtt == IscsiPdu.RESERVED_TAG) {
            nextTtt = 1;
        }
        return t;
    }

    /** The StatSN of the first response: the initiator's ExpStatSN in its first Login Request. */
    void startStatSn(int sn) {
        statSn = sn;
    }

    /** The StatSN for a response that carries status, which advances it. */
    int nextStatSn() {
        return statSn++;
    }

    /** The StatSN for a PDU without status (R2T, NOP-In ping): the current one, not advanced. */
    int currentStatSn() {
        return statSn;
    }

    /** Sets StatSN (advancing it for status-carrying PDUs), ExpCmdSN and MaxCmdSN, and writes without flushing. */
    void send(IscsiPdu p, boolean advanceStatSn) {
        int sn = advanceStatSn ? nextStatSn() : currentStatSn();
        TargetPdu.sequence(p, sn, window.expCmdSn(), window.maxCmdSn());
        ctx.write(p, ctx.voidPromise());
    }

    void reject(int reason, byte[] bhs) {
        send(RejectPdu.create(reason, bhs), true);
    }

    /** Flushes now: for what must leave before anything else happens (login, Reject, before a close). */
    void flush() {
        ctx.flush();
    }

    /**
     * Flushes at the end of this loop iteration: the responses of one iteration (completions drained together
     * included) leave in one write instead of one syscall each.
     */
    void flushSoon() {
        flusher.flushSoon();
    }

    /** Flushes what was sent and closes once it is written; nothing more is processed. */
    void closeAfterFlush(String why) {
        teardown.closing(why);
        phase = Phase.CLOSED;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    void fatal(String why) {
        LOG.info("{}: {}; dropping the connection", ctx.channel(), why);
        drop(why);
    }

    /** Closes the connection now: nothing more is read from it or done for it (PDUs already decoded included). */
    void drop(String why) {
        teardown.closing(why);
        phase = Phase.CLOSED;
        ctx.close();
    }
}
