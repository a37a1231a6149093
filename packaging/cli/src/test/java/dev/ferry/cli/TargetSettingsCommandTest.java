package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a real {@code ferry serve}: a target or subsystem is created without anyone admitted and opened later,
 * and a target's iSCSI settings are changed, shown and validated through {@code ferry iscsi target set}.
 */
class TargetSettingsCommandTest {
    static final String IQN = "iqn.2026-11.dev.ferry:settings";
    static final String INITIATOR = "iqn.2026-11.dev.ferry:admin-host";

    @TempDir
    Path dir;

    @Test
    void createFirstAdmitLaterAndChangeTheLimits() throws Exception {
        Path config = dir.resolve("ferry.json");
        Files.writeString(config, "{\"backstores\": [], \"targets\": []}");
        Path socket = dir.resolve("ferry.sock");
        String portal = "127.0.0.1:" + Tool.freePort();
        String url = "iscsi://" + portal;
        try (Daemon d = Daemon.start(Daemon.fromClassPath(), config, socket, dir.resolve("daemon.log"))) {
            ok(socket, "backstore", "create", "ram", "scratch", "--size", "16M");
            CliRun created = admin(socket, "iscsi", "target", "create", IQN, "--portal", portal);
            assertEquals(0, created.exitCode(), created::toString);
            assertTrue(created.out().contains("admits no initiator until 'ferry iscsi acl add'"), created::toString);
            ok(socket, "iscsi", "lun", "add", IQN, "scratch");
            Tool nobody = Tool.run("iscsi-ls", "-i", INITIATOR, url);
            assertFalse(nobody.output().contains(IQN), "a target without ACL admits nobody:\n" + nobody.output());
            ok(socket, "iscsi", "acl", "add", IQN, INITIATOR);
            Tool listed = Tool.run("iscsi-ls", "-i", INITIATOR, url);
            assertTrue(listed.output().contains(IQN), listed.output());

            ok(socket, "iscsi", "target", "set", IQN, "--max-sessions", "1", "--commands-per-session", "16",
                    "--max-burst-length", "65536", "--immediate-data", "no");
            CliRun shown = admin(socket, "config", "show");
            for (String field : new String[] {"\"maxSessions\" : 1", "\"commandsPerSession\" : 16",
                    "\"maxBurstLength\" : 65536", "\"immediateData\" : false"}) {
                assertTrue(shown.out().contains(field), field + " in\n" + shown.out());
            }
            assertTrue(Files.readString(config).contains("\"commandsPerSession\" : 16"), "persisted");
            Tool inq = Tool.run("iscsi-inq", "-i", INITIATOR, url + "/" + IQN + "/0");
            assertEquals(0, inq.exitCode(), inq.output());

            CliRun refused = admin(socket, "iscsi", "target", "set", IQN, "--first-burst-length", "131072");
            assertEquals(3, refused.exitCode(), refused::toString);
            assertTrue(refused.err().contains(
                    "targets[0].iscsi.firstBurstLength: 131072 exceeds maxBurstLength 65536 (RFC 7143 13.14)"),
                    refused::toString);
            CliRun outOfRange = admin(socket, "iscsi", "target", "set", IQN, "--commands-per-session", "0");
            assertEquals(3, outOfRange.exitCode(), outOfRange::toString);
            assertTrue(outOfRange.err().contains("targets[0].iscsi.commandsPerSession: 0 must be 1-1024"),
                    outOfRange::toString);
            CliRun notYesNo = admin(socket, "iscsi", "target", "set", IQN, "--initial-r2t", "maybe");
            assertEquals(2, notYesNo.exitCode(), notYesNo::toString);

            ok(socket, "iscsi", "target", "set", IQN, "--reset");
            assertFalse(admin(socket, "config", "show").out().contains("\"iscsi\" : {"), "back to the defaults");

            CliRun subsystem = admin(socket, "nvme", "subsystem", "create", "nqn.2026-11.dev.ferry:settings", "--port",
                    "127.0.0.1:" + Tool.freePort());
            assertEquals(0, subsystem.exitCode(), subsystem::toString);
            assertTrue(subsystem.out().contains("admits no host until 'ferry nvme host allow'"), subsystem::toString);
            CliRun unknownNamespace = admin(socket, "nvme", "host", "allow", "nqn.2026-11.dev.ferry:settings",
                    "nqn.2014-08.org.example:masked-host", "--namespaces", "1");
            assertEquals(3, unknownNamespace.exitCode(), unknownNamespace::toString);
            assertTrue(unknownNamespace.err().contains("acls[0].luns[0]: the target has no LUN 1"),
                    unknownNamespace::toString);
            ok(socket, "backstore", "create", "ram", "ns1", "--size", "1M");
            ok(socket, "nvme", "namespace", "add", "nqn.2026-11.dev.ferry:settings", "ns1", "--nsid", "1");
            ok(socket, "nvme", "host", "allow", "nqn.2026-11.dev.ferry:settings",
                    "nqn.2014-08.org.example:masked-host", "--namespaces", "1");
            assertTrue(admin(socket, "config", "show").out().replaceAll("\\s", "")
                    .contains("\"initiator\":\"nqn.2014-08.org.example:masked-host\",\"luns\":[1]"),
                    "the namespace mask is saved with the host");
        }
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
