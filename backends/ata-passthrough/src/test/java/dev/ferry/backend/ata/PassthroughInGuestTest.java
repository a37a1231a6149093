package dev.ferry.backend.ata;

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
        Path vm = repoRoot().resolve("../shared/initiator-vm").normalize();
        assumeTrue(Files.isExecutable(vm.resolve("run-guest.sh")),
                "SKIPPED: no initiator VM at " + vm + " (the SG_IO backends then go untested against a device)");
        Path buildLog = stage.resolve("build.log");
        assertEquals(0, run(List.of(vm.resolve("build-image.sh").toString()), buildLog, 600),
                () -> "build-image.sh failed: " + readQuietly(buildLog));

        String classpath = stageClassPath();
        Files.writeString(stage.resolve("classpath"), classpath);
        Path scenario = stage.resolve("scenario.sh");
        try (InputStream in = getClass().getResourceAsStream("passthrough-scenario.sh")) {
            Files.copy(in, scenario);
        }
        Path log = stage.resolve("guest.log");
        Path javaHome = Paths.get(System.getProperty("java.home")).toRealPath();
        List<String> cmd = new ArrayList<>(List.of(vm.resolve("run-guest.sh").toString(),
                "--quiet", "--log", log.toString(), "--timeout", String.valueOf(GUEST_TIMEOUT_S),
                "--share", javaHome.toString(), "--env", "INITVM_JAVA_HOME=" + javaHome,
                "--share", stage + ":/mnt/ferry"));
        if (Files.isDirectory(Paths.get("/etc/java-17-openjdk"))) {
            cmd.addAll(List.of("--share", "/etc/java-17-openjdk")); // Debian's JDK links its config there
        }
        cmd.add(scenario.toString());
        int rc = run(cmd, stage.resolve("run-guest.out"), GUEST_TIMEOUT_S + 60);

        String out = Files.readString(log, StandardCharsets.ISO_8859_1).replace("\r", "");
        String ferry = String.join("\n", out.lines().filter(l -> l.startsWith("FERRY-GUEST")).toList());
        System.out.println(ferry);
        assertEquals(0, rc, "run-guest.sh failed; guest console:\n" + tail(out));
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

    /**
     * Copies the test class path (module classes and dependency jars, not the test framework) into the 9p share,
     * and returns it as the guest sees it.
     */
    private String stageClassPath() throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> guest = new ArrayList<>();
        int i = 0;
        for (String entry : cp.split(java.io.File.pathSeparator)) {
            Path p = Paths.get(entry);
            String name = p.getFileName().toString();
            if (!Files.exists(p) || name.matches("(junit|opentest4j|apiguardian|surefire|jackson).*")) {
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
            throw new AssertionError(cmd.get(0) + " did not finish in " + timeoutSeconds + " s: " + Files.readString(output));
        }
        return p.exitValue();
    }

    /** The repository root: the nearest ancestor of the module directory that has a backends/ folder. */
    private static Path repoRoot() {
        Path p = Paths.get("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("backends"))) {
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
        return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    }
}
