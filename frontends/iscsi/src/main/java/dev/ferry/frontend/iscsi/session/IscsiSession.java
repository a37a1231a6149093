package dev.ferry.frontend.iscsi.session;

import dev.ferry.core.unit.Export;
import dev.ferry.frontend.iscsi.login.SessionParameters;
import dev.ferry.frontend.scsi.ItNexus;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * An iSCSI session (RFC 7143 3.4): identified by ISID + initiator name + target (its SSID with the TPGT) and by
 * the TSIH we assigned. With MaxConnections=1 a session has exactly one connection, which owns the command
 * sequencing state; the session object is what the session table and reinstatement see.
 */
public final class IscsiSession {
    /** What RFC 7143 6.3.5 compares for reinstatement: initiator name, ISID and target name. */
    public record Key(String initiatorName, long isid, String targetName) {
        public static Key of(String initiatorName, long isid, String targetName) {
            return new Key(initiatorName.toLowerCase(Locale.ROOT), isid,
                    targetName == null ? "" : targetName.toLowerCase(Locale.ROOT));
        }
    }

    final Key key;
    final int tsih;
    final long isid;
    final SessionParameters params;
    final Export export;
    final ExportCommands target;
    final ItNexus nexus;
    final IscsiConnection connection;
    /** Completed once the session is gone: its tasks aborted and the nexus released. */
    final CompletableFuture<Void> ended = new CompletableFuture<>();

    IscsiSession(Key key, int tsih, long isid, SessionParameters params, Export export, ExportCommands target,
                 ItNexus nexus, IscsiConnection connection) {
        this.key = key;
        this.tsih = tsih;
        this.isid = isid;
        this.params = params;
        this.export = export;
        this.target = target;
        this.nexus = nexus;
        this.connection = connection;
    }

    public int tsih() { return tsih; }
    public Key key() { return key; }
    public boolean discovery() { return params.discovery(); }
    /** The initiator's address (of its only connection), or null once that connection is gone. */
    public java.net.InetSocketAddress peer() { return connection.peer(); }

    /** Closes the session's connection; {@link #ended} completes once its cleanup ran. */
    void close() {
        end("reinstated by a new login");
    }

    /**
     * Ends the session from outside its connection (its initiator lost access, say) by closing the connection; the
     * session's last log line gives {@code why}.
     */
    public void end(String why) {
        connection.closeFromOutside(why);
    }

    @Override
    public String toString() {
        return "session{tsih=" + tsih + ", " + key.initiatorName() + ", isid=0x" + Long.toHexString(isid)
                + (export == null ? ", discovery" : ", " + export.name()) + "}";
    }
}
