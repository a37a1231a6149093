package dev.ferry.frontend.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SingleThreadEventLoop;
import io.netty.channel.socket.SocketChannel;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link FlushCoalescer} on a real event loop (the transport the shared loops use here) with a real socket. */
class FlushCoalescerTest {
    private static final int ITERATIONS = 100_000;

    private MultiThreadIoEventLoopGroup group;
    private Channel server;
    private Socket client;
    private Channel accepted;
    private ChannelHandlerContext ctx;
    private FlushCoalescer coalescer;
    /** What happened on the connection's loop, in order: "write x", "task", "flush". */
    private final List<String> events = new CopyOnWriteArrayList<>();
    /** Whether flushes go into {@link #events} (not while counting allocations). */
    private volatile boolean recording = true;
    /** Runs on the loop at each flush that reaches the socket (after it is recorded). */
    private volatile Runnable onFlush = () -> { };

    @BeforeEach
    void connect() throws Exception {
        IoTransport transport = IoTransport.fromSystemProperty();
        group = new MultiThreadIoEventLoopGroup(1, transport.handlerFactory());
        CompletableFuture<ChannelHandlerContext> handler = new CompletableFuture<>();
        server = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
                            @Override
                            public void flush(ChannelHandlerContext c) {
                                if (recording) {
                                    events.add("flush");
                                }
                                c.flush();
                                onFlush.run();
                            }
                        }, new ChannelInboundHandlerAdapter() {
                            @Override
                            public void handlerAdded(ChannelHandlerContext c) {
                                handler.complete(c);
                            }
                        });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        client = new Socket("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort());
        ctx = handler.get(30, TimeUnit.SECONDS);
        accepted = ctx.channel();
        coalescer = new FlushCoalescer(ctx);
    }

    @AfterEach
    void close() throws Exception {
        client.close();
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private void write(String s) {
        events.add("write " + s);
        ctx.write(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII), ctx.voidPromise());
        coalescer.flushSoon();
    }

    private String read(int n) throws Exception {
        client.setSoTimeout(30_000);
        InputStream in = client.getInputStream();
        return new String(in.readNBytes(n), StandardCharsets.US_ASCII);
    }

    @Test
    void manyRequestsInOneIterationGetOneFlushAfterTheIterationsTasks() throws Exception {
        EventLoop loop = accepted.eventLoop();
        loop.execute(() -> {
            write("a");
            write("b");
            // A task queued now runs in this iteration's task pass, before the tail tasks.
            loop.execute(() -> {
                events.add("task");
                write("c");
            });
        });
        assertEquals("abc", read(3));
        loop.submit(() -> { }).sync(); // a later iteration: anything the first one queued has run
        assertEquals(List.of("write a", "write b", "task", "write c", "flush"), events);
    }

    @Test
    void aWriteAfterTheFlushGetsItsOwnFlushInTheSameTailPass() throws Exception {
        SingleThreadEventLoop loop = (SingleThreadEventLoop) accepted.eventLoop();
        CountDownLatch seen = new CountDownLatch(1);
        int[] flushesSeenByLaterTailTask = new int[1];
        loop.execute(() -> {
            write("a");
            // Queued after the coalescer's tail task, as a completion drain that writes late would be.
            loop.executeAfterEventLoopIteration(() -> {
                write("b");
                // Queued after the second flush request: it must find that flush already done.
                loop.executeAfterEventLoopIteration(() -> {
                    flushesSeenByLaterTailTask[0] = (int) events.stream().filter("flush"::equals).count();
                    seen.countDown();
                });
            });
        });
        assertEquals("ab", read(2));
        assertTrue(seen.await(30, TimeUnit.SECONDS));
        assertEquals(2, flushesSeenByLaterTailTask[0], events.toString());
        assertEquals(List.of("write a", "flush", "write b", "flush"), events);
    }

    @Test
    void askingForAFlushAllocatesNothing() throws Exception {
        EventLoop loop = accepted.eventLoop();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long loopThread = loop.submit(() -> Thread.currentThread().getId()).get(30, TimeUnit.SECONDS);
        // Each iteration asks twice and flushes once; its flush queues the next iteration's request.
        Runnable ask = () -> {
            coalescer.flushSoon();
            coalescer.flushSoon();
        };
        long[] before = new long[1];
        CountDownLatch done = new CountDownLatch(1);
        int[] flushes = new int[1];
        onFlush = () -> {
            int n = ++flushes[0];
            if (n == ITERATIONS) { // warmed up: count from here
                before[0] = threads.getThreadAllocatedBytes(loopThread);
            }
            if (n == 2 * ITERATIONS) {
                before[0] = threads.getThreadAllocatedBytes(loopThread) - before[0];
                done.countDown();
            } else {
                loop.execute(ask);
            }
        };
        recording = false;
        loop.execute(ask);
        assertTrue(done.await(120, TimeUnit.SECONDS), "the iterations did not finish");
        // Measured 0; the margin is for a task-queue chunk now and then. A lambda or a promise per request would
        // be 16 to 80 bytes every time.
        double perIteration = (double) before[0] / ITERATIONS;
        assertTrue(perIteration < 4, perIteration + " bytes allocated per loop iteration");
    }
}
