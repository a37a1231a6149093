package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.frontend.iscsi.IscsiFrontend;
import dev.ferry.frontend.nvmetcp.NvmeTcpFrontend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Connections cut under a write-heavy workload: a {@link CuttingProxy} between the initiator and Ferry resets the
 * connection at a PDU boundary, inside a PDU, or after holding it, in either direction, again and again. After each
 * cut Ferry must free everything of the dead connection (no session, controller or connection left; no buffer
 * leaked, with Netty's leak detector at PARANOID), the initiator logs in again, and in the end every acknowledged
 * write reads back intact over a direct connection. The target stays up, so every acknowledgement counts, FUA or
 * not. {@code -Dferry.cut.count=N} (default {@value #DEFAULT_CUTS} per protocol) and {@code -Dferry.cut.seed=S}.
 */
class ConnectionCutTest {
    private static final int DEFAULT_CUTS = 15;
    private static final String IQN = "iqn.2026-12.dev.ferry:cut";
    private static final String NQN = "nqn.2026-12.dev.ferry:cut";
    private static final int REGION = 2048;
    private static final int MAX_WRITE_BLOCKS = 64;
    private static final int MAX_PDUS_BEFORE_CUT = 40;
    private static final long STALL_MILLIS = 200;
    private static final int READ_CHUNK = 128;
    /** Safety nets only: each wait ends as soon as its condition holds. */
    private static final long DEADLINE_NANOS = 60_000_000_000L;

    private static TargetCore core;
    private static InetSocketAddress iscsi;
    private static InetSocketAddress nvme;
    private static BufferLeaks leaks;

    @BeforeAll
    static void start() throws Exception {
        leaks = new BufferLeaks();
        List<BackstoreConfig> backstores = List.of(
                new BackstoreConfig("cut-iscsi", "ram", "4M", null, null, null, null, null, null, null),
                new BackstoreConfig("cut-nvme", "ram", "4M", null, null, null, null, null, null, null));
        TargetConfig target = new TargetConfig(IQN, TargetConfig.ISCSI, List.of("127.0.0.1:0"),
                List.of(new LunConfig(0, "cut-iscsi")), List.of(), true, null);
        TargetConfig subsystem = new TargetConfig(NQN, TargetConfig.NVME, List.of("127.0.0.1:0"),
                List.of(new LunConfig(1, "cut-nvme")), List.of(), true, null);
        core = TargetCore.start(new FerryConfig(backstores, List.of(target, subsystem)));
        iscsi = core.frontend(TargetConfig.ISCSI).boundAddresses().get(0);
        nvme = core.frontend(TargetConfig.NVME).boundAddresses().get(0);
    }

    @AfterAll
    static void stop() {
        if (core != null) {
            core.close();
        }
        if (leaks != null) {
            leaks.close();
        }
    }

    @Test
    void iscsiWritesSurviveCutConnections() throws Exception {
        IscsiFrontend frontend = (IscsiFrontend) core.frontend(TargetConfig.ISCSI);
        try (CuttingProxy proxy = new CuttingProxy(iscsi, PduFraming.ISCSI)) {
            cutRepeatedly(proxy, () -> new IscsiBlockClient(proxy.address(), IQN, 0),
                    () -> frontend.sessionCount() == 0, () -> new IscsiBlockClient(iscsi, IQN, 0));
        }
    }

    @Test
    void nvmeTcpWritesSurviveCutConnections() throws Exception {
        NvmeTcpFrontend frontend = (NvmeTcpFrontend) core.frontend(TargetConfig.NVME);
        try (CuttingProxy proxy = new CuttingProxy(nvme, PduFraming.NVME_TCP)) {
            cutRepeatedly(proxy, () -> new NvmeBlockClient(proxy.address(), NQN, 1),
                    () -> frontend.connectionCount() == 0 && frontend.target().controllers().isEmpty(),
                    () -> new NvmeBlockClient(nvme, NQN, 1));
        }
    }

    interface Connect {
        BlockClient open() throws IOException;
    }

    private void cutRepeatedly(CuttingProxy proxy, Connect viaProxy, BooleanSupplier allFreed, Connect direct)
            throws Exception {
        int cuts = Integer.getInteger("ferry.cut.count", DEFAULT_CUTS);
        long seed = Long.getLong("ferry.cut.seed", System.nanoTime());
        Random random = new Random(seed);
        DurabilityLog log = new DurabilityLog(REGION);
        Writer writer = new Writer(viaProxy, allFreed, log, new Random(random.nextLong()));
        Thread thread = new Thread(writer, "cut-writer");
        thread.start();
        try {
            for (int i = 0; i < cuts && writer.failure == null; i++) {
                CuttingProxy.Direction direction = CuttingProxy.Direction.values()[random.nextInt(2)];
                CuttingProxy.Mode mode = CuttingProxy.Mode.values()[random.nextInt(3)];
                int pdus = 1 + random.nextInt(MAX_PDUS_BEFORE_CUT);
                int sessionsBefore = writer.sessions.get();
                proxy.arm(direction, pdus, mode, STALL_MILLIS);
                awaitTrue(() -> !proxy.armed() || writer.failure != null, "the armed fault to strike");
                // the writer saw its connection die, Ferry freed it, and the writer logged in again
                awaitTrue(() -> writer.sessions.get() > sessionsBefore || writer.failure != null,
                        "a new session after cut " + (i + 1) + " (" + mode + " " + direction + " after " + pdus
                                + " PDUs, seed " + seed + ")");
            }
        } finally {
            writer.stop = true;
            thread.join(DEADLINE_NANOS / 1_000_000);
        }
        if (writer.failure != null) {
            throw new AssertionError("seed " + seed, writer.failure);
        }
        awaitTrue(allFreed, "every session, controller and connection freed after the last logout");
        assertEquals(cuts, proxy.faults(), "faults that struck");
        assertEquals(cuts, writer.broken.get(), "connections the writer lost: one per cut");
        assertTrue(log.writes() > cuts, "writes acknowledged: " + log.writes());

        List<String> violations = new ArrayList<>();
        try (BlockClient c = direct.open()) {
            for (int lba = 0; lba < REGION; lba += READ_CHUNK) {
                violations.addAll(log.check(lba, c.read(lba, READ_CHUNK)).violations());
            }
        }
        assertEquals(List.of(), violations.subList(0, Math.min(20, violations.size())),
                violations.size() + " acknowledged writes lost or damaged (seed " + seed + ")");
        assertEquals(List.of(), leaks.reports(), "buffers leaked");
        System.out.printf("connection cuts: %d cuts, %d writes acknowledged, %d PDUs proxied (seed %d)%n", cuts,
                log.writes(), proxy.pdus(), seed);
    }

    /**
     * Writes random stamped extents (about a third with FUA) through the proxy; on a lost connection waits until
     * Ferry freed it, then connects again. Queue depth 1, so a write is either acknowledged or in flight when cut.
     */
    private static final class Writer implements Runnable {
        final Connect connect;
        final BooleanSupplier allFreed;
        final DurabilityLog log;
        final Random random;
        final AtomicInteger sessions = new AtomicInteger();
        final AtomicInteger broken = new AtomicInteger();
        volatile boolean stop;
        volatile Throwable failure;

        Writer(Connect connect, BooleanSupplier allFreed, DurabilityLog log, Random random) {
            this.connect = connect;
            this.allFreed = allFreed;
            this.log = log;
            this.random = random;
        }

        @Override
        public void run() {
            try {
                while (!stop) {
                    try (BlockClient c = connect.open()) {
                        sessions.incrementAndGet();
                        while (!stop) {
                            int blocks = 1 + random.nextInt(MAX_WRITE_BLOCKS);
                            long lba = random.nextInt(REGION - blocks + 1);
                            long seq = log.issue();
                            c.write(lba, StampedBlock.of(seq, lba, blocks), random.nextInt(3) == 0);
                            log.acknowledged(lba, blocks, seq, true);
                        }
                    } catch (IOException lost) {
                        broken.incrementAndGet();
                        awaitTrue(allFreed, "Ferry to free the cut connection's session, controller and queues");
                    }
                }
            } catch (Throwable e) {
                failure = e;
            }
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(2);
        }
    }
}
