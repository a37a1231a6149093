package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry backstore resize} against a real {@code ferry serve}: libiscsi's iscsi-readcapacity16 sees the new
 * size at once, the size is saved in the configuration, a shrink needs --allow-shrink and no LUN mapping the
 * backstore, and a block backstore re-reads a loop device that {@code losetup -c} grew.
 */
class BackstoreResizeCommandTest {
    static final String IQN = "iqn.2026-11.dev.ferry:resize";

    @TempDir
    Path dir;

    @Test
    void resizesLiveSavesTheSizeAndGuardsShrinking() throws Exception {
        Path config = dir.resolve("ferry.json");
        Files.writeString(config, "{\"backstores\": [], \"targets\": []}");
        Path socket = dir.resolve("ferry.sock");
        String url = "iscsi://127.0.0.1:" + Tool.freePort();
        Path image = dir.resolve("disk0.img");
        try (Daemon d = Daemon.start(Daemon.fromClassPath(), config, socket, dir.resolve("daemon.log"))) {
            ok(socket, "backstore", "create", "ram", "scratch", "--size", "64M");
            ok(socket, "backstore", "create", "file", "disk0", image.toString(), "--size", "32M");
            ok(socket, "iscsi", "target", "create", IQN, "--portal", url.substring(8), "--allow-any-initiator");
            ok(socket, "iscsi", "lun", "add", IQN, "scratch");
            ok(socket, "iscsi", "lun", "add", IQN, "disk0");
            assertEquals(64L << 20, capacity(url + "/" + IQN + "/0"));

            CliRun grown = admin(socket, "backstore", "resize", "scratch", "96M");
            assertEquals(0, grown.exitCode(), grown::toString);
            assertEquals("ferry: backstore scratch resized to 96M\n", grown.out());
            assertEquals(96L << 20, capacity(url + "/" + IQN + "/0"));
            ok(socket, "backstore", "resize", "disk0", "48M");
            assertEquals(48L << 20, capacity(url + "/" + IQN + "/1"));
            assertEquals(48L << 20, Files.size(image), "the file grew");
            String saved = Files.readString(config);
            assertTrue(saved.contains("\"96M\"") && saved.contains("\"48M\""), saved);

            CliRun shrink = admin(socket, "backstore", "resize", "scratch", "32M");
            assertEquals(3, shrink.exitCode(), shrink::toString);
            assertTrue(shrink.err().contains("backstores[0].size: 32M would shrink backstore scratch from 100663296"
                    + " to 33554432 bytes") && shrink.err().contains("--allow-shrink"), shrink::toString);
            CliRun mapped = admin(socket, "backstore", "resize", "scratch", "32M", "--allow-shrink");
            assertEquals(3, mapped.exitCode(), mapped::toString);
            assertTrue(mapped.err().contains("backstore scratch cannot shrink while initiators may address it as LUN 0"
                    + " of " + IQN), mapped::toString);
            assertEquals(saved, Files.readString(config), "a refused resize changes nothing on disk");
            assertEquals(96L << 20, capacity(url + "/" + IQN + "/0"));

            CliRun noSize = admin(socket, "backstore", "resize", "scratch");
            assertEquals(3, noSize.exitCode(), noSize::toString);
            assertTrue(noSize.err().contains("has the size its configuration gives"), noSize::toString);
            CliRun usage = admin(socket, "backstore", "resize", "scratch", "--allow-shrink");
            assertEquals(2, usage.exitCode(), usage::toString);
            CliRun missing = admin(socket, "backstore", "resize", "nosuch", "1G");
            assertEquals(3, missing.exitCode(), missing::toString);
            assertTrue(missing.err().contains("no backstore named 'nosuch'"), missing::toString);

            ok(socket, "iscsi", "lun", "remove", IQN, "1");
            ok(socket, "backstore", "resize", "disk0", "16M", "--allow-shrink");
            assertEquals(16L << 20, Files.size(image), "an unmapped file backstore is truncated");
        }
        try (Daemon d = Daemon.start(Daemon.fromClassPath(), config, socket, dir.resolve("daemon2.log"))) {
            assertEquals(96L << 20, capacity(url + "/" + IQN + "/0"), "a restart serves the saved size");
        }
    }

    @Test
    void aBlockBackstoreRereadsItsGrownDevice() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")) && Files.exists(Path.of("/dev/loop-control")),
                "SKIPPED: needs root and loop devices");
        Path backing = dir.resolve("lv.img");
        try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "rw")) {
            f.setLength(16 << 20);
        }
        Tool attach = Tool.run("losetup", "-f", "--show", backing.toString());
        assertEquals(0, attach.exitCode(), attach.output());
        String loop = attach.output().lines().filter(l -> l.startsWith("/dev/")).findFirst().orElseThrow();
        Path config = dir.resolve("ferry.json");
        Files.writeString(config, "{\"backstores\": [], \"targets\": []}");
        Path socket = dir.resolve("ferry.sock");
        String url = "iscsi://127.0.0.1:" + Tool.freePort();
        try (Daemon d = Daemon.start(Daemon.fromClassPath(), config, socket, dir.resolve("daemon.log"))) {
            ok(socket, "backstore", "create", "block", "lv", loop);
            ok(socket, "iscsi", "target", "create", IQN, "--portal", url.substring(8), "--allow-any-initiator");
            ok(socket, "iscsi", "lun", "add", IQN, "lv");
            assertEquals(16L << 20, capacity(url + "/" + IQN + "/0"));

            try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "rw")) {
                f.setLength(40 << 20);
            }
            assertEquals(0, Tool.run("losetup", "-c", loop).exitCode());
            CliRun reread = admin(socket, "backstore", "resize", "lv");
            assertEquals(0, reread.exitCode(), reread::toString);
            assertEquals("ferry: backstore lv has " + (40 << 20) + " bytes\n", reread.out());
            assertEquals(40L << 20, capacity(url + "/" + IQN + "/0"));

            CliRun sized = admin(socket, "backstore", "resize", "lv", "64M");
            assertEquals(3, sized.exitCode(), sized::toString);
            assertTrue(sized.err().contains("exports its whole device"), sized::toString);
        } finally {
            Tool.run("losetup", "-d", loop);
        }
    }

    /** READ CAPACITY(16) by libiscsi, in bytes. */
    private static long capacity(String lunUrl) throws Exception {
        Tool t = Tool.run("iscsi-readcapacity16", "-s", lunUrl);
        assertEquals(0, t.exitCode(), t.output());
        return Long.parseLong(t.output().trim());
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
