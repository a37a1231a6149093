package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Linux kernel's iSCSI initiator (open-iscsi + iscsi_tcp + sd + ext4) in a QEMU guest from
 * shared/initiator-vm: discovery, login, mkfs.ext4, files written, logout, login, fsck, sums verified, against a
 * 256 MiB file LUN that admits only the guest's initiator name.
 */
class KernelInitiatorTest {
    /** The guest's initiator name (initiator-vm README). */
    private static final String GUEST_IQN = "iqn.2024-01.org.example:initvm";
    private static final int GUEST_PORT = 3260;
    private static final int EXT4_MAGIC_OFFSET = 1024 + 0x38;

    @TempDir
    Path dir;

    @Test
    void guestMakesAFilesystemAndReadsItBackAfterRelogin() throws Exception {
        Path root = Path.of(System.getProperty("ferry.root", "../..")).toAbsolutePath().normalize();
        Path vm = root.resolve("../shared/initiator-vm").normalize();
        if (!Files.isDirectory(vm)) {
            System.err.println("\n*** SKIPPED KernelInitiatorTest: " + vm + " is absent; the kernel initiator was NOT tested ***\n");
        }
        Assumptions.assumeTrue(Files.isDirectory(vm), "SKIPPED: no initiator VM at " + vm);

        Path disk = dir.resolve("kernel-lun.img");
        try (FerryTarget ferry = FerryTarget.start(List.of(GUEST_IQN), FerryTarget.file("kernel", disk, "256M"))) {
            // Idempotent: builds the guest image on first use (~35 s, installs qemu when missing), then ~2 s.
            ToolRun.run(Duration.ofMinutes(10), vm.resolve("build-image.sh").toString()).assertOk();
            ToolRun.run(Duration.ofMinutes(6), vm.resolve("run-guest.sh").toString(),
                    "--timeout", "300", "--fwd", GUEST_PORT + ":" + ferry.port(),
                    vm.resolve("scenario-iscsi.sh").toString(), FerryTarget.IQN, "10.0.2.100:" + GUEST_PORT)
                    .assertOk().assertOutputContains("INITVM-SCENARIO-PASS");
        }
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "r")) {
            f.seek(EXT4_MAGIC_OFFSET);
            int magic = f.readUnsignedByte() | f.readUnsignedByte() << 8;
            assertEquals(0xEF53, magic, "the backing file holds no ext4 superblock");
        }
    }
}
