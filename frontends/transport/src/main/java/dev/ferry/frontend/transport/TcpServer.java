package dev.ferry.frontend.transport;

import dev.ferry.core.config.Portal;
import dev.ferry.core.frontend.ConnectionAdmission;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening TCP portals of one frontend and the connections accepted on them, on the {@link SharedEventLoops}:
 * binds each portal (an IPv4 or IPv6 address, or a wildcard), follows reconfiguration ({@link #reconcile}), counts
 * every accepted connection against the core's {@link ConnectionAdmission} and closes one over a limit before any
 * handler is set up for it, and closes everything within bounded waits. Thread-safe.
 */
public final class TcpServer implements AutoCloseable {
    /** Connections the kernel queues for a portal before they are accepted. */
    static final int LISTEN_BACKLOG = 1024;
    /** Bound of the wait for one listening socket to close. */
    static final long UNBIND_SECONDS = 2;
    /** Bound of the wait for the accepted connections to close. */
    static final long CLOSE_SECONDS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(TcpServer.class);

    /** Sets up the pipeline of an admitted connection. */
    @FunctionalInterface
    public interface Pipeline {
        void init(SocketChannel ch);
    }

    private final String name;
    private final ConnectionAdmission admission;
    private final ServerBootstrap bootstrap;
    private final ChannelGroup connections;
    private final Map<Portal, Channel> listening = new LinkedHashMap<>();
    /** Where each portal is bound, for readers that must not take this object's lock (event loops). */
    private volatile Map<Portal, InetSocketAddress> bound = Map.of();

    /**
     * @param name       the protocol, in log lines and errors ("iSCSI", "NVMe/TCP")
     * @param loops      the shared loops the portals listen on
     * @param childLoops where accepted connections run: {@code loops.group()}, or one of its loops
     * @param admission  the per-portal and per-address connection limits
     * @param pipeline   sets up each admitted connection
     */
    public TcpServer(String name, SharedEventLoops.Lease loops, EventLoopGroup childLoops, ConnectionAdmission admission,
                     Pipeline pipeline) {
        this.name = name;
        this.admission = admission;
        // stayClosed: a connection accepted while close() closes the group is closed as it joins.
        this.connections = new DefaultChannelGroup(name + "-connections", GlobalEventExecutor.INSTANCE, true);
        this.bootstrap = new ServerBootstrap()
                .group(loops.group(), childLoops)
                .channel(loops.transport().serverChannel())
                .option(ChannelOption.SO_BACKLOG, LISTEN_BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!admitted(ch)) {
                            LOG.debug("{} connection from {} to {} refused: connection limit reached", name,
                                    ch.remoteAddress(), ch.localAddress());
                            ch.close();
                            return;
                        }
                        connections.add(ch);
                        if (ch.isOpen()) { // not closed by a close() of the group racing with the accept
                            pipeline.init(ch);
                        }
                    }
                });
    }

    /** An option of every connection accepted from now on (call before the first {@link #bind}). */
    public <T> TcpServer childOption(ChannelOption<T> option, T value) {
        bootstrap.childOption(option, value);
        return this;
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

    /** Listens on {@code p} (if not yet) and returns where; throws naming the portal when it cannot. */
    public synchronized InetSocketAddress bind(Portal p) throws BindException {
        Channel server = listening.get(p);
        if (server == null) {
            try {
                InetSocketAddress want = new InetSocketAddress(InetAddress.getByName(p.host()), p.port());
                server = bootstrap.bind(want).sync().channel();
            } catch (Exception failed) {
                throw new BindException("cannot bind " + name + " portal " + p + ": " + failed.getMessage());
            }
            listening.put(p, server);
            publish();
        }
        return (InetSocketAddress) server.localAddress();
    }

    /** Stops listening on {@code p}; connections made through it stay. */
    public synchronized void unbind(Portal p) {
        Channel server = listening.remove(p);
        if (server != null) {
            server.close().awaitUninterruptibly(UNBIND_SECONDS, TimeUnit.SECONDS);
            publish();
        }
    }

    /**
     * Listens on exactly {@code wanted}: binds the new portals, then unbinds the others (their connections stay).
     * When a portal cannot be bound, unbinds what this call bound and throws, so the portals are as before.
     */
    public synchronized void reconcile(Collection<Portal> wanted) throws BindException {
        List<Portal> added = new ArrayList<>();
        try {
            for (Portal p : wanted) {
                if (!listening.containsKey(p)) {
                    bind(p);
                    added.add(p);
                }
            }
        } catch (BindException e) {
            added.forEach(this::unbind);
            throw e;
        }
        for (Portal p : List.copyOf(listening.keySet())) {
            if (!wanted.contains(p)) {
                unbind(p);
                LOG.info("{} portal {} unbound", name, p);
            }
        }
    }

    private void publish() {
        Map<Portal, InetSocketAddress> now = new LinkedHashMap<>();
        listening.forEach((p, ch) -> now.put(p, (InetSocketAddress) ch.localAddress()));
        bound = Collections.unmodifiableMap(now);
    }

    /** Where each portal is bound, in binding order; safe to call from any thread without blocking. */
    public Map<Portal, InetSocketAddress> bound() {
        return bound;
    }

    /** The open connections, in any phase (those refused on accept are never in it). */
    public ChannelGroup connections() {
        return connections;
    }

    /**
     * Stops listening on every portal, then closes every connection. Each wait is bounded: a connection's close
     * runs on its loop, which a stuck task may hold.
     */
    @Override
    public void close() {
        synchronized (this) {
            List.copyOf(listening.keySet()).forEach(this::unbind);
        }
        if (!connections.close().awaitUninterruptibly(CLOSE_SECONDS, TimeUnit.SECONDS)) {
            LOG.warn("{}: connections did not close within {} s at shutdown", name, CLOSE_SECONDS);
        }
    }
}
