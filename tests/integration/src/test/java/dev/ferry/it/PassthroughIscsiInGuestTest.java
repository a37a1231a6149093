package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.guest.GuestJvm;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The passthrough backends end to end through a real initiator: in the initiator VM (shared/initiator-vm), Ferry
 * runs on the host's JDK over 9p ({@link PassthroughTargetGuestMain}) and exports the guest's emulated SCSI disk
 * through the {@code scsi} backend and its emulated ATA disk through the {@code ata} backend as two LUNs of one
 * iSCSI target; the guest's own open-iscsi logs in to 127.0.0.1. The two iSCSI disks must show the real disks'
 * vendor, model, revision, unit serial and size as the guest kernel sees them locally, and data written through
 * iSCSI must read back the same through iSCSI and straight from the local disk.
 */
class PassthroughIscsiInGuestTest {
    /** Java under TCG is about nine times slower: start-up alone takes a minute. */
    private static final int GUEST_TIMEOUT_S = 600;
    private static final Pattern LINE = Pattern.compile("FERRY-IT (\\S+) (.*)");
    private static final String SIZE_64M = "size=" + (64 << 20);

    @TempDir
    Path stage;

    @Test
    void guestInitiatorSeesTheRealDisksThroughFerry() throws Exception {
        GuestJvm guest = GuestJvm.prepare(stage, "the scsi and ata backends through an initiator");
        GuestJvm.Result run = guest.run(guest.scenario(getClass(), "passthrough-iscsi-scenario.sh"), List.of(),
                stage.resolve("guest.log"), GUEST_TIMEOUT_S);
        String console = run.console();
        String report = String.join("\n", console.lines()
                .filter(l -> l.startsWith("FERRY-") || l.startsWith("SCENARIO-FAIL")).toList());
        System.out.println(report);
        assertTrue(run.exitCode() == 0 && console.contains("INITVM-SCENARIO-PASS"),
                () -> "the guest scenario failed; console:\n" + run.tail());

        Map<String, String> lines = new HashMap<>();
        console.lines().map(LINE::matcher).filter(Matcher::matches).forEach(m -> lines.put(m.group(1), m.group(2)));
        String scsi = lines.get("local-scsi");
        String ata = lines.get("local-ata");
        assertNotNull(scsi, report);
        assertNotNull(ata, report);
        assertTrue(scsi.matches("vendor=INITVM model=EMUL-SCSI-DISK rev=\\S+ serial=INITVMSCSI0 " + SIZE_64M), scsi);
        assertTrue(ata.matches("vendor=ATA model=INITVM-EMUL-ATA-\\S* rev=\\S+ serial=INITVMATA0 " + SIZE_64M), ata);
        assertEquals(scsi, lines.get("iscsi-scsi"), "LUN 0 (scsi backend) as the guest's initiator sees it");
        assertEquals(ata, lines.get("iscsi-ata"), "LUN 1 (ata backend) as the guest's initiator sees it");
        for (String type : List.of("scsi", "ata")) {
            Matcher m = Pattern.compile("FERRY-IT data " + type + " written=(\\w{64}) iscsi=(\\w+) local=(\\w+)")
                    .matcher(console);
            assertTrue(m.find(), type + " round trip missing\n" + report);
            assertEquals(m.group(1), m.group(2), type + ": read back through iSCSI");
            assertEquals(m.group(1), m.group(3), type + ": read straight from the local disk, bypassing Ferry");
        }
        assertTrue(console.contains("FERRY-GUEST stopped"), report);
    }
}
