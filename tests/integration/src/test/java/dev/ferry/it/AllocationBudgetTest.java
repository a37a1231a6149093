package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * The steady-state I/O path allocates (next to) nothing: one RAM LUN served over iSCSI and NVMe/TCP by Ferry in
 * this JVM, driven over 127.0.0.1 by lean raw-socket clients (one iSCSI session, one NVMe/TCP I/O queue) with
 * random 4 KiB reads and writes, half each, at queue depth 8, every read checked against what was last written.
 * After a warm-up, the heap bytes allocated by every thread of the JVM except the client's (the test thread) over
 * {@link #MEASURED_IOS} I/Os per protocol, divided by that count, must stay within {@link #BUDGET_BYTES_PER_IO}
 * (the lower of two such windows, see {@link #measure}).
 * The counts are of bytes and I/Os, not of time, so a slow machine only makes it take longer.
 */
class AllocationBudgetTest {
    /**
     * Heap bytes the serving threads may allocate per steady-state I/O: less than one object (16 bytes) per two
     * I/Os, so any allocation per command fails it. The goal is zero; this leaves room for what is amortized, not
     * per I/O (a pooled chunk refilled now and then, a timer's work). Measured: 0.0-0.3. Printed on every run.
     */
    static final long BUDGET_BYTES_PER_IO = 8;
    static final long MEASURED_IOS = 100_000;
    /** Enough for C2 to compile the hot path (and escape analysis to apply) before counting starts. */
    static final long WARM_UP_IOS = 30_000;
    static final int IO_BYTES = 4096;
    static final int BLOCK = 512;
    static final int DEPTH = 8;
    /** 16 MiB: 4,096 blocks of 4 KiB, written once before the warm-up so every read has a known content. */
    static final int REGION_IOS = 4096;
    private static final String IQN = "iqn.2026-11.dev.ferry:alloc";
    private static final String NQN = "nqn.2026-11.dev.ferry:alloc";
    private static final long NSID = 1;
    /** Base 2.0 Figure 275: IOCCSZ, I/O queue command capsule size in 16-byte units, in Identify Controller. */
    private static final int IDENTIFY_IOCCSZ = 1792;

    private static final ResourceLeakDetector.Level LEAK_LEVEL_BEFORE = ResourceLeakDetector.getLevel();
    private static TargetCore core;
    private static InetSocketAddress iscsi;
    private static InetSocketAddress nvme;

    @BeforeAll
    static void start() throws Exception {
        // What `ferry` runs with (NettyTuning), whatever another test or the build set: a tracking level
        // allocates a record per sampled buffer, which is not the product's cost.
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        BackstoreConfig ram = new BackstoreConfig("alloc-ram", "ram", "32M", null, BLOCK, null, null, null, null,
                null);
        TargetConfig target = new TargetConfig(IQN, TargetConfig.ISCSI, List.of("127.0.0.1:0"),
                List.of(new LunConfig(0, "alloc-ram")), List.of(), true, null);
        TargetConfig subsystem = new TargetConfig(NQN, TargetConfig.NVME, List.of("127.0.0.1:0"),
                List.of(new LunConfig((int) NSID, "alloc-ram")), List.of(), true, null);
        core = TargetCore.start(new FerryConfig(List.of(ram), List.of(target, subsystem)));
        iscsi = core.frontend(TargetConfig.ISCSI).boundAddresses().get(0);
        nvme = core.frontend(TargetConfig.NVME).boundAddresses().get(0);
    }

    @AfterAll
    static void stop() {
        if (core != null) {
            core.close();
        }
        ResourceLeakDetector.setLevel(LEAK_LEVEL_BEFORE);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES) // a safety net only: the assertions are on bytes and counts
    void steadyStateIoAllocatesWithinTheBudgetOnTheServingThreads() throws IOException {
        Executable iscsiVerdict;
        try (LeanIscsiQueue queue = new LeanIscsiQueue(iscsi, IQN, 0, BLOCK, IO_BYTES, DEPTH)) {
            iscsiVerdict = measure("iSCSI", queue);
        }
        Executable nvmeVerdict;
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(nvme)) {
            int cntlid = admin.connectAdmin(NQN, 0);
            int ioccsz = ByteBuffer.wrap(admin.identify(NvmeTcpTestHost.CNS_CONTROLLER, 0))
                    .order(ByteOrder.LITTLE_ENDIAN).getInt(IDENTIFY_IOCCSZ);
            try (LeanNvmeTcpQueue queue = new LeanNvmeTcpQueue(nvme, NQN, cntlid, 1, NSID, BLOCK, IO_BYTES, DEPTH,
                    ioccsz * 16 - 64)) {
                nvmeVerdict = measure("NVMe/TCP", queue);
            }
        }
        assertAll(iscsiVerdict, nvmeVerdict); // both figures are printed before either can fail
    }

    /**
     * Fills, warms up, then counts a window of {@link #MEASURED_IOS}; over the budget, a second window, and the
     * lower one is judged: on a loaded machine a JIT compilation can finish late, leaving the first window with
     * allocations the compiled code no longer makes, while an allocation on the I/O path shows in both. Returns
     * the check, so that both protocols run before one fails.
     */
    private static Executable measure(String protocol, PipelinedQueue queue) throws IOException {
        SteadyStateLoad load = new SteadyStateLoad(queue, REGION_IOS, protocol.hashCode());
        load.fill();
        load.run(WARM_UP_IOS);
        Window w = Window.count(protocol, load);
        if (w.perIo() > BUDGET_BYTES_PER_IO) {
            Window second = Window.count(protocol, load);
            w = second.bytes < w.bytes ? second : w;
        }
        Window judged = w;
        return () -> {
            assertEquals(MEASURED_IOS, judged.reads + judged.writes, protocol + ": I/Os completed");
            // random half and half: far from either bound unless one kind silently stopped
            assertTrue(judged.reads > MEASURED_IOS / 3 && judged.writes > MEASURED_IOS / 3,
                    protocol + ": " + judged.reads + " reads and " + judged.writes + " writes");
            assertTrue(judged.perIo() <= BUDGET_BYTES_PER_IO, String.format(
                    "%s: %.1f bytes allocated per I/O on the serving threads, budget %d; by thread: %s", protocol,
                    judged.perIo(), BUDGET_BYTES_PER_IO, judged.topThreads()));
        };
    }

    /** One counted run of {@link #MEASURED_IOS} I/Os: what completed and what the other threads allocated. */
    private record Window(long reads, long writes, long bytes, List<ThreadAllocations.Share> shares) {
        static Window count(String protocol, SteadyStateLoad load) throws IOException {
            long reads = load.reads();
            long writes = load.writes();
            ThreadAllocations before = ThreadAllocations.take();
            load.run(MEASURED_IOS);
            ThreadAllocations after = ThreadAllocations.take();
            // the client runs on this thread; every other thread of the JVM counts, whatever it is called
            List<ThreadAllocations.Share> shares = after.since(before, Set.of(Thread.currentThread().getId()));
            Window w = new Window(load.reads() - reads, load.writes() - writes, ThreadAllocations.total(shares),
                    shares);
            System.out.printf("AllocationBudgetTest: %s: %.1f bytes allocated per I/O on the serving threads "
                            + "(%,d bytes over %,d reads and %,d writes of 4 KiB at QD %d; budget %d); by thread: %s%n",
                    protocol, w.perIo(), w.bytes, w.reads, w.writes, DEPTH, BUDGET_BYTES_PER_IO, w.topThreads());
            return w;
        }

        double perIo() {
            return (double) bytes / MEASURED_IOS;
        }

        List<String> topThreads() {
            return shares.stream().limit(6).map(s -> s.name() + " " + s.bytes()).toList();
        }
    }
}
