package dev.ferry.frontend.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import io.netty.channel.Channel;
import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bytes the event loop allocates per steady-state 4 KiB NVMe/TCP I/O: Reads (C2HData), Writes with in-capsule data
 * and Writes solicited by R2T, one at a time without and with digests, and Reads 32 at a time (PDUs split across the
 * loop's reads), against a RAM namespace on the one loop of a {@link LimitedTarget}, read from the loop thread's
 * allocation counter (HotSpot's {@code ThreadMXBean#getThreadAllocatedBytes}). The leak detector, which allocates a
 * record per tracked buffer, is off while counting. The count includes the core's submission path and Netty's own
 * (with the Recycler chunk size this module's tests run with, see its pom). Before the steady path was made
 * allocation-free: 694 bytes per Read, 679 per Write with R2T, 480 per Write in capsule.
 */
class SteadyStateAllocationTest {
    static final int IOS = 20_000;
    static final int WARM_UP = 5_000;
    /** Bytes per I/O the loop may allocate on average: less than one object per I/O (the smallest is 16 bytes). */
    static final long BUDGET_BYTES_PER_IO = 8;
    static LimitedTarget target;

    @BeforeAll
    static void start() throws Exception {
        target = new LimitedTarget(LimitedTarget.LIMITS);
    }

    @AfterAll
    static void stop() {
        target.close();
    }

    @FunctionalInterface
    interface Io {
        void run(NvmeTcpTestHost h, int i) throws IOException;
    }

    static final byte[] BLOCK = new byte[LimitedTarget.BLOCK_SIZE];

    static {
        Arrays.fill(BLOCK, (byte) 0xA5);
    }

    static void read(NvmeTcpTestHost h, int i) throws IOException {
        NvmeTcpTestHost.Completion c = h.execute(BackpressureTest.read(h.nextCid() & 0x7FFF, i % 1024,
                LimitedTarget.BLOCK_SIZE), null, null);
        assertEquals(0, c.status());
        assertEquals(LimitedTarget.BLOCK_SIZE, c.data().length);
    }

    static void writeSolicited(NvmeTcpTestHost h, int i) throws IOException {
        assertEquals(0, h.execute(CommandBoundTest.write(h.nextCid() & 0x7FFF, i % 1024), null, BLOCK).status());
    }

    static void writeInCapsule(NvmeTcpTestHost h, int i) throws IOException {
        ByteBuffer s = NvmeTcpTestHost.inCapsuleSgl(NvmeTcpTestHost.sqe(NvmeTcpTestHost.OPC_WRITE,
                h.nextCid() & 0x7FFF, 1), LimitedTarget.BLOCK_SIZE);
        s.putLong(40, i % 1024).putInt(48, 0);
        assertEquals(0, h.execute(s, BLOCK, null).status());
    }

    /** Average bytes the loop thread allocated per I/O over {@link #IOS} of them, after a warm-up. */
    static double bytesPerIo(NvmeTcpTestHost h, Channel ch, Io io) throws Exception {
        for (int i = 0; i < WARM_UP; i++) {
            io.run(h, i);
        }
        long thread = ch.eventLoop().submit(() -> Thread.currentThread().getId()).get();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        try {
            long before = mx.getThreadAllocatedBytes(thread);
            for (int i = 0; i < IOS; i++) {
                io.run(h, i);
            }
            long after = mx.getThreadAllocatedBytes(thread);
            return (after - before) / (double) IOS;
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }

    @Test
    void fourKibReadsAndWritesAllocateWithinTheBudgetOnTheLoop() throws Exception {
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(target.address);
             NvmeTcpTestHost io = target.ioQueue(admin, new NvmeTcpTestHost(target.address), 127)) {
            Channel ch = target.channelOf(io);
            double reads = bytesPerIo(io, ch, SteadyStateAllocationTest::read);
            double solicited = bytesPerIo(io, ch, SteadyStateAllocationTest::writeSolicited);
            double inCapsule = bytesPerIo(io, ch, SteadyStateAllocationTest::writeInCapsule);
            System.out.printf("nvme/tcp loop bytes allocated per 4 KiB I/O: read %.1f, write (R2T) %.1f,"
                    + " write (in-capsule) %.1f%n", reads, solicited, inCapsule);
            assertArrayEquals(BLOCK, io.read(1, 5, 1, LimitedTarget.BLOCK_SIZE), "the writes landed");
            assertTrue(reads <= BUDGET_BYTES_PER_IO, "read: " + reads + " bytes per I/O");
            assertTrue(solicited <= BUDGET_BYTES_PER_IO, "write with R2T: " + solicited + " bytes per I/O");
            assertTrue(inCapsule <= BUDGET_BYTES_PER_IO, "write in capsule: " + inCapsule + " bytes per I/O");
        }
    }

    /** 32 reads sent in one write, then their 32 responses read: PDUs split across the loop's reads. */
    static void reads32(NvmeTcpTestHost h, int i) throws IOException {
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int k = 0; k < 32; k++) {
            batch.write(h.capsule(BackpressureTest.read(k + 1, (i + k) % 1024, LimitedTarget.BLOCK_SIZE), null));
        }
        h.sendRaw(batch.toByteArray());
        for (int k = 0; k < 32; k++) {
            NvmeTcpTestHost.Received r;
            do {
                r = h.read();
            } while (r.type() == 0x07);
            assertEquals(0, r.status());
        }
    }

    @Test
    void pipelinedReadsAndDigestsAllocateWithinTheBudgetOnTheLoop() throws Exception {
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(target.address);
             NvmeTcpTestHost io = new NvmeTcpTestHost(target.address)) {
            int cntlid = admin.connectAdmin(LimitedTarget.NQN, 0);
            io.initialize(true, true);
            assertEquals(0, io.execute(NvmeTcpTestHost.connectSqe(io.nextCid(), 1, 127, 0),
                    NvmeTcpTestHost.connectData(cntlid, LimitedTarget.NQN, NvmeTcpTestHost.HOST_NQN), null).status());
            Channel ch = target.channelOf(io);
            double reads = bytesPerIo(io, ch, SteadyStateAllocationTest::read);
            double solicited = bytesPerIo(io, ch, SteadyStateAllocationTest::writeSolicited);
            double inCapsule = bytesPerIo(io, ch, SteadyStateAllocationTest::writeInCapsule);
            double pipelined = bytesPerIo(io, ch, SteadyStateAllocationTest::reads32) / 32;
            System.out.printf("nvme/tcp loop bytes allocated per 4 KiB I/O with digests: read %.1f, write (R2T) %.1f,"
                    + " write (in-capsule) %.1f, read at QD32 %.1f%n", reads, solicited, inCapsule, pipelined);
            assertTrue(reads <= BUDGET_BYTES_PER_IO, "read: " + reads + " bytes per I/O");
            assertTrue(solicited <= BUDGET_BYTES_PER_IO, "write with R2T: " + solicited + " bytes per I/O");
            assertTrue(inCapsule <= BUDGET_BYTES_PER_IO, "write in capsule: " + inCapsule + " bytes per I/O");
            assertTrue(pipelined <= BUDGET_BYTES_PER_IO, "read at QD32: " + pipelined + " bytes per I/O");
        }
    }
}
