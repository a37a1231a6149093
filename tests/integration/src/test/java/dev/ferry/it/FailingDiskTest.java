package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.frontend.iscsi.IscsiFrontend;
import dev.ferry.frontend.nvmetcp.NvmeTcpFrontend;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import dev.ferry.testing.faulty.FaultyBackend;
import dev.ferry.testing.faulty.FaultyBackendFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A disk that fails under a running target: what iSCSI and NVMe/TCP initiators are told about bad blocks and a full
 * pool, and that the other LUN / namespace of the same target keeps serving while one disk stops answering.
 * LUN 0 / namespace 1 is a {@link FaultyBackend}; LUN 1 / namespace 2 is a healthy ram disk.
 */
class FailingDiskTest {
    private static final String IQN = "iqn.2026-12.dev.ferry:failing";
    private static final String NQN = "nqn.2026-12.dev.ferry:failing";
    private static final int BLOCK = 512;
    private static final long BAD_LUN = 0;
    private static final long GOOD_LUN = 1;
    private static final long BAD_NSID = 1;
    private static final long GOOD_NSID = 2;
    /** SPC-4 4.5.6 sense keys. */
    private static final int MEDIUM_ERROR = 0x3;
    private static final int DATA_PROTECT = 0x7;
    /** NVMe Base 2.0 Figure 92: Media and Data Integrity Errors status code type, and its codes (Figure 100). */
    private static final int SCT_MEDIA = 2;
    private static final int SC_WRITE_FAULT = 0x80;
    private static final int SC_UNRECOVERED_READ_ERROR = 0x81;
    /** Generic Command Status: Capacity Exceeded (NVM Command Set 1.0 Figure 16). */
    private static final int SCT_GENERIC = 0;
    private static final int SC_CAPACITY_EXCEEDED = 0x81;
    private static final long DEADLINE_NANOS = 30_000_000_000L;

    private static TargetCore core;
    private static InetSocketAddress iscsi;
    private static InetSocketAddress nvme;
    private static FaultyBackend disk;

    @BeforeAll
    static void start() throws Exception {
        List<BackstoreConfig> backstores = List.of(
                new BackstoreConfig("failing", FaultyBackendFactory.TYPE, "8M", null, null, null, null, null, null,
                        null),
                new BackstoreConfig("healthy", "ram", "8M", null, null, null, null, null, null, null));
        TargetConfig iscsiTarget = new TargetConfig(IQN, TargetConfig.ISCSI, List.of("127.0.0.1:0"),
                List.of(new LunConfig(BAD_LUN, "failing"), new LunConfig(GOOD_LUN, "healthy")), List.of(), true,
                null);
        TargetConfig subsystem = new TargetConfig(NQN, TargetConfig.NVME, List.of("127.0.0.1:0"),
                List.of(new LunConfig(BAD_NSID, "failing"), new LunConfig(GOOD_NSID, "healthy")), List.of(), true,
                null);
        core = TargetCore.start(new FerryConfig(backstores, List.of(iscsiTarget, subsystem)));
        iscsi = core.frontend(TargetConfig.ISCSI).boundAddresses().get(0);
        nvme = core.frontend(TargetConfig.NVME).boundAddresses().get(0);
        disk = FaultyBackendFactory.backstore("failing");
    }

    @AfterEach
    void heal() {
        disk.heal();
    }

    @AfterAll
    static void stop() {
        if (core != null) {
            core.close();
        }
    }

    // ---- iSCSI ----

    @Test
    void iscsiReadOfABadBlockIsUnrecoveredReadErrorNamingThatBlock() throws IOException {
        disk.failReads(1005);
        try (IscsiInitiator i = new IscsiInitiator(iscsi, IQN)) {
            IscsiInitiator.Result r = i.command(BAD_LUN, Cdb.read16(1000, 8), 8 * BLOCK, null);
            assertMediumError(r, 0x11, 1005);
            assertEquals(IscsiInitiator.Result.GOOD, i.command(BAD_LUN, Cdb.read16(992, 8), 8 * BLOCK, null).status(),
                    "the blocks before the bad one still read");
        }
    }

    @Test
    void iscsiWriteOfABadBlockIsWriteErrorNamingThatBlock() throws IOException {
        disk.failWrites(2050);
        try (IscsiInitiator i = new IscsiInitiator(iscsi, IQN)) {
            IscsiInitiator.Result r = i.command(BAD_LUN, Cdb.write16(2048, 8, false), 8 * BLOCK, new byte[8 * BLOCK]);
            assertMediumError(r, 0x0C, 2050);
        }
    }

    /** SBC-4 4.7.3.6: a write the thin pool cannot back is DATA PROTECT, SPACE ALLOCATION FAILED WRITE PROTECT. */
    @Test
    void iscsiWriteBeyondAFullPoolIsSpaceAllocationFailed() throws IOException {
        disk.noSpaceFrom(4096);
        try (IscsiInitiator i = new IscsiInitiator(iscsi, IQN)) {
            IscsiInitiator.Result r = i.command(BAD_LUN, Cdb.write16(4090, 8, false), 8 * BLOCK, new byte[8 * BLOCK]);
            assertEquals(IscsiInitiator.Result.CHECK_CONDITION, r.status());
            assertEquals(DATA_PROTECT, r.senseKey());
            assertEquals(0x27, r.asc());
            assertEquals(0x07, r.ascq());
            assertEquals(IscsiInitiator.Result.GOOD,
                    i.command(BAD_LUN, Cdb.write16(4088, 8, false), 8 * BLOCK, new byte[8 * BLOCK]).status(),
                    "writes below the limit still succeed");
        }
    }

