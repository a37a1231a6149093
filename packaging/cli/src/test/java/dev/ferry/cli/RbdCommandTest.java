package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.backend.rbd.CephCluster;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry backstore create rbd} and {@code ferry rbd ls} against real {@code ferry serve} daemons and a real
 * single-node Ceph cluster (cephx on): the image is served, resized both ways and listed; two daemons exporting
 * one image (two Ferry nodes) serve the same data and present the same identity over iSCSI and NVMe/TCP.
 */
class RbdCommandTest {
    private static final String IQN = "iqn.2026-11.dev.ferry:rbd";
    private static final String NQN = "nqn.2026-11.dev.ferry:rbd";
    private static final int BS = 512;
    private static CephCluster ceph;

    @TempDir
    Path dir;

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

    /** The --conf and --keyring options of this cluster. */
    private static List<String> cluster(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--conf", ceph.conf, "--keyring", ceph.keyring));
        return all;
    }

    @Test
    void createsServesResizesAndListsAnImage() throws Exception {
        Path config = dir.resolve("ferry.json");
        Files.writeString(config, "{\"backstores\": [], \"targets\": []}");
        Path socket = dir.resolve("ferry.sock");
        String url = "iscsi://127.0.0.1:" + Tool.freePort();
        try (Daemon d = Daemon.start(Daemon.fromClassPath(), config, socket, dir.resolve("daemon.log"))) {
            CliRun missing = admin(socket, cluster("backstore", "create", "rbd", "nope", "rbd/nope"));
            assertEquals(4, missing.exitCode(), missing::toString);
            assertTrue(missing.err().contains("image rbd/nope does not exist (give a size to create it)"),
                    missing::toString);

            ok(socket, cluster("backstore", "create", "rbd", "vm1", "rbd/vm1", "--size", "64M"));
            ok(socket, List.of("iscsi", "target", "create", IQN, "--portal", url.substring(8),
                    "--allow-any-initiator"));
            ok(socket, List.of("iscsi", "lun", "add", IQN, "vm1"));
            String lun = url + "/" + IQN + "/0";
            assertEquals(64L << 20, capacity(lun));
            assertTrue(Files.readString(config).contains("\"rbd/vm1:conf=" + ceph.conf + ":keyring=" + ceph.keyring
                    + "\""), Files.readString(config));

            CliRun ls = CliRun.of(cluster("rbd", "ls", "rbd").toArray(String[]::new));
            assertEquals(0, ls.exitCode(), ls::toString);
            assertTrue(ls.out().lines().anyMatch(l -> l.matches("vm1 +64\\.0M")), ls::toString);

            ok(socket, List.of("backstore", "resize", "vm1", "128M"));
            assertEquals(128L << 20, capacity(lun));
            assertTrue(ceph.rbd("info", "rbd/vm1").contains("size 128 MiB"));
            ceph.rbd("resize", "--no-progress", "--size", "192M", "rbd/vm1");
            CliRun reread = admin(socket, List.of("backstore", "resize", "vm1"));
            assertEquals(0, reread.exitCode(), reread::toString);
            assertEquals("ferry: backstore vm1 has " + (192 << 20) + " bytes\n", reread.out());
            assertEquals(192L << 20, capacity(lun));
        }
    }

