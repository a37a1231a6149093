package dev.ferry.frontend.iscsi.session;

import dev.ferry.core.unit.Export;
import dev.ferry.frontend.iscsi.login.LoginException;
import dev.ferry.frontend.iscsi.login.LoginNegotiator;
import dev.ferry.frontend.iscsi.login.SessionParameters;
import dev.ferry.frontend.iscsi.login.TextKeys;
import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.LoginPdu;
import dev.ferry.frontend.iscsi.pdu.TargetPdu;
import dev.ferry.frontend.scsi.ItNexus;
import dev.ferry.frontend.scsi.ScsiPort;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The login phase of a connection (RFC 7143 6, 11.12, 11.13): collects Login Request text, runs the
 * {@link LoginNegotiator}, reinstates an older session with the same key (6.3.5), creates the session within the
 * frontend's limits and switches the connection to full feature phase; closes a connection that has not finished
 * logging in by its absolute deadline.
 */
final class LoginPhase {
    private static final Logger LOG = LoggerFactory.getLogger(LoginPhase.class);
    /** Login text one negotiation step may carry across continuation PDUs. */
    private static final int MAX_LOGIN_TEXT = 65536;
    /** How long a reinstating login waits for the old session to end before failing. */
    private static final long REINSTATEMENT_TIMEOUT_SECONDS = 30;

    private final IscsiConnection c;
    private LoginNegotiator negotiator;
    private ByteArrayOutputStream loginText;
    private boolean started;
    private long isid;
    private int tsih;
    private int itt;
    private int cid;
    /** A reinstatement is waiting for the old session to end. */
    private boolean pending;
    /** Closes a connection still logging in when the login timeout after accept has passed. */
    private ScheduledFuture<?> deadline;

    LoginPhase(IscsiConnection c) {
        this.c = c;
    }

    /** The connection ID the initiator chose (a logout of another CID finds no connection). */
    int cid() {
        return cid;
    }

    void startDeadline() {
        // Absolute from accept: bytes trickling in do not extend it (an idle timer would restart on each).
        long millis = c.services.connectionLimits().loginTimeoutMillis();
        deadline = c.ctx.executor().schedule(() -> {
            if (c.phase == IscsiConnection.Phase.LOGIN) {
                LOG.info("{}: login not completed within {} ms of connecting", c.ctx.channel(), millis);
                c.drop("login timed out");
            }
        }, millis, TimeUnit.MILLISECONDS);
    }

    void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    void request(IscsiPdu pdu) {
        try {
            if (pending) {
                throw new LoginException(LoginPdu.INITIATOR_ERROR, "Login Request while the previous one is pending");
            }
            if (!started) {
                started = true;
                isid = LoginPdu.isid(pdu);
                tsih = LoginPdu.tsih(pdu);
                itt = pdu.itt();
                cid = LoginPdu.cid(pdu);
                c.window.start(TargetPdu.cmdSn(pdu));
                c.startStatSn(TargetPdu.expStatSn(pdu));
                negotiator = new LoginNegotiator(c.services.registry(), c.services.limits());
                negotiator.portalGroupTags(e -> c.services.portalGroupTag(e, localAddress()));
                if (LoginPdu.versionMin(pdu) > LoginPdu.VERSION || LoginPdu.versionMax(pdu) < LoginPdu.VERSION) {
                    throw new LoginException(LoginPdu.UNSUPPORTED_VERSION, "version range " + LoginPdu.versionMin(pdu)
                            + "-" + LoginPdu.versionMax(pdu));
                }
            } else if (LoginPdu.isid(pdu) != isid || LoginPdu.tsih(pdu) != tsih) {
                throw new LoginException(LoginPdu.INITIATOR_ERROR, "ISID/TSIH changed during login");
            }
            itt = pdu.itt();
            boolean transit = LoginPdu.transit(pdu);
            boolean cont = LoginPdu.cont(pdu);
            if (transit && cont) {
                throw new LoginException(LoginPdu.INITIATOR_ERROR, "T and C both set");
            }
            if (loginText == null) {
                loginText = new ByteArrayOutputStream();
            }
            ByteBuf d = pdu.data();
            if (loginText.size() + d.readableBytes() > MAX_LOGIN_TEXT) {
                throw new LoginException(LoginPdu.INITIATOR_ERROR, "login text too long");
            }
            byte[] chunk = new byte[d.readableBytes()];
            d.readBytes(chunk);
            loginText.writeBytes(chunk);
            int csg = LoginPdu.csg(pdu);
            if (cont) {
                // 6.2 / 11.12.2: acknowledge the partial text with an empty response; answer when it is complete.
                respond(LoginPdu.stageFlags(false, false, csg, 0), 0, LoginPdu.SUCCESS, List.of());
                c.flush();
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
                respond(LoginPdu.stageFlags(step.transit(), false, step.csg(), step.nsg()), 0, LoginPdu.SUCCESS,
                        step.keys());
                c.flush();
                return;
            }
            complete(step);
        } catch (LoginException e) {
            failed(e);
        } finally {
            pdu.release();
        }
    }

