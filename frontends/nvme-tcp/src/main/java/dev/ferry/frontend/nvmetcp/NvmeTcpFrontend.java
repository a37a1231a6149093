package dev.ferry.frontend.nvmetcp;

import dev.ferry.core.config.Portal;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.core.frontend.ConnectionAdmission;
import dev.ferry.core.frontend.ExportsChangedListener;
import dev.ferry.core.frontend.Frontend;
import dev.ferry.core.frontend.SessionSource;
import dev.ferry.core.ring.CompletionQueue;
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
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
    /** Block requests one event loop may have in flight before answering "Command Interrupted". */
    static final int REQUESTS_PER_LOOP = 1024;
    private static final long DRAIN_TIMEOUT_MILLIS = 5000;
    /** Bound of each other wait in {@link #close}. */
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final NvmeTarget target;
    private final TcpLimits limits;
    private final ConnectionAdmission admission;
    private final int eventLoops;
    private final Map<EventLoop, CompletionQueue> completionQueues = new ConcurrentHashMap<>();
    private final FabricsPortTable ports;
    private final Map<Portal, Channel> serverChannels = new HashMap<>();
    private ServerBootstrap bootstrap;
    private boolean stopping;
    private ChannelGroup connections;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;

    public NvmeTcpFrontend(UnitRegistry registry) {
        this(registry, TcpLimits.fromSystemProperties(), 0);
    }

    /** @param eventLoops worker threads serving the connections; 0 for Netty's default (twice the cores) */
    NvmeTcpFrontend(UnitRegistry registry, TcpLimits limits, int eventLoops) {
        this.target = new NvmeTarget(registry, this);
        this.limits = limits;
        this.admission = new ConnectionAdmission(limits.connectionsPerPortal(), limits.connectionsPerAddress());
        this.eventLoops = eventLoops;
        this.ports = new FabricsPortTable(registry, Portal.TCP, new FabricsPortTable.Binder() {
            @Override
            public InetSocketAddress bind(Portal p) throws Exception {
                return bindServer(p);
            }

            @Override
            public void unbind(Portal p) {
                unbindServer(p);
            }
        });
    }

    @Override
    public String protocol() {
        return TargetConfig.NVME;
    }

    @Override
    public synchronized void start() throws Exception {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        bossGroup = new MultiThreadIoEventLoopGroup(1, io);
        workerGroup = new MultiThreadIoEventLoopGroup(eventLoops, io);
        connections = new DefaultChannelGroup("nvme-tcp", GlobalEventExecutor.INSTANCE);
        bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelType)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(limits.writeLowWaterMark(), limits.writeHighWaterMark()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!admitted(ch)) {
                            LOG.debug("nvme/tcp connection from {} to {} refused: connection limit reached",
                                    ch.remoteAddress(), ch.localAddress());
                            ch.close();
                            return;
                        }
                        connections.add(ch);
                        ConnectionParameters params = new ConnectionParameters();
                        ch.pipeline().addLast("decoder", new PduDecoder(params))
                                .addLast("encoder", new PduEncoder(params))
                                .addLast("icreq", new IcReqHandler(params))
                                .addLast("queue", new TcpQueueHandler(target, c -> completionQueue(c.eventLoop()),
                                        limits));
                    }
                });
        try {
            ports.reconcile();
        } catch (Exception e) {
            close();
            throw e;
        }
        target.start();
        LOG.info("nvme/tcp listening on {} ({})", boundAddresses(), epoll ? "epoll" : "nio");
    }

    /** Counts {@code ch} against its portal's and its peer address's limits until it closes, if they allow it. */
    private boolean admitted(SocketChannel ch) {
        Channel portal = ch.parent();
        InetSocketAddress remote = ch.remoteAddress();
        if (remote == null || !admission.admit(portal, remote.getAddress())) {
            return false; // over a limit, or already gone
        }
        ch.closeFuture().addListener(f -> admission.release(portal, remote.getAddress()));
        return true;
    }

    private InetSocketAddress bindServer(Portal p) throws java.net.BindException {
        Channel server;
        try {
            server = bootstrap.bind(new InetSocketAddress(p.host(), p.port())).sync().channel();
        } catch (Exception failed) {
            throw new java.net.BindException("cannot bind NVMe/TCP port " + p + ": " + failed.getMessage());
        }
        serverChannels.put(p, server);
        return (InetSocketAddress) server.localAddress();
    }

    private void unbindServer(Portal p) {
        Channel server = serverChannels.remove(p);
        if (server != null) {
            server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    /**
     * Follows a new registry snapshot: binds the ports of new exports, unbinds those no export uses any more
     * (connections already made through them stay, as iSCSI's do), and tells the controller model at once, which
     * raises the namespace and discovery events and deletes the controllers of hosts that lost access.
     */
    @Override
    public synchronized void exportsChanged() throws Exception {
        if (bootstrap == null || stopping) {
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

    private CompletionQueue completionQueue(EventLoop loop) {
        return completionQueues.computeIfAbsent(loop, l -> new CompletionQueue(l, REQUESTS_PER_LOOP));
    }

    /** The controller model behind this transport, for observing controllers and keep-alive expiries. */
    public NvmeTarget target() {
        return target;
    }

    /** Open NVMe/TCP connections (queues, including discovery ones): a freed controller leaves none behind. */
    public int connectionCount() {
        return connections == null ? 0 : connections.size();
    }

    /** The open connections' channels, for tests that look at a connection's buffers and read state. */
    ChannelGroup connections() {
        return connections;
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

    /** Stops accepting, deletes controllers, closes connections, waits for in-flight block requests, stops loops. */
    @Override
    public void close() {
        synchronized (this) {
            stopping = true;
            ports.unbindAll();
        }
        target.close();
        // Bounded waits: a loop stuck in a handler never completes a close or a termination future.
        if (connections != null && !connections.close().awaitUninterruptibly(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
            LOG.warn("nvme/tcp: connections did not close within {} s at shutdown", CLOSE_WAIT_SECONDS);
        }
        awaitInFlight();
        if (bossGroup != null) {
            Future<?> boss = bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            Future<?> workers = workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (!boss.awaitUninterruptibly(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)
                    || !workers.awaitUninterruptibly(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("nvme/tcp: event loops did not stop within {} s at shutdown", CLOSE_WAIT_SECONDS);
            }
        }
    }

    /** Backend workers post completions to the loops, so the loops must outlive the last request. */
    private void awaitInFlight() {
        long deadline = System.currentTimeMillis() + DRAIN_TIMEOUT_MILLIS;
        for (Map.Entry<EventLoop, CompletionQueue> e : completionQueues.entrySet()) {
            CompletionQueue cq = e.getValue();
            try {
                while (e.getKey().submit(cq::inFlight).get(1, TimeUnit.SECONDS) > 0) {
                    if (System.currentTimeMillis() > deadline) {
                        LOG.warn("nvme/tcp: requests still in flight at shutdown");
                        return;
                    }
                    Thread.sleep(10);
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException | java.util.concurrent.RejectedExecutionException ex) {
                LOG.warn("nvme/tcp: could not check in-flight requests", ex);
            }
        }
    }
}
