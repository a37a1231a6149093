package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
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
        Path root = Path.of(System.getProperty("ferry.root", "../..")).toAbsolutePath().normalize();
        Path vm = root.resolve("../shared/initiator-vm").normalize();
        if (!Files.isDirectory(vm)) {
            System.err.println("\n*** SKIPPED PassthroughIscsiInGuestTest: " + vm
                    + " is absent; the scsi and ata backends were NOT tested through an initiator ***\n");
        }
        Assumptions.assumeTrue(Files.isDirectory(vm), "SKIPPED: no initiator VM at " + vm);
        ToolRun.run(Duration.ofMinutes(10), vm.resolve("build-image.sh").toString()).assertOk();

        Files.writeString(stage.resolve("classpath"), stageClassPath());
        Path scenario = stage.resolve("scenario.sh");
        try (InputStream in = getClass().getResourceAsStream("passthrough-iscsi-scenario.sh")) {
            Files.copy(in, scenario);
        }
        Path javaHome = Path.of(System.getProperty("java.home")).toRealPath();
        List<String> cmd = new ArrayList<>(List.of(vm.resolve("run-guest.sh").toString(),
                "--quiet", "--log", stage.resolve("guest.log").toString(), "--timeout", String.valueOf(GUEST_TIMEOUT_S),
                "--share", javaHome.toString(), "--env", "INITVM_JAVA_HOME=" + javaHome,
                "--share", stage + ":/mnt/ferry"));
        if (Files.isDirectory(Path.of("/etc/java-17-openjdk"))) {
            cmd.addAll(List.of("--share", "/etc/java-17-openjdk")); // Debian's JDK links its config there
        }
        cmd.add(scenario.toString());
        ToolRun guest = ToolRun.run(Duration.ofSeconds(GUEST_TIMEOUT_S + 60), cmd.toArray(String[]::new));
        String console = Files.readString(stage.resolve("guest.log"), java.nio.charset.StandardCharsets.ISO_8859_1)
                .replace("\r", "");
        String report = String.join("\n", console.lines()
                .filter(l -> l.startsWith("FERRY-") || l.startsWith("SCENARIO-FAIL")).toList());
        System.out.println(report);
        assertTrue(guest.ok() && console.contains("INITVM-SCENARIO-PASS"),
                () -> "the guest scenario failed; console:\n" + tail(console));

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

    /**
     * Copies the test class path (module classes and dependency jars, not the test framework) into the 9p share,
     * and returns it as the guest sees it.
     */
    private String stageClassPath() throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> guest = new ArrayList<>();
        int i = 0;
        for (String entry : cp.split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            String name = p.getFileName().toString();
            if (!Files.exists(p) || name.matches("(junit|opentest4j|apiguardian|surefire|initiator).*")) {
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

    private static String tail(String s) {
        return s.length() > 8000 ? s.substring(s.length() - 8000) : s;
    }
}
