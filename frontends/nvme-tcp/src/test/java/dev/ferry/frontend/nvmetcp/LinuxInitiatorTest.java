package dev.ferry.frontend.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The real proof: Debian's kernel NVMe/TCP initiator and nvme-cli, in the shared QEMU initiator VM, run discover,
 * connect, mkfs, mount, write, disconnect, reconnect, fsck and verify against Ferry on a free loopback port. The
 * guest dials 10.0.2.100:4420, which the VM forwards to that port. Skipped only where the VM scripts are absent.
 */
class LinuxInitiatorTest {
    static final String NQN = "nqn.2024-01.dev.ferry:initvm";

    @Test
    void kernelInitiatorScenarioPasses() throws Exception {
        Path vm = Path.of("").toAbsolutePath().resolve("../..").normalize().resolve("../shared/initiator-vm");
        assumeTrue(Files.isExecutable(vm.resolve("run-guest.sh")), "initiator VM not available at " + vm);
        FerryConfig config = new FerryConfig(
                List.of(new BackstoreConfig("initvm-disk", "ram", "256M", null, null, null, null, null, null, null)),
                List.of(new TargetConfig(NQN, "nvme", List.of("127.0.0.1:0"), List.of(new LunConfig(1, "initvm-disk")),
                        List.of(), true, null)));
        try (TargetCore core = TargetCore.start(config)) {
            int port = core.frontend("nvme").boundAddresses().get(0).getPort();
            File log = Path.of("target", "initvm-nvme.log").toFile();
            Process guest = new ProcessBuilder(vm.resolve("run-guest.sh").toString(), "--smp", "2", "--quiet",
                    "--timeout", "400", "--fwd", "4420:" + port, "--env", "INITVM_NVME_NQN=" + NQN,
                    "--log", log.getAbsolutePath(), vm.resolve("scenario-nvme.sh").toString())
                    .directory(vm.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
            if (!guest.waitFor(450, TimeUnit.SECONDS)) {
                guest.destroyForcibly();
            }
            assertEquals(0, guest.exitValue(), "scenario-nvme.sh failed; console log in " + log);
        }
    }
}
