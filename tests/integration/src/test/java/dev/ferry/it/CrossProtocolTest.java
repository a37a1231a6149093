package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.TargetCore;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.config.FerryConfig;
import dev.ferry.core.config.LunConfig;
import dev.ferry.core.config.TargetConfig;
import dev.ferry.frontend.nvmetcp.testing.NvmeTcpTestHost;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One Ferry serving a RAM and a file backstore both as iSCSI LUNs and as NVMe namespaces at once: what qemu-img
 * (libiscsi) writes over iSCSI reads back unchanged over NVMe/TCP with {@link NvmeTcpTestHost}, and the other way
 * round; and the namespace's EUI-64/NGUID are the LUN's VPD 0x83 EUI-64 designators.
 */
class CrossProtocolTest {
    private static final String IQN = "iqn.2026-11.dev.ferry:cross";
    private static final String NQN = "nqn.2026-11.dev.ferry:cross";
    private static final int SIZE = 16 << 20;
    private static final int BLOCK = 512;
    /** 128 KiB per NVMe command: several R2T/H2CData and C2HData PDUs each. */
    private static final int CHUNK = 128 << 10;
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    /** Namespace Identification Descriptor types (Base 2.0 Figure 276). */
    private static final int NIDT_EUI64 = 1;
    private static final int NIDT_NGUID = 2;

    @TempDir
    static Path dir;
    private static TargetCore core;
    private static int iscsiPort;
    private static InetSocketAddress nvme;

    @BeforeAll
    static void start() throws Exception {
        List<BackstoreConfig> backstores = List.of(
                new BackstoreConfig("cross-ram", "ram", "16M", null, null, null, null, null, null, null),
                new BackstoreConfig("cross-file", "file", "16M", dir.resolve("cross.img").toString(), null, null,
                        null, null, null, null));
        // LUN n and namespace n + 1 are the same backstore.
        TargetConfig iscsi = new TargetConfig(IQN, TargetConfig.ISCSI, List.of("127.0.0.1:0"),
                List.of(new LunConfig(0, "cross-ram"), new LunConfig(1, "cross-file")), List.of(), true, null);
        TargetConfig subsystem = new TargetConfig(NQN, TargetConfig.NVME, List.of("127.0.0.1:0"),
                List.of(new LunConfig(1, "cross-ram"), new LunConfig(2, "cross-file")), List.of(), true, null);
        core = TargetCore.start(new FerryConfig(backstores, List.of(iscsi, subsystem)));
        iscsiPort = core.frontend(TargetConfig.ISCSI).boundAddresses().get(0).getPort();
        nvme = core.frontend(TargetConfig.NVME).boundAddresses().get(0);
    }

    @AfterAll
    static void stop() {
        if (core != null) {
            core.close();
        }
    }

    @Test
    void ramWrittenOverIscsiReadsBackOverNvmeAndTheOtherWayRound() throws IOException {
        iscsiToNvmeAndBack(0);
    }

    @Test
    void fileWrittenOverIscsiReadsBackOverNvmeAndTheOtherWayRound() throws IOException {
        iscsiToNvmeAndBack(1);
    }

    @Test
    void namespaceIdentifiersAreTheLunDesignators() throws IOException {
        for (int lun = 0; lun <= 1; lun++) {
            byte[] descriptors;
            try (NvmeTcpTestHost admin = new NvmeTcpTestHost(nvme)) {
                admin.connectAdmin(NQN, 0);
                descriptors = admin.identify(NvmeTcpTestHost.CNS_NS_DESCRIPTORS, lun + 1);
            }
            byte[] eui64 = descriptor(descriptors, NIDT_EUI64);
            byte[] nguid = descriptor(descriptors, NIDT_NGUID);
            List<String> designators = eui64Designators(lun);
            // SPC does not order designators: compare as sets, with the count checked by the list sizes
            assertEquals(2, designators.size(), "LUN " + lun + " EUI-64 designators: " + designators);
            assertEquals(Set.of(cString(eui64), cString(nguid)), Set.copyOf(designators),
                    "VPD 0x83 EUI-64 designators (8 and 16 bytes) of LUN " + lun + " vs namespace " + (lun + 1)
                            + " EUI-64 " + hex(eui64) + " NGUID " + hex(nguid));
        }
    }

