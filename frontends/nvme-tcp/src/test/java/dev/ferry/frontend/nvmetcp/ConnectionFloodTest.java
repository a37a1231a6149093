package dev.ferry.frontend.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.buffer.IoBuffers;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A flood of idle, half-open (part of an ICReq, then nothing) and trickling (an ICReq a byte at a time) connections
 * from three host addresses, over real sockets: each address keeps at most its limit of connections, the rest are
 * closed on accept; a well-behaved host on another address connects and moves data meanwhile; Ferry's direct
 * memory stays within a bound; every flood connection is closed once the connect deadline has passed.
 */
class ConnectionFloodTest {
    /** Long enough for the whole flood to be set up before it expires; it only decides when the drain starts. */
    static final Duration DEADLINE = Duration.ofSeconds(12);
    static final int PER_ADDRESS = 100;
    static final int PER_PORTAL = 1000;
    /** 127.0.0.2 .. 127.0.0.4 flood; the well-behaved host connects from 127.0.0.1. */
    static final int FLOOD_ADDRESSES = 3;
    static final int ATTEMPTS_PER_ADDRESS = 150;
    /**
     * 300 connections holding at most a partial 128-byte ICReq each, plus the pools' chunk granularity (measured:
     * 6 MiB); a 64 KiB buffer per connection would be 19 MiB.
     */
    static final long DIRECT_MEMORY_BOUND = 16L << 20;
    static final long SAFETY_NANOS = Duration.ofSeconds(40).toNanos();

    LimitedTarget target;
    final List<SocketChannel> flood = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (SocketChannel s : flood) {
            s.close();
        }
        if (target != null) {
            target.close();
        }
    }

    static long directMemoryInUse() {
        long netty = ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p
                ? p.metric().usedDirectMemory() : 0;
        return IoBuffers.usedBytes() + netty;
    }

    /** True once the target closed {@code s} (EOF or reset); never blocks. */
    static boolean closedByTarget(SocketChannel s) {
        try {
            return s.read(ByteBuffer.allocate(256)) < 0;
        } catch (IOException reset) {
            return true;
        }
    }

    /** The next byte of a trickled ICReq, never its last one (the PDU stays incomplete); false once closed. */
    static boolean trickle(SocketChannel s, byte[] pdu, int[] sent) {
        if (sent[0] >= pdu.length - 1) {
            return true;
        }
        try {
            sent[0] += s.write(ByteBuffer.wrap(pdu, sent[0], 1));
            return true;
        } catch (IOException closed) {
            return false;
        }
    }

    @Test
    void aFloodOfIdleHalfOpenAndTricklingConnectionsIsBoundedAndDrained() throws Exception {
        target = new LimitedTarget(new TcpLimits(DEADLINE, Duration.ofSeconds(1), 64 * 1024)
                .withConnections(PER_PORTAL, PER_ADDRESS));
        byte[] icReq = ConnectDeadlineTest.icReq();
        long baseline = directMemoryInUse();
        List<int[]> trickled = new ArrayList<>();
        List<SocketChannel> trickling = new ArrayList<>();
        for (int a = 0; a < FLOOD_ADDRESSES; a++) {
            for (int i = 0; i < ATTEMPTS_PER_ADDRESS; i++) {
                SocketChannel s = SocketChannel.open();
                flood.add(s);
                s.bind(new InetSocketAddress("127.0.0." + (2 + a), 0));
                s.connect(target.address);
                s.configureBlocking(false);
                switch (i % 3) {
                    case 0 -> { } // idle
                    case 1 -> {
                        try {
                            s.write(ByteBuffer.wrap(icReq, 0, 64)); // the common header and half the rest
                        } catch (IOException refusedAlready) {
                            // closed on accept
                        }
                    }
                    default -> {
                        trickling.add(s);
                        trickled.add(new int[1]);
                    }
                }
            }
        }

        // Accepts complete asynchronously: wait until every refused connection is closed and every admitted one
        // counted, trickling meanwhile. The deadline (seconds away) is not what ends this wait.
        int admitted = FLOOD_ADDRESSES * PER_ADDRESS;
        int refused = FLOOD_ADDRESSES * (ATTEMPTS_PER_ADDRESS - PER_ADDRESS);
        long peak = 0;
        long until = System.nanoTime() + SAFETY_NANOS;
        int closed;
        do {
            for (int t = 0; t < trickling.size(); t++) {
                trickle(trickling.get(t), icReq, trickled.get(t));
            }
            peak = Math.max(peak, directMemoryInUse() - baseline);
            closed = (int) flood.stream().filter(ConnectionFloodTest::closedByTarget).count();
            Thread.sleep(20);
        } while ((closed < refused || target.frontend.connectionCount() < admitted) && System.nanoTime() < until);
        assertEquals(refused, closed, "connections beyond " + PER_ADDRESS + " per address closed on accept");
        assertEquals(admitted, target.frontend.connectionCount(), PER_ADDRESS + " per flooding address admitted");

        // A well-behaved host connects and moves data while the flood holds its connections.
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(target.address);
             NvmeTcpTestHost io = new NvmeTcpTestHost(target.address)) {
            target.ioQueue(admin, io, 31);
            byte[] data = new byte[16 * LimitedTarget.BLOCK_SIZE];
            new Random(7).nextBytes(data);
            io.write(1, 8, data, LimitedTarget.BLOCK_SIZE);
            assertArrayEquals(data, io.read(1, 8, 16, LimitedTarget.BLOCK_SIZE));
            peak = Math.max(peak, directMemoryInUse() - baseline);

            // Past the deadline every flood connection is closed, however it trickled; the host's two stay.
            until = System.nanoTime() + SAFETY_NANOS;
            do {
                for (int t = 0; t < trickling.size(); t++) {
                    trickle(trickling.get(t), icReq, trickled.get(t));
                }
                peak = Math.max(peak, directMemoryInUse() - baseline);
                Thread.sleep(50);
            } while (target.frontend.connectionCount() > 2 && System.nanoTime() < until);
            assertEquals(2, target.frontend.connectionCount(), "flood connections left after the connect deadline");
            assertEquals(flood.size(), flood.stream().filter(ConnectionFloodTest::closedByTarget).count(),
                    "every flood socket sees its connection closed");
            assertTrue(peak <= DIRECT_MEMORY_BOUND, "direct memory held during the flood: " + peak + " bytes");

            // The host's queue is still served after the flood is gone.
            assertArrayEquals(Arrays.copyOf(data, LimitedTarget.BLOCK_SIZE), io.read(1, 8, 1, LimitedTarget.BLOCK_SIZE));
        }
    }
}