    /**
     * An {@code rbd resize} made outside Ferry reaches the hosts without {@code ferry backstore resize}: a
     * connected NVMe host gets its Namespace Attribute Changed event and Identify Namespace shows the new size,
     * READ CAPACITY over iSCSI too; the same for a shrink of the mapped image, after which a write past the new end
     * is refused as LBA out of range.
     */
    @Test
    void aResizeByAnotherClientReachesConnectedHostsByItself() throws Exception {
        Node n = new Node("w");
        try (Daemon d = n.start("32M"); NvmeTcpTestHost admin = n.adminHost()) {
            setAsyncEventConfiguration(admin, AEC_NAMESPACE_ATTRIBUTE);
            int aer = requestAsyncEvent(admin);
            NvmeTcpTestHost io = n.nvmeHost();

            ceph.rbd("resize", "--no-progress", "--size", "48M", "rbd/shared");
            assertEquals(NAMESPACE_ATTRIBUTE_CHANGED, awaitAsyncEvent(admin, aer));
            assertEquals((48L << 20) / BS, namespaceSize(admin));
            assertEquals(48L << 20, capacity(n.lun()));
            byte[] last = pattern(BS, (byte) 0x33);
            io.write(1, (48L << 20) / BS - 1, last, BS);

            assertEquals(List.of(1L), changedNamespaces(admin)); // read without RAE: the event is armed again
            aer = requestAsyncEvent(admin);
            ceph.rbd("resize", "--no-progress", "--allow-shrink", "--size", "16M", "rbd/shared");
            assertEquals(NAMESPACE_ATTRIBUTE_CHANGED, awaitAsyncEvent(admin, aer));
            assertEquals((16L << 20) / BS, namespaceSize(admin));
            assertEquals(16L << 20, capacity(n.lun()));
            IOException past = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                    () -> io.write(1, (16L << 20) / BS, last, BS));
            assertTrue(past.getMessage().contains("status 0x" + Integer.toHexString(LBA_OUT_OF_RANGE_DNR)),
                    past::getMessage);
        }
    }

    /**
     * librbd compares and writes within one 512-byte sector: an rbd LUN advertises MAXIMUM COMPARE AND WRITE
     * LENGTH 1 over iSCSI, and over NVMe/TCP a fused Compare and Write of one block works while one of two blocks
     * is refused with Invalid Field (its Write half then with Missing Fused Command) and changes nothing.
     */
    @Test
    void compareAndWriteIsLimitedToLibrbdsOneSector() throws Exception {
        Node n = new Node("c");
        try (Daemon d = n.start("8M")) {
            Tool vpd = Tool.run("iscsi-inq", "-e", "1", "-c", "176", n.lun()); // 0xB0: iscsi-inq takes decimal
            assertEquals(0, vpd.exitCode(), vpd.output());
            assertTrue(vpd.output().contains("maximum compare and write length:1\n"), vpd.output());

            NvmeTcpTestHost io = n.nvmeHost();
            byte[] before = pattern(2 * BS, (byte) 0x44);
            byte[] after = pattern(2 * BS, (byte) 0x55);
            io.write(1, 8, before, BS);
            assertEquals(List.of(INVALID_FIELD_DNR, MISSING_FUSED_DNR), fusedCompareAndWrite(io, 8, before, after));
            assertArrayEquals(before, io.read(1, 8, 2, BS), "a refused pair writes nothing");
            byte[] one = Arrays.copyOf(before, BS);
            assertEquals(List.of(0, 0), fusedCompareAndWrite(io, 8, one, Arrays.copyOf(after, BS)));
            assertArrayEquals(Arrays.copyOf(after, BS), io.read(1, 8, 1, BS));
        }
    }

    private static final int INVALID_FIELD_DNR = 1 << 14 | 0x02;
    private static final int MISSING_FUSED_DNR = 1 << 14 | 0x0A;

    /** A fused Compare (FUSE 01b) and Write (FUSE 10b) pair, data in capsule; returns both statuses in order. */
    private static List<Integer> fusedCompareAndWrite(NvmeTcpTestHost h, long lba, byte[] compare, byte[] write)
            throws IOException {
        int blocks = compare.length / BS;
        ByteBuffer first = NvmeTcpTestHost.inCapsuleSgl(NvmeTcpTestHost.sqe(0x05, h.nextCid(), 1), compare.length);
        first.putLong(40, lba).putInt(48, blocks - 1).put(1, (byte) 0x41);
        ByteBuffer second = NvmeTcpTestHost.inCapsuleSgl(NvmeTcpTestHost.sqe(0x01, h.nextCid(), 1), write.length);
        second.putLong(40, lba).putInt(48, blocks - 1).put(1, (byte) 0x42);
        h.sendCapsule(first.array(), compare);
        h.sendCapsule(second.array(), write);
        NvmeTcpTestHost.Received a = h.read();
        NvmeTcpTestHost.Received b = h.read();
        int firstCid = first.getShort(2) & 0xFFFF;
        return a.cid() == firstCid ? List.of(a.status(), b.status()) : List.of(b.status(), a.status());
    }

    /** Asynchronous Event Configuration bit 8: Namespace Attribute Notices (NVMe Base 2.0 5.27.1.7). */
    private static final int AEC_NAMESPACE_ATTRIBUTE = 1 << 8;
    /** AER completion DW0: type Notice (2), information Namespace Attribute Changed (0), log page 04h. */
    private static final long NAMESPACE_ATTRIBUTE_CHANGED = 0x00_04_00_02;
    /** LBA Out of Range (NVM command set status 80h) with DNR. */
    private static final int LBA_OUT_OF_RANGE_DNR = 1 << 14 | 0x80;

    private static void setAsyncEventConfiguration(NvmeTcpTestHost h, int bits) throws IOException {
        ByteBuffer s = NvmeTcpTestHost.sqe(0x09, h.nextCid(), 0); // Set Features
        s.putInt(40, 0x0B).putInt(44, bits); // FID Asynchronous Event Configuration
        assertEquals(0, h.execute(s, null, null).status());
    }

    /** Sends an Asynchronous Event Request, which the target holds until an event; returns its CID. */
    private static int requestAsyncEvent(NvmeTcpTestHost h) throws IOException {
        int cid = h.nextCid();
        h.sendCapsule(NvmeTcpTestHost.sqe(0x0C, cid, 0).array(), null);
        return cid;
    }

    /**
     * The next PDU must complete the held request; returns its DW0. Waits up to 60 s on a loaded machine: a read
     * that timed out before the first byte of a PDU consumed nothing and is tried again.
     */
    private static long awaitAsyncEvent(NvmeTcpTestHost h, int cid) throws IOException {
        NvmeTcpTestHost.Received r = null;
        for (int tries = 6; r == null; tries--) {
            try {
                r = h.read();
            } catch (java.net.SocketTimeoutException e) {
                if (tries == 1) {
                    throw e;
                }
            }
        }
        assertEquals(0x05, r.type(), "CapsuleResp");
        assertEquals(cid, r.cid());
        assertEquals(0, r.status());
        return r.result() & 0xFFFFFFFFL;
    }

    /** Get Log Page 04h without RAE (NVMe Base 2.0 5.16.1.5): the NSIDs listed, up to the first zero. */
    private static List<Long> changedNamespaces(NvmeTcpTestHost h) throws IOException {
        ByteBuffer s = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(0x02, h.nextCid(), 0xFFFFFFFFL), 4096);
        s.putInt(40, 0x04 | (4096 / 4 - 1) << 16);
        NvmeTcpTestHost.Completion c = h.execute(s, null, null);
        assertEquals(0, c.status());
        ByteBuffer page = ByteBuffer.wrap(c.data()).order(ByteOrder.LITTLE_ENDIAN);
        List<Long> out = new ArrayList<>();
        for (int at = 0; at < 4096 && page.getInt(at) != 0; at += 4) {
            out.add(page.getInt(at) & 0xFFFFFFFFL);
        }
        return out;
    }

    /** NSZE of namespace 1 (Identify Namespace bytes 0-7). */
    private static long namespaceSize(NvmeTcpTestHost h) throws IOException {
        return ByteBuffer.wrap(h.identify(NvmeTcpTestHost.CNS_NAMESPACE, 1)).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    @Test
    void refusesRbdOptionsOnOtherTypesAndAPathThatIsNotPoolSlashImage() {
        CliRun notRbd = CliRun.of("backstore", "create", "file", "f", "/tmp/x.img", "--conf", "/etc/ceph/ceph.conf");
        assertEquals(2, notRbd.exitCode(), notRbd::toString);
        assertTrue(notRbd.err().contains("--conf, --id, --keyring and --namespace are for rbd backstores"),
                notRbd::toString);
        CliRun noPool = CliRun.of("backstore", "create", "rbd", "r", "image-only");
        assertEquals(2, noPool.exitCode(), noPool::toString);
        assertTrue(noPool.err().contains("an rbd PATH is POOL/IMAGE"), noPool::toString);
    }

    @Test
    void twoNodesExportingOneImageServeTheSameDataAndIdentity() throws Exception {
        String size = "32M";
        Node a = new Node("a");
        Node b = new Node("b");
        try (Daemon da = a.start(size); Daemon db = b.start(null);
                NvmeTcpTestHost ha = a.nvmeHost(); NvmeTcpTestHost hb = b.nvmeHost()) {
            byte[] one = pattern(8 * BS, (byte) 0x11);
            ha.write(1, 16, one, BS); // NVMe/TCP through node a...
            assertArrayEquals(one, hb.read(1, 16, 8, BS)); // ...read back through node b
            Tool qemu = Tool.run("qemu-io", "-f", "raw", "-c", "read -P 0x11 8k 4k", a.lun()); // and over iSCSI
            assertEquals(0, qemu.exitCode(), qemu.output());
            assertTrue(qemu.output().contains("read 4096/4096 bytes"), qemu.output());
            Tool write = Tool.run("qemu-io", "-f", "raw", "-c", "write -P 0x22 1M 64k", b.lun()); // iSCSI on b
            assertEquals(0, write.exitCode(), write.output());
            assertArrayEquals(pattern(64 * 1024, (byte) 0x22), ha.read(1, (1 << 20) / BS, 128, BS));

            // Both are in the image itself.
            Path export = dir.resolve("shared.img");
            ceph.rbd("export", "--no-progress", "rbd/shared", export.toString());
            byte[] image = Files.readAllBytes(export);
            assertArrayEquals(one, Arrays.copyOfRange(image, 16 * BS, 24 * BS));
            assertArrayEquals(pattern(64 * 1024, (byte) 0x22), Arrays.copyOfRange(image, 1 << 20, (1 << 20) + 65536));

            // One unit to multipath: the same NVMe NGUID and EUI-64, the same SCSI serial and designators.
            byte[] nsA = a.identifyNamespace();
            byte[] nsB = b.identifyNamespace();
            assertArrayEquals(Arrays.copyOfRange(nsA, 104, 128), Arrays.copyOfRange(nsB, 104, 128));
            assertTrue(!Arrays.equals(Arrays.copyOfRange(nsA, 104, 120), new byte[16]), "an NGUID is reported");
            for (String page : List.of("128", "131")) { // 0x80, 0x83: iscsi-inq takes decimal
                Tool vpdA = Tool.run("iscsi-inq", "-e", "1", "-c", page, a.lun());
                Tool vpdB = Tool.run("iscsi-inq", "-e", "1", "-c", page, b.lun());
                assertEquals(0, vpdA.exitCode(), vpdA.output());
                assertEquals(vpdA.output(), vpdB.output());
                assertTrue(!vpdA.output().contains("SUPPORTED_VPD_PAGES"), vpdA.output()); // the page asked for
            }
        }
    }

    /** One Ferry node: a daemon exporting rbd/shared as LUN 0 over iSCSI and namespace 1 over NVMe/TCP. */
    private final class Node {
        final String name;
        final Path socket;
        final int iscsiPort;
        final int nvmePort;

        Node(String name) throws Exception {
            this.name = name;
            this.socket = dir.resolve(name + ".sock");
            this.iscsiPort = Tool.freePort();
            this.nvmePort = Tool.freePort();
        }

        Daemon start(String size) throws Exception {
            Path config = dir.resolve(name + ".json");
            Files.writeString(config, "{\"backstores\": [], \"targets\": []}");
            Daemon d = Daemon.start(Daemon.fromClassPath(), config, socket, dir.resolve(name + ".log"));
            List<String> create = cluster("backstore", "create", "rbd", "disk-" + name, "rbd/shared");
            if (size != null) {
                create.addAll(List.of("--size", size));
            }
            ok(socket, create);
            ok(socket, List.of("iscsi", "target", "create", IQN, "--portal", "127.0.0.1:" + iscsiPort,
                    "--allow-any-initiator"));
            ok(socket, List.of("iscsi", "lun", "add", IQN, "disk-" + name));
            ok(socket, List.of("nvme", "subsystem", "create", NQN, "--port", "127.0.0.1:" + nvmePort,
                    "--allow-any-host"));
            ok(socket, List.of("nvme", "namespace", "add", NQN, "disk-" + name));
            return d;
        }

        String lun() {
            return "iscsi://127.0.0.1:" + iscsiPort + "/" + IQN + "/0";
        }

        /** A host with an admin queue and I/O queue 1 on this node's subsystem. */
        NvmeTcpTestHost nvmeHost() throws Exception {
            NvmeTcpTestHost admin = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1", nvmePort));
            int cntlid = admin.connectAdmin(NQN, 0);
            NvmeTcpTestHost io = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1", nvmePort));
            io.connectIo(NQN, cntlid, 1, 31);
            hosts.add(admin);
            return io;
        }

        /** A host with only an admin queue on this node's subsystem, closed by the caller. */
        NvmeTcpTestHost adminHost() throws Exception {
            NvmeTcpTestHost admin = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1", nvmePort));
            admin.connectAdmin(NQN, 0);
            return admin;
        }

        byte[] identifyNamespace() throws Exception {
            try (NvmeTcpTestHost admin = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1", nvmePort))) {
                admin.connectAdmin(NQN, 0);
                return admin.identify(NvmeTcpTestHost.CNS_NAMESPACE, 1);
            }
        }
    }

    private final List<NvmeTcpTestHost> hosts = new ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void closeHosts() throws Exception {
        for (NvmeTcpTestHost h : hosts) {
            h.close();
        }
    }

    private static byte[] pattern(int length, byte value) {
        byte[] b = new byte[length];
        Arrays.fill(b, value);
        return b;
    }

    /** READ CAPACITY(16) by libiscsi, in bytes. */
    private static long capacity(String lunUrl) throws Exception {
        Tool t = Tool.run("iscsi-readcapacity16", "-s", lunUrl);
        assertEquals(0, t.exitCode(), t.output());
        return Long.parseLong(t.output().trim());
    }

    private static void ok(Path socket, List<String> args) {
        CliRun r = admin(socket, args);
        assertEquals(0, r.exitCode(), r::toString);
    }

    private static CliRun admin(Path socket, List<String> args) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--control-socket", socket.toString()));
        return CliRun.of(all.toArray(String[]::new));
    }
}
