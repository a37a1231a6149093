package dev.ferry.frontend.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.Portal;
import dev.ferry.core.frontend.ConnectionAdmission;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Portal binding and connection admission of {@link TcpServer}, with real sockets. */
class TcpServerTest {
    private SharedEventLoops.Lease loops;
    private TcpServer server;
    private final AtomicInteger pipelines = new AtomicInteger();

    @BeforeEach
    void start() {
        loops = SharedEventLoops.acquire();
        server = new TcpServer("test", loops, loops.group(), new ConnectionAdmission(10, 1), ch -> {
            pipelines.incrementAndGet();
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ctx.writeAndFlush(msg, ctx.voidPromise()); // echo
                }
            });
        });
    }

    @AfterEach
    void stop() {
        server.close();
        loops.close();
    }

    @Test
    void reconcileBindsIpv4AndIpv6PortalsAndUnbindsTheOnesNoLongerWanted() throws Exception {
        Portal v4 = new Portal("127.0.0.1", 0);
        Portal v6 = new Portal("::1", 0);
        boolean ipv6 = hasIpv6Loopback();
        server.reconcile(ipv6 ? List.of(v4, v6) : List.of(v4));
        InetSocketAddress a4 = server.bound().get(v4);
        echo(a4);
        if (ipv6) {
            echo(server.bound().get(v6));
        }
        server.reconcile(List.of());
        assertEquals(Set.of(), server.bound().keySet());
        assertThrows(java.net.ConnectException.class, () -> new Socket(a4.getAddress(), a4.getPort()).close());
    }

    @Test
    void aPortalThatCannotBeBoundLeavesThePortalsAsBefore() throws Exception {
        Portal kept = new Portal("127.0.0.1", 0);
        server.reconcile(List.of(kept));
        InetSocketAddress before = server.bound().get(kept);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Portal busy = new Portal("127.0.0.1", taken.getLocalPort());
            // "localhost" binds, then the busy port fails: the first must be unbound again.
            BindException e = assertThrows(BindException.class, () -> server.reconcile(List.of(kept,
                    new Portal("localhost", 0), busy)));
            assertTrue(e.getMessage().contains(busy.toString()), e.getMessage());
            assertEquals(List.of(kept), List.copyOf(server.bound().keySet()), "the portal bound before the failure");
            assertEquals(before, server.bound().get(kept));
            echo(before);
        }
    }

    @Test
    void aConnectionOverTheAddressLimitIsClosedBeforeItsPipelineIsSetUp() throws Exception {
        server.reconcile(List.of(new Portal("127.0.0.1", 0)));
        InetSocketAddress at = server.bound().values().iterator().next();
        try (Socket first = echoed(at); Socket second = new Socket(at.getAddress(), at.getPort())) {
            second.setSoTimeout(30_000);
            assertEquals(-1, second.getInputStream().read(), "the second connection from one address stayed open");
            assertEquals(1, pipelines.get());
            assertEquals(1, server.connections().size());
        }
    }

    private static void echo(InetSocketAddress at) throws Exception {
        echoed(at).close();
    }

    /** A connection to {@code at} that one byte went through and back. */
    private static Socket echoed(InetSocketAddress at) throws Exception {
        Socket s = new Socket(at.getAddress(), at.getPort());
        s.setSoTimeout(30_000);
        s.getOutputStream().write(42);
        assertEquals(42, s.getInputStream().read());
        return s;
    }

    private static boolean hasIpv6Loopback() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
