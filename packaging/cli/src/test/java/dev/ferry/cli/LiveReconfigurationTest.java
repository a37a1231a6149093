package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin commands against a real {@code ferry serve} process over its control socket: changes are live (seen
 * by libiscsi's iscsi-ls and iscsi-inq), refused changes change nothing, and a restart serves the same.
 */
class LiveReconfigurationTest {
    static final String IQN = "iqn.2026-11.dev.ferry:live";
    static final String SECRET = "not-in-any-output-4711";

    @TempDir
    Path dir;

    @Test
    void changesApplyLivePersistAndSurviveARestart() throws Exception {
        Path config = dir.resolve("ferry.json");
        Files.writeString(config, "{\"backstores\": [], \"targets\": [], \"stateDirectory\": \"" + dir.resolve("state") + "\"}");
        Path socket = dir.resolve("ferry.sock");
        String portal = "127.0.0.1:" + Tool.freePort();
        String url = "iscsi://" + portal;
        String metrics = "127.0.0.1:" + Tool.freePort();
        try (Daemon d = Daemon.start(Daemon.fromClassPath(), config, socket, dir.resolve("daemon.log"), "--metrics", metrics)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            ok(socket, "backstore", "create", "ram", "scratch", "--size", "64M");
            // Data in every block: a sparse file's holes are reported deallocated (GET LBA STATUS), and qemu-img
            // then skips them, so the copy below would not read all 32 MiB.
            byte[] data = new byte[32 << 20];
            new java.util.Random(7).nextBytes(data);
            Files.write(dir.resolve("disk0.img"), data);
            ok(socket, "backstore", "create", "file", "disk0", dir.resolve("disk0.img").toString(), "--size", "32M",
                    "--workers", "2", "--queue-depth", "8");
            assertTrue(Files.readString(config).matches("(?s).*\"workers\" : 2,\\s*\"queueDepth\" : 8.*"),
                    "worker and queue depth options are saved");
            ok(socket, "iscsi", "target", "create", IQN, "--portal", portal, "--allow-any-initiator");
            ok(socket, "iscsi", "lun", "add", IQN, "scratch");
            Tool ls = Tool.run("iscsi-ls", "-s", url);
            assertTrue(ls.output().contains("Lun:0") && !ls.output().contains("Lun:1"), ls.output());

            ok(socket, "iscsi", "lun", "add", IQN, "disk0", "--lun", "3");
            ls = Tool.run("iscsi-ls", "-s", url);
            assertTrue(ls.output().contains("Lun:3") && ls.output().contains("(Size:31M)"), ls.output());
            Tool inq = Tool.run("iscsi-inq", url + "/" + IQN + "/3");
            assertEquals(0, inq.exitCode(), inq.output());
            Tool read = Tool.run("qemu-img", "convert", "-O", "raw", url + "/" + IQN + "/3", dir.resolve("copy.raw").toString());
            assertEquals(0, read.exitCode(), read.output());
            String scraped = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://" + metrics + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                    "\nferry_backstore_read_bytes_total\\{backstore=\"disk0\"\\} (\\d+)\n").matcher(scraped);
            assertTrue(m.find() && Long.parseLong(m.group(1)) >= 32 << 20, "the copy read all 32 MiB:\n" + scraped);
            java.util.regex.Matcher bucket = java.util.regex.Pattern.compile(
                    "\nferry_backstore_read_latency_seconds_bucket\\{backstore=\"disk0\",le=\"\\+Inf\"\\} (\\d+)\n")
                    .matcher(scraped);
            java.util.regex.Matcher reads = java.util.regex.Pattern.compile(
                    "\nferry_backstore_reads_total\\{backstore=\"disk0\"\\} (\\d+)\n").matcher(scraped);
            assertTrue(bucket.find() && reads.find() && bucket.group(1).equals(reads.group(1)),
                    "every read in the latency histogram:\n" + scraped);
            CliRun status = admin(socket, "status", "--interval", "0.2");
            assertTrue(status.out().contains("iscsi/tcp listening on " + portal) && status.out().contains("disk0")
                    && status.out().contains("last 0.2 s"), status::toString);
            com.fasterxml.jackson.databind.JsonNode figures = dev.ferry.cli.control.ControlJson.MAPPER.readTree(
                    admin(socket, "status", "-o", "json", "--interval", "0").out())
                    .path("backstores").path("disk0").path("sinceStart").path("read");
            assertTrue(figures.path("iops").asDouble() > 0 && figures.path("bytesPerSecond").asDouble() > 0
                    && figures.path("latencyAvgMicros").asDouble() > 0 && figures.path("latencyP99Micros").asDouble() > 0,
                    figures::toString);

            Path secretFile = dir.resolve("host1.secret");
            Files.writeString(secretFile, SECRET + "\n");
            ok(socket, "iscsi", "acl", "add", IQN, "iqn.2024-01.org.example:host1", "--chap-user", "host1",
                    "--chap-secret-file", secretFile.toString());
            // The same through standard input, as a separate process: the secret is in no argv and no output.
            Tool stdin = Tool.withInput(SECRET + "-2\n", cli(socket, "iscsi", "acl", "add", IQN,
                    "iqn.2024-01.org.example:host2", "--chap-user", "host2", "--chap-secret-file", "-"));
            assertEquals(0, stdin.exitCode(), stdin.output());
            assertFalse(Files.readString(Path.of("/proc/" + d.pid() + "/cmdline")).contains(SECRET));

            String before = Files.readString(config);
            CliRun refused = admin(socket, "iscsi", "lun", "add", IQN, "nosuchdisk");
            assertEquals(3, refused.exitCode(), refused::toString);
            assertTrue(refused.err().contains("targets[0].luns[1].backstore: no backstore named 'nosuchdisk'"), refused::toString);
            CliRun busy = admin(socket, "iscsi", "portal", "add", IQN, "192.0.2.1:3260");
            assertEquals(4, busy.exitCode(), busy::toString);
            assertTrue(busy.err().contains("192.0.2.1:3260"), busy::toString);
            assertEquals(before, Files.readString(config), "a refused change must not touch the file");
            assertTrue(Tool.run("iscsi-ls", "-s", url).output().contains("Lun:3"));
            ok(socket, "iscsi", "acl", "add", IQN, "iqn.2024-01.org.example:masked", "--luns", "3");
            Tool masked = Tool.run("iscsi-ls", "-s", "-i", "iqn.2024-01.org.example:masked", url);
            assertTrue(masked.output().contains("Lun:3") && !masked.output().contains("Lun:0"), masked.output());

            Path empty = dir.resolve("empty.json");
            Files.writeString(empty, "{}");
            CliRun second = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
                    () -> CliRun.of("serve", "--config", empty.toString(), "--control-socket", socket.toString()));
            assertEquals(4, second.exitCode(), second::toString);
            assertTrue(second.err().contains("another ferry daemon is listening on " + socket), second::toString);

            CliRun shown = admin(socket, "config", "show");
            assertEquals(0, shown.exitCode(), shown::toString);
            assertTrue(shown.out().contains(secretFile.toString()), shown::toString);
            assertFalse(shown.out().contains(SECRET) || before.contains(SECRET), shown::toString);
            assertTrue(Files.exists(dir.resolve("ferry.json.bak")));
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir.resolve("secrets").resolve("chap-" + IQN + "-iqn.2024-01.org.example:host2"))));
        }
        assertFalse(Files.exists(socket), "the socket file is removed on a clean stop");
        String saved = Files.readString(config);
        // A daemon that was killed leaves its socket file behind; the next one replaces it.
        try (var stale = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            stale.bind(java.net.UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));

        try (Daemon d = Daemon.start(Daemon.fromClassPath(), config, socket, dir.resolve("daemon2.log"))) {
            Tool ls = Tool.run("iscsi-ls", "-s", url);
            assertTrue(ls.output().contains("Lun:0") && ls.output().contains("Lun:3"), ls.output());
            ok(socket, "iscsi", "lun", "remove", IQN, "0");
            assertEquals(saved, Files.readString(dir.resolve("ferry.json.bak")), "the previous version is kept");
            ok(socket, "backstore", "delete", "scratch");
            Path exported = dir.resolve("exported.json");
            ok(socket, "config", "export", exported.toString());
            assertTrue(CliRun.of("config", "validate", exported.toString()).out().contains("1 backstore(s), 1 target(s)"));
            Files.writeString(exported, Files.readString(exported).replace("\"luns\"", "\"lunz\""));
            CliRun imported = admin(socket, "config", "import", exported.toString());
            assertEquals(3, imported.exitCode(), imported::toString);
            assertTrue(imported.err().contains("unknown field 'lunz'"), imported::toString);
            CliRun listed = admin(socket, "backstore", "list", "-o", "json");
            assertTrue(listed.out().contains("\"name\" : \"disk0\"") && !listed.out().contains("scratch"), listed::toString);
            ls = Tool.run("iscsi-ls", "-s", url);
            assertTrue(!ls.output().contains("Lun:0") && ls.output().contains("Lun:3"), ls.output());
        }
    }

    @Test
    void anUnreachableDaemonExitsWithFiveNamingTheSocket() {
        Path socket = dir.resolve("nobody.sock");
        CliRun r = admin(socket, "backstore", "list");
        assertEquals(5, r.exitCode(), r::toString);
        assertTrue(r.err().contains(socket.toString()), r::toString);
    }

    @Test
    void aGroupWithoutSubcommandIsAUsageError() {
        CliRun r = CliRun.of("iscsi", "lun");
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains("missing subcommand (add, remove)"), r::toString);
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

    private static String[] cli(Path socket, String... args) {
        java.util.List<String> argv = new java.util.ArrayList<>(Daemon.fromClassPath());
        argv.addAll(java.util.List.of(args));
        argv.addAll(java.util.List.of("--control-socket", socket.toString()));
        return argv.toArray(String[]::new);
    }
}
