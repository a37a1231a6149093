package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash consistency: {@code ferry serve} in its own JVM takes a write workload with FUA and cache flushes on a file
 * backstore and a block backstore (a loop device) while it is killed with SIGKILL at a random moment, then
 * restarted; after every restart each block must still hold its newest durable write (acknowledged with FUA, or
 * acknowledged before an acknowledged SYNCHRONIZE CACHE / Flush) or a later one, whole, at its own LBA.
 *
 * <p>Each cycle swaps the protocols: iSCSI writes the file backstore and NVMe/TCP the block one, then the other
 * way round, so both paths meet both backends. {@code -Dferry.crash.cycles=N} (default {@value #DEFAULT_CYCLES})
 * and {@code -Dferry.crash.seed=S} repeat or reproduce a run; bench/crash-consistency.sh runs many cycles.
 *
 * <p>What a SIGKILL can show: Ferry's own acknowledgement order (nothing acknowledged from user-space memory only)
 * and what it does on restart. The page cache survives a process kill, so losing power is not simulated here.
 */
class CrashConsistencyTest {
    private static final int DEFAULT_CYCLES = 20;
    private static final String IQN = "iqn.2026-12.dev.ferry:crash";
    private static final String NQN = "nqn.2026-12.dev.ferry:crash";
    /** The blocks written on each backstore: small enough to read back whole after every restart. */
    private static final int REGION = 2048;
    private static final int SIZE_BYTES = 4 << 20;
    private static final int MAX_WRITE_BLOCKS = 32;
    private static final int READ_CHUNK = 128;
    /** The kill falls at most this long after both workloads have an acknowledged write in this cycle. */
    private static final int KILL_WINDOW_MILLIS = 400;
    private static final long FILE_LUN = 0;
    private static final long BLOCK_LUN = 1;
    private static final long FILE_NSID = 1;
    private static final long BLOCK_NSID = 2;

    @TempDir
    Path dir;

    @Test
    void durableWritesSurviveSigkill() throws Exception {
        LoopDevice.assumeAvailable("the crash-consistency test (file and block backstores)");
        int cycles = Integer.getInteger("ferry.crash.cycles", DEFAULT_CYCLES);
        long seed = Long.getLong("ferry.crash.seed", System.nanoTime());
        Random random = new Random(seed);
        Path deviceFile = dir.resolve("block.img");
        try (RandomAccessFile f = new RandomAccessFile(deviceFile.toFile(), "rw")) {
            f.setLength(SIZE_BYTES);
        }
        try (LoopDevice loop = LoopDevice.attach(deviceFile, false)) {
            int iscsiPort = freePort();
            int nvmePort = freePort();
            Path config = dir.resolve("ferry.json");
            Files.writeString(config, config(dir.resolve("file.img"), loop.node(), iscsiPort, nvmePort));
            InetSocketAddress iscsi = new InetSocketAddress("127.0.0.1", iscsiPort);
            InetSocketAddress nvme = new InetSocketAddress("127.0.0.1", nvmePort);
            DurabilityLog fileLog = new DurabilityLog(REGION);
            DurabilityLog blockLog = new DurabilityLog(REGION);
            int rolledBack = 0;
            long started = System.nanoTime();
            for (int cycle = 0; cycle <= cycles; cycle++) {
                try (FerryDaemon daemon = FerryDaemon.start(config, dir.resolve("control.sock"),
                        dir.resolve("ferry-" + cycle + ".log"))) {
                    boolean swap = cycle % 2 == 1;
                    try (BlockClient toFile = swap ? new NvmeBlockClient(nvme, NQN, FILE_NSID)
                            : new IscsiBlockClient(iscsi, IQN, FILE_LUN);
                         BlockClient toBlock = swap ? new IscsiBlockClient(iscsi, IQN, BLOCK_LUN)
                                 : new NvmeBlockClient(nvme, NQN, BLOCK_NSID)) {
                        String when = "after " + cycle + " SIGKILLs (seed " + seed + ")";
                        rolledBack += verify(toFile, fileLog, "file backstore via " + toFile + " " + when);
                        rolledBack += verify(toBlock, blockLog, "block backstore via " + toBlock + " " + when);
                        if (cycle == cycles) {
                            break; // the last start only verifies
                        }
                        writeUntilKilled(daemon, random, List.of(toFile, toBlock), List.of(fileLog, blockLog));
                    }
                }
            }
            long seconds = (System.nanoTime() - started) / 1_000_000_000L;
            System.out.printf("crash consistency: %d SIGKILL cycles in %d s (seed %d); file backstore %d writes"
                            + " (%d durable), block backstore %d writes (%d durable); %d acknowledged but not"
                            + " durable blocks rolled back%n", cycles, seconds, seed, fileLog.writes(),
                    fileLog.durableWrites(), blockLog.writes(), blockLog.durableWrites(), rolledBack);
            assertTrue(fileLog.durableWrites() > 0 && blockLog.durableWrites() > 0, "the workload made durable writes");
        }
    }

    /** Reads the whole region back and fails on any durable write lost, torn or misplaced. */
    private static int verify(BlockClient client, DurabilityLog log, String what) throws IOException {
        List<String> violations = new ArrayList<>();
        int rolledBack = 0;
        for (int lba = 0; lba < log.blocks(); lba += READ_CHUNK) {
            DurabilityLog.Verdict v = log.check(lba, client.read(lba, READ_CHUNK));
            violations.addAll(v.violations());
            rolledBack += v.nonDurableRolledBack();
        }
        assertEquals(List.of(), violations.subList(0, Math.min(20, violations.size())),
                violations.size() + " violations on the " + what);
        return rolledBack;
    }

    /**
     * Runs one writer per client until the daemon dies: random writes of 1 to {@value #MAX_WRITE_BLOCKS} blocks,
     * about a third with FUA, and a cache flush after about every eighth. The kill falls at a random moment once
     * every writer has been acknowledged at least once.
     */
    private static void writeUntilKilled(FerryDaemon daemon, Random random, List<BlockClient> clients,
                                         List<DurabilityLog> logs) throws Exception {
        AtomicBoolean killed = new AtomicBoolean();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        List<Thread> writers = new ArrayList<>();
        List<Long> before = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            BlockClient client = clients.get(i);
            DurabilityLog log = logs.get(i);
            long writerSeed = random.nextLong();
            before.add(log.writes());
            Thread t = new Thread(() -> {
                try {
                    write(client, log, new Random(writerSeed));
                } catch (IOException e) {
                    if (!killed.get()) {
                        failures.add(new AssertionError(client + " lost its connection before the kill", e));
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "writer " + client);
            writers.add(t);
            t.start();
        }
        long deadline = System.nanoTime() + 60_000_000_000L; // a safety net for a hung target
        for (int i = 0; i < logs.size(); i++) {
            while (logs.get(i).writes() == before.get(i) && failures.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
        }
        Thread.sleep(random.nextInt(KILL_WINDOW_MILLIS));
        killed.set(true);
        daemon.kill();
        for (Thread t : writers) {
            t.join(60_000);
        }
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError("workload failed; daemon log:\n" + daemon.log(), failures.get(0));
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    private static void write(BlockClient client, DurabilityLog log, Random random) throws IOException {
        while (true) {
            int blocks = 1 + random.nextInt(MAX_WRITE_BLOCKS);
            long lba = random.nextInt(REGION - blocks + 1);
            boolean fua = random.nextInt(3) == 0;
            long seq = log.issue();
            client.write(lba, StampedBlock.of(seq, lba, blocks), fua);
            log.acknowledged(lba, blocks, seq, fua);
            if (random.nextInt(8) == 0) {
                client.flush();
                log.flushed();
            }
        }
    }

    /** One backstore of each backend, both exported over iSCSI (LUN 0, 1) and NVMe/TCP (namespace 1, 2). */
    private static String config(Path file, Path device, int iscsiPort, int nvmePort) {
        return """
                {
                  "backstores": [
                    { "name": "crash-file", "type": "file", "path": "%s", "size": "%d", "writeCache": true },
                    { "name": "crash-block", "type": "block", "path": "%s", "writeCache": true }
                  ],
                  "targets": [
                    { "name": "%s", "protocol": "iscsi", "portals": ["127.0.0.1:%d"], "allowAnyInitiator": true,
                      "luns": [ { "id": %d, "backstore": "crash-file" }, { "id": %d, "backstore": "crash-block" } ] },
                    { "name": "%s", "protocol": "nvme", "portals": ["127.0.0.1:%d"], "allowAnyInitiator": true,
                      "luns": [ { "id": %d, "backstore": "crash-file" }, { "id": %d, "backstore": "crash-block" } ] }
                  ]
                }
                """.formatted(file, SIZE_BYTES, device, IQN, iscsiPort, FILE_LUN, BLOCK_LUN, NQN, nvmePort,
                FILE_NSID, BLOCK_NSID);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
