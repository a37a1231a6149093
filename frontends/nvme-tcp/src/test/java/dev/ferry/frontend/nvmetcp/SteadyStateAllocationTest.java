package dev.ferry.frontend.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import io.netty.channel.Channel;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bytes the event loop allocates per steady-state 4 KiB NVMe/TCP I/O: Reads (C2HData), Writes with in-capsule data
 * and Writes solicited by R2T, against a RAM namespace on the one loop of a {@link LimitedTarget}, read from the
 * loop thread's allocation counter (HotSpot's {@code ThreadMXBean#getThreadAllocatedBytes}). The leak detector,
 * which allocates a record per tracked buffer, is off while counting. What the loop allocates also includes the
 * core's submission path and Netty's own; the budget is what this transport is allowed on top of a few stray bytes.
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
}
