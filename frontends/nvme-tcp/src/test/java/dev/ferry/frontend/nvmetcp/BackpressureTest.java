package dev.ferry.frontend.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.frontend.nvme.Limits;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import io.netty.channel.Channel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A host that pipelines reads and does not read its socket: Ferry holds at most SQSIZE commands' worth of C2H data
 * for it (each bounded by MDTS) and stops reading it while its responses are above the high water mark, and a
 * well-behaved host on the same event loop is served meanwhile. Sizes are chosen far above what the kernel's
 * socket buffers can absorb (a 4 MiB send buffer at most, and the hosts' receive buffers are made small).
 */
class BackpressureTest {
    static final int SMALL_RECEIVE_BUFFER = 8 * 1024;
    static final int PDU_C2H_DATA = 0x07;
    static final int PDU_CAPSULE_RESP = 0x05;
    static final int PDU_C2H_TERM_REQ = 0x03;
    /**
     * What one read's response adds to its data in Ferry's outbound buffer: the C2HData and CapsuleResp headers
     * (24 bytes each) and Netty's accounting of about 100 bytes per queued buffer (three of them); rounded up.
     */
    static final int RESPONSE_OVERHEAD = 1024;
    static LimitedTarget target;

    @BeforeAll
    static void start() throws Exception {
        target = new LimitedTarget(LimitedTarget.LIMITS);
    }

    @AfterAll
    static void stop() {
        target.close();
    }

    static byte[] read(int cid, long lba, int bytes) {
        ByteBuffer s = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(NvmeTcpTestHost.OPC_READ, cid, 1), bytes);
        s.putLong(40, lba).putInt(48, bytes / LimitedTarget.BLOCK_SIZE - 1);
        return s.array();
    }

    static boolean await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** Some writes and reads back on a host that behaves. */
    static void served(NvmeTcpTestHost good, long seed) throws IOException {
        byte[] data = new byte[8 * LimitedTarget.BLOCK_SIZE];
        new Random(seed).nextBytes(data);
        long lba = 2048 + seed % 64 * 8;
        good.write(1, lba, data, LimitedTarget.BLOCK_SIZE);
        assertArrayEquals(data, good.read(1, lba, 8, LimitedTarget.BLOCK_SIZE));
    }

    @Test
    void aFloodOfReadsFromAHostThatNeverReadsStaysBoundedAndOthersAreServed() throws Exception {
        int sqsize = 7;
        int entries = sqsize + 1;
        int readBytes = 128 * 1024;
        int reads = 256; // 32 MiB if Ferry took them all
        try (NvmeTcpTestHost goodAdmin = new NvmeTcpTestHost(target.address);
             NvmeTcpTestHost good = target.ioQueue(goodAdmin, new NvmeTcpTestHost(target.address), 31);
             NvmeTcpTestHost admin = new NvmeTcpTestHost(target.address);
             NvmeTcpTestHost hostile = target.ioQueue(admin,
                     new NvmeTcpTestHost(target.address, SMALL_RECEIVE_BUFFER), sqsize)) {
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            for (int i = 0; i < reads; i++) {
                flood.write(hostile.capsule(read(hostile.nextCid(), 0, readBytes), null));
            }
            Channel ch = target.channelOf(hostile);
            assertNotNull(ch);
            hostile.sendRaw(flood.toByteArray());

            long peak = 0;
            int round = 0;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (ch.isOpen() && System.nanoTime() < deadline) {
                peak = Math.max(peak, target.pendingOutboundBytes(hostile));
                served(good, round++);
            }
            peak = Math.max(peak, target.pendingOutboundBytes(hostile));
            long bound = (long) entries * (readBytes + RESPONSE_OVERHEAD) + LimitedTarget.LIMITS.writeHighWaterMark();
            assertTrue(peak <= bound, "queued " + peak + " bytes for the host that does not read, bound " + bound);
            served(good, round);

            // All of it came in one burst: the ninth read arrived with the first eight still in flight.
            assertEquals(PDU_C2H_TERM_REQ, hostile.read().type());
            assertTrue(hostile.closedByTarget());
        }
    }

    @Test
    void aHostThatStopsReadingIsNotReadUntilItTakesItsResponses() throws Exception {
        int sqsize = 31;
        int entries = sqsize + 1;
        int readBytes = Limits.MAX_DATA_TRANSFER; // 32 x 512 KiB = 16 MiB
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(target.address);
             NvmeTcpTestHost slow = target.ioQueue(admin,
                     new NvmeTcpTestHost(target.address, SMALL_RECEIVE_BUFFER), sqsize);
             NvmeTcpTestHost goodAdmin = new NvmeTcpTestHost(target.address);
             NvmeTcpTestHost good = target.ioQueue(goodAdmin, new NvmeTcpTestHost(target.address), 31)) {
            Channel ch = target.channelOf(slow);
            ByteArrayOutputStream full = new ByteArrayOutputStream();
            for (int i = 0; i < entries; i++) {
                full.write(slow.capsule(read(slow.nextCid(), 0, readBytes), null));
            }
            slow.sendRaw(full.toByteArray());

            assertTrue(await(() -> !ch.config().isAutoRead()), "reading stops while the responses pile up");
            long bound = (long) entries * (readBytes + RESPONSE_OVERHEAD);
            long queued = target.pendingOutboundBytes(slow);
            assertTrue(queued <= bound, "queued " + queued + " bytes, bound " + bound);
            served(good, 1);

            for (int i = 0; i < entries; i++) {
                NvmeTcpTestHost.Received data = slow.read();
                assertEquals(PDU_C2H_DATA, data.type());
                assertEquals(readBytes, data.data().length);
                NvmeTcpTestHost.Received resp = slow.read();
                assertEquals(PDU_CAPSULE_RESP, resp.type());
                assertEquals(0, resp.status());
            }
            assertTrue(await(() -> ch.config().isAutoRead()), "reading resumes once the host took its responses");
            assertEquals(LimitedTarget.BLOCK_SIZE, slow.read(1, 0, 1, LimitedTarget.BLOCK_SIZE).length);
        }
    }

    @Test
    void aClosedQueueWhoseHostDoesNotReadIsClosedAfterTheGrace() throws Exception {
        int sqsize = 31;
        int readBytes = Limits.MAX_DATA_TRANSFER;
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(target.address);
             NvmeTcpTestHost slow = target.ioQueue(admin,
                     new NvmeTcpTestHost(target.address, SMALL_RECEIVE_BUFFER), sqsize)) {
            Channel ch = target.channelOf(slow);
            ByteArrayOutputStream full = new ByteArrayOutputStream();
            for (int i = 0; i <= sqsize; i++) {
                full.write(slow.capsule(read(slow.nextCid(), 0, readBytes), null));
            }
            slow.sendRaw(full.toByteArray());
            assertTrue(await(() -> target.pendingOutboundBytes(slow) > LimitedTarget.LIMITS.writeHighWaterMark()),
                    "responses pile up");

            // The admin queue closes, so the controller and its I/O queue go: the I/O queue's close waits for
            // responses this host never takes, and then no longer than the close grace (test: 1 s).
            admin.close();
            assertTrue(await(() -> !ch.isOpen()), "closed with its responses still queued");
            assertEquals(0, target.pendingOutboundBytes(slow));
        }
    }
}