    @Test
    void iscsiOtherLunServesWhileOneStalls() throws Exception {
        byte[] data = random(16 * BLOCK, 1);
        try (IscsiInitiator i = new IscsiInitiator(iscsi, IQN)) {
            disk.stall();
            int stalled = i.start(BAD_LUN, Cdb.read16(0, 8), 8 * BLOCK, null);
            awaitHeld(1);
            // same session, same connection: the stalled command must not hold up the other LUN
            assertEquals(IscsiInitiator.Result.GOOD,
                    i.command(GOOD_LUN, Cdb.write16(64, 16, true), data.length, data).status());
            IscsiInitiator.Result read = i.command(GOOD_LUN, Cdb.read16(64, 16), data.length, null);
            assertEquals(IscsiInitiator.Result.GOOD, read.status());
            assertArrayEquals(data, read.data());
            assertEquals(1, disk.heldCount(), "the stalled read is still held");
            disk.release();
            IscsiInitiator.Result late = i.await(stalled);
            assertEquals(IscsiInitiator.Result.GOOD, late.status());
            assertEquals(8 * BLOCK, late.data().length);
        }
    }

    /**
     * A latency spike on the first two of four pipelined reads, so that completions may overtake each other on one
     * connection: every command still gets its own blocks.
     */
    @Test
    void iscsiLatencySpikeOnSomeCommandsKeepsEachCommandsOwnData() throws Exception {
        byte[] data = random(32 * BLOCK, 4);
        try (IscsiInitiator i = new IscsiInitiator(iscsi, IQN)) {
            assertEquals(IscsiInitiator.Result.GOOD,
                    i.command(BAD_LUN, Cdb.write16(512, 32, true), data.length, data).status());
            disk.delayNext(2, java.time.Duration.ofMillis(300));
            int[] itts = new int[4];
            for (int k = 0; k < 4; k++) {
                itts[k] = i.start(BAD_LUN, Cdb.read16(512 + 8 * k, 8), 8 * BLOCK, null);
            }
            for (int k = 3; k >= 0; k--) {
                IscsiInitiator.Result r = i.await(itts[k]);
                assertEquals(IscsiInitiator.Result.GOOD, r.status());
                assertArrayEquals(java.util.Arrays.copyOfRange(data, 8 * k * BLOCK, 8 * (k + 1) * BLOCK), r.data(),
                        "read " + k);
            }
        }
    }

    /**
     * The initiator goes away while its write sits on a disk that stopped answering: once the disk answers, Ferry
     * frees the session and the write's buffer, and the LUN serves the next session.
     */
    @Test
    void iscsiConnectionLostDuringAStallIsFreedWhenTheDiskAnswers() throws Exception {
        IscsiFrontend frontend = (IscsiFrontend) core.frontend(TargetConfig.ISCSI);
        try (BufferLeaks leaks = new BufferLeaks()) {
            IscsiInitiator gone = new IscsiInitiator(iscsi, IQN);
            disk.stall();
            gone.start(BAD_LUN, Cdb.write16(128, 8, true), 8 * BLOCK, random(8 * BLOCK, 3)); // immediate data
            awaitHeld(1);
            gone.close();
            disk.release();
            awaitTrue(() -> frontend.sessionCount() == 0, "the lost session to be freed");
            assertEquals(List.of(), leaks.reports(), "buffers leaked");
        }
        try (IscsiInitiator i = new IscsiInitiator(iscsi, IQN)) {
            assertEquals(IscsiInitiator.Result.GOOD, i.command(BAD_LUN, Cdb.read16(128, 8), 8 * BLOCK, null).status());
        }
    }

    // ---- NVMe/TCP ----

    @Test
    void nvmeReadOfABadBlockIsUnrecoveredReadError() throws IOException {
        disk.failReads(300);
        try (Nvme n = new Nvme()) {
            assertStatus(SCT_MEDIA, SC_UNRECOVERED_READ_ERROR, n.io.execute(read(n.io, BAD_NSID, 296, 8), null, null));
            assertStatus(SCT_GENERIC, 0, n.io.execute(read(n.io, BAD_NSID, 288, 8), null, null));
        }
    }

    @Test
    void nvmeWriteOfABadBlockIsWriteFault() throws IOException {
        disk.failWrites(700);
        try (Nvme n = new Nvme()) {
            byte[] data = new byte[8 * BLOCK];
            assertStatus(SCT_MEDIA, SC_WRITE_FAULT, n.io.execute(write(n.io, BAD_NSID, 696, 8), null, data));
        }
    }