    private void complete(LoginNegotiator.Step step) throws LoginException {
        SessionParameters p = negotiator.parameters();
        SessionTable table = c.services.sessions();
        if (tsih != 0) {
            // Adding a connection to an existing session: MaxConnections is 1 (RFC 7143 6.3.4).
            if (table.byTsih(tsih) == null) {
                throw new LoginException(LoginPdu.SESSION_DOES_NOT_EXIST, "no session with TSIH " + tsih);
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
        LOG.info("{}: reinstating {}", c.ctx.channel(), old);
        pending = true;
        old.close();
        old.ended.whenComplete((v, t) -> c.ctx.executor().execute(() -> {
            pending = false;
            if (c.phase != IscsiConnection.Phase.LOGIN || !c.ctx.channel().isActive()) {
                return;
            }
            try {
                startSession(step, key);
            } catch (LoginException e) {
                failed(e);
            } catch (RuntimeException e) {
                LOG.warn("{}: login failed", c.ctx.channel(), e);
                c.ctx.close();
            }
        }));
        c.ctx.executor().schedule(() -> {
            if (pending && c.phase == IscsiConnection.Phase.LOGIN && !old.ended.isDone()) {
                LOG.warn("{}: old session {} did not end, failing reinstatement", c.ctx.channel(), old);
                pending = false;
                failed(new LoginException(LoginPdu.SERVICE_UNAVAILABLE, "old session still closing"));
            }
        }, REINSTATEMENT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private void startSession(LoginNegotiator.Step step, IscsiSession.Key key) throws LoginException {
        SessionParameters p = negotiator.parameters();
        SessionTable table = c.services.sessions();
        Export export = negotiator.export();
        ExportCommands commands = null;
        ItNexus nexus = null;
        if (!p.discovery()) {
            if (c.services.registry().export(LoginNegotiator.PROTOCOL, export.name()) != export) {
                export = c.services.registry().export(LoginNegotiator.PROTOCOL, export.name());
                if (export == null) {
                    throw new LoginException(LoginPdu.TARGET_REMOVED, "target removed during login");
                }
                if (!export.admits(p.initiatorName)) {
                    throw new LoginException(LoginPdu.AUTHORIZATION_FAILURE, "removed from the ACL during login");
                }
            }
            commands = c.services.commandSet(export);
            ScsiPort port = ScsiPort.iscsi(export.name(), c.services.portalGroupTag(export, localAddress()));
            nexus = new ItNexus(String.format("%s,i,0x%012x", p.initiatorName, isid), p.initiatorName, isid, port);
        }
        int newTsih = table.allocateTsih();
        if (newTsih == SessionTable.NO_TSIH) {
            throw new LoginException(LoginPdu.OUT_OF_RESOURCES, "every TSIH is in use");
        }
        IscsiSession s = new IscsiSession(key, newTsih, isid, p, export, commands, nexus, c);
        if (p.discovery()) {
            int maxDiscovery = c.services.connectionLimits().discoverySessions();
            if (!table.addDiscoveryWithin(s, maxDiscovery)) {
                table.release(newTsih);
                throw new LoginException(LoginPdu.OUT_OF_RESOURCES, "the maximum of " + maxDiscovery
                        + " discovery sessions is reached");
            }
            c.window.size(c.services.commandWindow());
        } else {
            int maxSessions = export.iscsi().maxSessionsOrDefault();
            if (!table.addWithin(s, maxSessions)) {
                table.release(newTsih);
                throw new LoginException(LoginPdu.OUT_OF_RESOURCES, "target " + export.name() + " has its maximum of "
                        + maxSessions + " sessions");
            }
            Integer depth = export.iscsi().commandsPerSession();
            c.window.size(depth != null ? depth : c.services.commandWindow());
        }
        c.session = s;
        c.params = p;
        c.target = commands;
        c.queue = c.services.completionQueue(c.ctx.executor());
        respond(LoginPdu.stageFlags(true, false, step.csg(), LoginPdu.STAGE_FULL_FEATURE), newTsih, LoginPdu.SUCCESS,
                step.keys());
        c.flush();
        // Digests and our receive limit apply from the next PDU on (RFC 7143 13.1, 13.12).
        c.encoder.digests(p.headerDigest, p.dataDigest);
        c.decoder.digests(p.headerDigest, p.dataDigest);
        c.decoder.maxRecvDataSegmentLength(p.targetMaxRecvDataSegmentLength);
        c.phase = IscsiConnection.Phase.FULL_FEATURE;
        cancelDeadline();
        SessionLog.loggedIn(c.ctx.channel(), s, negotiator.authentication());
        LOG.debug("{}: {} negotiated {}", c.ctx.channel(), s, p);
        negotiator = null;
    }

    private void respond(int flags, int tsih, int status, List<Map.Entry<String, String>> keys) {
        IscsiPdu r = LoginPdu.response(flags, isid, tsih, itt, status);
        r.data(TextKeys.encodeBuf(keys));
        c.send(r, true);
    }

    private void failed(LoginException e) {
        SessionLog.loginFailed(c.ctx.channel(), negotiator.parameters(), e.status(), e.getMessage());
        negotiator = null;
        respond(0, 0, e.status(), List.of());
        c.closeAfterFlush("login failed");
    }

    /** The connection closed during login: logs the attempt if the initiator got far enough to name itself. */
    void abandoned(String why) {
        if (negotiator != null && negotiator.parameters().initiatorName != null) {
            SessionLog.loginAbandoned(c.ctx.channel(), negotiator.parameters(), negotiator.authentication(), why);
        }
        negotiator = null;
    }

    /** Where the initiator reached this target (which portal, so which target portal group). */
    private java.net.InetSocketAddress localAddress() {
        return c.ctx.channel().localAddress() instanceof java.net.InetSocketAddress a ? a : null; // null: default TPGT
    }
}
