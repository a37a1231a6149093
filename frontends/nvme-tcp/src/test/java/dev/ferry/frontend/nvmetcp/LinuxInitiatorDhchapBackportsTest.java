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
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Linux kernel host authenticating to Ferry with DH-HMAC-CHAP: the shared QEMU VM booted with Debian's
 * bookworm-backports kernel (6.12, CONFIG_NVME_HOST_AUTH=y; bookworm's 6.1 has no NVMe authentication, see
 * LinuxInitiatorDhchapTest). scripts/backports-guest-image.sh builds that image on first use and caches it. One
 * boot runs scenario-nvme-dhchap-backports.sh: right secret (I/O verified), wrong secret, bidirectional with the
 * right and a wrong controller secret, and re-authentication through sysfs after {@link TargetCore#apply} gave the
 * host a new secret. Secrets are generated here for SHA-256, SHA-384 and SHA-512; the kernel offers every DH group
 * and Ferry picks ffdhe2048, which the guest's log shows.
 */
class LinuxInitiatorDhchapBackportsTest {
    static final String AUTH_NQN = "nqn.2024-01.dev.ferry:initvm-dhchap";
    static final String BIDI_NQN = "nqn.2024-01.dev.ferry:initvm-dhchap-bidi";
    static final String GUEST_HOSTID = "f0e1d2c3-0000-4000-8000-0000000000b2";
    static final String GUEST_HOSTNQN = "nqn.2014-08.org.nvmexpress:uuid:" + GUEST_HOSTID;
    static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    @Test
    void kernelHostAuthenticatesWithDhchap() throws Exception {
        Path repo = Path.of("").toAbsolutePath().resolve("../..").normalize();
        Path vm = repo.resolve("../shared/initiator-vm");
        assumeTrue(Files.isExecutable(vm.resolve("run-guest.sh")), "initiator VM not available at " + vm);
        Path image = buildImage(repo, vm);
        Path scenario = Path.of("src/test/resources/initiator-vm/scenario-nvme-dhchap-backports.sh").toAbsolutePath();

        DhchapKey key = newKey(1);
        DhchapKey bidiKey = newKey(3);
        DhchapKey ctrlKey = newKey(2);
        DhchapKey newKey = newKey(3);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String portal = "127.0.0.1:" + port;
        List<BackstoreConfig> backstores = List.of(
                new BackstoreConfig("initvm-dhchap", "ram", "16M", null, null, null, null, null, null, null),
                new BackstoreConfig("initvm-bidi", "ram", "16M", null, null, null, null, null, null, null));
        TargetConfig bidi = new TargetConfig(BIDI_NQN, "nvme", List.of(portal),
                List.of(new LunConfig(1, "initvm-bidi")), List.of(new AclConfig(GUEST_HOSTNQN, null, null, null, null,
                        null, secretFile("bidi.key", bidiKey), secretFile("ctrl.key", ctrlKey))), false, null);
        FerryConfig config = new FerryConfig(backstores, List.of(auth(portal, secretFile("host.key", key)), bidi));
        FerryConfig changed = new FerryConfig(backstores, List.of(auth(portal, secretFile("new.key", newKey)), bidi));

        Path sync = Files.createDirectories(dir.resolve("sync"));
        Path log = Path.of("target", "initvm-nvme-dhchap-backports.log").toAbsolutePath();
        Files.deleteIfExists(log);
        long start = System.nanoTime();
        try (TargetCore core = TargetCore.start(config)) {
            Process guest = new ProcessBuilder(vm.resolve("run-guest.sh").toString(), "--quiet", "--timeout", "600",
                    "--image", image.toString(), "--fwd", "4420:" + port, "--share", sync + ":/mnt/sync:rw",
                    "--env", "INITVM_HOSTNQN=" + GUEST_HOSTNQN, "--env", "INITVM_HOSTID=" + GUEST_HOSTID,
                    "--env", "FERRY_KEY=" + key.format(), "--env", "FERRY_WRONG_KEY=" + newKey(1).format(),
                    "--env", "FERRY_BIDI_KEY=" + bidiKey.format(), "--env", "FERRY_CTRL_KEY=" + ctrlKey.format(),
                    "--env", "FERRY_WRONG_CTRL_KEY=" + newKey(2).format(), "--env", "FERRY_NEW_KEY=" + newKey.format(),
                    "--log", log.toString(), scenario.toString(), AUTH_NQN, BIDI_NQN, "10.0.2.100", "4420")
                    .directory(vm.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .start();
            boolean applied = false;
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(660);
                while (!guest.waitFor(200, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
                    if (!applied && Files.exists(sync.resolve("ready"))) {
                        core.apply(changed);   // the host's ACL entry now holds the new secret
                        Files.createFile(sync.resolve("applied"));
                        applied = true;
                    }
                }
                if (guest.isAlive()) {
                    guest.destroyForcibly();
                }
            } finally {
                guest.descendants().forEach(ProcessHandle::destroyForcibly);
            }
            guest.waitFor();
            String console = Files.readString(log, StandardCharsets.ISO_8859_1);
            System.out.printf("LinuxInitiatorDhchapBackportsTest: guest run %.0f s; negotiated: %s%n",
                    (System.nanoTime() - start) / 1e9, negotiated(console));
            assertEquals(0, guest.exitValue(), "scenario-nvme-dhchap-backports.sh failed; console log in " + log);
            for (String step : List.of("RIGHT-OK", "WRONG-REFUSED-OK", "BIDI-OK", "BIDI-WRONG-CTRL-REFUSED-OK",
                    "REAUTH-OK", "REAUTH-OLD-REFUSED-OK")) {
                assertTrue(console.contains("FERRY-DHCHAP-" + step), step + " missing; console log in " + log);
            }
            assertTrue(applied, "the secret change was applied while the host was connected");
            // Ferry picks the smallest non-null group the host offers; Linux offers all of them
            assertTrue(console.contains("dhgroup ffdhe2048"), "the kernel authenticated with ffdhe2048");
            assertEquals(0, core.frontend("nvme") instanceof NvmeTcpFrontend f ? f.target().controllers().size() : -1,
                    "every controller is gone after the host disconnected (the refused ones included)");
        }
    }

    static TargetConfig auth(String portal, String secretFile) {
        return new TargetConfig(AUTH_NQN, "nvme", List.of(portal), List.of(new LunConfig(1, "initvm-dhchap")),
                List.of(new AclConfig(GUEST_HOSTNQN, null, null, null, null, null, secretFile, null)), false, null);
    }

    static DhchapKey newKey(int hashId) {
        byte[] key = new byte[DhchapKey.keyLengthOf(hashId)];
        RANDOM.nextBytes(key);
        return new DhchapKey(hashId, key);
    }

    String secretFile(String name, DhchapKey key) throws IOException {
        Path file = Files.createFile(dir.resolve(name),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, key.format() + "\n");
        return file.toString();
    }

    /** Builds (first use) or finds the cached backports image; its directory is the script's last output line. */
    static Path buildImage(Path repo, Path vm) throws Exception {
        long start = System.nanoTime();
        Process build = new ProcessBuilder(repo.resolve("scripts/backports-guest-image.sh").toString(),
                "--vm", vm.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(build.waitFor(900, TimeUnit.SECONDS), "image build timed out");
        assertEquals(0, build.exitValue(), "scripts/backports-guest-image.sh failed");
        System.out.printf("LinuxInitiatorDhchapBackportsTest: image ready in %.1f s%n",
                (System.nanoTime() - start) / 1e9);
        return Path.of(out.substring(out.lastIndexOf('\n') + 1));
    }

    /** The hash and DH group the kernel host logged (dynamic debug of drivers/nvme/host/auth.c). */
    static List<String> negotiated(String console) {
        List<String> found = new ArrayList<>();
        Matcher m = Pattern.compile("(?i)(selected|using) (hash|dh ?group) \\S+").matcher(console);
        while (m.find()) {
            if (!found.contains(m.group())) {
                found.add(m.group());
            }
        }
        return found;
    }
}
