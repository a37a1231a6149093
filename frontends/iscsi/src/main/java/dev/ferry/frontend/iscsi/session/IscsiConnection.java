package dev.ferry.frontend.iscsi.session;

import dev.ferry.core.buffer.IoBuffers;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.Export;
import dev.ferry.frontend.iscsi.login.LoginException;
import dev.ferry.frontend.iscsi.login.LoginNegotiator;
import dev.ferry.frontend.iscsi.login.SessionParameters;
import dev.ferry.frontend.iscsi.login.TextKeys;
import dev.ferry.frontend.iscsi.pdu.DataInPdu;
import dev.ferry.frontend.iscsi.pdu.DataOutPdu;
import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.IscsiPduDecoder;
import dev.ferry.frontend.iscsi.pdu.IscsiPduEncoder;
import dev.ferry.frontend.iscsi.pdu.IscsiProtocolException;
import dev.ferry.frontend.iscsi.pdu.LoginPdu;
import dev.ferry.frontend.iscsi.pdu.LogoutPdu;
import dev.ferry.frontend.iscsi.pdu.MalformedPdu;
import dev.ferry.frontend.iscsi.pdu.NopPdu;
import dev.ferry.frontend.iscsi.pdu.Opcode;
import dev.ferry.frontend.iscsi.pdu.R2tPdu;
import dev.ferry.frontend.iscsi.pdu.RejectPdu;
import dev.ferry.frontend.iscsi.pdu.ScsiCommandPdu;
import dev.ferry.frontend.iscsi.pdu.ScsiResponsePdu;
import dev.ferry.frontend.iscsi.pdu.SerialNumber;
import dev.ferry.frontend.iscsi.pdu.TargetPdu;
import dev.ferry.frontend.iscsi.pdu.TaskMgmtPdu;
import dev.ferry.frontend.iscsi.pdu.TextPdu;
import dev.ferry.frontend.scsi.ItNexus;
import dev.ferry.frontend.scsi.Luns;
import dev.ferry.frontend.scsi.ScsiPort;
import dev.ferry.frontend.scsi.ScsiResponse;
import dev.ferry.frontend.scsi.TaskAttribute;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One iSCSI connection (RFC 7143): the login phase, then the full feature phase with CmdSN ordering, the task table,
 * Data-Out collection and R2T, Data-In and status, NOP, Text (SendTargets), task management and logout. Everything
 * runs on the channel's event loop; nothing here blocks, and no exception leaves this handler.
 */
