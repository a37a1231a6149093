package dev.ferry.frontend.iscsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.buffer.IoBuffers;
import dev.ferry.core.config.Portal;
import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.UnitRegistry;
import dev.ferry.frontend.iscsi.login.NegotiationLimits;
import dev.ferry.frontend.iscsi.pdu.IscsiPdu;
import dev.ferry.frontend.iscsi.pdu.LoginPdu;
import dev.ferry.frontend.iscsi.session.ConnectionLimits;
import dev.ferry.frontend.scsi.ScsiResponse;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A flood of idle, half-open (part of a login BHS, then nothing) and trickling (a login PDU a byte at a time)
 * connections from three initiator addresses, over real sockets: each address keeps at most its limit of
 * connections, the rest are closed on accept; a well-behaved initiator on another address logs in and moves data
 * meanwhile; Ferry's direct memory stays within a bound; every flood connection is closed once the login deadline
 * has passed.
 */
class ConnectionFloodTest {
    static final String INITIATOR = "iqn.2026-12.dev.ferry:flood";
    static final long LUN0 = 0;
    /** Long enough for the whole flood to be set up before it expires; it only decides when the drain starts. */
    static final int LOGIN_TIMEOUT_MS = 12_000;
    static final int PER_ADDRESS = 100;
    static final int PER_PORTAL = 1000;
    /** 127.0.0.2 .. 127.0.0.4 flood; the well-behaved initiator connects from 127.0.0.1. */
    static final int FLOOD_ADDRESSES = 3;
    static final int ATTEMPTS_PER_ADDRESS = 150;
    /**
     * 300 connections holding at most part of one login PDU each, plus the pools' chunk granularity; a 64 KiB
     * buffer per connection would be 19 MiB.
     */
    static final long DIRECT_MEMORY_BOUND = 16L << 20;
    static final long SAFETY_NANOS = Duration.ofSeconds(40).toNanos();

    IscsiFrontend frontend;
    final FakeCommandSet fake = new FakeCommandSet();
    final List<SocketChannel> flood = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (SocketChannel s : flood) {
            s.close();
        }
        if (frontend != null) {
            frontend.close();
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

    /** The next byte of a trickled login PDU, never its last one (the PDU stays incomplete). */
    static void trickle(SocketChannel s, byte[] pdu, int[] sent) {
        if (sent[0] >= pdu.length - 1) {
            return;
        }
        try {
            sent[0] += s.write(ByteBuffer.wrap(pdu, sent[0], 1));
        } catch (IOException closed) {
            // closed by the target
        }
    }

    /** A login request whose 8000-byte data segment keeps a trickle going for far longer than the deadline. */
    static byte[] loginPdu() {
        IscsiPdu login = LoginPdu.request(LoginPdu.stageFlags(true, false, 0, 1), 0x400001230200L, 0, 1, 0, 1, 0);
        login.data(Unpooled.wrappedBuffer(("InitiatorName=" + INITIATOR + "\0" + "X-pad=" + "p".repeat(8000) + "\0")
                .getBytes(StandardCharsets.US_ASCII), 0, 8000));
        return ByteBufUtil.getBytes(IscsiPduCodecTestAccess.encode(login));
    }

    @Test
    void aFloodOfIdleHalfOpenAndTricklingConnectionsIsBoundedAndDrained() throws Exception {
        UnitRegistry registry = new UnitRegistry();
        registry.replace(Map.of(), List.of(new Export(TestTargets.TARGET, "iscsi", null,
                List.of(new Portal("127.0.0.1", 0)), new TreeMap<>(), Set.of(), true)));
        frontend = new IscsiFrontend(registry, NegotiationLimits.DEFAULT, 30, ConnectionLimits.DEFAULT
                .withLoginTimeoutMillis(LOGIN_TIMEOUT_MS).withConnections(PER_PORTAL, PER_ADDRESS), e -> fake);
        frontend.start();
        InetSocketAddress address = frontend.boundAddresses().get(0);
        byte[] login = loginPdu();
        long baseline = directMemoryInUse();
        List<int[]> trickled = new ArrayList<>();
        List<SocketChannel> trickling = new ArrayList<>();
        for (int a = 0; a < FLOOD_ADDRESSES; a++) {
            for (int i = 0; i < ATTEMPTS_PER_ADDRESS; i++) {
                SocketChannel s = SocketChannel.open();
                flood.add(s);
                s.bind(new InetSocketAddress("127.0.0." + (2 + a), 0));
                s.connect(address);
                s.configureBlocking(false);
                switch (i % 3) {
                    case 0 -> { } // idle
                    case 1 -> {
                        try {
                            s.write(ByteBuffer.wrap(login, 0, IscsiPdu.BHS_LENGTH / 2));
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
                trickle(trickling.get(t), login, trickled.get(t));
            }
            peak = Math.max(peak, directMemoryInUse() - baseline);
            closed = (int) flood.stream().filter(ConnectionFloodTest::closedByTarget).count();
            Thread.sleep(20);
        } while ((closed < refused || frontend.connectionCount() < admitted) && System.nanoTime() < until);
        assertEquals(refused, closed, "connections beyond " + PER_ADDRESS + " per address closed on accept");
        assertEquals(admitted, frontend.connectionCount(), PER_ADDRESS + " per flooding address admitted");

        // A well-behaved initiator logs in and moves data while the flood holds its connections.
        try (IscsiTestClient good = new IscsiTestClient(address)) {
            good.isid = 0x400001230201L;
            good.login(INITIATOR, TestTargets.TARGET, IscsiTestClient.defaults());
            byte[] data = new byte[64 * 1024];
            new Random(11).nextBytes(data);
            assertEquals(ScsiResponse.GOOD,
                    good.command(LUN0, IscsiTestClient.write10(0, 128), data.length, false, data).status());
            IscsiTestClient.Result read = good.command(LUN0, IscsiTestClient.read10(0, 128), data.length, true, null);
            assertEquals(ScsiResponse.GOOD, read.status());
            assertArrayEquals(data, read.data());
            peak = Math.max(peak, directMemoryInUse() - baseline);

            // Past the deadline every flood connection is closed, however it trickled; the initiator's stays.
            until = System.nanoTime() + SAFETY_NANOS;
            do {
                for (int t = 0; t < trickling.size(); t++) {
                    trickle(trickling.get(t), login, trickled.get(t));
                }
                peak = Math.max(peak, directMemoryInUse() - baseline);
                Thread.sleep(50);
            } while (frontend.connectionCount() > 1 && System.nanoTime() < until);
            assertEquals(1, frontend.connectionCount(), "flood connections left after the login deadline");
            assertEquals(flood.size(), flood.stream().filter(ConnectionFloodTest::closedByTarget).count(),
                    "every flood socket sees its connection closed");
            assertTrue(peak <= DIRECT_MEMORY_BOUND, "direct memory held during the flood: " + peak + " bytes");

            // The session is still served after the flood is gone.
            assertEquals(ScsiResponse.GOOD, good.command(LUN0, new byte[16], 0, false, null).status());
        }
    }
}
