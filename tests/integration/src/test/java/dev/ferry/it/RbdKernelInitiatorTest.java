package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.backend.rbd.CephCluster;
import dev.ferry.core.config.BackstoreConfig;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Linux kernel's iSCSI initiator in the QEMU guest (shared/initiator-vm) on an rbd LUN: a real single-node Ceph
 * cluster (cephx on), one Ferry node serving a 256 MiB RBD image, and the guest's scenario (discovery, login,
 * mkfs.ext4, files written, logout, login, fsck, sums verified). The filesystem then is in the image itself, as
 * {@code rbd export} shows. One VM boot (TCG).
 */
class RbdKernelInitiatorTest {
    /** The guest's initiator name (initiator-vm README). */
    private static final String GUEST_IQN = "iqn.2024-01.org.example:initvm";
    private static final int GUEST_PORT = 3260;
    private static final int EXT4_MAGIC_OFFSET = 1024 + 0x38;

    @TempDir
    Path dir;

    @Test
    void guestMakesAFilesystemOnAnRbdImageAndReadsItBackAfterRelogin() throws Exception {
        Path root = Path.of(System.getProperty("ferry.root", "../..")).toAbsolutePath().normalize();
        Path vm = root.resolve("../shared/initiator-vm").normalize();
        if (!Files.isDirectory(vm)) {
            System.err.println("\n*** SKIPPED RbdKernelInitiatorTest: " + vm + " is absent; the kernel initiator on"
                    + " rbd was NOT tested ***\n");
        }
        Assumptions.assumeTrue(Files.isDirectory(vm), "SKIPPED: no initiator VM at " + vm);

        try (CephCluster ceph = CephCluster.start(true)) {
            BackstoreConfig rbd = new BackstoreConfig("guest", "rbd", "256M", ceph.path("guest"), null, null, null,
                    null, null, null, null);
            try (FerryTarget ferry = FerryTarget.start(List.of(GUEST_IQN), rbd)) {
                // Idempotent: builds the guest image on first use (~35 s, installs qemu when missing), then ~2 s.
                ToolRun.run(Duration.ofMinutes(10), vm.resolve("build-image.sh").toString()).assertOk();
                ToolRun.run(Duration.ofMinutes(8), vm.resolve("run-guest.sh").toString(),
                        "--timeout", "420", "--fwd", GUEST_PORT + ":" + ferry.port(),
                        vm.resolve("scenario-iscsi.sh").toString(), FerryTarget.IQN, "10.0.2.100:" + GUEST_PORT)
                        .assertOk().assertOutputContains("INITVM-SCENARIO-PASS");
            }
            Path export = dir.resolve("guest.img");
            ceph.rbd("export", "--no-progress", "rbd/guest", export.toString());
            try (RandomAccessFile f = new RandomAccessFile(export.toFile(), "r")) {
                f.seek(EXT4_MAGIC_OFFSET);
                int magic = f.readUnsignedByte() | f.readUnsignedByte() << 8;
                assertEquals(0xEF53, magic, "the RBD image holds no ext4 superblock");
            }
        }
    }
}
