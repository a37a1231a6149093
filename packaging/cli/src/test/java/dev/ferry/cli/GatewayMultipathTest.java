package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.backend.rbd.CephCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Linux kernel's native NVMe multipath across two {@code ferry serve} members of one gateway group (one boot of
 * the shared QEMU VM, scenario-gateway-failover.sh): one subsystem, one NGUID, member a's path optimized and b's
 * non-optimized; a write+read+compare loop runs while the test SIGKILLs the owning member {@link #KILLS} times (a,
 * then b, then a again...): I/O goes on through the other, which becomes optimized, and the killed one started again
 * shows non-optimized; no I/O error, no mismatch, and at the end every chunk holds the last round written to it
 * (every acknowledged write reads back). Each failover's I/O pause as the guest saw it is printed (median
 * and worst), not asserted.
 */
class GatewayMultipathTest {
    private static final String NQN = "nqn.2026-11.dev.ferry:gw-multipath";
    /** Owners killed in one run: the "at least 10 kills" for the failover figures. */
    private static final int KILLS = 10;
    private static CephCluster ceph;

    @TempDir
    Path dir;

    @BeforeAll
    static void startCeph() throws Exception {
        ceph = CephCluster.start(true);
    }

    @AfterAll
    static void stopCeph() {
        if (ceph != null) {
            ceph.close();
        }
    }

