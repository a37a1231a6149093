package dev.ferry.frontend.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.AccessGroupConfig;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ANA with the kernel's native NVMe multipath, one boot of the shared QEMU VM (scenario-nvme-ana.sh): a subsystem on
 * two ports in ANA groups 1 (optimized) and 2 (non-optimized); the guest connects both paths and sees those states
 * in sysfs, then follows two live changes ({@link TargetCore#apply}, as {@code ferry nvme ana state} does) while a
 * write+read+compare loop runs on the multipath device, with no I/O error.
 */
class LinuxInitiatorAnaTest {
    static final String NQN = "nqn.2024-01.dev.ferry:initvm-ana";
    static final String BACKSTORE = "initvm-ana";

    @Test
    void nativeMultipathFollowsLiveAnaChanges() throws Exception {
        Path vm = Path.of("").toAbsolutePath().resolve("../..").normalize().resolve("../shared/initiator-vm");
        assumeTrue(Files.isExecutable(vm.resolve("run-guest.sh")), "initiator VM not available at " + vm);
        Path scenario = Path.of("src/test/resources/initiator-vm/scenario-nvme-ana.sh").toAbsolutePath();
        String p1 = "127.0.0.1:" + freePort();
        String p2 = "127.0.0.1:" + freePort();
        Path log = Path.of("target", "initvm-nvme-ana.log").toAbsolutePath();
        Files.deleteIfExists(log);
        try (TargetCore core = TargetCore.start(config(p1, p2, "optimized", "non-optimized"))) {
            Process guest = new ProcessBuilder(vm.resolve("run-guest.sh").toString(), "--quiet", "--timeout", "500",
                    "--fwd", "4420:" + port(p1), "--fwd", "4421:" + port(p2), "--log", log.toString(),
                    scenario.toString(), NQN, "10.0.2.100")
                    .directory(vm.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .start();
            try {
                awaitLine(log, "FERRY-ANA-READY", guest, 400_000);
                core.apply(config(p1, p2, "inaccessible", "optimized"));
                awaitLine(log, "FERRY-ANA-FLIPPED", guest, 180_000);
                core.apply(config(p1, p2, "optimized", "non-optimized"));
                assertTrue(guest.waitFor(180, TimeUnit.SECONDS), "the guest did not finish");
            } finally {
                guest.descendants().forEach(ProcessHandle::destroyForcibly);
                guest.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String console = Files.readString(log, StandardCharsets.ISO_8859_1);
            assertEquals(0, guest.exitValue(), "scenario-nvme-ana.sh failed; console log in " + log);
            assertTrue(console.contains("FERRY-PATHS 4420=inaccessible 4421=optimized")
                    && console.contains("FERRY-ANA-IO-OK"), "a scenario step is missing; console log in " + log);
        }
    }

    private static FerryConfig config(String p1, String p2, String state1, String state2) {
        TargetConfig t = new TargetConfig(NQN, "nvme", List.of(p1, p2), List.of(new LunConfig(1, BACKSTORE)),
                List.of(), true, null).withAccessGroups(List.of(new AccessGroupConfig(1, state1, List.of(p1)),
                new AccessGroupConfig(2, state2, List.of(p2))));
        return new FerryConfig(List.of(new BackstoreConfig(BACKSTORE, "ram", "64M", null, null, null, null, null,
                null, null)), List.of(t));
    }

    private static int port(String portal) {
        return Integer.parseInt(portal.substring(portal.lastIndexOf(':') + 1));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void awaitLine(Path log, String marker, Process guest, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(log) && Files.readString(log, StandardCharsets.ISO_8859_1).contains(marker)) {
                return;
            }
            if (!guest.isAlive()) {
                throw new AssertionError("the guest ended before " + marker + "; console log in " + log);
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no " + marker + " within " + timeoutMillis + " ms; console log in " + log);
    }
}
