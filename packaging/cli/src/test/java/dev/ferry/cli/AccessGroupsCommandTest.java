package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry nvme ana ...} against a real {@code ferry serve}: a port moved to its own ANA group and that group's
 * state changed reach a connected host live, on the same connection (its I/O gets the ANA path statuses and its
 * ANA log the new state), the configuration keeps the groups, {@code ferry status} shows them, and bad requests are
 * refused with what is wrong.
 */
class AccessGroupsCommandTest {
    static final String NQN = "nqn.2026-11.dev.ferry:ana";

    @TempDir
    Path dir;

    @Test
    void anaStatesChangeLiveWithoutDroppingTheConnection() throws Exception {
        int p1 = Tool.freePort();
        int p2 = Tool.freePort();
        Path config = dir.resolve("ferry.json");
        Files.writeString(config, """
                {"backstores": [{"name": "d0", "type": "ram", "size": "1M"}],
                 "targets": [{"name": "%s", "protocol": "nvme", "portals": ["127.0.0.1:%d", "127.0.0.1:%d"],
                              "luns": [{"id": 1, "backstore": "d0"}], "acls": [{"initiator": "%s"}]}]}
                """.formatted(NQN, p1, p2, NvmeTcpTestHost.HOST_NQN));
        Path socket = dir.resolve("ferry.sock");
        try (Daemon d = Daemon.start(Daemon.fromClassPath(), config, socket, dir.resolve("daemon.log"));
             NvmeTcpTestHost admin = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1", p2));
             NvmeTcpTestHost io = new NvmeTcpTestHost(new InetSocketAddress("127.0.0.1", p2))) {
            int cntlid = admin.connectAdmin(NQN, 0);
            io.connectIo(NQN, cntlid, 1, 31);
            assertEquals(0, write(io), "group 1, optimized: today's behaviour");

            ok(socket, "nvme", "ana", "set", NQN, "--port", "127.0.0.1:" + p2, "--group", "2");
            ok(socket, "nvme", "ana", "state", NQN, "--group", "2", "inaccessible");
            assertEquals(0x302, write(io), "ANA Inaccessible on the same connection");
            byte[] log = anaLog(admin);
            assertEquals(3, log[32], "ANA log: Inaccessible");
            long changes = ByteBuffer.wrap(log).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            assertEquals(2, changes, "CHGCNT: the move and the state change");

            ok(socket, "nvme", "ana", "state", NQN, "--group", "2", "change");
            assertEquals(0x303, write(io), "ANA Transition");
            ok(socket, "nvme", "ana", "state", NQN, "--group", "2", "non-optimized");
            assertEquals(0, write(io));
            assertEquals(2, anaLog(admin)[32], "ANA log: Non-Optimized");

            String saved = Files.readString(config);
            assertTrue(saved.contains("\"accessGroups\"") && saved.contains("\"non-optimized\"")
                    && saved.contains("\"127.0.0.1:" + p2 + "\""), saved);
            CliRun status = admin(socket, "status", "--interval", "0");
            assertTrue(status.out().contains("access group 1 optimized  portals [\"127.0.0.1:" + p1 + "\"]")
                    && status.out().contains("access group 2 non-optimized  portals [\"127.0.0.1:" + p2 + "\"]"),
                    status::toString);

            CliRun unknown = admin(socket, "nvme", "ana", "state", NQN, "--group", "5", "optimized");
            assertNotEquals(0, unknown.exitCode());
            assertTrue(unknown.err().contains("has no access group 5"), unknown::toString);
            CliRun badState = admin(socket, "nvme", "ana", "state", NQN, "--group", "2", "sleepy");
            assertTrue(badState.exitCode() != 0 && badState.err().contains("unknown state 'sleepy'"), badState::toString);
            CliRun notAPort = admin(socket, "nvme", "ana", "set", NQN, "--port", "127.0.0.9:1", "--group", "3");
            assertTrue(notAPort.exitCode() != 0 && notAPort.err().contains("is not a portal of"), notAPort::toString);
            CliRun badGroup = admin(socket, "nvme", "ana", "set", NQN, "--port", "127.0.0.1:" + p1, "--group", "0");
            assertTrue(badGroup.exitCode() != 0 && badGroup.err().contains("must be 1-128"), badGroup::toString);
            assertEquals(saved, Files.readString(config), "refused changes change nothing");
            assertFalse(io.closedByTarget(), "the host kept its connection through every change");
            assertEquals(0, write(io));
        }
    }

    private static int write(NvmeTcpTestHost io) throws Exception {
        ByteBuffer s = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(NvmeTcpTestHost.OPC_WRITE, io.nextCid(), 1), 512);
        s.putLong(40, 0).putInt(48, 0);
        return io.execute(s, null, new byte[512]).status();
    }

    private static byte[] anaLog(NvmeTcpTestHost admin) throws Exception {
        ByteBuffer s = NvmeTcpTestHost.transportSgl(NvmeTcpTestHost.sqe(0x02, admin.nextCid(), 0xFFFFFFFFL), 64);
        s.putInt(40, 0x0C | 1 << 15 | (64 / 4 - 1) << 16);
        NvmeTcpTestHost.Completion c = admin.execute(s, null, null);
        assertEquals(0, c.status());
        return c.data();
    }

    private static void ok(Path socket, String... args) {
        CliRun r = admin(socket, args);
        assertEquals(0, r.exitCode(), r::toString);
    }

    private static CliRun admin(Path socket, String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--control-socket";
        all[args.length + 1] = socket.toString();
        return CliRun.of(all);
    }
}
