package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM ends {@code ferry serve} even when a backend call never returns: the shutdown keeps an absolute deadline,
 * then halts with exit code 6 and names what did not stop.
 */
class ShutdownDeadlineTest {
    private static final String NQN = "nqn.2026-12.dev.ferry:stuck";
    /** Far beyond the deadline: only a safety net, so that a hanging daemon fails the test instead of blocking it. */
    private static final long SAFETY_NET_SECONDS = 120;

    @TempDir
    Path dir;

    @Test
    void aBackendThatNeverReturnsCannotKeepSigtermFromEndingTheDaemon() throws Exception {
        Path config = dir.resolve("ferry.json");
        Files.writeString(config, """
                {"backstores": [{"name": "stuck0", "type": "stuck", "size": "1M"}],
                 "targets": [{"name": "%s", "protocol": "nvme", "portals": ["127.0.0.1:0"],
                              "luns": [{"id": 1, "backstore": "stuck0"}], "allowAnyInitiator": true}]}
                """.formatted(NQN));
        Path log = dir.resolve("daemon.log");
        Daemon d = Daemon.start(withStuckBackend(), config, dir.resolve("control.sock"), log);
        try (d; NvmeTcpTestHost admin = new NvmeTcpTestHost(listening(d.log()));
             NvmeTcpTestHost io = new NvmeTcpTestHost(listening(d.log()))) {
            int cntlid = admin.connectAdmin(NQN, 0);
            io.connectIo(NQN, cntlid, 1, 31);
            // A read goes to the backend as soon as its capsule arrives; its completion never comes.
            ByteBuffer read = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(NvmeTcpTestHost.OPC_READ, io.nextCid(), 1),
                    512);
            io.sendCapsule(read.array(), null);
            waitFor(d, StuckBackends.BLOCKED);

            int exit = d.terminate(SAFETY_NET_SECONDS);
            String out = d.log();
            assertEquals(ExitCodes.SHUTDOWN_TIMEOUT, exit, out);
            Matcher named = Pattern.compile("ferry: shutdown did not finish within "
                    + ShutdownDeadline.DEADLINE.toSeconds() + " s: (backstore stuck0|frontend nvme/tcp) did not stop;"
                    + " halting \\(exit 6\\)\\. It waits\n    at ").matcher(out);
            assertTrue(named.find(), out);
            assertFalse(out.contains("ferry: stopped cleanly"), out);
        }
    }

    private static InetSocketAddress listening(String log) {
        Matcher m = Pattern.compile("nvme listening on \\[127\\.0\\.0\\.1:(\\d+)\\]").matcher(log);
        assertTrue(m.find(), log);
        return new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));
    }

    /**
     * This module's class path plus the folder that registers {@link StuckBackends}: only this daemon knows type
     * "stuck", so the other tests' lists of backend types stay the real ones.
     */
    private static List<String> withStuckBackend() {
        List<String> command = new ArrayList<>(Daemon.fromClassPath());
        int cp = command.indexOf("-cp") + 1;
        command.set(cp, command.get(cp) + File.pathSeparator + Path.of("src/test/stuck-backend").toAbsolutePath());
        return command;
    }

    private static void waitFor(Daemon d, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SAFETY_NET_SECONDS);
        while (!d.log().contains(line)) {
            assertTrue(System.nanoTime() < deadline, () -> "no '" + line + "' in the daemon log");
            Thread.sleep(20);
        }
    }
}
