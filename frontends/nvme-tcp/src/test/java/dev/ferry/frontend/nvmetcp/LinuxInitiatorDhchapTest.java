package dev.ferry.frontend.nvmetcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.AclConfig;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.DhchapKey;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel host in the shared QEMU VM against a subsystem that requires DH-HMAC-CHAP of it. Debian 12's kernel
 * is built without CONFIG_NVME_AUTH (checked in its config: "# CONFIG_NVME_AUTH is not set"), so the successful
 * {@code nvme connect --dhchap-secret} cannot be shown with it (LinuxInitiatorDhchapBackportsTest shows it with the
 * bookworm-backports kernel); what is shown is that the real kernel, told by AUTHREQ.ATR to authenticate, gets no controller and no
 * namespace, while a subsystem without a secret on the same port serves it. One boot.
 */
class LinuxInitiatorDhchapTest {
    static final String AUTH_NQN = "nqn.2024-01.dev.ferry:initvm-dhchap";
    static final String OPEN_NQN = "nqn.2024-01.dev.ferry:initvm-open";
    static final String GUEST_HOSTID = "f0e1d2c3-0000-4000-8000-0000000000a1";
    static final String GUEST_HOSTNQN = "nqn.2014-08.org.nvmexpress:uuid:" + GUEST_HOSTID;

    @TempDir
    Path dir;

    @Test
    void kernelHostWithoutAuthenticationGetsNoQueue() throws Exception {
        Path vm = Path.of("").toAbsolutePath().resolve("../..").normalize().resolve("../shared/initiator-vm");
        assumeTrue(Files.isExecutable(vm.resolve("run-guest.sh")), "initiator VM not available at " + vm);
        Path scenario = Path.of("src/test/resources/initiator-vm/scenario-nvme-dhchap.sh").toAbsolutePath();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path secret = Files.createFile(dir.resolve("guest.key"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(secret, new DhchapKey(1, key).format() + "\n");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String portal = "127.0.0.1:" + port;
        FerryConfig config = new FerryConfig(
                List.of(new BackstoreConfig("initvm-dhchap", "ram", "16M", null, null, null, null, null, null, null),
                        new BackstoreConfig("initvm-open", "ram", "16M", null, null, null, null, null, null, null)),
                List.of(new TargetConfig(AUTH_NQN, "nvme", List.of(portal), List.of(new LunConfig(1, "initvm-dhchap")),
                                List.of(new AclConfig(GUEST_HOSTNQN, null, null, null, null, null, secret.toString(),
                                        null)), false, null),
                        new TargetConfig(OPEN_NQN, "nvme", List.of(portal), List.of(new LunConfig(1, "initvm-open")),
                                List.of(new AclConfig(GUEST_HOSTNQN)), false, null)));
        Path log = Path.of("target", "initvm-nvme-dhchap.log").toAbsolutePath();
        Files.deleteIfExists(log);
        try (TargetCore core = TargetCore.start(config)) {
            Process guest = new ProcessBuilder(vm.resolve("run-guest.sh").toString(), "--quiet", "--timeout", "400",
                    "--fwd", "4420:" + port, "--env", "INITVM_HOSTNQN=" + GUEST_HOSTNQN,
                    "--env", "INITVM_HOSTID=" + GUEST_HOSTID, "--log", log.toString(), scenario.toString(), AUTH_NQN,
                    OPEN_NQN, "10.0.2.100", "4420")
                    .directory(vm.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .start();
            try {
                if (!guest.waitFor(450, TimeUnit.SECONDS)) {
                    guest.destroyForcibly();
                }
            } finally {
                guest.descendants().forEach(ProcessHandle::destroyForcibly);
            }
            String console = Files.readString(log, StandardCharsets.ISO_8859_1);
            assertEquals(0, guest.exitValue(), "scenario-nvme-dhchap.sh failed; console log in " + log);
            assertTrue(console.contains("FERRY-UNAUTHENTICATED-REFUSED-OK") && console.contains("FERRY-OPEN-OK"),
                    "a scenario step is missing; console log in " + log);
            assertEquals(0, core.frontend("nvme") instanceof NvmeTcpFrontend f
                    ? f.target().controllers().stream().filter(c -> AUTH_NQN.equals(c.subsystemNqn())).count() : -1,
                    "no controller of the authenticating subsystem is left");
        }
    }
}
