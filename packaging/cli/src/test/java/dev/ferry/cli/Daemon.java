package dev.ferry.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code ferry serve} as a real process on a temporary control socket; stopped with SIGTERM like systemd does. */
final class Daemon implements AutoCloseable {
    private final Process process;
    private final Path log;
    final Path socket;

    private Daemon(Process process, Path log, Path socket) {
        this.process = process;
        this.log = log;
        this.socket = socket;
    }

    /** Starts {@code command serve --config config --control-socket socket [extra]} and waits until it answers. */
    static Daemon start(List<String> command, Path config, Path socket, Path log, String... extra) throws Exception {
        List<String> argv = new ArrayList<>(command);
        argv.addAll(List.of("serve", "--config", config.toString(), "--control-socket", socket.toString()));
        argv.addAll(List.of(extra));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Daemon d = new Daemon(p, log, socket);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(log).contains("ferry: running")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                d.close();
                throw new IllegalStateException("daemon did not start:\n" + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return d;
    }

    /** This module's own classes and dependencies, as the surefire JVM sees them. */
    static List<String> fromClassPath() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.ferry.cli.FerryCli");
    }

    long pid() {
        return process.pid();
    }

    /** Sends SIGTERM and waits for the exit: its code, or -1 when the process still runs after {@code seconds}. */
    int terminate(long seconds) throws InterruptedException {
        process.destroy();
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    /** SIGKILL, as a crash: no shutdown hook runs. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
