package dev.ferry.frontend.iscsi.session;

import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.LogoutPdu;
import dev.ferry.frontend.iscsi.pdu.RejectPdu;

/**
 * Logout (RFC 7143 11.14, 11.15): closing the session or this connection stops new commands, ends the tasks still
 * waiting for Data-Out, and answers once the tasks in the backend have completed; then the connection closes.
 */
final class Logout {
    private final IscsiConnection c;
    private boolean pending;
    private int itt;

    Logout(IscsiConnection c) {
        this.c = c;
    }

    void request(IscsiPdu pdu) {
        try {
            int reason = LogoutPdu.reason(pdu);
            if (reason == LogoutPdu.REMOVE_CONNECTION_FOR_RECOVERY) {
                c.send(LogoutPdu.response(pdu.itt(), LogoutPdu.RECOVERY_NOT_SUPPORTED, 0, 0), true);
                return;
            }
            if (reason == LogoutPdu.CLOSE_CONNECTION && LogoutPdu.cid(pdu) != c.login.cid()) {
                c.send(LogoutPdu.response(pdu.itt(), LogoutPdu.CID_NOT_FOUND, 0, 0), true);
                return;
            }
            if (reason != LogoutPdu.CLOSE_SESSION && reason != LogoutPdu.CLOSE_CONNECTION) {
                c.reject(RejectPdu.INVALID_PDU_FIELD, pdu.bhs());
                return;
            }
            pending = true;
            itt = pdu.itt();
            c.phase = IscsiConnection.Phase.LOGGING_OUT;
            // Tasks still waiting for Data-Out will never get it now.
            for (IscsiTask t : c.tasks.snapshot()) {
                if (t.state == IscsiTask.State.COLLECTING) {
                    t.aborted = true;
                    c.commands.end(t);
                }
            }
            maybeFinish();
        } finally {
            pdu.release();
        }
    }

    /** The Logout Response goes out once the connection's tasks have completed (RFC 7143 11.14). */
    void maybeFinish() {
        if (!pending || !c.tasks.isEmpty() || c.phase == IscsiConnection.Phase.CLOSED) {
            return;
        }
        pending = false;
        c.send(LogoutPdu.response(itt, LogoutPdu.CLOSED_SUCCESSFULLY, 0, 0), true);
        c.closeAfterFlush(SessionLog.LOGOUT);
    }
}
