package dev.ferry.frontend.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.AclConfig;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real proof: Debian's kernel initiator and open-iscsi in the shared QEMU VM against one Ferry with four
 * targets on a loopback port. Two boots: the VM's stock scenario (discovery, login, mkfs, write, logout, login,
 * fsck, verify), and scenario-ferry-auth.sh (CRC32C digests, one-way and mutual CHAP, a wrong secret, ACL
 * refusals), whose outcome is also checked in Ferry's own log. Skipped only where the VM scripts are absent.
 */
class KernelInitiatorTest {
    static final String PLAIN = "iqn.2026-11.dev.ferry:initvm-plain";
    static final String CHAP = "iqn.2026-11.dev.ferry:initvm-chap";
    static final String MUTUAL = "iqn.2026-11.dev.ferry:initvm-mutual";
    static final String DENIED = "iqn.2026-11.dev.ferry:initvm-denied";
    static final String INTRUDER = "iqn.2024-01.org.example:intruder";
    static final String CHAP_USER = "initvm-user";
    static final String CHAP_SECRET = "initiator-secret-1";
    static final String MUTUAL_USER = "ferry-target";
    static final String MUTUAL_SECRET = "target-secret-22";
    static final Duration BOOT = Duration.ofSeconds(300);

    static LogCapture log;
    static TargetCore core;
    static int port;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        InitiatorVm.scripts();
        Path chapFile = Files.writeString(dir.resolve("initvm.chap"), CHAP_SECRET + "\n");
        Path mutualFile = Files.writeString(dir.resolve("target.chap"), MUTUAL_SECRET);
        String guest = InitiatorVm.GUEST_IQN;
        List<String> portal = List.of("127.0.0.1:0");
        FerryConfig config = new FerryConfig(
                List.of(ram("plain", "128M"), ram("chap", "16M"), ram("mutual", "16M"), ram("denied", "16M")),
                List.of(new TargetConfig(PLAIN, "iscsi", portal, List.of(new LunConfig(0, "plain")),
                                List.of(new AclConfig(guest)), false, null),
                        new TargetConfig(CHAP, "iscsi", portal, List.of(new LunConfig(0, "chap")),
                                List.of(new AclConfig(guest, CHAP_USER, chapFile.toString(), null, null, null)),
                                false, null),
                        new TargetConfig(MUTUAL, "iscsi", portal, List.of(new LunConfig(0, "mutual")),
                                List.of(new AclConfig(guest, CHAP_USER, chapFile.toString(), MUTUAL_USER,
                                        mutualFile.toString(), null)), false, null),
                        new TargetConfig(DENIED, "iscsi", portal, List.of(new LunConfig(0, "denied")),
                                List.of(new AclConfig("iqn.2026-11.dev.ferry:someone-else")), false, null)));
        log = new LogCapture();
        core = TargetCore.start(config);
        port = TestTargets.address(core).getPort();
    }

    static BackstoreConfig ram(String name, String size) {
        return new BackstoreConfig(name, "ram", size, null, null, null, null, null, 1, null);
    }

    @AfterAll
    static void stop() {
        if (core != null) {
            core.close();
        }
        if (log != null) {
            log.close();
        }
    }

    @Test
    void stockScenario() throws Exception {
        int logStart = log.text().length();
        Path stock = InitiatorVm.scripts().resolve("scenario-iscsi.sh");
        try (InitiatorVm vm = InitiatorVm.boot(stock, port, List.of("INITVM_ISCSI_IQN=" + PLAIN,
                "INITVM_ISCSI_PORTAL=" + InitiatorVm.GUEST_PORTAL), List.of(), BOOT)) {
            assertEquals(0, vm.await(BOOT.plusSeconds(30)), "scenario-iscsi.sh failed; " + vm.describe());
        }
        String target = log.text().substring(logStart);
        assertTrue(find(target, "iSCSI login: initiator=" + InitiatorVm.GUEST_IQN + " from=127.0.0.1:\\d+ target=-"
                + " type=Discovery tsih=\\d+ auth=None"), "discovery login logged");
        assertTrue(find(target, "iSCSI logout: initiator=" + InitiatorVm.GUEST_IQN + " from=127.0.0.1:\\d+ target="
                + PLAIN + " type=Normal tsih=\\d+"), "logout logged");
    }

    @Test
    void digestsChapAndAcls() throws Exception {
        List<String> env = List.of("FERRY_PORTAL=" + InitiatorVm.GUEST_PORTAL, "FERRY_PLAIN_IQN=" + PLAIN,
                "FERRY_CHAP_IQN=" + CHAP, "FERRY_MUTUAL_IQN=" + MUTUAL, "FERRY_DENIED_IQN=" + DENIED,
                "FERRY_INTRUDER_IQN=" + INTRUDER, "FERRY_CHAP_USER=" + CHAP_USER, "FERRY_CHAP_PASS=" + CHAP_SECRET,
                "FERRY_MUTUAL_USER=" + MUTUAL_USER, "FERRY_MUTUAL_PASS=" + MUTUAL_SECRET);
        int logStart = log.text().length();
        String console;
        try (InitiatorVm vm = InitiatorVm.boot(InitiatorVm.scenario("scenario-ferry-auth.sh"), port, env, List.of(),
                BOOT)) {
            assertEquals(0, vm.await(BOOT.plusSeconds(30)), "scenario-ferry-auth.sh failed; " + vm.describe());
            console = vm.console();
        }
        for (String check : List.of("digests", "chap", "mutual", "acl")) {
            assertTrue(console.contains("FERRY-CHECK " + check + " ok"), check);
        }
        String target = log.text().substring(logStart);
        String guest = "iSCSI login: initiator=" + InitiatorVm.GUEST_IQN + " from=127.0.0.1:\\d+ target=";
        assertTrue(find(target, guest + PLAIN + " type=Normal tsih=\\d+ auth=None HeaderDigest=CRC32C"
                + " DataDigest=CRC32C result=success"), "digests negotiated, as Ferry saw it");
        assertTrue(find(target, guest + CHAP + " type=Normal tsih=\\d+ auth=CHAP/MD5 "), "one-way CHAP with MD5");
        assertTrue(find(target, guest + MUTUAL + " type=Normal tsih=\\d+ auth=CHAP/SHA3-256\\+mutual "), "mutual CHAP");
        String failed = "iSCSI login failed: initiator=%s from=127.0.0.1:\\d+ target=%s type=Normal result=%s";
        assertTrue(find(target, String.format(failed, InitiatorVm.GUEST_IQN, CHAP,
                "02/01 \\(authentication failure\\): CHAP: CHAP_R does not match")), "wrong secret refused");
        assertTrue(find(target, String.format(failed, InitiatorVm.GUEST_IQN, DENIED,
                "02/02 \\(authorization failure\\)")), "ACL without the guest refused");
        assertTrue(find(target, String.format(failed, INTRUDER, PLAIN, "02/02 \\(authorization failure\\)")),
                "initiator outside the ACL refused");
        assertTrue(find(target, "iSCSI login abandoned \\(connection closed by the peer\\): initiator="
                + InitiatorVm.GUEST_IQN + " from=127.0.0.1:\\d+ target=" + MUTUAL + " type=Normal auth=CHAP/SHA3-256\\+mutual"),
                "the initiator refusing our mutual answer");
        assertFalse(target.contains(CHAP_SECRET) || target.contains(MUTUAL_SECRET), "a secret reached the log");
    }

    static boolean find(String text, String regex) {
        return Pattern.compile(regex).matcher(text).find();
    }
}
