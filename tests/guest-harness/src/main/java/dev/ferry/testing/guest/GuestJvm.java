package dev.ferry.testing.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs Ferry's own code inside the initiator VM (../shared/initiator-vm beside the repository): the host's JDK and
 * the calling module's test class path are shared over 9p, so a scenario script starts
 * {@code $INITVM_JAVA_HOME/bin/java -cp "$(cat /mnt/ferry/classpath)" MAIN} in the guest. For what only the guest
 * has: disks behind SG_IO, soft-RoCE. One instance stages into one directory. The guest always runs under
 * single-threaded TCG (see {@link #TCG_THREAD}).
 */
public final class GuestJvm {
    /** Where the staged directory appears in the guest. */
    public static final String GUEST_STAGE = "/mnt/ferry";
    /** Class path entries the guest never needs: the test framework and the Java iSCSI initiator. */
    private static final String NOT_STAGED = "(junit|opentest4j|apiguardian|surefire|initiator|ferry-test-guest).*";
    private static final int BUILD_TIMEOUT_S = 600;
    private static final int TAIL_CHARS = 8000;
    /**
     * run-guest.sh's TCG threading. A JVM in a guest with 2+ vCPUs under QEMU's default multi-threaded TCG died in
     * 2 of 11 runs at the entry of JIT-compiled methods (SIGILL, SIGSEGV): code that HotSpot patches while other
     * threads run it, the likely cause though not a proven one. Single-threaded TCG runs the vCPUs in turn on one
     * host thread and never showed it. Slower, but a test must not fail by chance.
     */
    private static final String TCG_THREAD = "INITVM_TCG_THREAD";
    private static final String SINGLE_THREADED_TCG = "single";

    private final Path vm;
    private final Path stage;

    private GuestJvm(Path vm, Path stage) {
        this.vm = vm;
        this.stage = stage;
    }

    /**
     * Finds the VM scripts and builds the image (idempotent), or skips the test - loudly, naming what then goes
     * untested - where the scripts are absent.
     *
     * @param stage     an empty directory (a JUnit {@code @TempDir})
     * @param untested  what the skip leaves untested, for the message
     */
    public static GuestJvm prepare(Path stage, String untested) throws Exception {
        return prepare(repositoryRoot().resolve("../shared/initiator-vm").normalize(), stage, untested);
    }

    /** {@link #prepare(Path, String)} with the VM scripts in {@code vm}. */
    static GuestJvm prepare(Path vm, Path stage, String untested) throws Exception {
        if (!Files.isExecutable(vm.resolve("run-guest.sh"))) {
            System.err.println("\n*** SKIPPED: no initiator VM at " + vm + "; " + untested + " NOT tested ***\n");
        }
        assumeTrue(Files.isExecutable(vm.resolve("run-guest.sh")), "SKIPPED: no initiator VM at " + vm);
        GuestJvm guest = new GuestJvm(vm, stage);
        Path buildLog = stage.resolve("build-image.log");
        assertEquals(0, run(List.of(vm.resolve("build-image.sh").toString()), Map.of(), buildLog, BUILD_TIMEOUT_S),
                () -> "build-image.sh failed: " + tail(readQuietly(buildLog)));
        Files.writeString(stage.resolve("classpath"), guest.stageClassPath());
        return guest;
    }

    /** Copies a scenario script shipped beside {@code owner} (a class path resource) into the stage. */
    public Path scenario(Class<?> owner, String resource) throws IOException {
        Path scenario = stage.resolve(resource);
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no resource " + resource + " beside " + owner.getName());
            }
            Files.copy(in, scenario);
        }
        return scenario;
    }

    /**
     * Boots the guest with {@code options} (e.g. {@code --smp 2}, {@code --env K=V}) plus the JDK and stage
     * shares, runs the scenario and waits for it.
     *
     * @param log where the console goes
     */
    public Result run(Path scenario, List<String> options, Path log, long timeoutSeconds) throws Exception {
        Path javaHome = Path.of(System.getProperty("java.home")).toRealPath();
        List<String> cmd = new ArrayList<>(List.of(vm.resolve("run-guest.sh").toString(),
                "--quiet", "--log", log.toString(), "--timeout", String.valueOf(timeoutSeconds),
                "--share", javaHome.toString(), "--env", "INITVM_JAVA_HOME=" + javaHome,
                "--share", stage + ":" + GUEST_STAGE));
        if (Files.isDirectory(Path.of("/etc/java-17-openjdk"))) {
            cmd.addAll(List.of("--share", "/etc/java-17-openjdk")); // Debian's JDK links its config there
        }
        cmd.addAll(options);
        cmd.add(scenario.toString());
        Files.deleteIfExists(log);
        // --quiet with --log: run-guest.sh exits 1 after a passing run when it also echoes the console.
        int rc = run(cmd, Map.of(TCG_THREAD, SINGLE_THREADED_TCG), stage.resolve("run-guest.out"), timeoutSeconds + 60);
        return new Result(rc, Files.exists(log) ? read(log).replace("\r", "") : "");
    }

    /** run-guest.sh's exit code (0 only on the scenario's success marker) and the guest console. */
    public record Result(int exitCode, String console) {
        /** The console lines that start with {@code prefix}, for assertion messages and the test output. */
        public String lines(String prefix) {
            return String.join("\n", console.lines().filter(l -> l.startsWith(prefix)).toList());
        }

        public String tail() {
            return GuestJvm.tail(console);
        }
    }

    /** Copies the test class path into the stage and returns it as the guest sees it. */
    private String stageClassPath() throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> guest = new ArrayList<>();
        int i = 0;
        for (String entry : cp.split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (!Files.exists(p) || p.getFileName().toString().matches(NOT_STAGED)) {
                continue;
            }
            String target = "cp" + i++ + (Files.isDirectory(p) ? "" : ".jar");
            copy(p, stage.resolve(target));
            guest.add(GUEST_STAGE + "/" + target);
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

    private static int run(List<String> cmd, Map<String, String> env, Path output, long timeoutSeconds)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroy(); // run-guest.sh's own timeout(1) normally ends QEMU first
            p.waitFor(15, TimeUnit.SECONDS);
            throw new AssertionError(cmd.get(0) + " did not finish in " + timeoutSeconds + " s: " + tail(read(output)));
        }
        return p.exitValue();
    }

    /** The repository root: the nearest ancestor of the module directory with a {@code frontends/} folder. */
    private static Path repositoryRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("frontends"))) {
            p = p.getParent();
        }
        return p == null ? Path.of("").toAbsolutePath() : p;
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.ISO_8859_1);
    }

    private static String readQuietly(Path p) {
        try {
            return read(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String tail(String s) {
        return s.length() > TAIL_CHARS ? s.substring(s.length() - TAIL_CHARS) : s;
    }
}
