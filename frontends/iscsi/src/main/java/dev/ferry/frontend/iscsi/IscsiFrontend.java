package dev.ferry.frontend.iscsi;

import dev.ferry.core.config.IscsiTargetConfig;
import dev.ferry.core.config.Portal;
import dev.ferry.core.frontend.ConnectionAdmission;
import dev.ferry.core.frontend.ExportsChangedListener;
import dev.ferry.core.frontend.Frontend;
import dev.ferry.core.frontend.SessionSource;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.CapacityListener;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.UnitRegistry;
import dev.ferry.frontend.iscsi.login.LoginNegotiator;
import dev.ferry.frontend.iscsi.login.NegotiationLimits;
import dev.ferry.frontend.iscsi.pdu.IscsiPduDecoder;
import dev.ferry.frontend.iscsi.pdu.IscsiPduEncoder;
import dev.ferry.frontend.iscsi.session.ExportCommands;
import dev.ferry.frontend.iscsi.session.ConnectionLimits;
import dev.ferry.frontend.iscsi.session.IscsiConnection;
import dev.ferry.frontend.iscsi.session.IscsiSession;
import dev.ferry.frontend.iscsi.session.SessionTable;
import dev.ferry.frontend.iscsi.session.TargetServices;
import dev.ferry.frontend.scsi.ItNexus;
import dev.ferry.frontend.scsi.ScsiTarget;
import dev.ferry.frontend.scsi.ScsiTask;
import dev.ferry.frontend.transport.SharedEventLoops;
import dev.ferry.frontend.transport.TcpServer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The iSCSI frontend: listens on every portal of every {@code iscsi} export and runs one {@link IscsiConnection}
 * per TCP connection on the process's {@link SharedEventLoops shared event loops}. Follows live
 * reconfiguration ({@link #exportsChanged}): portals are bound and unbound, and each target's command set is
 * swapped when its LUN map changes.
 */
public final class IscsiFrontend implements Frontend, TargetServices, ExportsChangedListener, SessionSource {
    public static final String PROTOCOL = "iscsi";
    /** The CmdSN window of a session whose target does not set commandsPerSession. */
    public static final int COMMAND_WINDOW = IscsiTargetConfig.DEFAULT_COMMANDS_PER_SESSION;
    /** Seconds without traffic before a NOP-In ping (and again before the connection is dropped). */
    public static final int DEFAULT_IDLE_SECONDS = 30;

    private static final Logger LOG = LoggerFactory.getLogger(IscsiFrontend.class);

    private final UnitRegistry registry;
    private final NegotiationLimits limits;
    private final int idleSeconds;
    private final ConnectionLimits connectionLimits;
    private final ConnectionAdmission admission;
    private final SessionTable sessions = new SessionTable();
    /** The command set of each target, by lower-case name; sessions hold these and see every swap. */
    private final Map<String, LiveCommandSet> targets = new ConcurrentHashMap<>();
    /** Subscribed while running: a resized unit is announced on every target that maps it. */
    private final CapacityListener capacityListener = unit -> targets.values().forEach(t -> t.capacityChanged(unit));
    /** Subscribed while running: a change of access states is announced on the target whose groups they are. */
    private final dev.ferry.core.access.AccessStateListener accessListener = (groups, origin) -> targets.values()
            .stream().filter(t -> t.serves(groups)).forEach(t -> t.accessStateChanged(origin));
    private final Function<Export, ExportCommands> commandSets;
    /** The shared loops while running (connections' loops read it for their completion queues). */
    private volatile SharedEventLoops.Lease loops;
    /** The portals and connections while running; its bound portals are read by event loops (SendTargets). */
    private volatile TcpServer server;
    private volatile boolean stopping;

    public IscsiFrontend(UnitRegistry registry) {
        this(registry, NegotiationLimits.DEFAULT, Integer.getInteger("ferry.iscsi.idleSeconds", DEFAULT_IDLE_SECONDS));
    }

    public IscsiFrontend(UnitRegistry registry, NegotiationLimits limits, int idleSeconds) {
        // Persistent reservations (and their APTPL files) belong to the core units, shared by every target.
        this(registry, limits, idleSeconds, e -> ExportCommands.of(new ScsiTarget(e)));
    }

    /** With another command set than the SCSI emulation (transport tests). */
    public IscsiFrontend(UnitRegistry registry, NegotiationLimits limits, int idleSeconds,
                         Function<Export, ExportCommands> commandSets) {
        this(registry, limits, idleSeconds, ConnectionLimits.fromSystemProperties(), commandSets);
    }

    /** With other connection limits (tests use short login timeouts and small budgets). */
    public IscsiFrontend(UnitRegistry registry, NegotiationLimits limits, int idleSeconds,
                         ConnectionLimits connectionLimits, Function<Export, ExportCommands> commandSets) {
        this.commandSets = commandSets;
        this.registry = registry;
        this.limits = limits;
        this.idleSeconds = idleSeconds;
        this.connectionLimits = connectionLimits;
        this.admission = new ConnectionAdmission(connectionLimits.connectionsPerPortal(),
                connectionLimits.connectionsPerAddress());
    }

    @Override
    public String protocol() {
        return PROTOCOL;
    }

    @Override
    public synchronized void start() throws Exception {
        stopping = false;
        loops = SharedEventLoops.acquire();
        server = new TcpServer("iSCSI", loops, loops.group(), admission, this::initConnection);
        registry.addCapacityListener(capacityListener);
        registry.addAccessStateListener(accessListener);
        try {
            server.reconcile(wantedPortals());
        } catch (Exception e) {
            close();
            throw e;
        }
        LOG.info("iSCSI frontend ({}) listening on {}", loops.transport(), server.bound().values());
    }

    private void initConnection(SocketChannel ch) {
        IscsiPduDecoder decoder = new IscsiPduDecoder(limits.maxRecvDataSegmentLength());
        IscsiPduEncoder encoder = new IscsiPduEncoder();
        ch.pipeline()
                .addLast("idle", new IdleStateHandler(idleSeconds, 0, 0, TimeUnit.SECONDS))
                .addLast("decoder", decoder)
                .addLast("encoder", encoder)
                .addLast("iscsi", new IscsiConnection(this, decoder, encoder));
    }

    /** Every portal of the registry's iSCSI exports, each once. */
    private Set<Portal> wantedPortals() {
        Set<Portal> wanted = new LinkedHashSet<>();
        registry.exports(PROTOCOL).forEach(e -> wanted.addAll(e.portals()));
        return wanted;
    }

    /**
     * Follows a new registry snapshot: binds new portals, unbinds those no export lists any more (connections
     * already made through them stay), gives every target the command set of its new LUN map, and ends the
     * sessions of initiators no longer admitted (a removed ACL entry or target).
     */
    @Override
    public synchronized void exportsChanged() throws Exception {
        if (server == null || stopping) {
            return;
        }
        server.reconcile(wantedPortals());
        for (Map.Entry<String, LiveCommandSet> t : targets.entrySet()) {
            Export now = registry.export(PROTOCOL, t.getKey());
            LiveCommandSet live = t.getValue();
            if (now != null) {
                live.follow(now, commandSets);
            } else {
                // Its sessions keep this object; a target created again under the name starts afresh.
                live.follow(withoutUnits(live.export), commandSets);
                targets.remove(t.getKey());
            }
        }
        endSessionsWithoutAccess();
    }

    /** Ends the sessions whose initiator the new snapshot no longer admits: removed from the ACL, or target gone. */
    private void endSessionsWithoutAccess() {
        for (IscsiSession s : sessions.all()) {
            if (s.discovery()) {
                continue;
            }
            Export now = registry.export(PROTOCOL, s.key().targetName());
            if (now == null || !now.admits(s.key().initiatorName())) {
                String why = now == null ? "target removed" : "initiator removed from the target's ACL";
                LOG.info("iSCSI session {} ends: {}", s, why);
                s.end(why);
            }
        }
    }

    /** What a removed target's remaining sessions see: the target without any LUN. */
    private static Export withoutUnits(Export e) {
        return new Export(e.name(), e.protocol(), e.alias(), e.portals(), new TreeMap<>(), List.of(), false);
    }

    @Override
    public synchronized List<InetSocketAddress> boundAddresses() {
        return server == null ? List.of() : List.copyOf(server.bound().values());
    }

    /**
     * Stops listening, closes every connection, and gives back the shared loops (the last frontend to do so waits
     * for the requests still with a backend, then stops them); every wait is bounded.
     */
    @Override
    public synchronized void close() {
        stopping = true;
        registry.removeCapacityListener(capacityListener);
        registry.removeAccessStateListener(accessListener);
        if (server != null) {
            server.close();
            server = null;
        }
        if (loops != null) {
            loops.close();
        }
    }

    // TargetServices

    @Override
    public UnitRegistry registry() {
        return registry;
    }

    @Override
    public NegotiationLimits limits() {
        return limits;
    }

    @Override
    public ConnectionLimits connectionLimits() {
        return connectionLimits;
    }

    @Override
    public SessionTable sessions() {
        return sessions;
    }

    @Override
    public ExportCommands commandSet(Export export) {
        // One command set per target name, shared by its sessions; exportsChanged swaps what is behind it.
        LiveCommandSet live = targets.computeIfAbsent(export.name().toLowerCase(Locale.ROOT),
                n -> new LiveCommandSet(export, commandSets.apply(export)));
        if (registry.export(PROTOCOL, export.name()) == export) {
            live.follow(export, commandSets); // never back to an older snapshot a racing login still holds
        }
        return live;
    }

    @Override
    public CompletionQueue completionQueue(EventExecutor loop) {
        return loops.completionQueue(loop);
    }

    @Override
    public int commandWindow() {
        return COMMAND_WINDOW;
    }

    @Override
    public boolean stopping() {
        return stopping;
    }

    /**
     * The TPGT of the portal {@code local} is on: the id of the portal's access group, so that an iSCSI target
     * portal group is a SCSI target port group (1 for every portal when no groups are configured).
     */
    @Override
    public int portalGroupTag(Export export, InetSocketAddress local) {
        TcpServer listening = server;
        for (dev.ferry.core.config.Portal p : export.portals()) {
            InetSocketAddress b = listening == null ? null : listening.bound().get(p);
            if (b != null && local != null && b.getPort() == local.getPort()
                    && (b.getAddress().isAnyLocalAddress() || b.getAddress().equals(local.getAddress()))) {
                return export.accessGroups().layout().groupOf(p).id();
            }
        }
        return LoginNegotiator.TARGET_PORTAL_GROUP_TAG;
    }

    @Override
    public List<String> targetAddresses(Export export, InetSocketAddress local) {
        List<String> out = new ArrayList<>();
        Map<String, Boolean> seen = new LinkedHashMap<>();
        for (Portal p : export.portals()) {
            TcpServer listening = server;
            InetSocketAddress b = listening == null ? null : listening.bound().get(p);
            int port = b != null ? b.getPort() : p.port();
            InetAddress addr = b != null ? b.getAddress() : null;
            String host;
            if (addr == null || addr.isAnyLocalAddress()) {
                // A wildcard portal: advertise the address this initiator reached us on.
                host = local.getAddress().getHostAddress();
                addr = local.getAddress();
            } else {
                host = addr.getHostAddress();
            }
            int pct = host.indexOf('%');
            if (pct >= 0) {
                host = host.substring(0, pct);
            }
            String a = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port + ","
                    + export.accessGroups().layout().groupOf(p).id();
            if (seen.put(a, Boolean.TRUE) == null) {
                out.add(a);
            }
        }
        return out;
    }

    /** Open TCP connections, in any phase (tests watch a flood drain). */
    int connectionCount() {
        TcpServer listening = server;
        return listening == null ? 0 : listening.connections().size();
    }

    /** Live sessions (for tests and diagnostics). */
    public int sessionCount() {
        return sessions.size();
    }

    /** Normal sessions with their initiator, its address and the target. */
    @Override
    public List<Session> liveSessions() {
        List<Session> out = new ArrayList<>();
        for (var s : sessions.all()) {
            if (s.discovery()) {
                continue;
            }
            Export e = registry.export(PROTOCOL, s.key().targetName());
            out.add(new Session(PROTOCOL, e != null ? e.name() : s.key().targetName(), s.key().initiatorName(),
                    Session.address(s.peer()), String.format("tsih=%d,isid=0x%012x", s.tsih(), s.key().isid())));
        }
        return out;
    }

    /**
     * The command set of one target as its sessions see it across reconfigurations. While the LUN map and who sees
     * which LUN stay the same (only portals, CHAP or the alias changed) nothing changes; a new LUN map, ACL or LUN
     * mask gets the command set's successor, which keeps the SCSI state of unchanged units and gives connected
     * initiators REPORTED LUNS DATA HAS CHANGED.
     */
    private static final class LiveCommandSet implements ExportCommands {
        private volatile Export export;
        private volatile ExportCommands current;

        LiveCommandSet(Export export, ExportCommands current) {
            this.export = export;
            this.current = current;
        }

        synchronized void follow(Export next, Function<Export, ExportCommands> commandSets) {
            if (next == export) {
                return;
            }
            boolean sameLuns = next.units().size() == export.units().size()
                    && next.units().entrySet().stream().allMatch(e -> export.units().get(e.getKey()) == e.getValue());
            boolean sameView = next.sameVisibility(export);
            export = next;
            if (!sameLuns || !sameView) {
                current = current.successor(next, commandSets);
                LOG.info("iSCSI target {} now has LUNs {}{}", next.name(), next.units().keySet(),
                        sameView ? "" : " (ACLs or LUN masks changed)");
            }
        }

        @Override public void execute(ScsiTask task, CompletionQueue queue) { current.execute(task, queue); }
        @Override public void logicalUnitReset(long lun, ItNexus nexus) { current.logicalUnitReset(lun, nexus); }
        @Override public void targetReset(ItNexus nexus) { current.targetReset(nexus); }
        @Override public void nexusLost(ItNexus nexus) { current.nexusLost(nexus); }
        @Override public boolean hasLun(long lun, ItNexus nexus) { return current.hasLun(lun, nexus); }
        @Override public boolean acceptsDataOut(ScsiTask task) { return current.acceptsDataOut(task); }
        @Override public void capacityChanged(LogicalUnit unit) { current.capacityChanged(unit); }
        @Override public void accessStateChanged(Object origin) { current.accessStateChanged(origin); }

        boolean serves(dev.ferry.core.access.AccessGroups groups) {
            return export.accessGroups() == groups;
        }
    }
}
