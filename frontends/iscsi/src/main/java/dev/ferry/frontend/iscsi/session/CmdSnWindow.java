package dev.ferry.frontend.iscsi.session;

import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.Opcode;
import dev.ferry.frontend.iscsi.pdu.RejectPdu;
import dev.ferry.frontend.iscsi.pdu.SerialNumber;
import dev.ferry.frontend.iscsi.pdu.TargetPdu;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session's command window (RFC 7143 3.2.2.1): runs commands in CmdSN order, holds those that arrived ahead of
 * ExpCmdSN (bounded by the window and the write-buffer budget), and computes the MaxCmdSN each response advertises.
 * Task management drops queued commands here ({@link #dropQueuedTask}, {@link #dropQueuedCommands}).
 */
final class CmdSnWindow {
    private static final Logger LOG = LoggerFactory.getLogger(CmdSnWindow.class);
    /** A pending entry for a command that was aborted before its CmdSN came up (it only advances ExpCmdSN). */
    private static final IscsiPdu SKIPPED = IscsiPdu.create(Opcode.NOP_OUT);

    private final IscsiConnection c;
    private int expCmdSn;
    private int maxCmdSn;
    /** The session's CmdSN window: its target's commandsPerSession, fixed at login. */
    private int size;
    private final IntObjectHashMap<IscsiPdu> pending = new IntObjectHashMap<>();

    CmdSnWindow(IscsiConnection c) {
        this.c = c;
    }

    /** The first Login Request's CmdSN: a window of one (login requests do not advance CmdSN) until login ends. */
    void start(int cmdSn) {
        expCmdSn = cmdSn;
        maxCmdSn = cmdSn;
    }

    /** The session's window, once its target is known. */
    void size(int commands) {
        size = commands;
    }

    int size() {
        return size;
    }

    int expCmdSn() {
        return expCmdSn;
    }

    /** Immediate commands at once, others in CmdSN order within the window. */
    void ordered(IscsiPdu pdu) {
        if (c.phase == IscsiConnection.Phase.LOGGING_OUT && pdu.opcode() != Opcode.NOP_OUT) {
            c.reject(RejectPdu.WAITING_FOR_LOGOUT, pdu.bhs());
            pdu.release();
            return;
        }
        if (pdu.immediate()) {
            c.execute(pdu);
            return;
        }
        int sn = TargetPdu.cmdSn(pdu);
        // The window is what we advertised: with MaxCmdSN = ExpCmdSN - 1 it is closed, even to CmdSN = ExpCmdSN.
        if (!SerialNumber.inWindow(sn, expCmdSn, maxCmdSn)) {
            LOG.debug("{}: dropping {} with CmdSN {} outside [{}, {}]", c.ctx.channel(), Opcode.name(pdu.opcode()),
                    Integer.toUnsignedString(sn), Integer.toUnsignedString(expCmdSn), Integer.toUnsignedString(maxCmdSn));
            pdu.release();
        } else if (sn == expCmdSn) {
            expCmdSn++;
            c.execute(pdu);
            drain();
        } else {
            long held = pendingDataBytes() + pdu.data().readableBytes();
            if (held > c.services.connectionLimits().writeBufferBytes()) {
                // Over one TCP connection nothing is lost, so a CmdSN gap is the initiator's choice: it may not
                // park more data behind it than a connection may buffer for writes.
                pdu.release();
                c.fatal("commands behind a CmdSN gap hold " + held + " bytes of data, over the write buffer budget");
                return;
            }
            if (pending.containsKey(sn)) {
                pdu.release(); // a duplicate CmdSN: keep the first
            } else {
                pending.put(sn, pdu.detach()); // the decoder reuses the PDU it passed on
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

    private void drain() {
        IscsiPdu p;
        while (c.phase != IscsiConnection.Phase.CLOSED && (p = pending.remove(expCmdSn)) != null) {
            expCmdSn++;
            if (p != SKIPPED) {
                c.execute(p);
            }
        }
    }

    /** The MaxCmdSN to advertise: the window shrinks as this session's tasks and the loop's queue fill; never back. */
    int maxCmdSn() {
        if (c.phase == IscsiConnection.Phase.LOGIN && c.queue == null) {
            return maxCmdSn;
        }
        int room = size - c.tasks.size() - pending.size();
        if (c.queue != null) {
            room = Math.min(room, c.queue.capacity() - c.queue.inFlight());
        }
        if (c.tasks.isEmpty() && pending.isEmpty()) {
            room = Math.max(room, 1);
        }
        int candidate = expCmdSn + room - 1;
        if (SerialNumber.gt(candidate, maxCmdSn)) {
            maxCmdSn = candidate;
        }
        return maxCmdSn;
    }

    /** ABORT TASK of a SCSI command still waiting for its CmdSN: it is dropped, its CmdSN counts as received. */
    boolean dropQueuedTask(int itt) {
        for (IntObjectMap.PrimitiveEntry<IscsiPdu> e : pending.entries()) {
            IscsiPdu p = e.value();
            if (p != SKIPPED && p.opcode() == Opcode.SCSI_COMMAND && p.itt() == itt) {
                p.release();
                e.setValue(SKIPPED);
                return true;
            }
        }
        return false;
    }

    /**
     * ABORT TASK of a task never received (RFC 7143 11.5.1 b/c): only a RefCmdSN inside the valid window
     * [ExpCmdSN, MaxCmdSN] and before the TMF means "not yet received", which is then considered received (never to
     * be executed). One below ExpCmdSN was received and has completed (its response already went out), so the task no
     * longer exists - answering Function complete would claim an abort that never happened (LIO agrees).
     *
     * @return whether the CmdSN was taken as received
     */
    boolean skipUnreceived(int refCmdSn, int tmfCmdSn) {
        if (SerialNumber.le(expCmdSn, refCmdSn) && SerialNumber.le(refCmdSn, maxCmdSn)
                && SerialNumber.lt(refCmdSn, tmfCmdSn) && !pending.containsKey(refCmdSn)) {
            pending.put(refCmdSn, SKIPPED);
            drain();
            return true;
        }
        return false;
    }

    /** Drops the queued SCSI commands on {@code lun} (every LUN when null) that precede the TMF. */
    void dropQueuedCommands(Long lun, int tmfCmdSn) {
        for (IntObjectMap.PrimitiveEntry<IscsiPdu> e : pending.entries()) {
            IscsiPdu p = e.value();
            if (p != SKIPPED && p.opcode() == Opcode.SCSI_COMMAND && (lun == null || p.lun() == lun)
                    && SerialNumber.lt(e.key(), tmfCmdSn)) {
                p.release();
                e.setValue(SKIPPED);
            }
        }
    }

    /** Releases every queued command (the connection is gone). */
    void clear() {
        for (IscsiPdu p : pending.values()) {
            if (p != SKIPPED) {
                p.release();
            }
        }
        pending.clear();
    }
}
