package dev.ferry.frontend.iscsi.session;

import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.UnitRegistry;
import dev.ferry.frontend.iscsi.login.NegotiationLimits;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.List;

/** What a connection needs from the frontend that accepted it. */
public interface TargetServices {
    UnitRegistry registry();

    NegotiationLimits limits();

    /** Login deadline, write-buffer budget and the other bounds on what one peer can make us hold. */
    ConnectionLimits connectionLimits();

    SessionTable sessions();

    /** The command set of an export, shared by every connection to it. */
    ExportCommands commandSet(Export export);

    /** The completion queue of this event loop, shared by its connections. */
    CompletionQueue completionQueue(EventExecutor loop);

    /** {@code TargetAddress} values for an export, seen by an initiator connected to {@code local} (RFC 7143 13.8). */
    List<String> targetAddresses(Export export, InetSocketAddress local);

    /** The TPGT of the portal an initiator connected to {@code local} reached (its access group's id). */
    default int portalGroupTag(Export export, InetSocketAddress local) {
        return dev.ferry.frontend.iscsi.login.LoginNegotiator.TARGET_PORTAL_GROUP_TAG;
    }

    /** Most commands a session may have outstanding (the CmdSN window) when its target sets no commandsPerSession. */
    int commandWindow();

    /** True once the frontend is closing its connections (so their sessions end with that reason). */
    boolean stopping();
}
