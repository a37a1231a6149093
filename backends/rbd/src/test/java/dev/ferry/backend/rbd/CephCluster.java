package dev.ferry.backend.rbd;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Ceph cluster started by {@code scripts/ceph-single-node.sh} in a temporary directory, and
 * always torn down again: by {@link #close()}, by a shutdown hook if the test JVM ends first, or by the script's
 * watchdog if the JVM dies without running its hooks.
 */
public final class CephCluster implements AutoCloseable {
    /** The script of this source tree: found upwards from the module a test runs in, at any depth. */
    private static final Path SCRIPT = script();

    public final Path dir;
    public final String conf;
    /** Null when cephx is off. */
    public final String keyring;
    private final Thread hook;

    private CephCluster(Path dir, String conf, String keyring) {
        this.dir = dir;
        this.conf = conf;
        this.keyring = keyring;
        this.hook = new Thread(this::stop, "ceph-single-node-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private static Path script() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path s = d.resolve("scripts/ceph-single-node.sh");
            if (Files.isExecutable(s)) {
                return s;
            }
        }
        return Path.of("../../scripts/ceph-single-node.sh").toAbsolutePath().normalize();
    }

    /** Starts a cluster, or skips the calling tests (with the reason) where the script cannot run here. */
    public static CephCluster start(boolean cephx) throws IOException, InterruptedException {
        boolean root = "root".equals(System.getProperty("user.name"));
        assumeTrue(root, "SKIPPED: the single-node Ceph cluster runs its daemons as root");
        for (String c : List.of("/usr/bin/ceph-mon", "/usr/bin/ceph-mgr", "/usr/bin/ceph-osd", "/usr/bin/rbd")) {
            assumeTrue(Files.isExecutable(Path.of(c)), "SKIPPED: " + c + " is missing (scripts/install-test-deps.sh"
                    + " installs ceph-mon ceph-mgr ceph-osd ceph-common)");
        }
        assumeTrue(Ceph.UNAVAILABLE == null, "SKIPPED: " + Ceph.UNAVAILABLE);
        Path dir = Files.createTempDirectory("ferry-ceph-").resolve("cluster");
        // --owner: should this JVM die without running its shutdown hooks (a crash in native code), the cluster
        // stops by itself.
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString(), "start", dir.toString(), "--owner",
                Long.toString(ProcessHandle.current().pid())));
        if (!cephx) {
            cmd.add("--no-cephx");
        }
        String out;
        try {
            out = run(cmd, 300);
        } catch (IOException e) {
            new ProcessBuilder(SCRIPT.toString(), "stop", dir.toString()).inheritIO().start().waitFor();
            throw e;
        }
        String conf = null;
        String keyring = null;
        for (String line : out.split("\n")) {
            if (line.startsWith("CEPH_CONF=")) {
                conf = line.substring("CEPH_CONF=".length());
            } else if (line.startsWith("CEPH_KEYRING=") && line.length() > "CEPH_KEYRING=".length()) {
                keyring = line.substring("CEPH_KEYRING=".length());
            }
        }
        return new CephCluster(dir, conf, keyring);
    }

    /** The backstore path of {@code pool/image} on this cluster, with {@code extra} options appended. */
    public String path(String image, String... extra) {
        String p = RbdSpec.format("rbd", null, image, conf, null, keyring);
        return extra.length == 0 ? p : p + ":" + String.join(":", extra);
    }

    /** Runs {@code rbd -c CONF args...} and returns its output. */
    public String rbd(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("rbd", "-c", conf));
        cmd.addAll(List.of(args));
        return run(cmd, 60);
    }

    /** The pid of daemon {@code name} (e.g. {@code osd.0}). */
    public long pid(String name) throws IOException {
        return Long.parseLong(Files.readString(dir.resolve("run/" + name + ".pid")).trim());
    }

    static String run(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(cmd + " did not finish within " + timeoutSeconds + " s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(cmd + " exited " + p.exitValue() + ": " + text);
        }
        return text;
    }

    private void stop() {
        try {
            run(List.of(SCRIPT.toString(), "stop", dir.toString()), 120);
            Files.deleteIfExists(dir.getParent());
        } catch (IOException | InterruptedException e) {
            System.err.println("ceph-single-node stop failed: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is running or ran
        }
    }
}
