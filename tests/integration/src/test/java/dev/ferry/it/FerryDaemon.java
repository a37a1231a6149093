package dev.ferry.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code ferry serve} in its own JVM, from this module's class path, as an operator runs it; {@link #kill()} ends it
 * with SIGKILL, the way a crash or the OOM killer does: no shutdown hook, no flush, no close.
 */
final class FerryDaemon implements AutoCloseable {
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final Process process;
    private final Path log;

    private FerryDaemon(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts the daemon and waits until it serves (it prints "ferry: running" once every portal listens). */
    static FerryDaemon start(Path config, Path controlSocket, Path log) throws IOException, InterruptedException {
        List<String> argv = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // C1 only: starts in about half the time on a busy machine; a crash test needs no peak speed
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "dev.ferry.cli.FerryCli",
                "serve", "--config", config.toString(), "--control-socket", controlSocket.toString());
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        FerryDaemon d = new FerryDaemon(p, log);
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (!Files.readString(log).contains("ferry: running")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                d.kill();
                throw new IllegalStateException("ferry serve did not start:\n" + Files.readString(log));
            }
            Thread.sleep(20);
        }
        return d;
    }

    /** SIGKILL (Process.destroyForcibly on Linux), and waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("ferry serve (pid " + process.pid() + ") survived SIGKILL");
        }
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