public final class IscsiConnection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(IscsiConnection.class);

    /** Largest Expected Data Transfer Length we buffer for one write. */
    static final int MAX_WRITE_TRANSFER = 64 << 20;
    /** A pending-list entry for a command that was aborted before its CmdSN came up (it only advances ExpCmdSN). */
    private static final IscsiPdu SKIPPED = IscsiPdu.create(Opcode.NOP_OUT);
    private static final int TPGT = LoginNegotiator.TARGET_PORTAL_GROUP_TAG;

    enum Phase { LOGIN, FULL_FEATURE, LOGGING_OUT, CLOSED }

    /** A task management response waiting for aborted tasks to leave the backend. */
    private static final class TmfWait {
        final Set<IscsiTask> tasks;
        final IscsiPdu response;
        final boolean closeAfter;

        TmfWait(Set<IscsiTask> tasks, IscsiPdu response, boolean closeAfter) {
            this.tasks = tasks;
            this.response = response;
            this.closeAfter = closeAfter;
        }
    }

    private final TargetServices services;
    private final IscsiPduDecoder decoder;
    private final IscsiPduEncoder encoder;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.LOGIN;

    // Login state
    private LoginNegotiator negotiator;
    private ByteArrayOutputStream loginText;
    private boolean loginStarted;
    private long isid;
    private int loginTsih;
    private int loginItt;
    private int cid;
    private boolean loginPending;

    // Connection and session sequencing
    private int statSn;
    private int expCmdSn;
    private int maxCmdSn;
    /** The session's CmdSN window: its target's commandsPerSession, fixed at login. */
    private int window;
    private IscsiSession session;
    private SessionParameters params;
    private CommandSet target;
    private CompletionQueue queue;
    private final Map<Integer, IscsiPdu> pending = new HashMap<>();

    // Tasks
    private final Map<Integer, IscsiTask> tasks = new HashMap<>();
    private final List<TmfWait> tmfWaits = new ArrayList<>();
    private int nextTtt = 1;

    // Write data: solicited bytes reserved by admitted tasks, within ConnectionLimits.writeBufferBytes
    private long writeReserved;
    /** Writes whose solicited data does not fit the budget yet, oldest first: they get R2Ts once it does. */
    private final ArrayDeque<IscsiTask> awaitingBuffer = new ArrayDeque<>();

    /** Closes a connection still logging in when the login timeout after accept has passed. */
    private ScheduledFuture<?> loginDeadline;

    // Text continuation (RFC 7143 11.10.2)
    private ByteArrayOutputStream textIn;
    private byte[] textOut;
    private int textOutOffset;
    private int textOutTtt = IscsiPdu.RESERVED_TAG;

    // NOP ping and logout
    private int pingTtt = IscsiPdu.RESERVED_TAG;
    private int logoutItt;
    private boolean logoutPending;
    private boolean cleanedUp;
    /** Why the connection is closing, for the session's last log line; null while nobody here chose to close. */
    private String endReason;
    private boolean flushScheduled;
    private final Runnable flushTask = () -> {
        if (flushScheduled) {
            flush();
        }
    };

    public IscsiConnection(TargetServices services, IscsiPduDecoder decoder, IscsiPduEncoder encoder) {
        this.services = services;
        this.decoder = decoder;
        this.encoder = encoder;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // Absolute from accept: bytes trickling in do not extend it (an idle timer would restart on each).
        loginDeadline = ctx.executor().schedule(() -> {
            if (phase == Phase.LOGIN) {
                LOG.info("{}: login not completed within {} ms of connecting", ctx.channel(),
                        services.connectionLimits().loginTimeoutMillis());
                drop("login timed out");
            }
        }, services.connectionLimits().loginTimeoutMillis(), TimeUnit.MILLISECONDS);
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
        ctx.flush();
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
        if (!(evt instanceof IdleStateEvent)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (phase == Phase.FULL_FEATURE || phase == Phase.LOGGING_OUT) {
            if (pingTtt != IscsiPdu.RESERVED_TAG) {
                LOG.warn("{}: no answer to NOP-In ping, dropping the connection", ctx.channel());
                closing("no answer to NOP-In ping");
                ctx.close();
                return;
            }
            // RFC 7143 11.19: a target-initiated ping; ITT reserved, a TTT the initiator echoes, StatSN not advanced.
            pingTtt = newTtt();
            send(NopPdu.nopIn(IscsiPdu.RESERVED_TAG, pingTtt, 0), false);
            flush();
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
        cleanup();
        ctx.fireChannelInactive();
    }

    /** The initiator's address and port; any thread (Netty keeps a channel's remote address once connected). */
    java.net.InetSocketAddress peer() {
        return (java.net.InetSocketAddress) ctx.channel().remoteAddress();
    }

    /** Called from another connection's loop when a new login reinstates this session (RFC 7143 6.3.5). */
    void closeFromOutside(String why) {
        ctx.executor().execute(() -> {
            closing(why);
            ctx.close();
        });
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Dispatch

    private void dispatch(IscsiPdu pdu) {
        int op = pdu.opcode();
        if (phase == Phase.LOGIN) {
            if (op == Opcode.LOGIN_REQUEST) {
                login(pdu);
            } else {
                pdu.release();
                fatal(Opcode.name(op) + " before login completed");
            }
            return;
        }
        switch (op) {
            case Opcode.SCSI_DATA_OUT -> dataOut(pdu);
            case Opcode.SNACK_REQUEST -> {
                // ERL 0: SNACK is not supported (RFC 7143 7.1.5).
                reject(RejectPdu.PROTOCOL_ERROR, pdu.bhs());
                pdu.release();
            }
            case Opcode.LOGIN_REQUEST -> {
                reject(RejectPdu.PROTOCOL_ERROR, pdu.bhs());
                pdu.release();
            }
            case Opcode.NOP_OUT -> {
                if (pdu.itt() == IscsiPdu.RESERVED_TAG) {
                    // An answer to our ping (or a ping needing no answer): not a command, no CmdSN consumed.
                    if (NopPdu.ttt(pdu) == pingTtt) {
                        pingTtt = IscsiPdu.RESERVED_TAG;
                    }
                    pdu.release();
                } else {
                    ordered(pdu);
                }
            }
            default -> ordered(pdu);
        }
    }

    /** CmdSN ordering (RFC 7143 3.2.2.1): immediate commands at once, others in CmdSN order within the window. */
    private void ordered(IscsiPdu pdu) {
        if (phase == Phase.LOGGING_OUT && pdu.opcode() != Opcode.NOP_OUT) {
            reject(RejectPdu.WAITING_FOR_LOGOUT, pdu.bhs());
            pdu.release();
            return;
        }
        if (pdu.immediate()) {
            execute(pdu);
            return;
        }
        int sn = TargetPdu.cmdSn(pdu);
        // The window is what we advertised: with MaxCmdSN = ExpCmdSN - 1 it is closed, even to CmdSN = ExpCmdSN.
        if (!SerialNumber.inWindow(sn, expCmdSn, maxCmdSn)) {
            LOG.debug("{}: dropping {} with CmdSN {} outside [{}, {}]", ctx.channel(), Opcode.name(pdu.opcode()),
                    Integer.toUnsignedString(sn), Integer.toUnsignedString(expCmdSn), Integer.toUnsignedString(maxCmdSn));
            pdu.release();
        } else if (sn == expCmdSn) {
            expCmdSn++;
            execute(pdu);
            drainPending();
        } else {
            long held = pendingDataBytes() + pdu.data().readableBytes();
            if (held > services.connectionLimits().writeBufferBytes()) {
                // Over one TCP connection nothing is lost, so a CmdSN gap is the initiator's choice: it may not
                // park more data behind it than a connection may buffer for writes.
                pdu.release();
                fatal("commands behind a CmdSN gap hold " + held + " bytes of data, over the write buffer budget");
                return;
            }
            IscsiPdu old = pending.putIfAbsent(sn, pdu);
            if (old != null) {
                pdu.release(); // a duplicate CmdSN: keep the first
            }
        }
    }

    /** Data segments of the commands waiting for their CmdSN (computed only when one more is to wait). */
    private long pendingDataBytes() {
        long n = 0;
        for (IscsiPdu p : pending.values()) {
            n += p == SKIPPED ? 0 : p.data().readableBytes();
        }
        return n;
    }

    private void drainPending() {
        IscsiPdu p;
        while (phase != Phase.CLOSED && (p = pending.remove(expCmdSn)) != null) {
            expCmdSn++;
            if (p != SKIPPED) {
                execute(p);
            }
        }
    }

    private void execute(IscsiPdu pdu) {
        switch (pdu.opcode()) {
            case Opcode.SCSI_COMMAND -> scsiCommand(pdu);
            case Opcode.NOP_OUT -> nopOut(pdu);
            case Opcode.TASK_MGMT_REQUEST -> taskManagement(pdu);
            case Opcode.TEXT_REQUEST -> text(pdu);
            case Opcode.LOGOUT_REQUEST -> logout(pdu);
            default -> {
                reject(RejectPdu.COMMAND_NOT_SUPPORTED, pdu.bhs());
                pdu.release();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Login (RFC 7143 6, 11.12, 11.13)

    private void login(IscsiPdu pdu) {
        try {
            if (loginPending) {
                throw new LoginException(LoginPdu.INITIATOR_ERROR, "Login Request while the previous one is pending");
            }
            if (!loginStarted) {
                loginStarted = true;
                isid = LoginPdu.isid(pdu);
                loginTsih = LoginPdu.tsih(pdu);
                loginItt = pdu.itt();
                cid = LoginPdu.cid(pdu);
                expCmdSn = TargetPdu.cmdSn(pdu);
                // A window of one (login requests do not advance CmdSN) until the target, and so its window, is known.
                maxCmdSn = expCmdSn;
                statSn = TargetPdu.expStatSn(pdu);
                negotiator = new LoginNegotiator(services.registry(), services.limits());
                if (LoginPdu.versionMin(pdu) > LoginPdu.VERSION || LoginPdu.versionMax(pdu) < LoginPdu.VERSION) {
                    throw new LoginException(LoginPdu.UNSUPPORTED_VERSION, "version range " + LoginPdu.versionMin(pdu)
                            + "-" + LoginPdu.versionMax(pdu));
                }
            } else if (LoginPdu.isid(pdu) != isid || LoginPdu.tsih(pdu) != loginTsih) {
                throw new LoginException(LoginPdu.INITIATOR_ERROR, "ISID/TSIH changed during login");
            }
            loginItt = pdu.itt();
            boolean transit = LoginPdu.transit(pdu);
            boolean cont = LoginPdu.cont(pdu);
            if (transit && cont) {
                throw new LoginException(LoginPdu.INITIATOR_ERROR, "T and C both set");
            }
            if (loginText == null) {
                loginText = new ByteArrayOutputStream();
            }
            ByteBuf d = pdu.data();
            if (loginText.size() + d.readableBytes() > 65536) {
                throw new LoginException(LoginPdu.INITIATOR_ERROR, "login text too long");
            }
            byte[] chunk = new byte[d.readableBytes()];
            d.readBytes(chunk);
            loginText.writeBytes(chunk);
            int csg = LoginPdu.csg(pdu);
            if (cont) {
                // 6.2 / 11.12.2: acknowledge the partial text with an empty response; answer when it is complete.
                sendLogin(LoginPdu.stageFlags(false, false, csg, 0), 0, LoginPdu.SUCCESS, List.of());
                flush();
                return;
            }
            List<Map.Entry<String, String>> keys;
            try {
                keys = TextKeys.parse(loginText.toByteArray());
            } catch (IllegalArgumentException e) {
                throw new LoginException(LoginPdu.INITIATOR_ERROR, e.getMessage());
            }
            loginText = null;
            LoginNegotiator.Step step = negotiator.process(csg, transit, LoginPdu.nsg(pdu), keys);
            if (!step.fullFeature()) {
                sendLogin(LoginPdu.stageFlags(step.transit(), false, step.csg(), step.nsg()), 0, LoginPdu.SUCCESS,
                        step.keys());
                flush();
                return;
            }
            completeLogin(step);
        } catch (LoginException e) {
            loginFailed(e);
        } finally {
            pdu.release();
        }
    }

    private void completeLogin(LoginNegotiator.Step step) throws LoginException {
        SessionParameters p = negotiator.parameters();
        SessionTable table = services.sessions();
        if (loginTsih != 0) {
            // Adding a connection to an existing session: MaxConnections is 1 (RFC 7143 6.3.4).
            if (table.byTsih(loginTsih) == null) {
                throw new LoginException(LoginPdu.SESSION_DOES_NOT_EXIST, "no session with TSIH " + loginTsih);
            }
            throw new LoginException(LoginPdu.TOO_MANY_CONNECTIONS, "MaxConnections is 1");
        }
        IscsiSession.Key key = IscsiSession.Key.of(p.initiatorName, isid, p.discovery() ? "" : p.targetName);
        IscsiSession old = p.discovery() ? null : table.byKey(key);
        if (old == null) {
            startSession(step, key);
            return;
        }
        // Session reinstatement (RFC 7143 6.3.5): close the old session, answer once it is gone.
        LOG.info("{}: reinstating {}", ctx.channel(), old);
        loginPending = true;
        old.close();
        old.ended.whenComplete((v, t) -> ctx.executor().execute(() -> {
            loginPending = false;
            if (phase != Phase.LOGIN || !ctx.channel().isActive()) {
                return;
            }
            try {
                startSession(step, key);
            } catch (LoginException e) {
                loginFailed(e);
            } catch (RuntimeException e) {
                LOG.warn("{}: login failed", ctx.channel(), e);
                ctx.close();
            }
        }));
        ctx.executor().schedule(() -> {
            if (loginPending && phase == Phase.LOGIN && !old.ended.isDone()) {
                LOG.warn("{}: old session {} did not end, failing reinstatement", ctx.channel(), old);
                loginPending = false;
                loginFailed(new LoginException(LoginPdu.SERVICE_UNAVAILABLE, "old session still closing"));
            }
        }, 30, TimeUnit.SECONDS);
    }

    private void startSession(LoginNegotiator.Step step, IscsiSession.Key key) throws LoginException {
        SessionParameters p = negotiator.parameters();
        SessionTable table = services.sessions();
        Export export = negotiator.export();
        CommandSet scsiTarget = null;
        ItNexus nexus = null;
        if (!p.discovery()) {
            if (services.registry().export(LoginNegotiator.PROTOCOL, export.name()) != export) {
                export = services.registry().export(LoginNegotiator.PROTOCOL, export.name());
                if (export == null) {
                    throw new LoginException(LoginPdu.TARGET_REMOVED, "target removed during login");
                }
                if (!export.admits(p.initiatorName)) {
                    throw new LoginException(LoginPdu.AUTHORIZATION_FAILURE, "removed from the ACL during login");
                }
            }
            scsiTarget = services.commandSet(export);
            ScsiPort port = new ScsiPort(export.name(), String.format("%s,t,0x%04x", export.name(), TPGT), 1, 1,
                    ScsiPort.PROTOCOL_ISCSI);
            nexus = new ItNexus(String.format("%s,i,0x%012x", p.initiatorName, isid), p.initiatorName, isid, port);
        }
        int tsih = table.allocateTsih();
        if (tsih == SessionTable.NO_TSIH) {
            throw new LoginException(LoginPdu.OUT_OF_RESOURCES, "every TSIH is in use");
        }
        IscsiSession s = new IscsiSession(key, tsih, isid, p, export, scsiTarget, nexus, this);
        if (p.discovery()) {
            int maxDiscovery = services.connectionLimits().discoverySessions();
            if (!table.addDiscoveryWithin(s, maxDiscovery)) {
                table.release(tsih);
                throw new LoginException(LoginPdu.OUT_OF_RESOURCES, "the maximum of " + maxDiscovery
                        + " discovery sessions is reached");
            }
            window = services.commandWindow();
        } else {
            int maxSessions = export.iscsi().maxSessionsOrDefault();
            if (!table.addWithin(s, maxSessions)) {
                table.release(tsih);
                throw new LoginException(LoginPdu.OUT_OF_RESOURCES, "target " + export.name() + " has its maximum of "
                        + maxSessions + " sessions");
            }
            Integer depth = export.iscsi().commandsPerSession();
            window = depth != null ? depth : services.commandWindow();
        }
        this.session = s;
        this.params = p;
        this.target = scsiTarget;
        this.queue = services.completionQueue(ctx.executor());
        sendLogin(LoginPdu.stageFlags(true, false, step.csg(), LoginPdu.STAGE_FULL_FEATURE), tsih, LoginPdu.SUCCESS,
                step.keys());
        flush();
        // Digests and our receive limit apply from the next PDU on (RFC 7143 13.1, 13.12).
        encoder.digests(p.headerDigest, p.dataDigest);
        decoder.digests(p.headerDigest, p.dataDigest);
        decoder.maxRecvDataSegmentLength(p.targetMaxRecvDataSegmentLength);
        phase = Phase.FULL_FEATURE;
        if (loginDeadline != null) {
            loginDeadline.cancel(false);
        }
        SessionLog.loggedIn(ctx.channel(), s, negotiator.authentication());
        LOG.debug("{}: {} negotiated {}", ctx.channel(), s, p);
        negotiator = null;
    }

    private void sendLogin(int flags, int tsih, int status, List<Map.Entry<String, String>> keys) {
        IscsiPdu r = LoginPdu.response(flags, isid, tsih, loginItt, status);
        r.data(TextKeys.encodeBuf(keys));
        send(r, true);
    }

    private void loginFailed(LoginException e) {
        SessionLog.loginFailed(ctx.channel(), negotiator.parameters(), e.status(), e.getMessage());
        negotiator = null;
        sendLogin(0, 0, e.status(), List.of());
        phase = Phase.CLOSED;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void fatal(String why) {
        LOG.info("{}: {}; dropping the connection", ctx.channel(), why);
        drop(why);
    }

    /** Closes the connection now: nothing more is read from it or done for it (PDUs already decoded included). */
    private void drop(String why) {
        closing(why);
        phase = Phase.CLOSED;
        ctx.close();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // SCSI commands and data (RFC 7143 11.3, 11.7, 11.8)

    private void scsiCommand(IscsiPdu pdu) {
        ScsiCommandPdu c = new ScsiCommandPdu(pdu);
        try {
            if (session.discovery()) {
                reject(RejectPdu.PROTOCOL_ERROR, pdu.bhs());
                return;
            }
            int itt = c.itt();
            if (itt == IscsiPdu.RESERVED_TAG) {
                reject(RejectPdu.INVALID_PDU_FIELD, pdu.bhs());
                return;
            }
            if (tasks.containsKey(itt)) {
                reject(RejectPdu.TASK_IN_PROGRESS, pdu.bhs());
                return;
            }
            if (pdu.immediate() && tasks.size() > window) {
                // Immediate commands bypass the CmdSN window (RFC 7143 3.2.2.1), which must still hold one: past
                // that the task set is full (SAM-5 5.3), so a flood of them cannot pile up.
                send(ScsiResponsePdu.create().itt(itt).status(ScsiResponse.TASK_SET_FULL).pdu(), true);
                return;
            }
            byte[] cdb = c.cdb();
            int edtl = c.expectedDataTransferLength();
            int immediate = pdu.data().readableBytes();
            if (cdb == null || edtl < 0) {
                reject(RejectPdu.INVALID_PDU_FIELD, pdu.bhs());
                return;
            }
            if (immediate > 0 && (!c.write() || !params.immediateData || immediate > params.firstBurstLength
                    || immediate > edtl)) {
                reject(RejectPdu.PROTOCOL_ERROR, pdu.bhs());
                return;
            }
            if (c.write() && edtl > MAX_WRITE_TRANSFER) {
                send(ScsiResponsePdu.create().itt(itt).response(ScsiResponsePdu.RESPONSE_TARGET_FAILURE).pdu(), true);
                return;
            }
            IscsiTask t = new IscsiTask(this, itt, c.cmdSn(), c.lun(), cdb, edtl, c.read(), c.write(),
                    TaskAttribute.fromIscsi(c.attribute()), session.nexus);
            tasks.put(itt, t);
            if (!c.write() || edtl == 0 || !target.acceptsDataOut(t)) {
                // A write the command set refuses without reading its data (a LUN this initiator does not see, an
                // unknown operation code) runs at once: no buffer, and its unsolicited data is discarded.
                run(t);
                return;
            }
            // Unsolicited Data-Out may follow up to FirstBurstLength unless F is set (11.3.1, 13.10, 13.14).
            t.unsolicitedEnd = c.finalBit() || params.initialR2T ? immediate : Math.min(params.firstBurstLength, edtl);
            t.nextR2tOffset = Math.max(t.unsolicitedEnd, immediate);
            if (awaitingBuffer.isEmpty() && fitsBudget(t)) {
                admit(t);
            } else if (t.unsolicitedEnd > 0) {
                // Data we did not ask for is here or on its way, and buffering it would pass the budget: push back
                // (SAM-5 5.3: the task set lacks the resources); its Data-Out is discarded, the initiator retries.
                tasks.remove(itt, t);
                send(ScsiResponsePdu.create().itt(itt).status(ScsiResponse.TASK_SET_FULL).pdu(), true);
                return;
            } else {
                awaitingBuffer.add(t); // no R2T, and so no data and no buffer, until the budget has room
            }
            if (immediate > 0) {
                chunk(t, 0, t.unsolicitedEnd);
                store(t, 0, pdu.data(), immediate);
                t.received = immediate;
                t.unsolicitedOffset = immediate;
            }
            if (t.received >= edtl) {
                run(t);
            }
        } finally {
            pdu.release();
        }
    }

    /**
     * Whether a write may take buffers: its whole length fits the connection's write-buffer budget beside the
     * writes admitted before, or no other write holds any (so one write of any accepted size proceeds). The bytes
     * a connection buffers for writes never exceed the larger of the budget and {@link #MAX_WRITE_TRANSFER}.
     */
    private boolean fitsBudget(IscsiTask t) {
        return writeReserved == 0
                || writeReserved + t.expectedLength <= services.connectionLimits().writeBufferBytes();
    }

    /** Reserves the write's length in the budget and solicits its data; buffers are allocated as data is allowed. */
    private void admit(IscsiTask t) {
        t.admitted = true;
        t.reserved = t.expectedLength;
        writeReserved += t.reserved;
        if ((long) t.expectedLength - t.nextR2tOffset <= (long) params.maxOutstandingR2T * params.maxBurstLength) {
            // The first round of R2Ts asks for all of it anyway: one contiguous buffer, which a block backend
            // writes in place (the chunks of a longer write reach it joined, through a bounce buffer).
            chunk(t, 0, t.expectedLength);
        }
        solicit(t);
    }

    /** Budget came free: the oldest waiting writes that now fit get their R2Ts. */
    private void admitWaiting() {
        boolean admitted = false;
        while (phase == Phase.FULL_FEATURE && !awaitingBuffer.isEmpty() && fitsBudget(awaitingBuffer.peek())) {
            admit(awaitingBuffer.poll());
            admitted = true;
        }
        if (admitted) {
            flushSoon();
        }
    }

    /**
     * Sends R2Ts while fewer than MaxOutstandingR2T are open, each for at most MaxBurstLength (11.8, 13.13, 13.17);
     * each R2T's buffer is allocated as it goes out.
     */
    private void solicit(IscsiTask t) {
        if (!t.admitted) {
            return;
        }
        while (t.r2ts.size() < params.maxOutstandingR2T && t.nextR2tOffset < t.expectedLength) {
            int len = Math.min(params.maxBurstLength, t.expectedLength - t.nextR2tOffset);
            int ttt = newTtt();
            chunk(t, t.nextR2tOffset, len);
            t.r2ts.add(new IscsiTask.R2t(ttt, t.nextR2tOffset, len));
            R2tPdu r = R2tPdu.create().itt(t.itt).lun(t.lun).ttt(ttt).r2tSn(t.sn++).bufferOffset(t.nextR2tOffset)
                    .desiredLength(len);
            t.nextR2tOffset += len;
            send(r.pdu(), false);
        }
    }

    private void dataOut(IscsiPdu pdu) {
        try {
            DataOutPdu d = new DataOutPdu(pdu);
            IscsiTask t = tasks.get(d.itt());
            if (t == null || t.state != IscsiTask.State.COLLECTING) {
                // Data for a task we aborted or never had: discard (RFC 7143 11.7.4 allows no answer at ERL 0).
                LOG.debug("{}: discarding Data-Out for unknown ITT 0x{}", ctx.channel(), Integer.toHexString(d.itt()));
                return;
            }
            int off = d.bufferOffset();
            int len = pdu.data().readableBytes();
            if (off < 0 || len > t.expectedLength - off) {
                reject(RejectPdu.PROTOCOL_ERROR, pdu.bhs());
                return;
            }
            IscsiTask.R2t r2t = null;
            if (d.ttt() == IscsiPdu.RESERVED_TAG) {
                if (off + len > t.unsolicitedEnd) {
                    reject(RejectPdu.PROTOCOL_ERROR, pdu.bhs());
                    return;
                }
                if (d.dataSn() != t.unsolicitedDataSn || (params.dataPduInOrder && off != t.unsolicitedOffset)) {
                    sequenceError(t, d, t.unsolicitedDataSn);
                    return;
                }
                t.unsolicitedDataSn++;
                t.unsolicitedOffset = off + len;
                if (d.finalBit() && t.unsolicitedOffset < t.unsolicitedEnd && params.dataPduInOrder) {
                    // The initiator ended its unsolicited burst early: solicit what it left out.
                    int ttt = newTtt();
                    int gap = t.unsolicitedEnd - t.unsolicitedOffset;
                    chunk(t, t.unsolicitedOffset, gap);
                    t.r2ts.add(new IscsiTask.R2t(ttt, t.unsolicitedOffset, gap));
                    send(R2tPdu.create().itt(t.itt).lun(t.lun).ttt(ttt).r2tSn(t.sn++).bufferOffset(t.unsolicitedOffset)
                            .desiredLength(gap).pdu(), false);
                    t.unsolicitedEnd = t.unsolicitedOffset;
                }
            } else {
                r2t = t.r2t(d.ttt());
                if (r2t == null || off < r2t.offset || off + len > r2t.offset + r2t.length) {
                    reject(RejectPdu.INVALID_PDU_FIELD, pdu.bhs());
                    return;
                }
                if (d.dataSn() != r2t.nextDataSn
                        || (params.dataPduInOrder && off != r2t.offset + r2t.received)) {
                    sequenceError(t, d, r2t.nextDataSn);
                    return;
                }
                r2t.nextDataSn++;
                r2t.received += len;
            }
            if (len > 0) {
                if (r2t == null) {
                    chunk(t, 0, t.unsolicitedEnd); // the unsolicited burst's buffer, on its first byte
                }
                store(t, off, pdu.data(), len);
                t.received += len;
            }
            if (r2t != null && (d.finalBit() || r2t.received >= r2t.length)) {
                t.r2ts.remove(r2t);
            }
            if (t.received >= t.expectedLength) {
                t.r2ts.clear();
                run(t);
            } else {
                solicit(t);
            }
        } finally {
            pdu.release();
        }
    }

    /**
     * A Data-Out out of sequence (DataSN or offset). ErrorRecoveryLevel 0 has no within-command recovery, so the
     * command ends: CHECK CONDITION, ABORTED COMMAND / DATA PHASE ERROR (SPC-4 4Bh/00h); its remaining Data-Out is
     * discarded. The connection stays up.
     */
    private void sequenceError(IscsiTask t, DataOutPdu d, int expectedDataSn) {
        LOG.info("{}: Data-Out for {} out of sequence (DataSN {}, expected {}, offset {}); failing the command",
                ctx.channel(), t, Integer.toUnsignedString(d.dataSn()), expectedDataSn,
                Integer.toUnsignedString(d.bufferOffset()));
        t.state = IscsiTask.State.DONE;
        t.r2ts.clear();
        releaseData(t);
        tasks.remove(t.itt, t);
        byte[] sense = new byte[18];
        sense[0] = 0x70;           // current error, fixed format
        sense[2] = 0x0b;           // ABORTED COMMAND
        sense[7] = 10;
        sense[12] = 0x4b;          // DATA PHASE ERROR
        ByteBuf b = Unpooled.buffer(2 + sense.length);
        b.writeShort(sense.length).writeBytes(sense);
        send(ScsiResponsePdu.create().itt(t.itt).status(ScsiResponse.CHECK_CONDITION).expDataSn(t.sn).pdu().data(b), true);
        taskGone(t);
    }

    /**
     * The buffer for Data-Out at [offset, offset + length) unless one allowed earlier covers offset (the unsolicited
     * burst's covers the gap an early F leaves in it). Counted in the pool's bytes only from here.
     */
    private static void chunk(IscsiTask t, int offset, int length) {
        if (length > 0 && t.chunkAt(offset) == null) {
            ByteBuf b = IoBuffers.allocate(length);
            b.writerIndex(length);
            t.chunks.put(offset, b);
        }
    }

    /** Copies Data-Out into the chunk its range was allowed in (the callers checked the range against it). */
    private static void store(IscsiTask t, int offset, ByteBuf data, int length) {
        Map.Entry<Integer, ByteBuf> c = t.chunks.floorEntry(offset);
        c.getValue().setBytes(offset - c.getKey(), data, data.readerIndex(), length);
    }

    /** The chunks, in offset order, as the one buffer the command set reads (no copy). */
    private static ByteBuf joined(IscsiTask t) {
        if (t.chunks.size() == 1) {
            return t.chunks.pollFirstEntry().getValue();
        }
        CompositeByteBuf all = ByteBufAllocator.DEFAULT.compositeDirectBuffer(t.chunks.size());
        while (!t.chunks.isEmpty()) {
            all.addComponent(true, t.chunks.pollFirstEntry().getValue());
        }
        return all;
    }

    /** Hands a task whose data is complete to the command set. */
    private void run(IscsiTask t) {
        t.state = IscsiTask.State.EXECUTING;
        if (!t.chunks.isEmpty()) {
            t.dataOut = joined(t);
        }
        try {
            target.execute(t, queue);
        } catch (RuntimeException e) {
            if (t.state == IscsiTask.State.EXECUTING) {
                if (e instanceof UnsupportedOperationException) {
                    LOG.warn("{}: command set failed on {}: {}", ctx.channel(), t, e.toString());
                } else {
                    LOG.warn("{}: command set failed on {}", ctx.channel(), t, e);
                }
                failTask(t);
            }
        }
    }

    /** Ends a task with iSCSI Response "Target Failure" (11.4.3) when the command set could not run it. */
    private void failTask(IscsiTask t) {
        t.state = IscsiTask.State.DONE;
        releaseData(t);
        tasks.remove(t.itt, t);
        if (!t.aborted && phase != Phase.CLOSED) {
            send(ScsiResponsePdu.create().itt(t.itt).response(ScsiResponsePdu.RESPONSE_TARGET_FAILURE)
                    .expDataSn(t.sn).pdu(), true);
            flush();
        }
        taskGone(t);
    }

    /** {@link IscsiTask#complete}: on this loop, exactly once per task. */
    void taskCompleted(IscsiTask t, ScsiResponse r) {
        ByteBuf in = r == null ? null : r.dataIn();
        try {
            if (t.state == IscsiTask.State.DONE) {
                return;
            }
            t.state = IscsiTask.State.DONE;
            releaseData(t);
            tasks.remove(t.itt, t);
            if (t.aborted || phase == Phase.CLOSED || r == null) {
                return;
            }
            if (t.preempted) {
                sendTaskAborted(t);
                return;
            }
            respond(t, r, in);
            in = null; // respond() consumed it
            flushSoon();
        } catch (Throwable e) {
            // Never into the completion queue's drain loop, which serves the loop's other connections too.
            LOG.warn("{}: error completing {}", ctx.channel(), t, e);
            drop("internal error");
        } finally {
            if (in != null) {
                ReferenceCountUtil.safeRelease(in);
            }
            taskGone(t);
        }
    }

    /**
     * PREEMPT AND ABORT by one of this connection's tasks: the sessions of the same target whose nexus was preempted
     * abort their tasks on the LUN, each on its own loop.
     */
    void abortTasksOf(long lun, java.util.function.Predicate<ItNexus> preempted) {
        for (IscsiSession s : services.sessions().all()) {
            if (s.nexus != null && s != session && s.export.name().equalsIgnoreCase(session.export.name())
                    && preempted.test(s.nexus)) {
                s.connection.preemptedOn(lun);
            }
        }
    }

    /**
     * Another I_T nexus preempted this one with PREEMPT AND ABORT (SPC-4 5.13.11.2.5): its tasks on the LUN are
     * aborted and, as the Control mode page has TAS=1, end with TASK ABORTED (SAM-5 5.6). A task still collecting
     * Data-Out ends at once; one in the backend when it comes back.
     */
    private void preemptedOn(long lun) {
        ctx.executor().execute(() -> {
            for (IscsiTask t : List.copyOf(tasks.values())) {
                if (t.aborted || t.preempted || Luns.decode(t.lun) != lun) {
                    continue;
                }
                t.preempted = true;
                if (t.state == IscsiTask.State.COLLECTING) {
                    t.state = IscsiTask.State.DONE;
                    t.r2ts.clear();
                    releaseData(t);
                    tasks.remove(t.itt, t);
                    if (phase != Phase.CLOSED) {
                        sendTaskAborted(t);
                    }
                    taskGone(t);
                }
            }
            flushSoon();
        });
    }

    private void sendTaskAborted(IscsiTask t) {
        send(ScsiResponsePdu.create().itt(t.itt).status(ScsiResponse.TASK_ABORTED).expDataSn(t.sn).pdu(), true);
        flushSoon();
    }

    /** Frees a task's write data and gives its reservation back to the budget (admitting waiting writes). */
    private void releaseData(IscsiTask t) {
        if (t.dataOut != null) {
            t.dataOut.release();
            t.dataOut = null;
        }
        t.chunks.values().forEach(ByteBuf::release);
        t.chunks.clear();
        if (!t.admitted) {
            awaitingBuffer.remove(t);
        } else if (t.reserved > 0) {
            writeReserved -= t.reserved;
            t.reserved = 0;
            admitWaiting();
        }
    }

    /** Data-In (split by the initiator's MaxRecvDataSegmentLength) and status (11.7, 11.4). */
    private void respond(IscsiTask t, ScsiResponse r, ByteBuf in) {
        int residual = r.residual();
        int flags = residual > 0 ? ScsiResponsePdu.FLAG_UNDERFLOW : residual < 0 ? ScsiResponsePdu.FLAG_OVERFLOW : 0;
        int residualCount = residual == Integer.MIN_VALUE ? Integer.MAX_VALUE : Math.abs(residual);
        byte[] sense = r.sense();
        boolean hasSense = sense != null && sense.length > 0;
        // 11.7.4: status may ride on the last Data-In only for a command that did not end in an exception.
        boolean collapse = !hasSense && (r.status() == ScsiResponse.GOOD || r.status() == ScsiResponse.CONDITION_MET);
        int len = in == null ? 0 : Math.min(in.readableBytes(), t.expectedLength);
        try {
            if (len > 0) {
                int mrdsl = params.initiatorMaxRecvDataSegmentLength;
                int base = in.readerIndex();
                for (int off = 0; off < len; ) {
                    int n = Math.min(mrdsl, len - off);
                    boolean last = off + n == len;
                    DataInPdu d = DataInPdu.create().itt(t.itt).lun(t.lun).dataSn(t.sn++).bufferOffset(off);
                    d.pdu().data(in.retainedSlice(base + off, n));
                    if (last && collapse) {
                        d.flags(DataInPdu.FLAG_FINAL | DataInPdu.FLAG_STATUS | flags).status(r.status())
                                .residualCount(residualCount);
                        send(d.pdu(), true);
                        return;
                    }
                    d.flags(last ? DataInPdu.FLAG_FINAL : 0);
                    sendDataIn(d.pdu());
                    off += n;
                }
            }
        } finally {
            if (in != null) {
                in.release();
            }
        }
        ScsiResponsePdu s = ScsiResponsePdu.create().itt(t.itt).residualFlags(flags).status(r.status())
                .response(ScsiResponsePdu.RESPONSE_COMPLETED).expDataSn(t.sn).residualCount(residualCount);
        if (hasSense) {
            ByteBuf b = Unpooled.buffer(2 + sense.length);
            b.writeShort(sense.length).writeBytes(sense);   // 11.4.7: SenseLength, then the sense data
            s.pdu().data(b);
        }
        send(s.pdu(), true);
    }

    /** A Data-In without status: StatSN is reserved, only ExpCmdSN/MaxCmdSN are current. */
    private void sendDataIn(IscsiPdu p) {
        TargetPdu.sequence(p, 0, expCmdSn, maxCmdSn());
        ctx.write(p, ctx.voidPromise());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // NOP-Out (11.18), Text (11.10), Logout (11.14)

    private void nopOut(IscsiPdu pdu) {
        try {
            ByteBuf data = pdu.data();
            int n = Math.min(data.readableBytes(), params.initiatorMaxRecvDataSegmentLength);
            IscsiPdu r = NopPdu.nopIn(pdu.itt(), IscsiPdu.RESERVED_TAG, pdu.lun());
            if (n > 0) {
                r.data(data.retainedSlice(data.readerIndex(), n));
            }
            send(r, true);
        } finally {
            pdu.release();
        }
    }

    private void text(IscsiPdu pdu) {
        try {
            int ttt = TextPdu.ttt(pdu);
            if (ttt != IscsiPdu.RESERVED_TAG && ttt == textOutTtt && textOut != null) {
                sendTextChunk(pdu.itt(), pdu.lun());
                return;
            }
            textOut = null;
            textOutTtt = IscsiPdu.RESERVED_TAG;
            if (textIn == null) {
                textIn = new ByteArrayOutputStream();
            }
            ByteBuf d = pdu.data();
            if (textIn.size() + d.readableBytes() > 65536) {
                textIn = null;
                reject(RejectPdu.PROTOCOL_ERROR, pdu.bhs());
                return;
            }
            byte[] chunk = new byte[d.readableBytes()];
            d.readBytes(chunk);
            textIn.writeBytes(chunk);
            if (TextPdu.cont(pdu)) {
                // More request text follows: an empty response with a TTT asks for it (11.10.2).
                send(TextPdu.response(false, false, pdu.itt(), newTtt(), pdu.lun()), true);
                return;
            }
            List<Map.Entry<String, String>> keys;
            try {
                keys = TextKeys.parse(textIn.toByteArray());
            } catch (IllegalArgumentException e) {
                textIn = null;
                reject(RejectPdu.PROTOCOL_ERROR, pdu.bhs());
                return;
            }
            textIn = null;
            List<Map.Entry<String, String>> out = new ArrayList<>();
            for (Map.Entry<String, String> kv : keys) {
                if (kv.getKey().equals("SendTargets")) {
                    out.addAll(SendTargets.answer(services, kv.getValue(), session.discovery(), session.export,
                            params.initiatorName, (InetSocketAddress) ctx.channel().localAddress()));
                } else {
                    out.add(Map.entry(kv.getKey(), "NotUnderstood"));
                }
            }
            textOut = TextKeys.encode(out);
            textOutOffset = 0;
            sendTextChunk(pdu.itt(), pdu.lun());
        } finally {
            pdu.release();
        }
    }

    private void sendTextChunk(int itt, long lun) {
        int n = Math.min(textOut.length - textOutOffset, params.initiatorMaxRecvDataSegmentLength);
        boolean last = textOutOffset + n == textOut.length;
        int ttt = last ? IscsiPdu.RESERVED_TAG : newTtt();
        IscsiPdu r = TextPdu.response(last, !last, itt, ttt, lun);
        r.data(n == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(textOut, textOutOffset, n));
        textOutOffset += n;
        if (last) {
            textOut = null;
            textOutTtt = IscsiPdu.RESERVED_TAG;
        } else {
            textOutTtt = ttt;
        }
        send(r, true);
    }

    private void logout(IscsiPdu pdu) {
        try {
            int reason = LogoutPdu.reason(pdu);
            if (reason == LogoutPdu.REMOVE_CONNECTION_FOR_RECOVERY) {
                send(LogoutPdu.response(pdu.itt(), LogoutPdu.RECOVERY_NOT_SUPPORTED, 0, 0), true);
                return;
            }
            if (reason == LogoutPdu.CLOSE_CONNECTION && LogoutPdu.cid(pdu) != cid) {
                send(LogoutPdu.response(pdu.itt(), LogoutPdu.CID_NOT_FOUND, 0, 0), true);
                return;
            }
            if (reason != LogoutPdu.CLOSE_SESSION && reason != LogoutPdu.CLOSE_CONNECTION) {
                reject(RejectPdu.INVALID_PDU_FIELD, pdu.bhs());
                return;
            }
            logoutPending = true;
            logoutItt = pdu.itt();
            phase = Phase.LOGGING_OUT;
            // Tasks still waiting for Data-Out will never get it now.
            for (IscsiTask t : new ArrayList<>(tasks.values())) {
                if (t.state == IscsiTask.State.COLLECTING) {
                    t.aborted = true;
                    t.state = IscsiTask.State.DONE;
                    releaseData(t);
                    tasks.remove(t.itt, t);
                }
            }
            maybeFinishLogout();
        } finally {
            pdu.release();
        }
    }

    /** The Logout Response goes out once the connection's tasks have completed (RFC 7143 11.14). */
    private void maybeFinishLogout() {
        if (!logoutPending || !tasks.isEmpty() || phase == Phase.CLOSED) {
            return;
        }
        logoutPending = false;
        closing(SessionLog.LOGOUT);
        send(LogoutPdu.response(logoutItt, LogoutPdu.CLOSED_SUCCESSFULLY, 0, 0), true);
        phase = Phase.CLOSED;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Task management (RFC 7143 11.5, 11.6)

    private void taskManagement(IscsiPdu pdu) {
        try {
            int fn = TaskMgmtPdu.function(pdu);
            long lun = pdu.lun();
            int itt = pdu.itt();
            if (session.discovery()) {
                reject(RejectPdu.PROTOCOL_ERROR, pdu.bhs());
                return;
            }
            switch (fn) {
                case TaskMgmtPdu.ABORT_TASK -> abortTask(pdu, itt, lun);
                case TaskMgmtPdu.ABORT_TASK_SET, TaskMgmtPdu.CLEAR_TASK_SET -> {
                    if (!lunExists(lun)) {
                        tmfRespond(itt, TaskMgmtPdu.LUN_DOES_NOT_EXIST);
                        return;
                    }
                    abortAndRespond(itt, collect(lun, TargetPdu.cmdSn(pdu)), false);
                }
                case TaskMgmtPdu.LOGICAL_UNIT_RESET -> {
                    if (!lunExists(lun)) {
                        tmfRespond(itt, TaskMgmtPdu.LUN_DOES_NOT_EXIST);
                        return;
                    }
                    Set<IscsiTask> victims = collect(lun, TargetPdu.cmdSn(pdu));
                    try {
                        target.logicalUnitReset(lun, session.nexus);
                    } catch (RuntimeException e) {
                        LOG.warn("{}: logical unit reset of LUN {} failed", ctx.channel(), lun, e);
                    }
                    abortAndRespond(itt, victims, false);
                }
                case TaskMgmtPdu.TARGET_WARM_RESET, TaskMgmtPdu.TARGET_COLD_RESET -> {
                    Set<IscsiTask> victims = collect(null, TargetPdu.cmdSn(pdu));
                    try {
                        target.targetReset(session.nexus);
                    } catch (RuntimeException e) {
                        LOG.warn("{}: target reset failed", ctx.channel(), e);
                    }
                    abortAndRespond(itt, victims, fn == TaskMgmtPdu.TARGET_COLD_RESET);
                }
                case TaskMgmtPdu.TASK_REASSIGN -> tmfRespond(itt, TaskMgmtPdu.REASSIGNMENT_NOT_SUPPORTED);
                default -> tmfRespond(itt, TaskMgmtPdu.FUNCTION_NOT_SUPPORTED);
            }
        } finally {
            pdu.release();
        }
    }

    private void abortTask(IscsiPdu pdu, int itt, long lun) {
        int ref = TaskMgmtPdu.referencedTaskTag(pdu);
        IscsiTask t = tasks.get(ref);
        if (t != null) {
            if (t.lun != lun && !lunExists(lun)) {
                tmfRespond(itt, TaskMgmtPdu.LUN_DOES_NOT_EXIST);
                return;
            }
            abortAndRespond(itt, new HashSet<>(List.of(t)), false);
            return;
        }
        if (!lunExists(lun)) {
            tmfRespond(itt, TaskMgmtPdu.LUN_DOES_NOT_EXIST);
            return;
        }
        // 11.6.1: the task is unknown. Waiting in our CmdSN queue: drop it; its CmdSN counts as received.
        for (Iterator<Map.Entry<Integer, IscsiPdu>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, IscsiPdu> e = it.next();
            IscsiPdu p = e.getValue();
            if (p != SKIPPED && p.opcode() == Opcode.SCSI_COMMAND && p.itt() == ref) {
                p.release();
                e.setValue(SKIPPED);
                tmfRespond(itt, TaskMgmtPdu.FUNCTION_COMPLETE);
                return;
            }
        }
        int refCmdSn = TaskMgmtPdu.refCmdSn(pdu);
        int tmfCmdSn = TargetPdu.cmdSn(pdu);
        // 11.5.1 b)/c): only a RefCmdSN inside the valid window [ExpCmdSN, MaxCmdSN] means "not yet received";
        // one below ExpCmdSN was received and has completed (its response already went out), so the task no
        // longer exists - answering Function complete would claim an abort that never happened (LIO agrees).
        if (SerialNumber.le(expCmdSn, refCmdSn) && SerialNumber.le(refCmdSn, maxCmdSn)
                && SerialNumber.lt(refCmdSn, tmfCmdSn) && !pending.containsKey(refCmdSn)) {
            // Within the window and before the TMF: consider it received (never to be executed).
            pending.put(refCmdSn, SKIPPED);
            drainPending();
            tmfRespond(itt, TaskMgmtPdu.FUNCTION_COMPLETE);
        } else {
            tmfRespond(itt, TaskMgmtPdu.TASK_DOES_NOT_EXIST);
        }
    }

    /** Tasks on {@code lun} (every LUN when null), plus queued commands before the TMF, which are dropped. */
    private Set<IscsiTask> collect(Long lun, int tmfCmdSn) {
        Set<IscsiTask> victims = new HashSet<>();
        for (IscsiTask t : tasks.values()) {
            if (lun == null || t.lun == lun) {
                victims.add(t);
            }
        }
        for (Map.Entry<Integer, IscsiPdu> e : pending.entrySet()) {
            IscsiPdu p = e.getValue();
            if (p != SKIPPED && p.opcode() == Opcode.SCSI_COMMAND && (lun == null || p.lun() == lun)
                    && SerialNumber.lt(e.getKey(), tmfCmdSn)) {
                p.release();
                e.setValue(SKIPPED);
            }
        }
        return victims;
    }

    /**
     * Aborts the tasks and answers "Function complete" once none of them is still in the backend: a task waiting for
     * Data-Out ends at once; one in the backend is marked aborted and its response suppressed.
     */
    private void abortAndRespond(int itt, Set<IscsiTask> victims, boolean closeAfter) {
        Set<IscsiTask> waiting = new HashSet<>();
        for (IscsiTask t : victims) {
            t.aborted = true;
            if (t.state == IscsiTask.State.COLLECTING) {
                t.state = IscsiTask.State.DONE;
                t.r2ts.clear();
                releaseData(t);
                tasks.remove(t.itt, t);
            } else if (t.state == IscsiTask.State.EXECUTING) {
                waiting.add(t);
            }
        }
        IscsiPdu response = TaskMgmtPdu.response(itt, TaskMgmtPdu.FUNCTION_COMPLETE);
        if (waiting.isEmpty()) {
            sendTmf(response, closeAfter);
        } else {
            LOG.debug("{}: TMF waits for {} task(s) in the backend", ctx.channel(), waiting.size());
            tmfWaits.add(new TmfWait(waiting, response, closeAfter));
        }
        maybeFinishLogout();
    }

    private void tmfRespond(int itt, int response) {
        send(TaskMgmtPdu.response(itt, response), true);
    }

    private void sendTmf(IscsiPdu response, boolean closeAfter) {
        if (phase == Phase.CLOSED) {
            response.release();
            return;
        }
        send(response, true);
        if (closeAfter) {
            closing("target cold reset");
            phase = Phase.CLOSED;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            flush();
        }
    }

    /** A task left the table: release TMF responses that waited for it and a pending logout. */
    private void taskGone(IscsiTask t) {
        if (!tmfWaits.isEmpty()) {
            for (Iterator<TmfWait> it = tmfWaits.iterator(); it.hasNext(); ) {
                TmfWait w = it.next();
                if (w.tasks.remove(t) && w.tasks.isEmpty()) {
                    it.remove();
                    sendTmf(w.response, w.closeAfter);
                }
            }
        }
        maybeFinishLogout();
    }

    /** Whether the LUN names a unit this session's initiator sees: a masked one does not exist for it. */
    private boolean lunExists(long lun) {
        return target.hasLun(lun, session.nexus);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Sending

    private int newTtt() {
        int t = nextTtt++;
        if (nextTtt == IscsiPdu.RESERVED_TAG) {
            nextTtt = 1;
        }
        return t;
    }

    /** The MaxCmdSN to advertise: the window shrinks as this session's tasks and the loop's queue fill; never back. */
    private int maxCmdSn() {
        if (phase == Phase.LOGIN && queue == null) {
            return maxCmdSn;
        }
        int room = window - tasks.size() - pending.size();
        if (queue != null) {
            room = Math.min(room, queue.capacity() - queue.inFlight());
        }
        if (tasks.isEmpty() && pending.isEmpty()) {
            room = Math.max(room, 1);
        }
        int candidate = expCmdSn + room - 1;
        if (SerialNumber.gt(candidate, maxCmdSn)) {
            maxCmdSn = candidate;
        }
        return maxCmdSn;
    }

    /** Sets StatSN (advancing it for status-carrying PDUs), ExpCmdSN and MaxCmdSN, and writes without flushing. */
    private void send(IscsiPdu p, boolean advanceStatSn) {
        int sn = statSn;
        if (advanceStatSn) {
            statSn++;
        }
        TargetPdu.sequence(p, sn, expCmdSn, maxCmdSn());
        ctx.write(p, ctx.voidPromise());
    }

    private void reject(int reason, byte[] bhs) {
        IscsiPdu r = RejectPdu.create(reason, bhs);
        send(r, true);
    }

    private void flush() {
        flushScheduled = false;
        ctx.flush();
    }

    /**
     * Flushes after the tasks already queued on this loop ran: completions drained together from the completion
     * queue leave in one write instead of one syscall each.
     */
    private void flushSoon() {
        if (!flushScheduled) {
            flushScheduled = true;
            ctx.executor().execute(flushTask);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Teardown

    /** Records why the connection closes; the first reason wins. */
    private void closing(String why) {
        if (endReason == null) {
            endReason = why;
        }
    }

    private void cleanup() {
        if (cleanedUp) {
            return;
        }
        cleanedUp = true;
        phase = Phase.CLOSED;
        if (loginDeadline != null) {
            loginDeadline.cancel(false);
        }
        for (IscsiTask t : tasks.values()) {
            t.aborted = true;
            if (t.state == IscsiTask.State.COLLECTING) {
                t.state = IscsiTask.State.DONE;
                releaseData(t);
            }
            // Tasks in the backend release their buffers when they complete.
        }
        tasks.clear();
        awaitingBuffer.clear();
        for (IscsiPdu p : pending.values()) {
            if (p != SKIPPED) {
                p.release();
            }
        }
        pending.clear();
        for (TmfWait w : tmfWaits) {
            w.response.release();
        }
        tmfWaits.clear();
        textIn = null;
        textOut = null;
        if (services.stopping()) {
            closing("target shutting down");
        }
        String why = endReason != null ? endReason : "connection closed by the peer";
        if (negotiator != null && negotiator.parameters().initiatorName != null) {
            SessionLog.loginAbandoned(ctx.channel(), negotiator.parameters(), negotiator.authentication(), why);
            negotiator = null;
        }
        IscsiSession s = session;
        session = null;
        if (s != null) {
            services.sessions().remove(s);
            if (s.target != null) {
                try {
                    s.target.nexusLost(s.nexus);
                } catch (RuntimeException e) {
                    LOG.debug("nexusLost({}) failed", s.nexus, e);
                }
            }
            SessionLog.ended(ctx.channel(), s, why);
            s.ended.complete(null);
        }
    }
}