    private void iscsiToNvmeAndBack(int lun) throws IOException {
        long nsid = lun + 1;
        byte[] overIscsi = random(SIZE, 100 + lun);
        Path image = dir.resolve("in" + lun + ".raw");
        Files.write(image, overIscsi);
        ToolRun.run(TIMEOUT, "qemu-img", "convert", "-O", "raw", image.toString(), lunUrl(lun)).assertOk();

        byte[] overNvme = random(SIZE, 200 + lun);
        try (NvmeTcpTestHost admin = new NvmeTcpTestHost(nvme); NvmeTcpTestHost io = new NvmeTcpTestHost(nvme)) {
            int cntlid = admin.connectAdmin(NQN, 0);
            io.connectIo(NQN, cntlid, 1, 31);
            assertArrayEquals(overIscsi, readAll(io, nsid), "NVMe/TCP read of what iSCSI wrote, LUN " + lun);
            for (int at = 0; at < SIZE; at += CHUNK) {
                io.write(nsid, at / BLOCK, Arrays.copyOfRange(overNvme, at, at + CHUNK), BLOCK);
            }
        }
        Path back = dir.resolve("out" + lun + ".raw");
        ToolRun.run(TIMEOUT, "qemu-img", "convert", "-O", "raw", lunUrl(lun), back.toString()).assertOk();
        assertEquals(-1, Arrays.mismatch(overNvme, Files.readAllBytes(back)),
                "iSCSI read of what NVMe/TCP wrote, LUN " + lun);
    }

    private static byte[] readAll(NvmeTcpTestHost io, long nsid) throws IOException {
        byte[] all = new byte[SIZE];
        for (int at = 0; at < SIZE; at += CHUNK) {
            System.arraycopy(io.read(nsid, at / BLOCK, CHUNK / BLOCK, BLOCK), 0, all, at, CHUNK);
        }
        return all;
    }

    /** The value of the first descriptor of this type: NIDT, NIDL, 2 reserved bytes, then NIDL bytes. */
    private static byte[] descriptor(byte[] list, int type) {
        for (int at = 0; at + 4 <= list.length && list[at] != 0; at += 4 + (list[at + 1] & 0xFF)) {
            if (list[at] == type) {
                return Arrays.copyOfRange(list, at + 4, at + 4 + (list[at + 1] & 0xFF));
            }
        }
        throw new AssertionError("no namespace identification descriptor of type " + type);
    }

    /**
     * The logical-unit EUI-64 designators as iscsi-inq prints them. It prints a binary designator with %s, so the
     * output holds its bytes up to the first NUL; {@link #cString} cuts the NVMe ids the same way.
     */
    private static List<String> eui64Designators(int lun) {
        // popt reads -c as a decimal integer: 131 is page 83h.
        String out = ToolRun.run(TIMEOUT, "iscsi-inq", "-e", "1", "-c", "131", lunUrl(lun)).assertOk().output();
        String[] records = out.split("DEVICE DESIGNATOR #");
        List<String> found = new ArrayList<>();
        for (String r : records) {
            if (r.contains("Association:(0) LOGICAL_UNIT") && r.contains("Designator Type:(2) EUI_64")) {
                int from = r.indexOf("Designator:[") + "Designator:[".length();
                found.add(r.substring(from, r.lastIndexOf(']')));
            }
        }
        return found;
    }

    private static String cString(byte[] id) {
        int end = 0;
        while (end < id.length && id[end] != 0) {
            end++;
        }
        // the whole id must be compared: the backstore names above give ids without a zero byte
        assertEquals(id.length, end, "identifier " + hex(id) + " has a zero byte; rename the backstore");
        return new String(id, 0, end, StandardCharsets.ISO_8859_1);
    }

    private static String lunUrl(int lun) {
        return "iscsi://127.0.0.1:" + iscsiPort + "/" + IQN + "/" + lun;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
