package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.backend.rbd.CephCluster;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code ferry serve} daemons in one gateway group exporting one rbd image over NVMe/TCP and iSCSI, against a
 * real single-node Ceph cluster: the owner is optimized and the other non-optimized; a SIGKILLed owner is taken
 * over (the survivor becomes optimized, writes through it, the data written before reads back) and comes back
 * non-optimized; a SIGSTOPped owner is fenced, and after SIGCONT it stops serving and rejoins non-optimized.
 * Assertions are on states and bytes; the deadlines are only a safety net.
 */
class GatewayServeTest {
    private static final String NQN = "nqn.2026-11.dev.ferry:gw";
    private static final String IQN = "iqn.2026-11.dev.ferry:gw";
    private static final int BS = 512;
    /** NVMe Base 2.0 Figure 224: ANA state of the group in the first descriptor of the ANA log. */
    private static final int OPTIMIZED = 1;
    private static final int NON_OPTIMIZED = 2;
    /** SPC-4 6.37 Table 216: active/optimized, active/non-optimized, unavailable. */
    private static final int AO = 0;
    private static final int ANO = 1;
    private static final int UNAVAILABLE = 3;
    /** A safety net only: a takeover takes a lease (6 s here) plus a poll and a blocklist. */
    private static final long SAFETY_SECONDS = 180;
    private static CephCluster ceph;

    @TempDir
    Path dir;

    @BeforeAll
    static void startCeph() throws Exception {
        ceph = CephCluster.start(true);
        createGroup("gw", "gwdisk", "32M");
    }

    @AfterAll
    static void stopCeph() {
        if (ceph != null) {
            ceph.close();
        }
    }

    @Test
    void ownershipDrivesTheStatesAndFailsOverOnKillAndOnHang() throws Exception {
        Member a = new Member("a", 1);
        Member b = new Member("b", 2);
        Daemon da = a.start();
        awaitState(a, OPTIMIZED); // a claimed the image
        Daemon db = b.start();
        Daemon da2 = null;
        try {
            assertEquals(NON_OPTIMIZED, anaState(b));
            assertEquals(OPTIMIZED, anaState(a));
            // SCSI: both members list both groups, the owner's active/optimized.
            awaitGroups(a, Map.of(1, AO, 2, ANO));
            awaitGroups(b, Map.of(1, AO, 2, ANO));
            byte[] before = pattern(8 * BS, (byte) 0x5A);
            a.write(100, before);
            assertArrayEquals(before, b.read(100, 8), "one image behind both");

            // SIGKILL the owner: b takes over and serves writes; the data written before is there.
            da.kill();
            awaitState(b, OPTIMIZED);
            byte[] after = pattern(8 * BS, (byte) 0x6B);
            b.write(200, after);
            assertArrayEquals(before, b.read(100, 8));
            assertArrayEquals(after, b.read(200, 8));
            awaitGroups(b, Map.of(1, UNAVAILABLE, 2, AO)); // a is fenced
            Tool scsiWrite = Tool.run("qemu-io", "-f", "raw", "-c", "write -P 0x22 1M 64k", b.lun());
            assertEquals(0, scsiWrite.exitCode(), scsiWrite.output());
            assertArrayEquals(pattern(64 * 1024, (byte) 0x22), b.read((1 << 20) / BS, 128));

            // a comes back (a new instance): non-optimized, b keeps the image.
            da2 = a.start();
            awaitState(a, NON_OPTIMIZED);
            assertEquals(OPTIMIZED, anaState(b));
            awaitGroups(a, Map.of(1, ANO, 2, AO));
            awaitGroups(b, Map.of(1, ANO, 2, AO));
            assertArrayEquals(after, a.read(200, 8));

            // SIGSTOP the owner b with a write to it queued in its socket: a fences b and takes over, writes the
            // same blocks; after SIGCONT the zombie's write fails (whether b sees its lease lost first or not) and
            // the survivor's data stays. b rejoins non-optimized, on new clients that write again.
            try (NvmeTcpTestHost zombieAdmin = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1", b.nvmePort));
                    NvmeTcpTestHost zombie = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1", b.nvmePort))) {
                zombie.connectIo(NQN, zombieAdmin.connectAdmin(NQN, 0), 1, 31);
                signal(db, "STOP");
                ByteBuffer w = NvmeTcpTestHost.inCapsuleSgl(NvmeTcpTestHost.sqe(NvmeTcpTestHost.OPC_WRITE,
                        zombie.nextCid(), 1), 8 * BS);
                w.putLong(40, 300).putInt(48, 8 - 1);
                zombie.sendCapsule(w.array(), pattern(8 * BS, (byte) 0xEE));
                awaitState(a, OPTIMIZED);
                byte[] third = pattern(8 * BS, (byte) 0x7C);
                a.write(300, third);
                signal(db, "CONT");
                int status = completionStatus(zombie);
                // b may write only with a valid lease (its units' write fence checks it at submit and before the
                // backend call): the queued write fails, unless b's event loop took it only after b had rejoined
                // with a new lease, as a non-optimized member that serves I/O - then it is a late write, not a
                // zombie's, and it lands after a's. Such a write needs the images b reopens after it logged its new
                // lease (its earlier image clients are fenced), so the log says so by the time the write completed.
                boolean late = status == 0;
                assertTrue(!late || db.log().contains("member b holds a new lease"),
                        "the zombie's write succeeded before b rejoined: status 0x" + Integer.toHexString(status)
                                + "\n" + db.log());
                assertArrayEquals(late ? pattern(8 * BS, (byte) 0xEE) : third, a.read(300, 8));
                awaitState(b, NON_OPTIMIZED);
                String log = db.log();
                assertTrue(log.contains("lease of member b lost"), log);
                assertTrue(log.contains("member b rejoined"), log);
                assertEquals(OPTIMIZED, anaState(a));
                awaitGroups(a, Map.of(1, AO, 2, ANO));
                awaitGroups(b, Map.of(1, AO, 2, ANO));
                byte[] fourth = pattern(8 * BS, (byte) 0x1D);
                b.write(400, fourth);
                assertArrayEquals(fourth, a.read(400, 8));
                assertArrayEquals(third, b.read(300, 8));
            }
            assertArrayEquals(before, a.read(100, 8));
            assertArrayEquals(after, a.read(200, 8));
        } finally {
            if (da2 != null) {
                da2.close();
            }
            db.close();
            da.close();
        }
    }