    @Test
    void nativeMultipathKeepsWritingAcrossAKilledOwner() throws Exception {
        Path vm = Path.of("").toAbsolutePath().resolve("../..").normalize().resolve("../shared/initiator-vm");
        assumeTrue(Files.isExecutable(vm.resolve("run-guest.sh")), "initiator VM not available at " + vm);
        Path scenario = Path.of("src/test/resources/initiator-vm/scenario-gateway-failover.sh").toAbsolutePath();
        CliRun create = CliRun.of("gateway", "create", "rbd/gwmp", "--conf", ceph.conf, "--keyring", ceph.keyring);
        assertEquals(0, create.exitCode(), create::toString);
        ceph.rbd("create", "--size", "16M", "rbd/gwmpdisk");
        int portA = Tool.freePort();
        int portB = Tool.freePort();
        Path configA = config("a", 1, portA);
        Path configB = config("b", 2, portB);
        Path log = Path.of("target", "initvm-gateway-failover.log").toAbsolutePath();
        Files.deleteIfExists(log);
        Path[] configs = {configA, configB}; // by guest port: 4420 is a, 4421 is b
        Daemon[] members = new Daemon[2];
        try {
            members[0] = start(configA, "a0");
            members[1] = start(configB, "b0");
            awaitOwner("gwmp", "gwmpdisk", "a");
            Process guest = new ProcessBuilder(vm.resolve("run-guest.sh").toString(), "--quiet", "--timeout", "1500",
                    "--fwd", "4420:" + portA, "--fwd", "4421:" + portB, "--log", log.toString(),
                    scenario.toString(), NQN, "10.0.2.100", Integer.toString(KILLS))
                    .directory(vm.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .start();
            try {
                for (int k = 1; k <= KILLS; k++) {
                    int owner = (k - 1) % 2; // the scenario's owner port alternates, starting with a's
                    awaitLine(log, "FERRY-GW-READY " + k + " owner=" + (4420 + owner), guest, k == 1 ? 500_000 : 300_000);
                    members[owner].kill();
                    awaitLine(log, "FERRY-GW-FAILED-OVER " + k + " ", guest, 300_000);
                    members[owner] = start(configs[owner], (owner == 0 ? "a" : "b") + k);
                }
                assertTrue(guest.waitFor(300, TimeUnit.SECONDS), "the guest did not finish");
            } finally {
                guest.descendants().forEach(ProcessHandle::destroyForcibly);
                guest.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String console = Files.readString(log, StandardCharsets.ISO_8859_1);
            assertEquals(0, guest.exitValue(), "scenario-gateway-failover.sh failed; console log in " + log);
            assertTrue(console.contains("FERRY-PATH 4421=optimized") && console.contains("FERRY-PATH 4420=non-optimized")
                    && console.contains("FERRY-GW-IO-OK") && console.contains("FERRY-GW-VERIFIED chunks=64"),
                    "a scenario step is missing; console log in " + log);
            java.util.List<Double> pauses = new java.util.ArrayList<>();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("FERRY-GW-FAILED-OVER \\d+ io-pause=([0-9.]+)s")
                    .matcher(console);
            while (m.find()) {
                pauses.add(Double.parseDouble(m.group(1)));
            }
            assertEquals(KILLS, pauses.size(), "one I/O pause per kill; console log in " + log);
            java.util.List<Double> sorted = pauses.stream().sorted().toList();
            System.out.println("gateway failover, Linux native NVMe multipath in the guest, 6 s lease, " + KILLS
                    + " SIGKILLs of the owner: I/O pause median " + sorted.get(KILLS / 2) + " s, worst "
                    + sorted.get(KILLS - 1) + " s " + pauses);
        } finally {
            for (Daemon d : members) {
                if (d != null) {
                    d.close();
                }
            }
        }
    }

    /**
     * The iSCSI side in the guest (scenario-gateway-iscsi.sh, one boot): sg_rtpg through both members' sessions
     * reports the same states (a active/optimized, b active/non-optimized); after a SIGKILL of a, sg_rtpg through b
     * reports a unavailable and b active/optimized and a SCSI WRITE (sg_dd) through b succeeds and reads back; when a
     * is back, both sessions report a active/non-optimized and b active/optimized, and a reads b's data.
     */
    @Test
    void iscsiPathsReportConsistentStatesAcrossAKilledOwner() throws Exception {
        Path vm = Path.of("").toAbsolutePath().resolve("../..").normalize().resolve("../shared/initiator-vm");
        assumeTrue(Files.isExecutable(vm.resolve("run-guest.sh")), "initiator VM not available at " + vm);
        Path scenario = Path.of("src/test/resources/initiator-vm/scenario-gateway-iscsi.sh").toAbsolutePath();
        CliRun create = CliRun.of("gateway", "create", "rbd/gwis", "--conf", ceph.conf, "--keyring", ceph.keyring);
        assertEquals(0, create.exitCode(), create::toString);
        ceph.rbd("create", "--size", "16M", "rbd/gwisdisk");
        int portA = Tool.freePort();
        int portB = Tool.freePort();
        Path configA = iscsiConfig("ia", 1, portA);
        Path configB = iscsiConfig("ib", 2, portB);
        Path log = Path.of("target", "initvm-gateway-iscsi.log").toAbsolutePath();
        Files.deleteIfExists(log);
        Daemon a = start(configA, "ia1");
        Daemon b = null;
        Daemon a2 = null;
        try {
            awaitOwner("gwis", "gwisdisk", "ia");
            b = start(configB, "ib");
            Process guest = new ProcessBuilder(vm.resolve("run-guest.sh").toString(), "--quiet", "--timeout", "700",
                    "--fwd", "3260:" + portA, "--fwd", "3261:" + portB, "--log", log.toString(),
                    scenario.toString(), ISCSI_IQN, "10.0.2.100")
                    .directory(vm.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .start();
            try {
                awaitLine(log, "FERRY-ISCSI-READY", guest, 500_000);
                a.kill();
                awaitLine(log, "FERRY-ISCSI-FAILED-OVER", guest, 300_000);
                a2 = start(configA, "ia2");
                assertTrue(guest.waitFor(300, TimeUnit.SECONDS), "the guest did not finish");
            } finally {
                guest.descendants().forEach(ProcessHandle::destroyForcibly);
                guest.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String console = Files.readString(log, StandardCharsets.ISO_8859_1);
            assertEquals(0, guest.exitValue(), "scenario-gateway-iscsi.sh failed; console log in " + log);
            assertTrue(console.contains("FERRY-RTPG 3261: 1=0x03 2=0x00") && console.contains("FERRY-ISCSI-WRITE-OK")
                    && console.contains("FERRY-RTPG 3260: 1=0x01 2=0x00") && console.contains("FERRY-ISCSI-CONSISTENT"),
                    "a scenario step is missing; console log in " + log);
        } finally {
            for (Daemon d : new Daemon[] {a2, b, a}) {
                if (d != null) {
                    d.close();
                }
            }
        }
    }

    private static final String ISCSI_IQN = "iqn.2026-11.dev.ferry:gw-iscsi";

    private Path iscsiConfig(String member, int accessGroup, int port) throws Exception {
        Path config = dir.resolve(member + ".json");
        Files.writeString(config, """
                {"backstores": [{"name": "disk", "type": "rbd", "path": "%s"}],
                 "targets": [{"name": "%s", "protocol": "iscsi", "portals": ["127.0.0.1:%d"],
                              "luns": [{"id": 0, "backstore": "disk"}], "allowAnyInitiator": true}],
                 "gateway": {"group": "rbd/gwis", "conf": "%s", "keyring": "%s", "member": "%s",
                             "accessGroup": %d, "leaseSeconds": 6}}
                """.formatted(ceph.path("gwisdisk"), ISCSI_IQN, port, ceph.conf, ceph.keyring, member, accessGroup));
        return config;
    }

    private Path config(String member, int accessGroup, int port) throws Exception {
        Path config = dir.resolve(member + ".json");
        Files.writeString(config, """
                {"backstores": [{"name": "disk", "type": "rbd", "path": "%s"}],
                 "targets": [{"name": "%s", "protocol": "nvme", "portals": ["127.0.0.1:%d"],
                              "luns": [{"id": 1, "backstore": "disk"}], "allowAnyInitiator": true}],
                 "gateway": {"group": "rbd/gwmp", "conf": "%s", "keyring": "%s", "member": "%s",
                             "accessGroup": %d, "leaseSeconds": 6}}
                """.formatted(ceph.path("gwmpdisk"), NQN, port, ceph.conf, ceph.keyring, member, accessGroup));
        return config;
    }

    private Daemon start(Path config, String name) throws Exception {
        return Daemon.start(Daemon.fromClassPath(), config, dir.resolve(name + ".sock"), dir.resolve(name + ".log"));
    }

    /** Waits until the group document names {@code member} the image's owner ({@code ferry gateway status}). */
    private static void awaitOwner(String group, String image, String member) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String seen = "";
        while (System.nanoTime() < deadline) {
            CliRun status = CliRun.of("gateway", "status", "rbd/" + group, "--conf", ceph.conf, "--keyring",
                    ceph.keyring, "-o", "json");
            seen = status.out();
            if (status.exitCode() == 0) {
                for (JsonNode m : new ObjectMapper().readTree(seen)) {
                    if (m.get("name").asText().equals(member)
                            && m.get("owns").toString().contains("\"rbd/" + image + "\"")) {
                        return;
                    }
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("member " + member + " does not own the image: " + seen);
    }

    private static void awaitLine(Path log, String marker, Process guest, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(log) && Files.readString(log, StandardCharsets.ISO_8859_1).contains(marker)) {
                return;
            }
            if (!guest.isAlive()) {
                throw new AssertionError("the guest ended before " + marker + "; console log in " + log);
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no " + marker + " within " + timeoutMillis + " ms; console log in " + log);
    }
}