    @Test
    void nvmeWriteBeyondAFullPoolIsCapacityExceeded() throws IOException {
        disk.noSpaceFrom(4096);
        try (Nvme n = new Nvme()) {
            byte[] data = new byte[8 * BLOCK];
            assertStatus(SCT_GENERIC, SC_CAPACITY_EXCEEDED, n.io.execute(write(n.io, BAD_NSID, 4090, 8), null, data));
        }
    }

    @Test
    void nvmeOtherNamespaceServesWhileOneStalls() throws Exception {
        byte[] data = random(16 * BLOCK, 2);
        try (Nvme n = new Nvme()) {
            disk.stall();
            ByteBuffer stalled = read(n.io, BAD_NSID, 0, 8);
            int stalledCid = stalled.getShort(2) & 0xFFFF;
            n.io.sendCapsule(stalled.array(), null);
            awaitHeld(1);
            // same I/O queue: a namespace that stopped answering must not hold up the other one
            n.io.write(GOOD_NSID, 64, data, BLOCK);
            assertArrayEquals(data, n.io.read(GOOD_NSID, 64, 16, BLOCK));
            assertEquals(1, disk.heldCount(), "the stalled read is still held");
            disk.release();
            int received = 0;
            NvmeTcpTestHost.Received r;
            do {
                r = n.io.read();
                if (r.type() == 0x07) { // C2HData of the released read
                    received += r.data().length;
                }
            } while (!(r.type() == 0x05 || r.type() == 0x07 && (r.flags() & 0x08) != 0));
            assertEquals(8 * BLOCK, received);
            if (r.type() == 0x05) {
                assertEquals(stalledCid, r.cid());
                assertEquals(0, r.status());
            }
        }
    }

    /** As {@link #iscsiConnectionLostDuringAStallIsFreedWhenTheDiskAnswers}: a read's buffer and the controller. */
    @Test
    void nvmeConnectionLostDuringAStallIsFreedWhenTheDiskAnswers() throws Exception {
        NvmeTcpFrontend frontend = (NvmeTcpFrontend) core.frontend(TargetConfig.NVME);
        try (BufferLeaks leaks = new BufferLeaks()) {
            Nvme gone = new Nvme();
            disk.stall();
            gone.io.sendCapsule(read(gone.io, BAD_NSID, 128, 8).array(), null);
            awaitHeld(1);
            gone.close();
            disk.release();
            awaitTrue(() -> frontend.connectionCount() == 0 && frontend.target().controllers().isEmpty(),
                    "the lost controller and its queues to be freed");
            assertEquals(List.of(), leaks.reports(), "buffers leaked");
        }
        try (Nvme n = new Nvme()) {
            assertStatus(SCT_GENERIC, 0, n.io.execute(read(n.io, BAD_NSID, 128, 8), null, null));
        }
    }

    /** An admin and one I/O queue of one controller. */
    private static final class Nvme implements AutoCloseable {
        final NvmeTcpTestHost admin;
        final NvmeTcpTestHost io;

        Nvme() throws IOException {
            admin = new NvmeTcpTestHost(nvme);
            io = new NvmeTcpTestHost(nvme);
            int cntlid = admin.connectAdmin(NQN, 0);
            io.connectIo(NQN, cntlid, 1, 31);
        }

        @Override
        public void close() throws IOException {
            io.close();
            admin.close();
        }
    }

    private static ByteBuffer read(NvmeTcpTestHost h, long nsid, long lba, int blocks) {
        ByteBuffer s = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(NvmeTcpTestHost.OPC_READ, h.nextCid(), nsid),
                blocks * BLOCK);
        return s.putLong(40, lba).putInt(48, blocks - 1);
    }

    private static ByteBuffer write(NvmeTcpTestHost h, long nsid, long lba, int blocks) {
        ByteBuffer s = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(NvmeTcpTestHost.OPC_WRITE, h.nextCid(), nsid),
                blocks * BLOCK);
        return s.putLong(40, lba).putInt(48, blocks - 1);
    }

    /** The Status Field without its phase bit: SC bits 7:0, SCT bits 10:8 (Base 2.0 Figure 91). */
    private static void assertStatus(int sct, int sc, NvmeTcpTestHost.Completion c) {
        int status = c.status();
        assertEquals(String.format("SCT %d SC %02xh", sct, sc),
                String.format("SCT %d SC %02xh", (status >>> 8) & 0x7, status & 0xFF));
    }

    private static void assertMediumError(IscsiInitiator.Result r, int asc, long lba) {
        assertEquals(IscsiInitiator.Result.CHECK_CONDITION, r.status(), "status");
        assertEquals(MEDIUM_ERROR, r.senseKey(), "sense key");
        assertEquals(asc, r.asc(), "ASC");
        assertEquals(0, r.ascq(), "ASCQ");
        assertTrue(r.informationValid(), "VALID: INFORMATION holds the failed LBA");
        assertEquals(lba, r.information(), "INFORMATION");
    }

    /** Waits for the stall to hold {@code n} requests. */
    private static void awaitHeld(int n) throws InterruptedException {
        awaitTrue(() -> disk.heldCount() >= n, "the stalled request to reach the backend");
    }

    /** Waits for a condition; the deadline only guards against a hang. */
    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
