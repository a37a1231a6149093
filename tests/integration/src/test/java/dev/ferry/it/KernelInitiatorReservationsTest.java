package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Linux kernel's two initiators on one backstore (shared/initiator-vm, one guest boot): the backstore is NVMe/TCP
 * namespace 1 and iSCSI LUN 0 of one Ferry; the guest's nvme-cli ({@code nvme resv-*}) and sg3_utils
 * ({@code sg_persist}, {@code sg_dd}) each see and obey the reservation the other made
 * (src/test/resources/dev/ferry/it/reservations-scenario.sh).
 */
class KernelInitiatorReservationsTest {
    private static final String IQN = "iqn.2026-12.dev.ferry:resv-guest";
    private static final String NQN = "nqn.2026-12.dev.ferry:resv-guest";
    private static final int GUEST_ISCSI = 3260;
    private static final int GUEST_NVME = 4420;

    @Test
    void nvmeAndIscsiInitiatorsShareOneReservation() throws Exception {
        Path root = Path.of(System.getProperty("ferry.root", "../..")).toAbsolutePath().normalize();
        Path vm = root.resolve("../shared/initiator-vm").normalize();
        if (!Files.isDirectory(vm)) {
            System.err.println("\n*** SKIPPED KernelInitiatorReservationsTest: " + vm + " is absent ***\n");
        }
        Assumptions.assumeTrue(Files.isDirectory(vm), "SKIPPED: no initiator VM at " + vm);
        Path scenario = Path.of(getClass().getResource("reservations-scenario.sh").toURI());

        BackstoreConfig disk = new BackstoreConfig("resv-guest", "ram", "64M", null, null, null, null, null, null,
                null);
        TargetConfig iscsi = new TargetConfig(IQN, TargetConfig.ISCSI, List.of("127.0.0.1:0"),
                List.of(new LunConfig(0, "resv-guest")), List.of(), true, null);
        TargetConfig subsystem = new TargetConfig(NQN, TargetConfig.NVME, List.of("127.0.0.1:0"),
                List.of(new LunConfig(1, "resv-guest")), List.of(), true, null);
        try (TargetCore core = TargetCore.start(new FerryConfig(List.of(disk), List.of(iscsi, subsystem)))) {
            int iscsiPort = core.frontend(TargetConfig.ISCSI).boundAddresses().get(0).getPort();
            int nvmePort = core.frontend(TargetConfig.NVME).boundAddresses().get(0).getPort();
            ToolRun.run(Duration.ofMinutes(10), vm.resolve("build-image.sh").toString()).assertOk();
            ToolRun run = ToolRun.run(Duration.ofMinutes(12), vm.resolve("run-guest.sh").toString(),
                    "--timeout", "600", "--no-emul-disks",
                    "--fwd", GUEST_ISCSI + ":" + iscsiPort, "--fwd", GUEST_NVME + ":" + nvmePort,
                    scenario.toString(), IQN, NQN);
            System.out.println(String.join("\n", run.output().lines()
                    .filter(l -> l.startsWith("FERRY-IT") || l.startsWith("===") || l.startsWith("SCENARIO-FAIL"))
                    .toList()));
            run.assertOk().assertOutputContains("INITVM-SCENARIO-PASS");
            assertTrue(run.output().contains("FERRY-IT ok sg_dd write refused after the preemption"),
                    "the scenario ran to its last cross-protocol check");
        }
    }
}
