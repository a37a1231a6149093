package dev.ferry.frontend.iscsi.session;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a connection: records why it closes (the first reason wins) and, once the channel is inactive, aborts
 * its tasks, releases everything it held and ends its session (removed from the table, nexus released, logged).
 */
final class ConnectionTeardown {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionTeardown.class);

    private final IscsiConnection c;
    private boolean cleanedUp;
    /** Why the connection is closing, for the session's last log line; null while nobody here chose to close. */
    private String endReason;

    ConnectionTeardown(IscsiConnection c) {
        this.c = c;
    }

    /** Records why the connection closes; the first reason wins. */
    void closing(String why) {
        if (endReason == null) {
            endReason = why;
        }
    }

    void cleanup() {
        if (cleanedUp) {
            return;
        }
        cleanedUp = true;
        c.phase = IscsiConnection.Phase.CLOSED;
        c.login.cancelDeadline();
        for (IscsiTask t : c.tasks.snapshot()) {
            t.aborted = true;
            if (t.state == IscsiTask.State.COLLECTING) {
                t.state = IscsiTask.State.DONE;
                c.dataOut.release(t);
            }
            // Tasks in the backend release their buffers when they complete.
        }
        c.tasks.clear();
        c.dataOut.clear();
        c.window.clear();
        c.tmf.clear();
        c.text.clear();
        if (c.services.stopping()) {
            closing("target shutting down");
        }
        String why = endReason != null ? endReason : "connection closed by the peer";
        c.login.abandoned(why);
        IscsiSession s = c.session;
        c.session = null;
        if (s != null) {
            c.services.sessions().remove(s);
            if (s.target != null) {
                try {
                    s.target.nexusLost(s.nexus);
                } catch (RuntimeException e) {
                    LOG.debug("nexusLost({}) failed", s.nexus, e);
                }
            }
            SessionLog.ended(c.ctx.channel(), s, why);
            s.ended.complete(null);
        }
    }
}
