package dev.ferry.backend.rbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.backend.BackendException;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.CompletionStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rbd backend against a real single-node Ceph cluster (cephx on), started once for the class. */
class RbdBackendTest {
    private static final int BS = 512;
    private static final long MIB = 1 << 20;
    private static CephCluster ceph;

    @BeforeAll
    static void startCeph() throws Exception {
        ceph = CephCluster.start(true);
    }

    @AfterAll
    static void stopCeph() {
        if (ceph != null) {
            ceph.close();
        }
    }

    private static BackstoreConfig config(String name, String path, String size) {
        return new BackstoreConfig(name, "rbd", size, path, null, null, null, null, null, null, null);
    }

    private static RbdBackend open(String name, String image, String size, String... options) throws Exception {
        return (RbdBackend) new RbdBackendFactory().open(config(name, ceph.path(image, options), size));
    }

    private static byte[] pattern(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] read(UnitDriver u, long lba, int blocks, boolean direct) throws Exception {
        ByteBuf buf = direct ? Unpooled.directBuffer(blocks * BS) : Unpooled.buffer(blocks * BS);
        try {
            assertEquals(CompletionStatus.GOOD, u.status(BlockOp.READ, lba, blocks, buf));
            byte[] out = new byte[buf.readableBytes()];
            buf.readBytes(out);
            return out;
        } finally {
            buf.release();
        }
    }

