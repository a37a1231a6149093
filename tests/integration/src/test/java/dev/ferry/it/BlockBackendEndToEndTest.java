package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.ferry.core.TargetCore;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost.Completion;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code block} backend on real loop devices, end to end: one Ferry exports a writable loop device and a
 * read-only one ({@code losetup -r}) as iSCSI LUNs 0/1 and NVMe namespaces 1/2. What libiscsi writes lands in the
 * loop's backing file byte for byte and reads back over NVMe/TCP; UNMAP and Dataset Management punch holes in the
 * backing file; the read-only device is write-protected on both protocols; a device someone else holds is refused.
 */
class BlockBackendEndToEndTest {
    private static final String IQN = "iqn.2026-11.dev.ferry:block-it";
    private static final String NQN = "nqn.2026-11.dev.ferry:block-it";
    private static final int MIB = 1 << 20;
    private static final int SIZE = 32 * MIB;
    private static final int BLOCK = 512;
    private static final int CHUNK = 128 << 10;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Dataset Management (NVM 1.0 Figure 41) and its Attribute - Deallocate bit in CDW11. */
    private static final int OPC_DSM = 0x09;
    private static final int DSM_AD = 1 << 2;
    /** Generic status 20h, Namespace is Write Protected (Base 2.0 Figure 102); SCT in bits 8-10. */
    private static final int NAMESPACE_WRITE_PROTECTED = 0x20;

    @TempDir
    static Path dir;
    private static LoopDevice rw;
    private static LoopDevice ro;
    private static byte[] roContent;
    private static TargetCore core;
    private static int iscsiPort;
    private static InetSocketAddress nvme;

    @BeforeAll
    static void start() throws Exception {
        LoopDevice.assumeAvailable();
        Path rwFile = dir.resolve("rw.img");
        try (RandomAccessFile f = new RandomAccessFile(rwFile.toFile(), "rw")) {
            f.setLength(SIZE); // sparse: only what the tests write is allocated
        }
        Path roFile = dir.resolve("ro.img");
        roContent = random(8 * MIB, 7);
        Files.write(roFile, roContent);
        rw = LoopDevice.attach(rwFile, false);
        ro = LoopDevice.attach(roFile, true);
        // readOnly is not set: the backend must find out from the device (BLKROGET) itself
        List<BackstoreConfig> backstores = List.of(block("blk-rw", rw), block("blk-ro", ro));
        TargetConfig iscsi = new TargetConfig(IQN, TargetConfig.ISCSI, List.of("127.0.0.1:0"),
                List.of(new LunConfig(0, "blk-rw"), new LunConfig(1, "blk-ro")), List.of(), true, null);
        TargetConfig subsystem = new TargetConfig(NQN, TargetConfig.NVME, List.of("127.0.0.1:0"),
                List.of(new LunConfig(1, "blk-rw"), new LunConfig(2, "blk-ro")), List.of(), true, null);
        core = TargetCore.start(new FerryConfig(backstores, List.of(iscsi, subsystem)));
        iscsiPort = core.frontend(TargetConfig.ISCSI).boundAddresses().get(0).getPort();
        nvme = core.frontend(TargetConfig.NVME).boundAddresses().get(0);
    }

    @AfterAll
    static void stop() {
        try {
            if (core != null) {
                core.close();
            }
        } finally {
            for (LoopDevice d : new LoopDevice[] {rw, ro}) {
                if (d != null) {
                    d.close();
                }
            }
        }
    }

    @Test
    void whatQemuImgWritesIsOnTheBackingFileAndReadsBackOverNvme() throws IOException {
        byte[] image = random(8 * MIB, 1);
        Path imageFile = dir.resolve("image.raw");
        Files.write(imageFile, image);
        ToolRun.run(TIMEOUT, "qemu-img", "convert", "-n", "-O", "raw", imageFile.toString(), lunUrl(0)).assertOk();

        // the loop driver writes through the backing file's page cache, so a plain read sees what Ferry wrote
        assertEquals(-1, Arrays.mismatch(image, readBacking(rw, 0, image.length)),
                "the loop device's backing file does not hold what qemu-img wrote (first differing byte)");
        try (Io io = Io.connect()) {
            assertArrayEquals(image, io.readAll(1, 0, image.length), "NVMe/TCP read of what iSCSI wrote");
        }
    }

