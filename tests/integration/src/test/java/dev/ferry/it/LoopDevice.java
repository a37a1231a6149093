package dev.ferry.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A loop device attached with {@code losetup} to a file; {@link #close} detaches it. */
record LoopDevice(Path node, Path file) implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /**
     * Skips the calling test, loudly, unless loop devices can be made here: the tests need root and the kernel's
     * loop driver (/dev/loop-control), which containers often lack.
     */
    static void assumeAvailable() {
        assumeAvailable("the block backend end-to-end tests");
    }

    /** As {@link #assumeAvailable()}, naming the {@code tests} skipped in the warning. */
    static void assumeAvailable(String tests) {
        String why = uid() != 0 ? "not running as root"
                : !Files.exists(Path.of("/dev/loop-control")) ? "no /dev/loop-control (no loop driver)" : null;
        if (why != null) {
            System.err.println("*** SKIPPING " + tests + ": " + why + ": loop devices cannot be created ***");
        }
        assumeTrue(why == null, tests + " need loop devices: " + why);
    }

    private static int uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return -1; // not Linux: no loop devices either
        }
    }

    static LoopDevice attach(Path file, boolean readOnly) {
        ToolRun run = readOnly ? ToolRun.run(TIMEOUT, "losetup", "-r", "-f", "--show", file.toString())
                : ToolRun.run(TIMEOUT, "losetup", "-f", "--show", file.toString());
        return new LoopDevice(Path.of(run.assertOk().output().strip()), file);
    }

    @Override
    public void close() {
        ToolRun.run(TIMEOUT, "losetup", "-d", node.toString()).assertOk();
    }
}