    private static CompletionStatus write(UnitDriver u, long lba, byte[] data, boolean direct) throws Exception {
        ByteBuf buf = direct ? Unpooled.directBuffer(data.length) : Unpooled.buffer(data.length);
        try {
            buf.writeBytes(data);
            return u.status(BlockOp.WRITE, lba, data.length / BS, buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void createsTheImageAndRoundTripsDataThroughDirectAndHeapBuffers() throws Exception {
        try (UnitDriver u = new UnitDriver(open("rt", "roundtrip", "64M"))) {
            assertEquals(64 * MIB, u.unit.descriptor().capacityBytes());
            byte[] a = pattern(256 * 1024, 1);
            byte[] b = pattern(8 * BS, 2);
            assertEquals(CompletionStatus.GOOD, write(u, 8, a, true));
            assertEquals(CompletionStatus.GOOD, write(u, 4 * MIB / BS - 4, b, false)); // across two objects
            assertArrayEquals(a, read(u, 8, a.length / BS, false));
            assertArrayEquals(b, read(u, 4 * MIB / BS - 4, 8, true));
            assertEquals(CompletionStatus.GOOD, u.status(BlockOp.FLUSH, 0, 0, null));
            assertArrayEquals(new byte[BS], read(u, 0, 1, true)); // never written
        }
        // The data is in the image itself, as `rbd export` sees it.
        java.nio.file.Path out = ceph.dir.resolveSibling("roundtrip.img");
        ceph.rbd("export", "--no-progress", "rbd/roundtrip", out.toString());
        byte[] image = java.nio.file.Files.readAllBytes(out);
        assertEquals(64 * MIB, image.length);
        assertArrayEquals(pattern(256 * 1024, 1), java.util.Arrays.copyOfRange(image, 8 * BS, 8 * BS + 256 * 1024));
        java.nio.file.Files.delete(out);
    }

    @Test
    void manyRequestsInFlightAllComplete() throws Exception {
        try (UnitDriver u = new UnitDriver(open("qd", "queued", "16M"))) {
            List<CompletableFuture<UnitDriver.Result>> all = new ArrayList<>();
            List<ByteBuf> bufs = new ArrayList<>();
            for (int i = 0; i < 200; i++) { // far more than the queue depth (32): the worker waits for free slots
                ByteBuf buf = Unpooled.directBuffer(4096).writeBytes(pattern(4096, 100 + i));
                bufs.add(buf);
                all.add(u.start(BlockOp.WRITE, i * 8L, 8, buf, false));
            }
            for (CompletableFuture<UnitDriver.Result> f : all) {
                assertEquals(CompletionStatus.GOOD, f.get(60, TimeUnit.SECONDS).status());
            }
            bufs.forEach(ByteBuf::release);
            for (int i = 0; i < 200; i += 37) {
                assertArrayEquals(pattern(4096, 100 + i), read(u, i * 8L, 8, true));
            }
        }
    }

    /**
     * librbd calls back on its own native threads. Each callback on a thread that is not attached to the JVM
     * attaches it (a new java.lang.Thread, counted as started) and, unless told otherwise, detaches it again after:
     * one thread start per I/O. The backend keeps them attached, so a run of I/O starts no thread.
     */
    @Test
    void librbdsCallbackThreadsStayAttachedToTheJvm() throws Exception {
        try (UnitDriver u = new UnitDriver(open("attach", "attach", "4M"))) {
            byte[] a = pattern(BS, 9);
            for (int i = 0; i < 20; i++) { // librbd's threads attach on their first callbacks
                assertEquals(CompletionStatus.GOOD, write(u, i, a, true));
            }
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long before = threads.getTotalStartedThreadCount();
            int ios = 200;
            for (int i = 0; i < ios; i++) {
                assertArrayEquals(a, read(u, i % 20, 1, true));
            }
            long started = threads.getTotalStartedThreadCount() - before;
            assertTrue(started < ios / 4, started + " threads started (attached) during " + ios + " I/Os");
        }
    }

    @Test
    void discardAndWriteZeroesReadBackAsZeroes() throws Exception {
        try (UnitDriver u = new UnitDriver(open("dz", "discard", "16M"))) {
            byte[] a = pattern(64 * 1024, 3);
            assertEquals(CompletionStatus.GOOD, write(u, 0, a, true));
            // Small, unaligned ranges: librbd would skip these without rbd_skip_partial_discard=false.
            assertEquals(CompletionStatus.GOOD,
                    u.run(BlockOp.UNMAP, 0, 0, null, false, new long[] {1, 2}, new long[] {20, 3}).status());
            byte[] expected = a.clone();
            java.util.Arrays.fill(expected, BS, 3 * BS, (byte) 0);
            java.util.Arrays.fill(expected, 20 * BS, 23 * BS, (byte) 0);
            assertArrayEquals(expected, read(u, 0, a.length / BS, true));
            assertEquals(CompletionStatus.GOOD, u.status(BlockOp.WRITE_ZEROES, 40, 7, null));
            java.util.Arrays.fill(expected, 40 * BS, 47 * BS, (byte) 0);
            assertArrayEquals(expected, read(u, 0, a.length / BS, true));
        }
    }

    @Test
    void compareAndWriteReportsTheOffsetOfTheFirstDifferenceAndWritesOnlyOnMatch() throws Exception {
        try (UnitDriver u = new UnitDriver(open("caw", "caw", "16M"))) {
            assertEquals(1, u.unit.descriptor().maxCompareAndWriteBlocks(), "one 512-byte sector");
            long lba = 4 * MIB / BS - 3; // an offset past the request's length: the miscompare offset is relative
            byte[] old = pattern(BS, 5);
            byte[] next = pattern(BS, 6);
            assertEquals(CompletionStatus.GOOD, write(u, lba, old, true));
            byte[] wrong = old.clone();
            wrong[123] ^= 1;
            ByteBuf miss = Unpooled.directBuffer(2 * BS).writeBytes(wrong).writeBytes(next);
            UnitDriver.Result r = u.run(BlockOp.COMPARE_AND_WRITE, lba, 1, miss, false);
            miss.release();
            assertEquals(CompletionStatus.MISCOMPARE, r.status());
            assertEquals(123, r.miscompareOffset());
            assertArrayEquals(old, read(u, lba, 1, true));
            ByteBuf match = Unpooled.buffer(2 * BS).writeBytes(old).writeBytes(next); // heap: the bounced path
            assertEquals(CompletionStatus.GOOD, u.status(BlockOp.COMPARE_AND_WRITE, lba, 1, match));
            match.release();
            assertArrayEquals(next, read(u, lba, 1, true));
            // librbd 16 compares one 512-byte sector at most: a longer one is refused and changes nothing.
            ByteBuf longer = Unpooled.directBuffer(4 * BS).writeBytes(next).writeZero(BS).writeBytes(next)
                    .writeZero(BS);
            assertEquals(CompletionStatus.INVALID_FIELD, u.status(BlockOp.COMPARE_AND_WRITE, lba, 2, longer));
            longer.release();
            assertArrayEquals(next, read(u, lba, 1, true));
            ByteBuf verify = Unpooled.directBuffer(4 * BS);
            verify.writeBytes(next).writeBytes(read(u, lba + 1, 3, true));
            verify.setByte(BS + 700, verify.getByte(BS + 700) ^ 1);
            UnitDriver.Result v = u.run(BlockOp.VERIFY, lba, 4, verify, false);
            verify.release();
            assertEquals(CompletionStatus.MISCOMPARE, v.status());
            assertEquals(BS + 700, v.miscompareOffset());
        }
    }

    /**
     * With 4 KiB blocks the unit compares no block: librbd refuses any compare-and-write longer than its 512-byte
     * sector (checked here against the cluster itself, past the frontends' limit), and the unit says so.
     */
    @Test
    void compareAndWriteOfA4KiBBlockIsBeyondLibrbd() throws Exception {
        BackstoreConfig c = new BackstoreConfig("caw4k", "rbd", "4M", ceph.path("caw4k"), 4096, null, null, null,
                null, null, null);
        try (UnitDriver u = new UnitDriver(new RbdBackendFactory().open(c))) {
            assertEquals(0, u.unit.descriptor().maxCompareAndWriteBlocks());
            ByteBuf both = Unpooled.directBuffer(2 * 4096).writeZero(2 * 4096);
            assertEquals(CompletionStatus.INVALID_FIELD, u.status(BlockOp.COMPARE_AND_WRITE, 0, 1, both));
            both.release();
        }
    }

    @Test
    void resizesBothWaysAndPicksUpASizeChangedElsewhere() throws Exception {
        RbdBackend b = open("rs", "resize", "8M");
        try (UnitDriver u = new UnitDriver(b)) {
            byte[] a = pattern(4096, 7);
            assertEquals(CompletionStatus.GOOD, write(u, 0, a, true));
            assertEquals(32 * MIB, u.unit.resize(32 * MIB).capacityBytes());
            assertTrue(ceph.rbd("info", "rbd/resize").contains("size 32 MiB"));
            assertEquals(CompletionStatus.GOOD, write(u, 32 * MIB / BS - 8, a, true)); // in the grown part
            assertEquals(4 * MIB, u.unit.resize(4 * MIB).capacityBytes());
            ceph.rbd("resize", "--no-progress", "--size", "48M", "rbd/resize");
            assertEquals(48 * MIB, u.unit.rereadCapacity().capacityBytes());
            assertArrayEquals(a, read(u, 0, 8, true));
            assertArrayEquals(new byte[4096], read(u, 32 * MIB / BS - 8, 8, true)); // shrunk away, grown back
        }
    }

    /**
     * An {@code rbd resize} by another client reaches the unit by itself, through the image's header watch: a grow
     * is served at once, a shrink under the mapped unit refuses what lies past the new end as LBA out of range. A
     * header change that is not a resize (a snapshot) is not reported as one.
     */
    @Test
    void followsAResizeByAnotherClientBothWaysWithoutBeingAsked() throws Exception {
        try (UnitDriver u = new UnitDriver(open("fo", "follow", "8M"))) {
            BlockingQueue<Long> told = new LinkedBlockingQueue<>();
            u.unit.followCapacity(unit -> told.add(unit.descriptor().capacityBytes()));
            byte[] a = pattern(4096, 9);
            assertEquals(CompletionStatus.GOOD, write(u, 0, a, true));
            ceph.rbd("snap", "create", "rbd/follow@s1");
            ceph.rbd("resize", "--no-progress", "--size", "24M", "rbd/follow");
            assertEquals(24 * MIB, told.poll(60, TimeUnit.SECONDS), "the first capacity change is the resize");
            assertEquals(24 * MIB, u.unit.descriptor().capacityBytes());
            assertEquals(CompletionStatus.GOOD, write(u, 24 * MIB / BS - 8, a, true)); // in the grown part

            ceph.rbd("resize", "--no-progress", "--allow-shrink", "--size", "6M", "rbd/follow");
            assertEquals(6 * MIB, told.poll(60, TimeUnit.SECONDS));
            assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, write(u, 6 * MIB / BS, a, true));
            assertEquals(CompletionStatus.LBA_OUT_OF_RANGE, u.status(BlockOp.READ, 6 * MIB / BS - 1, 2,
                    Unpooled.buffer(2 * BS)));
            assertArrayEquals(a, read(u, 0, 8, true));
            assertEquals(CompletionStatus.GOOD, write(u, 6 * MIB / BS - 8, a, true)); // up to the new end
            assertEquals(null, told.poll(), "one report per change");
        }
    }

    @Test
    void identityComesFromTheImageNotTheBackstoreAndSurvivesARename() throws Exception {
        RbdBackend one = open("node-a-disk", "ident", "4M");
        RbdBackend two = open("node-b-disk", "ident", null);
        RbdBackend other = open("node-a-disk", "ident-other", "4M");
        try {
            assertEquals(one.describe().identity(), two.describe().identity());
            assertNotEquals(one.describe().identity(), other.describe().identity());
            assertEquals(RbdBackendFactory.PRODUCT, one.describe().identity().product());
        } finally {
            two.close();
            other.close();
        }
        one.close();
        ceph.rbd("rename", "rbd/ident", "rbd/ident-renamed");
        RbdBackend renamed = open("node-a-disk", "ident-renamed", null);
        try {
            assertEquals(one.describe().identity(), renamed.describe().identity());
        } finally {
            renamed.close();
        }
    }

    @Test
    void namedErrorsForAMissingImagePoolOptionAndCluster() throws Exception {
        BackendException image = assertThrows(BackendException.class, () -> open("m", "nosuchimage", null));
        assertTrue(image.getMessage().contains("image rbd/nosuchimage does not exist"), image.getMessage());
        String pool = RbdSpec.format("nosuchpool", null, "x", ceph.conf, null, ceph.keyring);
        BackendException p = assertThrows(BackendException.class,
                () -> new RbdBackendFactory().open(config("p", pool, "1M")));
        assertTrue(p.getMessage().contains("pool nosuchpool does not exist"), p.getMessage());
        BackendException o = assertThrows(BackendException.class, () -> open("o", "x", "1M", "no_such_option=1"));
        assertTrue(o.getMessage().contains("no_such_option=1 is unknown"), o.getMessage());
        BackendException key = assertThrows(BackendException.class,
                () -> new RbdBackendFactory().open(config("k", RbdSpec.format("rbd", null, "x", ceph.conf, "nobody",
                        ceph.keyring) + ":client_mount_timeout=5", "1M")));
        assertTrue(key.getMessage().contains("client.nobody"), key.getMessage());
        // A cluster whose monitor is gone: a conf naming a port nothing listens on.
        java.nio.file.Path conf = ceph.dir.resolveSibling("unreachable.conf");
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        java.nio.file.Files.writeString(conf, "[global]\nmon_host = 127.0.0.1:" + port + "\n");
        long start = System.nanoTime();
        BackendException gone = assertThrows(BackendException.class, () -> new RbdBackendFactory().open(
                config("u", RbdSpec.format("rbd", null, "x", conf.toString(), null, ceph.keyring)
                        + ":client_mount_timeout=3", "1M")));
        assertTrue(gone.getMessage().contains("the Ceph cluster is unreachable"), gone.getMessage());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60), "bounded by client_mount_timeout");
        java.nio.file.Files.delete(conf);
    }

