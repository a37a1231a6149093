package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of an external tool (an initiator, qemu-img, the initiator VM) with a timeout; stdout and stderr are
 * captured together so a failure can show exactly what the tool said. The output is read as ISO-8859-1: tools
 * print binary fields (iscsi-inq shows binary designators as raw bytes), and every byte must survive.
 */
record ToolRun(List<String> command, int exitCode, boolean timedOut, String output) {

    static ToolRun run(Duration timeout, Path workDir, String... command) {
        Path log = null;
        try {
            log = Files.createTempFile("ferry-it-tool", ".log");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            if (workDir != null) {
                pb.directory(workDir.toFile());
            }
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                fail(command[0] + " could not be started (run scripts/install-test-deps.sh as root): " + e.getMessage());
                return null;
            }
            boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            return new ToolRun(List.of(command), finished ? p.exitValue() : -1, !finished, Files.readString(log, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new IllegalStateException("cannot capture the output of " + command[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command[0], e);
        } finally {
            if (log != null) {
                log.toFile().delete();
            }
        }
    }

    static ToolRun run(Duration timeout, String... command) {
        return run(timeout, null, command);
    }

    boolean ok() {
        return !timedOut && exitCode == 0;
    }

    /** Fails the test with the tool's output unless it exited 0 in time. */
    ToolRun assertOk() {
        if (!ok()) {
            fail(describe());
        }
        return this;
    }

    /** Fails the test with the tool's output unless it printed {@code expected}. */
    ToolRun assertOutputContains(String expected) {
        if (!output.contains(expected)) {
            fail("expected '" + expected + "' in the output of " + describe());
        }
        return this;
    }

    String describe() {
        String result = timedOut ? "timed out" : "exit " + exitCode;
        return String.join(" ", command) + " (" + result + "):\n" + tail(output, 8000);
    }

    private static String tail(String s, int max) {
        return s.length() <= max ? s : "...\n" + s.substring(s.length() - max);
    }
}
