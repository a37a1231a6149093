package dev.ferry.dist;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The installed {@code /usr/bin/ferry serve}, started directly (no systemd here) and stopped with SIGTERM. */
final class InstalledDaemon implements AutoCloseable {
    private final Process process;

    private InstalledDaemon(Process process) {
        this.process = process;
    }

    static InstalledDaemon start(Path ferry, Path config, Path socket, Path log) throws Exception {
        Process p = new ProcessBuilder(ferry.toString(), "serve", "--config", config.toString(),
                "--control-socket", socket.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        InstalledDaemon d = new InstalledDaemon(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(log).contains("ferry: running")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                d.close();
                throw new AssertionError("installed daemon did not start:\n" + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return d;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