    @Test
    void anotherClientHoldingTheExclusiveLockIsAReservationConflict() throws Exception {
        try (UnitDriver u = new UnitDriver(open("lk", "locked", "8M"));
                RbdImage holder = RbdImage.open("holder", RbdSpec.parse(ceph.path("locked")), -1)) {
            assertEquals(0, Ceph.rbd_lock_acquire(holder.image, Ceph.RBD_LOCK_MODE_EXCLUSIVE));
            assertEquals(CompletionStatus.RESERVATION_CONFLICT, write(u, 0, pattern(BS, 8), true));
            assertArrayEquals(new byte[BS], read(u, 0, 1, true)); // reads need no lock
            assertEquals(0, Ceph.rbd_lock_release(holder.image));
            assertEquals(CompletionStatus.GOOD, write(u, 0, pattern(BS, 8), true));
            assertArrayEquals(pattern(BS, 8), read(u, 0, 1, true));
        }
    }

    @Test
    void anUnresponsiveClusterFailsTheRequestsInFlightAndServesAgainWhenItReturns() throws Exception {
        // rados_osd_op_timeout=5: the default 30 s would only make the test slow.
        RbdBackend b = open("st", "stalled", "8M", "rados_osd_op_timeout=5");
        try (UnitDriver u = new UnitDriver(b)) {
            assertEquals(CompletionStatus.GOOD, write(u, 0, pattern(4096, 9), true));
            long osd = ceph.pid("osd.0");
            CephCluster.run(List.of("kill", "-STOP", Long.toString(osd)), 10);
            List<CompletableFuture<UnitDriver.Result>> stalled = new ArrayList<>();
            List<ByteBuf> bufs = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    boolean writing = i % 2 == 0;
                    ByteBuf buf = Unpooled.directBuffer(4096);
                    if (writing) {
                        buf.writeBytes(pattern(4096, 10 + i));
                    }
                    bufs.add(buf);
                    stalled.add(u.start(writing ? BlockOp.WRITE : BlockOp.READ, 8L * i, 8, buf, false));
                }
                for (CompletableFuture<UnitDriver.Result> f : stalled) {
                    assertEquals(CompletionStatus.UNIT_NOT_READY, f.get(120, TimeUnit.SECONDS).status());
                }
                assertEquals(0, b.inFlight());
            } finally {
                CephCluster.run(List.of("kill", "-CONT", Long.toString(osd)), 10);
                bufs.forEach(ByteBuf::release);
            }
            assertEquals(CompletionStatus.GOOD, write(u, 0, pattern(4096, 11), true));
            assertArrayEquals(pattern(4096, 11), read(u, 0, 8, true));
        }
    }
}