    /**
     * The default 15 s lease over {@value #KILLS} SIGKILLs of whichever member owns the image: each time the other
     * takes over, a write sent to it right after the kill completes, and every block written before any kill reads
     * back. Prints the time from SIGKILL to that write's completion and to the survivor reporting Optimized (median
     * and worst); only data and states are asserted. Ends with SIGTERM of the owner: it leaves the group and the
     * other becomes optimized.
     */
    @Test
    void failoverTimesOverRepeatedKills() throws Exception {
        createGroup("gwk", "gwkdisk", "16M");
        Member[] m = {new Member("k1", 1, "gwk", "gwkdisk", 15), new Member("k2", 2, "gwk", "gwkdisk", 15)};
        Daemon[] d = {m[0].start(), null};
        List<Long> writeMillis = new java.util.ArrayList<>();
        List<Long> optimizedMillis = new java.util.ArrayList<>();
        try {
            awaitState(m[0], OPTIMIZED);
            d[1] = m[1].start();
            awaitState(m[1], NON_OPTIMIZED);
            int owner = 0;
            for (int kill = 0; kill < KILLS; kill++) {
                int survivor = 1 - owner;
                m[owner].write(8L * kill, pattern(8 * BS, (byte) (kill + 1)));
                try (NvmeTcpTestHost admin = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1",
                        m[survivor].nvmePort));
                        NvmeTcpTestHost io = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1",
                                m[survivor].nvmePort))) {
                    io.connectIo(NQN, admin.connectAdmin(NQN, 0), 1, 31);
                    long killed = System.nanoTime();
                    d[owner].kill();
                    ByteBuffer w = NvmeTcpTestHost.inCapsuleSgl(NvmeTcpTestHost.sqe(NvmeTcpTestHost.OPC_WRITE,
                            io.nextCid(), 1), 8 * BS);
                    w.putLong(40, 8L * KILLS + 8L * kill).putInt(48, 8 - 1);
                    io.sendCapsule(w.array(), pattern(8 * BS, (byte) (0x80 + kill)));
                    assertEquals(0, completionStatus(io), "the survivor's write");
                    writeMillis.add((System.nanoTime() - killed) / 1_000_000);
                    awaitState(m[survivor], OPTIMIZED);
                    optimizedMillis.add((System.nanoTime() - killed) / 1_000_000);
                }
                for (int k = 0; k <= kill; k++) {
                    assertArrayEquals(pattern(8 * BS, (byte) (k + 1)), m[survivor].read(8L * k, 8));
                    assertArrayEquals(pattern(8 * BS, (byte) (0x80 + k)), m[survivor].read(8L * KILLS + 8L * k, 8));
                }
                d[owner] = m[owner].start();
                awaitState(m[owner], NON_OPTIMIZED);
                owner = survivor;
            }
            d[owner].terminate(60);
            awaitState(m[1 - owner], OPTIMIZED);
            CliRun status = CliRun.of("gateway", "status", "rbd/gwk", "--conf", ceph.conf, "--keyring",
                    ceph.keyring, "-o", "json");
            assertEquals(0, status.exitCode(), status::toString);
            assertTrue(!status.out().contains("\"" + m[owner].name + "\""), status.out());
            System.out.println("gateway failover over " + KILLS + " SIGKILLs, 15 s lease: write resumed after "
                    + summary(writeMillis) + "; survivor optimized after " + summary(optimizedMillis));
        } finally {
            for (Daemon x : d) {
                if (x != null) {
                    x.close();
                }
            }
        }
    }

    /**
     * {@code ferry gateway move}: refused for an unknown image, an unknown member and a member without a lease; the
     * image then goes from a to b and back: ANA log and RTPG of both members follow, and writes on connections to
     * both members opened before the move keep succeeding through it (no path ever stops serving).
     */
    @Test
    void maintenanceMoveSwitchesTheOwnerWithoutFailingIo() throws Exception {
        createGroup("gwm", "gwmdisk", "16M");
        Member a = new Member("ma", 1, "gwm", "gwmdisk", 6);
        Member b = new Member("mb", 2, "gwm", "gwmdisk", 6);
        Daemon da = a.start();
        Daemon db = null;
        try {
            awaitState(a, OPTIMIZED);
            db = b.start();
            awaitState(b, NON_OPTIMIZED);
            assertEquals(0, gateway("join", "rbd/gwm", "--member", "idle", "--portal", "127.0.0.1:1").exitCode());

            CliRun unknownImage = gateway("move", "rbd/gwm", "rbd/nosuch", "--to", "mb");
            assertEquals(ExitCodes.INVALID_CONFIG, unknownImage.exitCode(), unknownImage::toString);
            assertTrue(unknownImage.err().contains("no image rbd/nosuch is owned"), unknownImage::toString);
            CliRun unknownMember = gateway("move", "rbd/gwm", "rbd/gwmdisk", "--to", "nobody");
            assertEquals(ExitCodes.INVALID_CONFIG, unknownMember.exitCode(), unknownMember::toString);
            assertTrue(unknownMember.err().contains("no member nobody"), unknownMember::toString);
            CliRun noLease = gateway("move", "rbd/gwm", "rbd/gwmdisk", "--to", "idle");
            assertEquals(ExitCodes.INVALID_CONFIG, noLease.exitCode(), noLease::toString);
            assertTrue(noLease.err().contains("member idle holds no lease"), noLease::toString);
            assertEquals(OPTIMIZED, anaState(a), "a refused move changes nothing");

            try (NvmeTcpTestHost adminA = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1", a.nvmePort));
                    NvmeTcpTestHost ioA = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1", a.nvmePort));
                    NvmeTcpTestHost adminB = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1", b.nvmePort));
                    NvmeTcpTestHost ioB = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1", b.nvmePort))) {
                ioA.connectIo(NQN, adminA.connectAdmin(NQN, 0), 1, 31);
                ioB.connectIo(NQN, adminB.connectAdmin(NQN, 0), 1, 31);
                ioA.write(1, 0, pattern(8 * BS, (byte) 0x11), BS);

                CliRun move = gateway("move", "rbd/gwm", "rbd/gwmdisk", "--to", "mb");
                assertEquals(0, move.exitCode(), move::toString);
                assertTrue(move.out().contains("rbd/gwmdisk moved from ma to mb"), move::toString);
                awaitState(b, OPTIMIZED);
                awaitState(a, NON_OPTIMIZED);
                awaitGroups(a, Map.of(1, ANO, 2, AO));
                awaitGroups(b, Map.of(1, ANO, 2, AO));
                assertEquals("mb 2 non-optimized", memberStatus(da), "ferry status of the drained member");
                assertEquals("mb 2 optimized", memberStatus(db), "ferry status of the new owner");
                // The drained member's connection and the new owner's both write; each reads the other's data.
                ioA.write(1, 8, pattern(8 * BS, (byte) 0x22), BS);
                ioB.write(1, 16, pattern(8 * BS, (byte) 0x33), BS);
                assertArrayEquals(pattern(8 * BS, (byte) 0x33), ioA.read(1, 16, 8, BS));
                assertArrayEquals(pattern(8 * BS, (byte) 0x22), ioB.read(1, 8, 8, BS));
                assertArrayEquals(pattern(8 * BS, (byte) 0x11), ioB.read(1, 0, 8, BS));

                CliRun back = gateway("move", "rbd/gwm", "rbd/gwmdisk", "--to", "ma");
                assertEquals(0, back.exitCode(), back::toString);
                awaitState(a, OPTIMIZED);
                awaitState(b, NON_OPTIMIZED);
                awaitGroups(b, Map.of(1, AO, 2, ANO));
                ioB.write(1, 24, pattern(8 * BS, (byte) 0x44), BS);
                assertArrayEquals(pattern(8 * BS, (byte) 0x44), ioA.read(1, 24, 8, BS));
            }
            CliRun status = gateway("status", "rbd/gwm", "-o", "json");
            assertEquals(0, status.exitCode(), status::toString);
            assertTrue(status.out().replaceAll("\\s", "").contains("\"epochs\":{\"rbd/gwmdisk\":3}"),
                    status::toString); // claimed (1), moved twice
        } finally {
            if (db != null) {
                db.close();
            }
            da.close();
        }
    }

    /**
     * {@code gateway.failback: automatic}: the member that first claimed the image is SIGKILLed, the other takes
     * over; when the first returns (a new instance) it gets the image back by a move once its lease has been in
     * force for {@code failbackSeconds}, and both members' states and writes follow. An admin's move to the other
     * member then sticks (the target becomes the preferred owner).
     */
    @Test
    void automaticFailbackReturnsTheImageToItsFirstOwner() throws Exception {
        createGroup("gwf", "gwfdisk", "16M");
        String automatic = ", \"failback\": \"automatic\", \"failbackSeconds\": 2";
        Member a = new Member("fa", 1, "gwf", "gwfdisk", 6, automatic);
        Member b = new Member("fb", 2, "gwf", "gwfdisk", 6, automatic);
        Daemon da = a.start();
        Daemon db = null;
        Daemon da2 = null;
        try {
            awaitState(a, OPTIMIZED); // fa claimed it first: its preferred owner
            db = b.start();
            awaitState(b, NON_OPTIMIZED);
            a.write(0, pattern(8 * BS, (byte) 0x51));
            da.kill();
            awaitState(b, OPTIMIZED);
            b.write(8, pattern(8 * BS, (byte) 0x52));

            da2 = a.start();
            awaitState(a, OPTIMIZED);
            awaitState(b, NON_OPTIMIZED);
            awaitGroups(a, Map.of(1, AO, 2, ANO));
            awaitGroups(b, Map.of(1, AO, 2, ANO));
            String logB = db.log();
            assertTrue(logB.contains("failback of rbd/gwfdisk to fa"), logB);
            b.write(16, pattern(8 * BS, (byte) 0x53));
            a.write(24, pattern(8 * BS, (byte) 0x54));
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(pattern(8 * BS, (byte) (0x51 + i)), a.read(8L * i, 8));
                assertArrayEquals(pattern(8 * BS, (byte) (0x51 + i)), b.read(8L * i, 8));
            }
            CliRun status = gateway("status", "rbd/gwf", "-o", "json");
            assertTrue(status.out().replaceAll("\\s", "").contains("\"epochs\":{\"rbd/gwfdisk\":3}"),
                    status::toString); // claimed, taken over, failed back

            // An admin's move is not undone by failback: fb is the preferred owner from now on.
            CliRun move = gateway("move", "rbd/gwf", "rbd/gwfdisk", "--to", "fb");
            assertEquals(0, move.exitCode(), move::toString);
            awaitState(b, OPTIMIZED);
            Thread.sleep(4_000); // twice failbackSeconds: a failback to fa would have run by now
            assertEquals(OPTIMIZED, anaState(b));
            assertEquals(NON_OPTIMIZED, anaState(a));
            String logB2 = db.log();
            String failback = "failback of rbd/gwfdisk to fa, its preferred owner";
            assertEquals(1, logB2.split(failback, -1).length - 1, "only the one failback: " + logB2);
        } finally {
            for (Daemon x : new Daemon[] {da2, db, da}) {
                if (x != null) {
                    x.close();
                }
            }
        }
    }

    /**
     * The group's configuration: a change made through either member is applied by the other without a restart (a
     * new rbd backstore and namespace added through a is served by b: written through b, read back through a);
     * changes made at once through both members all land on both; a change the member it was made through
     * refuses changes nothing anywhere; a member that was stopped while the group changed serves the change when
     * it returns.
     */
    @Test
    void configurationChangesThroughEitherMemberReachEveryMember() throws Exception {
        createGroup("gwc", "gwcdisk", "32M");
        Member a = new Member("a", 1, "gwc", "gwcdisk", 6);
        Member b = new Member("b", 2, "gwc", "gwcdisk", 6);
        Daemon db2 = null;
        try (Daemon da = a.start(); Daemon db = b.start()) {
            admin(da, "backstore", "create", "rbd", "disk2", "rbd/gwcdisk2", "--size", "16M", "--conf", ceph.conf,
                    "--keyring", ceph.keyring);
            admin(da, "nvme", "namespace", "add", NQN, "disk2", "--nsid", "2");
            awaitConfig(db, "namespace 2 through b", c -> c.contains("\"backstore\" : \"disk2\""));
            byte[] data = pattern(4 * BS, (byte) 0x3C);
            b.write(2, 8, data);
            assertArrayEquals(data, a.read(2, 8, 4), "the new namespace is one image behind both members");

            int each = 4;
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        admin(da, "nvme", "host", "allow", NQN, "nqn.2014-08.org.nvmexpress:uuid:host-a-" + i);
                    }
                    return null;
                }));
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        admin(db, "iscsi", "acl", "add", IQN, "iqn.1993-08.org.debian:01:b-" + i);
                    }
                    return null;
                }));
                for (java.util.concurrent.Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
            for (Daemon d : List.of(da, db)) {
                awaitConfig(d, "all " + 2 * each + " changes", c -> java.util.stream.IntStream.range(0, each)
                        .allMatch(i -> c.contains("uuid:host-a-" + i + "\"") && c.contains("01:b-" + i + "\"")));
            }
            long revision = configRevision(da);
            awaitRevision(db, revision);
            CliRun shared = gateway("config", "rbd/gwc");
            assertEquals(0, shared.exitCode(), shared::toString);
            var group = new com.fasterxml.jackson.databind.ObjectMapper().readTree(shared.out());
            assertEquals(revision, group.path("revision").asLong(), shared::toString);
            assertTrue(group.path("config").toString().contains("uuid:host-a-3") && !shared.out().contains("127.0.0.1"),
                    "the group holds the targets, not the members' portals: " + shared.out());

            CliRun refused = CliRun.of("nvme", "namespace", "add", NQN, "nosuch", "--control-socket",
                    da.socket.toString());
            assertEquals(ExitCodes.INVALID_CONFIG, refused.exitCode(), refused::toString);
            assertEquals(revision, configRevision(da), "a refused change is not published");
            assertEquals(revision, configRevision(db));

            // A CHAP secret given to a on standard input: b writes it to its own secrets directory and checks it.
            String initiator = "iqn.1993-08.org.debian:01:chap1";
            Tool stdin = Tool.withInput(CHAP_SECRET + "\n", cli(da, "iscsi", "acl", "add", IQN, initiator,
                    "--chap-user", "chap1", "--chap-secret-file", "-"));
            assertEquals(0, stdin.exitCode(), stdin.output());
            Path onB = b.config.resolveSibling("secrets").resolve("chap-" + IQN + "-" + initiator);
            awaitConfig(db, "the CHAP entry", c -> c.contains(onB.toString()));
            assertEquals(CHAP_SECRET, Files.readString(onB).strip());
            assertEquals(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"),
                    Files.getPosixFilePermissions(onB));
            String lunB = "iscsi://chap1%" + CHAP_SECRET + "@127.0.0.1:" + b.iscsiPort + "/" + IQN + "/0";
            Tool login = Tool.run("iscsi-inq", "-i", initiator, lunB);
            assertEquals(0, login.exitCode(), login.output());
            Tool wrong = Tool.run("iscsi-inq", "-i", initiator, lunB.replace(CHAP_SECRET, CHAP_SECRET + "x"));
            assertTrue(wrong.exitCode() != 0, "a wrong secret must not log in through b: " + wrong.output());
            revision = configRevision(da);
            awaitRevision(db, revision);

            // The namespace and backstore removed through b: gone on a, and the group keeps no owner for the image.
            admin(db, "nvme", "namespace", "remove", NQN, "2");
            admin(db, "backstore", "delete", "disk2");
            awaitConfig(da, "disk2 removed", c -> !c.contains("\"disk2\""));
            awaitOwners("gwc", owners -> !owners.contains("gwcdisk2") && owners.contains("gwcdisk"));
            admin(da, "backstore", "create", "rbd", "disk2", "rbd/gwcdisk2", "--conf", ceph.conf, "--keyring",
                    ceph.keyring);
            admin(da, "nvme", "namespace", "add", NQN, "disk2", "--nsid", "2");
            awaitConfig(db, "disk2 back", c -> c.contains("\"backstore\" : \"disk2\""));
            assertArrayEquals(data, b.read(2, 8, 4), "the image kept its data");

            assertEquals(143, db.terminate(60), "b stops on SIGTERM (128 + 15: the JVM's exit after its hooks)");
            String stopped = db.log();
            assertTrue(stopped.contains("ferry: stopped cleanly"), stopped);
            admin(da, "iscsi", "acl", "remove", IQN, "iqn.1993-08.org.debian:01:b-0");
            db2 = b.start();
            String onReturn = config(db2);
            assertTrue(!onReturn.contains("01:b-0\"") && onReturn.contains("01:b-1\"")
                    && onReturn.contains("\"disk2\""), "b serves the group's configuration when it returns: " + onReturn);
            assertEquals(configRevision(da), configRevision(db2));
        } finally {
            if (db2 != null) {
                db2.close();
            }
        }
    }

    /**
     * A member whose file has only its gateway section (portals there) serves nothing while the group has no
     * configuration, does not publish an empty one when it starts first, and serves the targets the next member
     * publishes, live, on its own portals: written through it, read back through the other.
     */
    @Test
    void aMemberWithOnlyItsGatewaySectionServesWhatTheGroupGetsLater() throws Exception {
        createGroup("gwe", "gwedisk", "16M");
        Member empty = new Member("e1", 1, "gwe", "gwedisk", 6, "", false);
        Member full = new Member("e2", 2, "gwe", "gwedisk", 6);
        try (Daemon de = empty.start()) {
            assertTrue(!config(de).contains(NQN), config(de));
            try (Daemon df = full.start()) {
                awaitConfig(de, "the group's subsystem", c -> c.contains(NQN) && c.contains("127.0.0.1:" + empty.nvmePort));
                assertTrue(config(df).contains(NQN), "the first member with targets published them: " + config(df));
                byte[] data = pattern(8 * BS, (byte) 0x6E);
                empty.write(40, data);
                assertArrayEquals(data, full.read(40, 8));
            }
        }
    }

    private static final String CHAP_SECRET = "group-chap-secret-0123";

    private static String[] cli(Daemon d, String... args) {
        List<String> argv = new java.util.ArrayList<>(Daemon.fromClassPath());
        argv.addAll(List.of(args));
        argv.addAll(List.of("--control-socket", d.socket.toString()));
        return argv.toArray(String[]::new);
    }

    private static void admin(Daemon d, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--control-socket", d.socket.toString()));
        CliRun r = CliRun.of(all.toArray(String[]::new));
        assertEquals(0, r.exitCode(), () -> String.join(" ", args) + ": " + r);
    }

    /** Waits until {@code ferry gateway status -o json} of group {@code rbd/GROUP} satisfies {@code ok}. */
    private static void awaitOwners(String group, java.util.function.Predicate<String> ok) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SAFETY_SECONDS);
        while (true) {
            CliRun status = gateway("status", "rbd/" + group, "-o", "json");
            assertEquals(0, status.exitCode(), status::toString);
            if (ok.test(status.out())) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "owners never as expected: " + status.out());
            Thread.sleep(100);
        }
    }

    private static String config(Daemon d) {
        CliRun r = CliRun.of("config", "show", "--control-socket", d.socket.toString());
        assertEquals(0, r.exitCode(), r::toString);
        return r.out();
    }

    private static void awaitConfig(Daemon d, String what, java.util.function.Predicate<String> ok) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SAFETY_SECONDS);
        while (!ok.test(config(d))) {
            assertTrue(System.nanoTime() < deadline, "never applied: " + what + "\n" + config(d));
            Thread.sleep(100);
        }
    }

    private static long configRevision(Daemon d) throws Exception {
        CliRun status = CliRun.of("status", "--control-socket", d.socket.toString(), "-o", "json", "--interval", "0");
        assertEquals(0, status.exitCode(), status::toString);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(status.out()).path("gateway")
                .path("configRevision").asLong(-1);
    }

    private static void awaitRevision(Daemon d, long revision) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SAFETY_SECONDS);
        while (configRevision(d) != revision) {
            assertTrue(System.nanoTime() < deadline, "revision " + revision + " never in force");
            Thread.sleep(100);
        }
    }

    /** Owner, epoch and this member's path state of the one group image, from {@code ferry status -o json}. */
    private static String memberStatus(Daemon d) throws Exception {
        CliRun status = CliRun.of("status", "--control-socket", d.socket.toString(), "-o", "json", "--interval", "0");
        assertEquals(0, status.exitCode(), status::toString);
        var image = new com.fasterxml.jackson.databind.ObjectMapper().readTree(status.out()).path("gateway")
                .path("images").path(0);
        return image.path("owner").asText() + " " + image.path("epoch").asLong() + " " + image.path("state").asText();
    }

    /** A new gateway group {@code rbd/GROUP} and a new image {@code rbd/IMAGE} for it to serve. */
    private static void createGroup(String group, String image, String size) throws Exception {
        CliRun create = CliRun.of("gateway", "create", "rbd/" + group, "--conf", ceph.conf, "--keyring", ceph.keyring);
        assertEquals(0, create.exitCode(), create::toString);
        ceph.rbd("create", "--size", size, "rbd/" + image);
    }

    private static CliRun gateway(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("gateway"));
        all.addAll(List.of(args));
        all.addAll(List.of("--conf", ceph.conf, "--keyring", ceph.keyring));
        return CliRun.of(all.toArray(String[]::new));
    }

    /**
     * Reservations of the group image live in RADOS: a SCSI reservation taken through member a is reported and
     * enforced through b; registrations made through both members at once both land; an NVMe host preempting
     * through a holds the reservation through b too (one host on every member); it all stays after a is SIGKILLed.
     */
    @Test
    void reservationsAreSharedByTheMembersAndOutliveTheOneTheyWereTakenThrough() throws Exception {
        createGroup("gwr", "gwrdisk", "16M");
        Member a = new Member("r1", 1, "gwr", "gwrdisk", 6);
        Member b = new Member("r2", 2, "gwr", "gwrdisk", 6);
        Daemon da = a.start();
        Daemon db = null;
        try {
            awaitState(a, OPTIMIZED);
            db = b.start();
            awaitState(b, NON_OPTIMIZED);
            String x = "iqn.2026-12.dev.ferry:x";
            String y = "iqn.2026-12.dev.ferry:y";
            try (IscsiSession xa = new IscsiSession(a.iscsiPort, IQN, x);
                    IscsiSession yb = new IscsiSession(b.iscsiPort, IQN, y)) {
                assertEquals(0, xa.persistentReserveOut(PR_REGISTER, 0, 0, 0xABL).status());
                assertEquals(0, xa.persistentReserveOut(PR_RESERVE, TYPE_WRITE_EXCLUSIVE, 0xABL, 0).status());
                // No waiting: the RESERVE completed only after b had read it.
                assertEquals(IscsiSession.RESERVATION_CONFLICT, yb.write(10, (byte) 1), "y's write through b");
                assertEquals(TYPE_WRITE_EXCLUSIVE, yb.persistentReserveIn(PR_READ_RESERVATION).get(21) & 0x0F);
                assertEquals(0, xa.write(10, (byte) 2), "the holder's write through a");

                // Two initiators register at the same moment, one through each member: both land.
                try (IscsiSession pa = new IscsiSession(a.iscsiPort, IQN, "iqn.2026-12.dev.ferry:p");
                        IscsiSession qb = new IscsiSession(b.iscsiPort, IQN, "iqn.2026-12.dev.ferry:q")) {
                    java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
                    try {
                        var fp = two.submit(() -> pa.persistentReserveOut(PR_REGISTER, 0, 0, 0x0AL).status());
                        var fq = two.submit(() -> qb.persistentReserveOut(PR_REGISTER, 0, 0, 0x0BL).status());
                        assertEquals(0, fp.get());
                        assertEquals(0, fq.get());
                    } finally {
                        two.shutdown();
                    }
                }
                ByteBuffer keys = awaitKeys(yb, 3);
                assertEquals(3, keys.getInt(0), "PRgeneration counts the three registrations");
            }

            // The NVMe host registers and preempts x through a; through b it holds the reservation.
            try (NvmeTcpTestHost adminA = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1", a.nvmePort));
                    NvmeTcpTestHost ioA = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1", a.nvmePort))) {
                ioA.connectIo(NQN, adminA.connectAdmin(NQN, 0), 1, 31);
                assertEquals(0, nvmeReservation(ioA, OPC_RESV_REGISTER, 0, 0, 0x77L));
                assertEquals(0, nvmeReservation(ioA, OPC_RESV_ACQUIRE, RACQA_PREEMPT | RTYPE_WRITE_EXCLUSIVE << 8,
                        0x77L, 0xABL));
            }
            awaitNvmeHolder(b, 0x77L);
            try (IscsiSession xb = new IscsiSession(b.iscsiPort, IQN, "iqn.2026-12.dev.ferry:x")) {
                assertEquals(IscsiSession.RESERVATION_CONFLICT, xb.write(11, (byte) 3), "an unregistered nexus of x through b");
                awaitReservation(xb, 0x77L);
            }
            b.write(12, pattern(BS, (byte) 4)); // the NVMe host holds it through b too

            // a dies: b keeps enforcing the reservation and serves the holder.
            da.kill();
            awaitState(b, OPTIMIZED);
            try (IscsiSession yb = new IscsiSession(b.iscsiPort, IQN, y)) {
                awaitReservation(yb, 0x77L);
                assertEquals(IscsiSession.RESERVATION_CONFLICT, yb.write(13, (byte) 5), "after the failover");
            }
            b.write(14, pattern(BS, (byte) 6));
            assertArrayEquals(pattern(BS, (byte) 6), b.read(14, 1));
            awaitNvmeHolder(b, 0x77L);
        } finally {
            if (db != null) {
                db.close();
            }
            da.close();
        }
    }

    private static final int PR_READ_KEYS = 0;
    private static final int PR_READ_RESERVATION = 1;
    private static final int PR_REGISTER = 0;
    private static final int PR_RESERVE = 1;
    /** SPC-4 6.15.3.3 Table 175. */
    private static final int TYPE_WRITE_EXCLUSIVE = 1;
    /** NVMe Base 2.0 7.5, 7.6, 7.8: Reservation Acquire, Register, Report; RACQA 1 is preempt, RTYPE 1 WE. */
    private static final int OPC_RESV_REGISTER = 0x0D;
    private static final int OPC_RESV_REPORT = 0x0E;
    private static final int OPC_RESV_ACQUIRE = 0x11;
    private static final int RACQA_PREEMPT = 1;
    private static final int RTYPE_WRITE_EXCLUSIVE = 1;

    /** An NVMe reservation command with its 16 bytes of keys in the capsule; its status. */
    private static int nvmeReservation(NvmeTcpTestHost io, int opcode, int cdw10, long key1, long key2)
            throws Exception {
        ByteBuffer s = NvmeTcpTestHost.inCapsuleSgl(NvmeTcpTestHost.sqe(opcode, io.nextCid(), 1), 16);
        s.putInt(40, cdw10);
        ByteBuffer keys = NvmeTcpTestHost.le(16).putLong(0, key1).putLong(8, key2);
        return io.execute(s, keys.array(), null).status();
    }

    /** Waits until {@code m} reports (NVMe Reservation Report, extended) a WE reservation held with {@code key}. */
    private static void awaitNvmeHolder(Member m, long key) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SAFETY_SECONDS);
        String seen = "";
        while (System.nanoTime() < deadline) {
            try (NvmeTcpTestHost admin = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1", m.nvmePort));
                    NvmeTcpTestHost io = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1", m.nvmePort))) {
                io.connectIo(NQN, admin.connectAdmin(NQN, 0), 1, 31);
                ByteBuffer s = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(OPC_RESV_REPORT, io.nextCid(), 1),
                        4096);
                s.putInt(40, 4096 / 4 - 1).putInt(44, 1); // NUMD, EDS
                NvmeTcpTestHost.Completion c = io.execute(s, null, null);
                assertEquals(0, c.status());
                ByteBuffer r = ByteBuffer.wrap(c.data()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                int count = r.getShort(5) & 0xFFFF;
                for (int i = 0; i < count; i++) {
                    int at = 64 + 64 * i;
                    if ((r.get(at + 2) & 1) != 0 && r.getLong(at + 8) == key
                            && r.get(4) == RTYPE_WRITE_EXCLUSIVE) {
                        return;
                    }
                }
                seen = "rtype " + r.get(4) + ", " + count + " registrants";
            }
            Thread.sleep(200);
        }
        throw new AssertionError("member " + m.name + " reports " + seen + ", no holder with key " + key);
    }

    /** Waits until PERSISTENT RESERVE IN READ RESERVATION through {@code s} reports {@code key} as the holder's. */
    private static void awaitReservation(IscsiSession s, long key) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SAFETY_SECONDS);
        long seen = -1;
        while (System.nanoTime() < deadline) {
            ByteBuffer r = s.persistentReserveIn(PR_READ_RESERVATION);
            seen = r.getInt(4) >= 16 ? r.getLong(8) : 0;
            if (seen == key) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("READ RESERVATION reports key 0x" + Long.toHexString(seen));
    }

    /** Waits until READ KEYS through {@code s} lists {@code count} keys; returns the parameter data. */
    private static ByteBuffer awaitKeys(IscsiSession s, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SAFETY_SECONDS);
        ByteBuffer r = null;
        while (System.nanoTime() < deadline) {
            r = s.persistentReserveIn(PR_READ_KEYS);
            if (r.getInt(4) / 8 == count) {
                return r;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("READ KEYS lists " + r.getInt(4) / 8 + " keys, not " + count);
    }

    private static final int KILLS = 10;

    private static String summary(List<Long> millis) {
        List<Long> sorted = millis.stream().sorted().toList();
        return "median " + sorted.get(sorted.size() / 2) + " ms, worst " + sorted.get(sorted.size() - 1) + " ms "
                + millis;
    }

    /** One member: its own NVMe port and iSCSI portal, the shared image, and its gateway section. */
    private final class Member {
        final String name;
        final int accessGroup;
        final int nvmePort;
        final int iscsiPort;
        final Path config;

        Member(String name, int accessGroup) throws Exception {
            this(name, accessGroup, "gw", "gwdisk", 6);
        }

        Member(String name, int accessGroup, String group, String image, int leaseSeconds) throws Exception {
            this(name, accessGroup, group, image, leaseSeconds, "");
        }

        /** {@code moreGateway}: more fields of the gateway section, each with a leading comma. */
        Member(String name, int accessGroup, String group, String image, int leaseSeconds, String moreGateway)
                throws Exception {
            this(name, accessGroup, group, image, leaseSeconds, moreGateway, true);
        }

        /** {@code withTargets} false: a file with only the gateway section, its portals named there. */
        Member(String name, int accessGroup, String group, String image, int leaseSeconds, String moreGateway,
                boolean withTargets) throws Exception {
            this.name = name;
            this.accessGroup = accessGroup;
            this.nvmePort = Tool.freePort();
            this.iscsiPort = Tool.freePort();
            Path own = Files.createDirectories(dir.resolve(group + "-" + name)); // its own secrets directory too
            this.config = own.resolve("ferry.json");
            Files.writeString(config, """
                    {"backstores": [{"name": "disk", "type": "rbd", "path": "%s"}],
                     "targets": [{"name": "%s", "protocol": "nvme", "portals": ["127.0.0.1:%d"],
                                  "luns": [{"id": 1, "backstore": "disk"}], "allowAnyInitiator": true},
                                 {"name": "%s", "protocol": "iscsi", "portals": ["127.0.0.1:%d"],
                                  "luns": [{"id": 0, "backstore": "disk"}], "allowAnyInitiator": true}],
                     "gateway": {"group": "rbd/%s", "conf": "%s", "keyring": "%s", "member": "%s",
                                 "accessGroup": %d, "leaseSeconds": %d%s}}
                    """.formatted(ceph.path(image), NQN, nvmePort, IQN, iscsiPort, group, ceph.conf, ceph.keyring,
                    name, accessGroup, leaseSeconds, moreGateway));
            if (!withTargets) {
                Files.writeString(config, """
                        {"gateway": {"group": "rbd/%s", "conf": "%s", "keyring": "%s", "member": "%s",
                                     "accessGroup": %d, "leaseSeconds": %d,
                                     "portals": {"nvme": ["127.0.0.1:%d"], "iscsi": ["127.0.0.1:%d"]}%s}}
                        """.formatted(group, ceph.conf, ceph.keyring, name, accessGroup, leaseSeconds, nvmePort,
                        iscsiPort, moreGateway));
            }
        }

        Daemon start() throws Exception {
            return Daemon.start(Daemon.fromClassPath(), config, dir.resolve(name + ".sock"),
                    dir.resolve(name + "-" + System.nanoTime() + ".log"));
        }

        String lun() {
            return "iscsi://127.0.0.1:" + iscsiPort + "/" + IQN + "/0";
        }

        NvmeTcpTestHost admin() throws IOException {
            NvmeTcpTestHost h = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1", nvmePort));
            h.connectAdmin(NQN, 0);
            return h;
        }

        /**
         * Writes through this member; a write that times out is sent again on a new connection, as a host does
         * (librbd holds the survivor's first write until it has broken the dead owner's exclusive lock).
         */
        void write(long lba, byte[] data) throws Exception {
            write(1, lba, data);
        }

        void write(int nsid, long lba, byte[] data) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SAFETY_SECONDS);
            while (true) {
                try (NvmeTcpTestHost admin = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1", nvmePort));
                        NvmeTcpTestHost io = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1", nvmePort))) {
                    io.connectIo(NQN, admin.connectAdmin(NQN, 0), 1, 31);
                    io.write(nsid, lba, data, BS);
                    return;
                } catch (java.net.SocketTimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                }
            }
        }

        byte[] read(long lba, int blocks) throws Exception {
            return read(1, lba, blocks);
        }

        byte[] read(int nsid, long lba, int blocks) throws Exception {
            try (NvmeTcpTestHost admin = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1", nvmePort));
                    NvmeTcpTestHost io = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1", nvmePort))) {
                io.connectIo(NQN, admin.connectAdmin(NQN, 0), 1, 31);
                return io.read(nsid, lba, blocks, BS);
            }
        }
    }

    /** The ANA state a controller of {@code m} reports (ANA log 0Ch with RGO, first group descriptor). */
    private static int anaState(Member m) throws Exception {
        try (NvmeTcpTestHost admin = m.admin()) {
            ByteBuffer s = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(0x02, admin.nextCid(), 0xFFFFFFFFL), 64);
            s.putInt(40, 0x0C | 1 << 15 | (64 / 4 - 1) << 16);
            NvmeTcpTestHost.Completion c = admin.execute(s, null, null);
            assertEquals(0, c.status());
            return c.data()[32] & 0x0F;
        }
    }

    /** The status of the next completion on {@code io} (read past socket timeouts, up to the safety net). */
    private static int completionStatus(NvmeTcpTestHost io) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SAFETY_SECONDS);
        while (true) {
            try {
                NvmeTcpTestHost.Received r = io.read();
                assertEquals(0x05, r.type(), "CapsuleResp");
                return r.status();
            } catch (java.net.SocketTimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    /** Waits until {@code m}'s REPORT TARGET PORT GROUPS lists these groups and states (SCSI codes). */
    private static void awaitGroups(Member m, Map<Integer, Integer> states) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SAFETY_SECONDS);
        Map<Integer, Integer> seen = Map.of();
        while (System.nanoTime() < deadline) {
            seen = IscsiRtpg.report(m.iscsiPort, IQN);
            if (seen.equals(states)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("member " + m.name + " reports target port groups " + seen + ", not " + states);
    }

    private static void awaitState(Member m, int state) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SAFETY_SECONDS);
        int seen = -1;
        while (System.nanoTime() < deadline) {
            try {
                seen = anaState(m);
            } catch (IOException e) {
                seen = -1; // not listening yet, or stopped
            }
            if (seen == state) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("member " + m.name + " reports ANA state " + seen + ", not " + state);
    }

    private static void signal(Daemon d, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(d.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
    }

    private static byte[] pattern(int length, byte value) {
        byte[] b = new byte[length];
        Arrays.fill(b, value);
        return b;
    }
}
