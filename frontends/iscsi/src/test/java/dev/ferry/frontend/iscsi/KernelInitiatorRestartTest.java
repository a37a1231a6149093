package dev.ferry.frontend.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.AclConfig;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ferry restarts under a logged-in kernel initiator with a mounted ext4: the data synced before the restart is
 * on the file backstore, open-iscsi's session recovery logs in to the new process on the same port, and the file
 * system verifies. Then the backstore is grown live: the kernel logs the CAPACITY DATA HAS CHANGED unit attention
 * and, after a rescan, "detected capacity change" with the new size. Skipped where the VM scripts or the file
 * backend are absent.
 */
class KernelInitiatorRestartTest {
    static final String IQN = "iqn.2026-11.dev.ferry:initvm-restart";

    /** What the guest's disk is grown to, live, at the end of the scenario. */
    static final long RESIZED_BYTES = 192 << 20;

    static FerryConfig config(Path disk, int port) {
        return config(disk, port, "128M");
    }

    static FerryConfig config(Path disk, int port, String size) {
        return new FerryConfig(
                List.of(new BackstoreConfig("disk", "file", size, disk.toString(), null, null, null, null, 1, null)),
                List.of(new TargetConfig(IQN, "iscsi", List.of("127.0.0.1:" + port), List.of(new LunConfig(0, "disk")),
                        List.of(new AclConfig(InitiatorVm.GUEST_IQN)), false, null)));
    }

    @Test
    void sessionRecoversAcrossTargetRestart(@TempDir Path dir) throws Exception {
        InitiatorVm.scripts();
        assumeTrue(TargetCore.backendFactories().containsKey("file"),
                "no \"file\" backend on the class path (backends/file): the restart test needs data that outlives Ferry");
        Path disk = dir.resolve("disk.img");
        Duration boot = Duration.ofSeconds(300);
        TargetCore core = null;
        try (LogCapture log = new LogCapture()) {
            core = TargetCore.start(config(disk, 0));
            int port = TestTargets.address(core).getPort();
            try (InitiatorVm vm = InitiatorVm.boot(InitiatorVm.scenario("scenario-ferry-restart.sh"), port,
                    List.of("FERRY_PORTAL=" + InitiatorVm.GUEST_PORTAL, "FERRY_IQN=" + IQN,
                            "FERRY_RESIZED_BYTES=" + RESIZED_BYTES), List.of(), boot)) {
                assertTrue(vm.awaitLine("FERRY-RESTART-TARGET", boot), "no restart request; " + vm.describe());
                core.close();
                core = null;
                assertTrue(vm.awaitLine("FERRY-TARGET-DOWN-SEEN", Duration.ofSeconds(60)),
                        "the guest did not see the target go; " + vm.describe());
                core = TargetCore.start(config(disk, port));
                assertTrue(vm.awaitLine("FERRY-RESIZE-TARGET", boot), "no resize request; " + vm.describe());
                core.apply(config(disk, port, "192M"));
                assertEquals(0, vm.await(boot), "scenario-ferry-restart.sh failed; " + vm.describe());
                assertTrue(vm.console().contains("FERRY-SESSION-RECOVERED"));
                assertTrue(vm.console().contains("FERRY-CHECK resize ok: 134217728 -> " + RESIZED_BYTES + " bytes"));
            }
            long logins = Pattern.compile("iSCSI login: initiator=" + InitiatorVm.GUEST_IQN + " from=\\S+ target=" + IQN
                    + " type=Normal .* result=success").matcher(log.text()).results().count();
            assertEquals(3, logins, "first login, recovery after the restart, login after logout");
            assertTrue(log.text().contains("iSCSI session ended (target shutting down): initiator=" + InitiatorVm.GUEST_IQN),
                    "the restart as the log shows it");
        } finally {
            if (core != null) {
                core.close();
            }
        }
    }
}
