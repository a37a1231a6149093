package dev.ferry.frontend.nvmerdma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NVMe/RDMA for real: boots the initiator VM with soft-RoCE (INITVM_RDMA=1 makes rxe0 on the guest NIC) and two
 * vCPUs, runs Ferry there ({@link RdmaGuestMain}, on the host's JDK over 9p) with an rdma portal on the guest's
 * address, and drives it with the guest kernel's nvme-rdma initiator and nvme-cli (rdma-scenario.sh): discovery,
 * connect, identify, mkfs, mount, write, disconnect, reconnect, fsck, verify, then a clean stop. The host itself
 * has no RDMA device. Skipped only where the VM scripts are absent.
 */
class NvmeRdmaInGuestTest {
    private static final long GUEST_TIMEOUT_S = 600;
    static final String NQN = "nqn.2024-01.dev.ferry:rdma-guest";

    @TempDir
    Path stage;

    @Test
    void kernelNvmeRdmaInitiatorUsesFerryOverSoftRoce() throws Exception {
        Path vm = repoRoot().resolve("../shared/initiator-vm").normalize();
        assumeTrue(Files.isExecutable(vm.resolve("run-guest.sh")),
                "SKIPPED: no initiator VM at " + vm + " (NVMe/RDMA then goes untested against a real initiator)");
        Path buildLog = stage.resolve("build.log");
        assertEquals(0, run(List.of(vm.resolve("build-image.sh").toString()), buildLog, 600),
                () -> "build-image.sh failed: " + readQuietly(buildLog));

        Files.writeString(stage.resolve("classpath"), stageClassPath());
        Path scenario = stage.resolve("scenario.sh");
        try (InputStream in = getClass().getResourceAsStream("rdma-scenario.sh")) {
            Files.copy(in, scenario);
        }
        Path log = Paths.get("target", "initvm-nvme-rdma.log").toAbsolutePath();
        Files.deleteIfExists(log);
        Path javaHome = Paths.get(System.getProperty("java.home")).toRealPath();
        List<String> cmd = new ArrayList<>(List.of(vm.resolve("run-guest.sh").toString(),
                "--quiet", "--log", log.toString(), "--timeout", String.valueOf(GUEST_TIMEOUT_S), "--smp", "2",
                "--env", "INITVM_RDMA=1", "--env", "INITVM_NVME_NQN=" + NQN,
                "--share", javaHome.toString(), "--env", "INITVM_JAVA_HOME=" + javaHome,
                "--share", stage + ":/mnt/ferry"));
        if (Files.isDirectory(Paths.get("/etc/java-17-openjdk"))) {
            cmd.addAll(List.of("--share", "/etc/java-17-openjdk")); // Debian's JDK links its config there
        }
        cmd.add(scenario.toString());
        long t0 = System.nanoTime();
        int rc = run(cmd, stage.resolve("run-guest.out"), GUEST_TIMEOUT_S + 60);

        String out = Files.readString(log, StandardCharsets.ISO_8859_1).replace("\r", "");
        String ferry = String.join("\n", out.lines().filter(l -> l.startsWith("FERRY-GUEST")).toList());
        System.out.printf("%s%nguest run %.0f s; console log %s%n", ferry, (System.nanoTime() - t0) / 1e9, log);
        assertEquals(0, rc, "run-guest.sh failed; guest console:\n" + tail(out));
        assertTrue(out.contains("FERRY-GUEST listening " + NQN + " on [/10.0.2.15:4420]"), ferry);
        assertTrue(out.contains("FERRY-GUEST discovery trtype=rdma subnqn=" + NQN
                + " tsas=connected/not-specified/rdma-cm"), ferry);
        assertTrue(out.contains("FERRY-GUEST identify subnqn=" + NQN + " ioccsz=516 nsze=0x20000 size=67108864"),
                ferry);
        assertTrue(out.contains("FERRY-GUEST verified after reconnect: e2fsck clean, 4 checksums match"), ferry);
        assertTrue(out.contains("FERRY-GUEST stopped connections-at-stop=0 connections-left=0"), ferry);
        assertTrue(out.contains("FERRY-GUEST exited cleanly rc=0 cm_ids-left=0"), ferry);
    }

    /** Copies the test class path (not the test framework) into the 9p share; returns it as the guest sees it. */
    private String stageClassPath() throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> guest = new ArrayList<>();
        int i = 0;
        for (String entry : cp.split(java.io.File.pathSeparator)) {
            Path p = Paths.get(entry);
            String name = p.getFileName().toString();
            if (!Files.exists(p) || name.matches("(junit|opentest4j|apiguardian|surefire).*")) {
                continue;
            }
            String target = "cp" + i++ + (Files.isDirectory(p) ? "" : ".jar");
            copy(p, stage.resolve(target));
            guest.add("/mnt/ferry/" + target);
        }
        return String.join(":", guest);
    }

    private static void copy(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            Files.copy(from, to);
            return;
        }
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    private static int run(List<String> cmd, Path output, long timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroy(); // run-guest.sh's own timeout(1) normally ends QEMU first
            p.waitFor(15, TimeUnit.SECONDS);
            throw new AssertionError(cmd.get(0) + " did not finish in " + timeoutSeconds + " s: "
                    + Files.readString(output));
        }
        return p.exitValue();
    }

    /** The repository root: the nearest ancestor of the module directory that has a frontends/ folder. */
    private static Path repoRoot() {
        Path p = Paths.get("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("frontends"))) {
            p = p.getParent();
        }
        return p == null ? Paths.get("").toAbsolutePath() : p;
    }

    private static String readQuietly(Path p) {
        try {
            return tail(Files.readString(p, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String tail(String s) {
        return s.length() > 8000 ? s.substring(s.length() - 8000) : s;
    }
}
