package dev.ferry.backend.ata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.guest.GuestJvm;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scsi and ata backends against real SG_IO: boots the initiator VM (shared/initiator-vm) whose guest has an
 * emulated SCSI disk (virtio-scsi scsi-hd, vendor INITVM) and ATA disk (AHCI ide-hd behind libata's SAT) and runs
 * {@link PassthroughGuestMain} there on the host's JDK over 9p. The host has no SCSI or ATA disk of its own.
 */
class PassthroughInGuestTest {
    private static final long GUEST_TIMEOUT_S = 300;

    @TempDir
    Path stage;

    @Test
    void scsiAndAtaBackendsDriveTheGuestDisks() throws Exception {
        GuestJvm guest = GuestJvm.prepare(stage, "the SG_IO backends against a device");
        GuestJvm.Result run = guest.run(guest.scenario(getClass(), "passthrough-scenario.sh"), List.of(),
                stage.resolve("guest.log"), GUEST_TIMEOUT_S);
        String out = run.console();
        String ferry = run.lines("FERRY-GUEST");
        System.out.println(ferry);
        assertEquals(0, run.exitCode(), "run-guest.sh failed; guest console:\n" + run.tail());
        assertTrue(out.contains("FERRY-GUEST scsi identity vendor=INITVM product=EMUL-SCSI-DISK serial=INITVMSCSI0"),
                ferry);
        assertTrue(out.contains("size=67108864 lbs=512"), ferry);
        assertTrue(out.contains("FERRY-GUEST ata identity model=INITVM-EMUL-ATA-DISK serial=INITVMATA0"), ferry);
        // The inventory infers the passthrough backends from sysfs alone: sg node, and INQUIRY vendor "ATA" for SAT.
        assertTrue(out.matches("(?s).*FERRY-GUEST device /dev/sd[a-z] model=EMUL-SCSI-DISK serial=INITVMSCSI0 "
                + "size=67108864 backends=block,scsi\n.*"), ferry);
        assertTrue(out.matches("(?s).*FERRY-GUEST device /dev/sd[a-z] model=INITVM-EMUL-ATA-DISK serial=\\S* "
                + "size=67108864 backends=block,scsi,ata\n.*"), ferry);
        for (String type : List.of("scsi", "ata")) {
            for (String check : List.of("write-fua=GOOD OK", "read=GOOD OK", "compare OK", "compare-and-write=GOOD OK",
                    "compare-and-write-miscompare=MISCOMPARE OK", "flush=GOOD OK", "unmap GOOD",
                    "write-zeroes=GOOD OK", "zeroes-read-back OK", "out-of-range=LBA_OUT_OF_RANGE OK")) {
                assertTrue(out.contains("FERRY-GUEST " + type + " " + check), type + " " + check + "\n" + ferry);
            }
        }
        assertTrue(out.contains("FERRY-GUEST done"), ferry);
    }
}
