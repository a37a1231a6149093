package dev.ferry.frontend.transport;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty I/O transport of the shared event loops: native epoll by default, Netty 4.2's io_uring on request
 * ({@code -Dferry.io=io_uring}), NIO where neither native library loads. A requested transport that is unavailable
 * (io_uring disabled by the kernel or a seccomp profile, no native library for the platform) falls back with a log
 * line saying why, so a configuration never stops the target from starting.
 */
public enum IoTransport {
    EPOLL("epoll"),
    IO_URING("io_uring"),
    NIO("nio");

    /** The system property naming the transport: {@code epoll}, {@code io_uring} or {@code nio}. */
    public static final String PROPERTY = "ferry.io";
    private static final Logger LOG = LoggerFactory.getLogger(IoTransport.class);

    private final String id;

    IoTransport(String id) {
        this.id = id;
    }

    /** The transport {@code -Dferry.io} asks for (epoll when unset), or the best available one instead. */
    public static IoTransport fromSystemProperty() {
        return select(System.getProperty(PROPERTY, EPOLL.id));
    }

    /** {@code requested} if it can run here, otherwise epoll, otherwise NIO; logs each fallback and why. */
    static IoTransport select(String requested) {
        IoTransport want = parse(requested);
        if (want == IO_URING) {
            if (IoUring.isAvailable()) {
                return IO_URING;
            }
            LOG.warn("io_uring is not available ({}); falling back", IoUring.unavailabilityCause().toString());
        }
        if (want != NIO) {
            if (Epoll.isAvailable()) {
                return EPOLL;
            }
            LOG.warn("epoll is not available ({}); using NIO", Epoll.unavailabilityCause().toString());
        }
        return NIO;
    }

    private static IoTransport parse(String requested) {
        for (IoTransport t : values()) {
            if (t.id.equals(requested.trim().toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        LOG.warn("-D{}={} is not one of epoll, io_uring, nio; using epoll", PROPERTY, requested);
        return EPOLL;
    }

    IoHandlerFactory handlerFactory() {
        return switch (this) {
            case EPOLL -> EpollIoHandler.newFactory();
            case IO_URING -> IoUringIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
    }

    /** The listening channel type that runs on this transport's loops. */
    public Class<? extends ServerChannel> serverChannel() {
        return switch (this) {
            case EPOLL -> EpollServerSocketChannel.class;
            case IO_URING -> IoUringServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    @Override
    public String toString() {
        return id;
    }
}