    @Test
    void unmapAndDatasetManagementPunchHolesInTheBackingFile() throws IOException {
        long base = 16L * MIB; // away from the qemu-img test's range
        byte[] data = random(4 * MIB, 2);
        try (Io io = Io.connect()) {
            io.writeAll(1, base, data);
        }
        assertEquals(-1, Arrays.mismatch(data, readBacking(rw, base, data.length)), "NVMe write not in the file");
        assertEquals(base, Holes.nextData(rw.file(), base), "the written range should be allocated");

        // iSCSI UNMAP of [base+1M, base+2M) from libiscsi through qemu-io; NVMe Deallocate of [base+3M, base+4M)
        ToolRun.run(TIMEOUT, "qemu-io", "-f", "raw", "--discard=unmap", "-c",
                "discard " + (base + MIB) + " " + MIB, lunUrl(0)).assertOk();
        try (Io io = Io.connect()) {
            Completion c = io.deallocate(1, base + 3 * MIB, MIB);
            assertEquals(0, c.status(), "Dataset Management (Deallocate) status");
        }

        for (long hole : new long[] {base + MIB, base + 3 * MIB}) {
            assertEquals(hole, Holes.nextHole(rw.file(), hole), "no hole punched at " + hole + " (SEEK_HOLE)");
            assertTrue(Holes.nextData(rw.file(), hole) >= hole + MIB,
                    "data left in the discarded range at " + hole + " (SEEK_DATA)");
        }
        byte[] expected = data.clone();
        Arrays.fill(expected, MIB, 2 * MIB, (byte) 0);
        Arrays.fill(expected, 3 * MIB, 4 * MIB, (byte) 0);
        try (Io io = Io.connect()) {
            assertEquals(-1, Arrays.mismatch(expected, io.readAll(1, base, data.length)),
                    "over NVMe, discarded ranges must read zero and the rest be intact");
        }
        assertEquals(-1, Arrays.mismatch(expected, readBacking(rw, base, data.length)), "backing file after discard");
    }

    @Test
    void readOnlyLoopDeviceIsWriteProtectedOverIscsi() {
        ToolRun.run(TIMEOUT, "iscsi-readcapacity16", lunUrl(1)).assertOk()
                .assertOutputContains("Total size:" + roContent.length);
        ToolRun.run(TIMEOUT, "iscsi-inq", lunUrl(1)).assertOk();
        // libiscsi's ReadOnly suite: MODE SENSE reports WP, and every kind of write fails with DATA PROTECT
        ToolRun run = ToolRun.run(TIMEOUT, dir, "iscsi-test-cu", "--dataloss", "-t", "ALL.ReadOnly", lunUrl(1));
        CunitSuiteResult r = CunitSuiteResult.parse("ReadOnly", run.output(), run.exitCode() > 1 ? "exit "
                + run.exitCode() : null);
        assertTrue(r.clean() && r.skipped().isEmpty(), r.line() + "\n" + run.describe());
        // qemu's iscsi driver reads the WP bit with MODE SENSE and refuses to open the LUN for writing
        ToolRun write = ToolRun.run(TIMEOUT, "qemu-io", "-f", "raw", "-c", "write -P 0x5a 0 4k", lunUrl(1));
        assertTrue(!write.ok() && write.output().contains("LUN is write protected"),
                "qemu-io should refuse the LUN as write protected: " + write.describe());
        assertBackingUnchanged();
    }

