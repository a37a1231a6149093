package dev.ferry.backend.block;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real loop device over a file, attached with losetup and always detached again by {@link #close()}. */
final class LoopDevice implements AutoCloseable {
    final Path node;
    final Path backing;

    private LoopDevice(Path node, Path backing) {
        this.node = node;
        this.backing = backing;
    }

    /** Skips the calling test, loudly, where loop devices cannot be made. */
    static void assumeLoopDevices() {
        boolean root = "root".equals(System.getProperty("user.name"));
        assumeTrue(Files.exists(Paths.get("/dev/loop-control")) && root,
                "SKIPPED: real loop-device tests need root and /dev/loop-control (root=" + root + ")");
    }

    static LoopDevice attach(Path backing, long sizeBytes, String... options) throws IOException {
        assumeLoopDevices();
        try (var f = new java.io.RandomAccessFile(backing.toFile(), "rw")) {
            f.setLength(sizeBytes);
        }
        List<String> cmd = new ArrayList<>(List.of("losetup", "-f", "--show"));
        cmd.addAll(List.of(options));
        cmd.add(backing.toString());
        String out = run(cmd).trim();
        return new LoopDevice(Paths.get(out), backing);
    }

    static String run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(cmd + " failed: " + out + err);
            }
            return out; // stdout only: losetup warns on stderr
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    String kernelName() {
        return node.getFileName().toString();
    }

    /** 512-byte blocks the backing file has allocated on disk (stat %b). */
    long allocatedSectors() throws IOException {
        return Long.parseLong(run(List.of("stat", "-c", "%b", backing.toString())).trim());
    }

    @Override
    public void close() throws IOException {
        run(List.of("losetup", "-d", node.toString()));
    }
}
