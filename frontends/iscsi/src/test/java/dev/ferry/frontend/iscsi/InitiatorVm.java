package dev.ferry.frontend.iscsi;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One boot of the shared QEMU initiator VM (../shared/initiator-vm from the repository root: Debian's kernel
 * initiator and open-iscsi) running a scenario of src/test/resources/initiator-vm. The guest dials
 * 10.0.2.100:3260, forwarded to Ferry's port on host loopback.
 */
final class InitiatorVm implements AutoCloseable {
    /** What the guest dials; run-guest.sh forwards it to the host port. */
    static final String GUEST_PORTAL = "10.0.2.100:3260";
    /** The guest's default initiator name (initiator-vm README). */
    static final String GUEST_IQN = "iqn.2024-01.org.example:initvm";

    private final Process process;
    private final Path log;

    private InitiatorVm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** The VM scripts, or a skipped test where they are absent. */
    static Path scripts() {
        Path vm = Path.of("").toAbsolutePath().resolve("../..").normalize().resolve("../shared/initiator-vm").normalize();
        assumeTrue(Files.isExecutable(vm.resolve("run-guest.sh")), "initiator VM not available at " + vm);
        return vm;
    }

    /** A scenario shipped with these tests (absolute path). */
    static Path scenario(String name) throws URISyntaxException {
        return Path.of(InitiatorVm.class.getResource("/initiator-vm/" + name).toURI());
    }

    /**
     * Boots the guest.
     *
     * @param scenario absolute path of the scenario script
     * @param hostPort Ferry's port on 127.0.0.1
     * @param env      KEY=VALUE settings for the scenario
     * @param args     the scenario's positional arguments
     */
    static InitiatorVm boot(Path scenario, int hostPort, List<String> env, List<String> args, Duration timeout)
            throws IOException {
        Path vm = scripts();
        Path log = Path.of("target", "initvm-" + scenario.getFileName().toString().replace(".sh", "") + ".log")
                .toAbsolutePath();
        Files.deleteIfExists(log);
        List<String> cmd = new ArrayList<>(List.of(vm.resolve("run-guest.sh").toString(), "--quiet",
                "--timeout", Long.toString(timeout.toSeconds()), "--fwd", "3260:" + hostPort, "--log", log.toString()));
        for (String e : env) {
            cmd.add("--env");
            cmd.add(e);
        }
        cmd.add(scenario.toString());
        cmd.addAll(args);
        // run-guest.sh's own lines (PASS/FAIL, timings) go to a file: surefire's forked JVM owns stdout.
        Process p = new ProcessBuilder(cmd).directory(vm.toFile()).redirectErrorStream(true)
                .redirectOutput(Path.of(log + ".run").toFile()).start();
        return new InitiatorVm(p, log);
    }

    /** Waits for a console line starting with {@code marker}; false when the guest ended or time ran out first. */
    boolean awaitLine(String marker, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (console().lines().anyMatch(l -> l.startsWith(marker))) {
                return true;
            }
            if (!process.isAlive()) {
                return false;
            }
            Thread.sleep(200);
        }
        return false;
    }

    /** Waits for the guest to power off; returns run-guest.sh's exit code (0 only on the success marker). */
    int await(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.destroy();
            process.waitFor(15, TimeUnit.SECONDS);
            return 124;
        }
        return process.exitValue();
    }

    String console() throws IOException {
        return Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8).replace("\r", "") : "";
    }

    /** For assertion messages: where the console log is and its last lines. */
    String describe() throws IOException {
        List<String> lines = console().lines().toList();
        Path run = Path.of(log + ".run");
        return (Files.exists(run) ? Files.readString(run) : "") + "console log " + log + ", last lines:\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    /** Stops QEMU if it still runs (run-guest.sh's trap ends QEMU on SIGTERM). */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