    @Test
    void readOnlyLoopDeviceIsWriteProtectedOverNvme() throws IOException {
        try (Io io = Io.connect()) {
            byte[] ns = io.admin.identify(NvmeTcpTestHost.CNS_NAMESPACE, 2);
            assertEquals(roContent.length / BLOCK, ByteBuffer.wrap(ns).order(ByteOrder.LITTLE_ENDIAN).getLong(0),
                    "NSZE of the read-only namespace");
            assertArrayEquals(Arrays.copyOf(roContent, CHUNK), io.io.read(2, 0, CHUNK / BLOCK, BLOCK));
            ByteBuffer sqe = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(NvmeTcpTestHost.OPC_WRITE,
                    io.io.nextCid(), 2), 4096);
            sqe.putLong(40, 0).putInt(48, 4096 / BLOCK - 1);
            Completion c = io.io.execute(sqe, null, new byte[4096]);
            assertEquals(NAMESPACE_WRITE_PROTECTED, c.status() & 0x7FF,
                    "NVMe Write to the read-only namespace: status 0x" + Integer.toHexString(c.status()));
            assertEquals(NAMESPACE_WRITE_PROTECTED, io.deallocate(2, 0, MIB).status() & 0x7FF,
                    "Deallocate on the read-only namespace");
        }
        assertBackingUnchanged();
    }

    @Test
    void aDeviceHeldExclusivelyBySomeoneElseIsRefusedNamingTheDevice() {
        // this test's own Ferry holds rw O_EXCL, so a second one must be refused by the kernel (EBUSY)
        String message = startFails(block("blk-again", rw));
        assertTrue(message.contains(rw.node().toString()) && message.contains("busy"),
                "the refusal should name " + rw.node() + " and say it is busy: " + message);
    }

    @Test
    void aMountedDeviceIsRefusedNamingTheDevice() throws IOException {
        Path fsFile = dir.resolve("fs.img");
        try (RandomAccessFile f = new RandomAccessFile(fsFile.toFile(), "rw")) {
            f.setLength(16 * MIB);
        }
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        try (LoopDevice fs = LoopDevice.attach(fsFile, false)) {
            ToolRun.run(TIMEOUT, "mkfs.ext4", "-q", fs.node().toString()).assertOk();
            ToolRun mount = ToolRun.run(TIMEOUT, "mount", fs.node().toString(), mnt.toString());
            if (!mount.ok()) {
                System.err.println("*** SKIPPING the mounted-device check: mount is not allowed here: "
                        + mount.describe());
            }
            assumeTrue(mount.ok(), "mount is not allowed here");
            try {
                String message = startFails(block("blk-mounted", fs));
                assertTrue(message.contains(fs.node().toString()) && message.contains(mnt.toString()),
                        "the refusal should name " + fs.node() + " and where it is mounted (" + mnt + "): "
                                + message);
            } finally {
                ToolRun.run(TIMEOUT, "umount", mnt.toString()).assertOk();
            }
        }
    }

    /** Starts a Ferry exporting {@code b} over iSCSI, which must fail; returns the messages of the causes. */
    private static String startFails(BackstoreConfig b) {
        TargetConfig t = new TargetConfig(IQN + "-2", TargetConfig.ISCSI, List.of("127.0.0.1:0"),
                List.of(new LunConfig(0, b.name())), List.of(), true, null);
        Exception e = assertThrows(Exception.class, () -> TargetCore.start(new FerryConfig(List.of(b), List.of(t)))
                .close(), "Ferry exported " + b.path() + " although it is in use");
        List<String> messages = new ArrayList<>();
        for (Throwable c = e; c != null; c = c.getCause()) {
            messages.add(String.valueOf(c.getMessage()));
        }
        return String.join(" / ", messages);
    }

    private static void assertBackingUnchanged() {
        assertEquals(-1, Arrays.mismatch(roContent, readBacking(ro, 0, roContent.length)),
                "the read-only device's backing file changed");
    }

    private static BackstoreConfig block(String name, LoopDevice d) {
        return new BackstoreConfig(name, "block", null, d.node().toString(), null, null, null, null, null, null);
    }

    private static byte[] readBacking(LoopDevice d, long offset, int length) {
        byte[] b = new byte[length];
        try (RandomAccessFile f = new RandomAccessFile(d.file().toFile(), "r")) {
            f.seek(offset);
            f.readFully(b);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return b;
    }

    private static String lunUrl(int lun) {
        return "iscsi://127.0.0.1:" + iscsiPort + "/" + IQN + "/" + lun;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** An admin and one I/O queue to the subsystem. */
    private record Io(NvmeTcpTestHost admin, NvmeTcpTestHost io) implements AutoCloseable {
        static Io connect() throws IOException {
            NvmeTcpTestHost admin = new NvmeTcpTestHost(nvme);
            NvmeTcpTestHost io = new NvmeTcpTestHost(nvme);
            io.connectIo(NQN, admin.connectAdmin(NQN, 0), 1, 31);
            return new Io(admin, io);
        }

        byte[] readAll(long nsid, long offset, int length) throws IOException {
            byte[] all = new byte[length];
            for (int at = 0; at < length; at += CHUNK) {
                System.arraycopy(io.read(nsid, (offset + at) / BLOCK, CHUNK / BLOCK, BLOCK), 0, all, at, CHUNK);
            }
            return all;
        }

        void writeAll(long nsid, long offset, byte[] data) throws IOException {
            for (int at = 0; at < data.length; at += CHUNK) {
                io.write(nsid, (offset + at) / BLOCK, Arrays.copyOfRange(data, at, at + CHUNK), BLOCK);
            }
        }

        /** Dataset Management with one range (NVM 1.0 Figure 42: attributes, length in blocks, starting LBA). */
        Completion deallocate(long nsid, long offset, int length) throws IOException {
            ByteBuffer range = NvmeTcpTestHost.le(16).putInt(4, length / BLOCK).putLong(8, offset / BLOCK);
            ByteBuffer sqe = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(OPC_DSM, io.nextCid(), nsid), 16);
            sqe.putInt(40, 0).putInt(44, DSM_AD); // NR 0: one range
            return io.execute(sqe, null, range.array());
        }

        @Override
        public void close() throws IOException {
            try (admin; io) {
                // both closed
            }
        }
    }

    /** lseek(2) SEEK_DATA/SEEK_HOLE, which Java does not offer, to see where a file has holes. */
    private static final class Holes {
        private interface C extends Library {
            C LIBC = Native.load("c", C.class);

            int open(String path, int flags);

            long lseek(int fd, long offset, int whence);

            int close(int fd);
        }

        private static final int SEEK_DATA = 3;
        private static final int SEEK_HOLE = 4;

        static long nextHole(Path file, long from) {
            return seek(file, from, SEEK_HOLE);
        }

        /** The next data at or after {@code from}; Long.MAX_VALUE when there is none (ENXIO). */
        static long nextData(Path file, long from) {
            long at = seek(file, from, SEEK_DATA);
            return at < 0 ? Long.MAX_VALUE : at;
        }

        private static long seek(Path file, long from, int whence) {
            int fd = C.LIBC.open(file.toString(), 0);
            assertTrue(fd >= 0, "cannot open " + file);
            try {
                return C.LIBC.lseek(fd, from, whence);
            } finally {
                C.LIBC.close(fd);
            }
        }
    }
}
