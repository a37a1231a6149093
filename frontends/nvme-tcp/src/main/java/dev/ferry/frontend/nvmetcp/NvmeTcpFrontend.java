package dev.ferry.frontend.nvmetcp;

import dev.ferry.core.config.Portal;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.core.frontend.ConnectionAdmission;
import dev.ferry.core.frontend.ExportsChangedListener;
import dev.ferry.core.frontend.Frontend;
import dev.ferry.core.frontend.SessionSource;
import dev.ferry.core.unit.UnitRegistry;
import dev.ferry.frontend.nvme.Controller;
import dev.ferry.frontend.nvme.FabricsPort;
import dev.ferry.frontend.nvme.FabricsPortTable;
import dev.ferry.frontend.nvme.FabricsTransport;
import dev.ferry.frontend.nvme.NvmeQueue;
import dev.ferry.frontend.nvme.NvmeTarget;
import dev.ferry.frontend.nvmetcp.pdu.ConnectionParameters;
import dev.ferry.frontend.nvmetcp.pdu.PduDecoder;
import dev.ferry.frontend.nvmetcp.pdu.PduEncoder;
import dev.ferry.frontend.transport.SharedEventLoops;
import dev.ferry.frontend.transport.TcpServer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NVMe/TCP frontend: listens on every TCP port of every {@code nvme} export (each distinct portal once) and serves
 * both those subsystems and the discovery subsystem there; one Netty channel per NVMe queue. It is also the
 * {@link FabricsTransport} the controller model asks about ports and limits. It follows live reconfiguration
 * ({@link #exportsChanged}) and lists its controllers as sessions.
 */
public final class NvmeTcpFrontend implements Frontend, FabricsTransport, ExportsChangedListener, SessionSource {
    private static final Logger LOG = LoggerFactory.getLogger(NvmeTcpFrontend.class);
    /** Discovery TRTYPE for TCP (Base 2.0 Figure 294). */
    static final int TRTYPE_TCP = 3;
    /** TSAS for TCP (NVMe/TCP 1.0 Figure 17): byte 0 SECTYPE, 0 = no security. */
    static final int TSAS_SIZE = 256;
    static final int SECTYPE_NONE = 0;

    private final NvmeTarget target;
    private final TcpLimits limits;
    private final ConnectionAdmission admission;
    private final int eventLoops;
    private final FabricsPortTable ports;
    /** The shared loops while running; connections' loops read it for their completion queues. */
    private volatile SharedEventLoops.Lease loops;
    /** The listening ports and the connections while running. */
    private volatile TcpServer server;
    private boolean stopping;

    public NvmeTcpFrontend(UnitRegistry registry) {
        this(registry, TcpLimits.fromSystemProperties(), 0);
    }

    /**
     * @param eventLoops 0: connections spread over every shared event loop; 1: all on one of them (tests of what one
     *                   connection can do to the others of its loop)
     */
    NvmeTcpFrontend(UnitRegistry registry, TcpLimits limits, int eventLoops) {
        this.target = new NvmeTarget(registry, this);
        this.limits = limits;
        this.admission = new ConnectionAdmission(limits.connectionsPerPortal(), limits.connectionsPerAddress());
        if (eventLoops != 0 && eventLoops != 1) {
            throw new IllegalArgumentException("eventLoops must be 0 (all shared loops) or 1: " + eventLoops);
        }
        this.eventLoops = eventLoops;
        this.ports = new FabricsPortTable(registry, Portal.TCP, new FabricsPortTable.Binder() {
            @Override
            public InetSocketAddress bind(Portal p) throws Exception {
                return server.bind(p);
            }

            @Override
            public void unbind(Portal p) {
                server.unbind(p);
            }
        });
    }

    @Override
    public String protocol() {
        return TargetConfig.NVME;
    }

    @Override
    public synchronized void start() throws Exception {
        loops = SharedEventLoops.acquire();
        server = new TcpServer("NVMe/TCP", loops, eventLoops == 1 ? loops.group().next() : loops.group(), admission,
                this::initConnection)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(limits.writeLowWaterMark(), limits.writeHighWaterMark()));
        try {
            ports.reconcile();
        } catch (Exception e) {
            close();
            throw e;
        }
        target.start();
        LOG.info("nvme/tcp listening on {} ({})", boundAddresses(), loops.transport());
    }

    private void initConnection(SocketChannel ch) {
        ConnectionParameters params = new ConnectionParameters();
        ch.pipeline().addLast("decoder", new PduDecoder(params))
                .addLast("encoder", new PduEncoder(params))
                .addLast("icreq", new IcReqHandler(params))
                .addLast("queue", new TcpQueueHandler(target, c -> loops.completionQueue(c.eventLoop()), limits));
    }

    /**
     * Follows a new registry snapshot: binds the ports of new exports, unbinds those no export uses any more
     * (connections already made through them stay, as iSCSI's do), and tells the controller model at once, which
     * raises the namespace and discovery events and deletes the controllers of hosts that lost access.
     */
    @Override
    public synchronized void exportsChanged() throws Exception {
        if (server == null || stopping) {
            return;
        }
        ports.reconcile();
        target.exportsChanged();
    }

    /** One session per I/O controller, by controller ID: the admin queue's peer is the host's address. */
    @Override
    public List<Session> liveSessions() {
        List<Controller> controllers = target.controllers();
        controllers.sort(Comparator.comparingInt(Controller::cntlid));
        List<Session> out = new ArrayList<>();
        for (Controller c : controllers) {
            NvmeQueue admin = c.adminQueue();
            if (c.isDiscovery() || c.isDeleted() || admin == null) {
                continue;
            }
            out.add(new Session(protocol(), c.subsystemNqn(), c.hostNqn(),
                    Session.address(admin.transport().remoteAddress()), String.valueOf(c.cntlid())));
        }
        return out;
    }

    /** The controller model behind this transport, for observing controllers and keep-alive expiries. */
    public NvmeTarget target() {
        return target;
    }

    /** Open NVMe/TCP connections (queues, including discovery ones): a freed controller leaves none behind. */
    public int connectionCount() {
        TcpServer s = server;
        return s == null ? 0 : s.connections().size();
    }

    /** The open connections' channels, for tests that look at a connection's buffers and read state. */
    ChannelGroup connections() {
        return server.connections();
    }

    @Override
    public List<InetSocketAddress> boundAddresses() {
        return ports.boundAddresses();
    }

    @Override
    public int transportType() {
        return TRTYPE_TCP;
    }

    @Override
    public int ioInCapsuleDataSize() {
        return ConnectionParameters.MAX_IN_CAPSULE_DATA;
    }

    /** TCP 1.0 3.3.2: exactly one SGL descriptor per command. */
    @Override
    public int maxSglDescriptors() {
        return 1;
    }

    @Override
    public byte[] transportSpecificAddress() {
        byte[] tsas = new byte[TSAS_SIZE];
        tsas[0] = SECTYPE_NONE;
        return tsas;
    }

    @Override
    public List<FabricsPort> ports() {
        return ports.ports();
    }

    /**
     * Stops accepting, deletes controllers, closes connections, then gives back the shared loops (the last frontend
     * to do so waits for the block requests still in flight, then stops them); every wait is bounded.
     */
    @Override
    public void close() {
        synchronized (this) {
            stopping = true;
            ports.unbindAll();
        }
        target.close();
        TcpServer s = server;
        if (s != null) {
            s.close();
        }
        if (loops != null) {
            loops.close();
        }
    }
}
