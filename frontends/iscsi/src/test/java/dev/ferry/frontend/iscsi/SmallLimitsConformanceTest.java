package dev.ferry.frontend.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.IscsiTargetConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * libiscsi's iSCSI suites, and the data-moving ones that exercise bursts and R2Ts, against a target with small
 * configured limits (64 KiB bursts, 16 KiB segments, a window of 16 commands, 2 outstanding R2Ts): the limits
 * must not cost conformance. The full suite with the defaults runs in tests/integration.
 */
class SmallLimitsConformanceTest {
    static final String TARGET = "iqn.2026-11.dev.ferry:small-limits";
    static final IscsiTargetConfig SMALL = new IscsiTargetConfig(4, 16, 16384, 65536, 16384, 2, null, null);

    @ParameterizedTest(name = "ALL.{0}")
    @ValueSource(strings = {"iSCSIcmdsn", "iSCSIdatasn", "iSCSIResiduals", "iSCSITMF", "Write10", "Read10",
            "CompareAndWrite"})
    void suitePasses(String suite) throws Exception {
        assumeTrue(onPath("iscsi-test-cu"), "iscsi-test-cu (Debian libiscsi-bin) is not installed");
        FerryConfig config = new FerryConfig(
                List.of(new BackstoreConfig("ram0", "ram", "64M", null, null, null, null, null, 2, null)),
                List.of(new TargetConfig(TARGET, "iscsi", List.of("127.0.0.1:0"), List.of(new LunConfig(0, "ram0")),
                        List.of(), true, null, SMALL)));
        try (TargetCore core = TargetCore.start(config)) {
            InetSocketAddress a = TestTargets.address(core);
            String url = "iscsi://127.0.0.1:" + a.getPort() + "/" + TARGET + "/0";
            Path log = Files.createTempFile("iscsi-test-cu-", ".log");
            Process p = new ProcessBuilder("iscsi-test-cu", "--dataloss",
                    "-i", "iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test",
                    "-I", "iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test-2", "-t", "ALL." + suite, url)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean exited = p.waitFor(120, TimeUnit.SECONDS);
            if (!exited) {
                p.destroyForcibly().waitFor();
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            Files.delete(log);
            assertTrue(exited, "iscsi-test-cu hung:\n" + out);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.matches("(?s).*tests\\s+(\\d+)\\s+\\1\\s+\\1\\s+0\\s+0.*"), "every test ran and passed:\n" + out);
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, tool).canExecute()) {
                return true;
            }
        }
        return false;
    }
}
