package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.config.BackstoreConfig;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * libiscsi's GetLBAStatus suite (Simple, BeyondEol, UnmapSingle) runs, instead of skipping itself, and passes on a
 * RAM LUN (answered from its chunk map) and on a file LUN (answered with SEEK_DATA/SEEK_HOLE). UnmapSingle needs
 * LBPME and LBPU, so it skips on a unit that cannot deallocate: a skip here is a failure.
 *
 * <p>UnmapSingle asks for the status at LBA i+1 and wants the first descriptor to start at i + (logical blocks per
 * physical block), which only a unit with one logical block per physical block can answer (SBC-3 5.8.2: the first
 * descriptor holds the STARTING LBA). So both LUNs have physical blocks as large as their logical ones: a 4096-byte
 * RAM LUN (16 blocks per chunk) and a 512-byte file LUN.
 */
class GetLbaStatusConformanceTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> TESTS = List.of("Simple", "BeyondEol", "UnmapSingle");

    @TempDir
    Path dir;

    /**
     * Over a real iSCSI session to a file LUN: what GET LBA STATUS reports follows the backing file's holes as
     * WRITE(16) fills them and UNMAP punches them again.
     */
    @Test
    void aFileLunReportsItsHolesOverIscsi() throws Exception {
        try (FerryTarget ferry = FerryTarget.start(FerryTarget.file("file", dir.resolve("disk.img"), "8M"));
             IscsiInitiator initiator = new IscsiInitiator(new InetSocketAddress("127.0.0.1", ferry.port()),
                     FerryTarget.IQN)) {
            long blocks = 8 * 1024 * 2;
            assertEquals(List.of(List.of(0L, blocks, 1L)), status(initiator, 0));
            IscsiInitiator.Result w = initiator.command(0, Cdb.write16(128, 16, false), 16 * 512, new byte[16 * 512]);
            assertEquals(IscsiInitiator.Result.GOOD, w.status());
            assertEquals(List.of(List.of(0L, 128L, 1L), List.of(128L, 16L, 0L), List.of(144L, blocks - 144, 1L)),
                    status(initiator, 0));
            assertEquals(List.of(List.of(130L, 14L, 0L), List.of(144L, blocks - 144, 1L)), status(initiator, 130));

            byte[] unmap = new byte[24];
            ByteBuffer.wrap(unmap).putShort((short) 22).putShort((short) 16).putInt(0).putLong(128).putInt(16);
            byte[] cdb = new byte[10];
            cdb[0] = 0x42;
            cdb[8] = (byte) unmap.length;
            assertEquals(IscsiInitiator.Result.GOOD, initiator.command(0, cdb, unmap.length, unmap).status());
            assertEquals(List.of(List.of(0L, blocks, 1L)), status(initiator, 0));
        }
    }

    /** GET LBA STATUS from {@code lba}: each descriptor as [LBA, blocks, PROVISIONING STATUS]. */
    private static List<List<Long>> status(IscsiInitiator initiator, long lba) throws Exception {
        byte[] cdb = new byte[16];
        ByteBuffer.wrap(cdb).put((byte) 0x9E).put((byte) 0x12).putLong(lba).putInt(1024);
        IscsiInitiator.Result r = initiator.command(0, cdb, 1024, null);
        assertEquals(IscsiInitiator.Result.GOOD, r.status());
        ByteBuffer d = ByteBuffer.wrap(r.data());
        assertEquals(r.data().length - 4, d.getInt(0), "PARAMETER DATA LENGTH");
        List<List<Long>> out = new ArrayList<>();
        for (int at = 8; at + 16 <= r.data().length; at += 16) {
            out.add(List.of(d.getLong(at), d.getInt(at + 8) & 0xFFFFFFFFL, (long) (d.get(at + 12) & 0x0F)));
        }
        return out;
    }

    @Test
    void passesOnRamAndFileLuns() throws Exception {
        try (FerryTarget ferry = FerryTarget.start(FerryTarget.ram("ram", "64M", 4096),
                new BackstoreConfig("file", "file", "64M", dir.resolve("disk.img").toString(), 512, 512, null, null,
                        null, null))) {
            for (int lun = 0; lun < 2; lun++) {
                CunitSuiteResult r = suite(ferry, lun, "GetLBAStatus");
                assertEquals(List.of(), r.skipped(), r.toString());
                assertEquals(TESTS, r.passed().stream().map(t -> t.substring(t.lastIndexOf('.') + 1)).toList(),
                        r.toString());
            }
            // The file LUN deallocates by punching holes: the suites that unmap still pass on it (WriteSame's
            // ZeroBlocks skips itself as on every Ferry LUN: WSNZ=1).
            for (String other : List.of("Unmap", "WriteSame10", "WriteSame16")) {
                suite(ferry, 1, other);
            }
        }
    }

    /** Runs one suite on one LUN and checks it ran to its end with no test failed. */
    private CunitSuiteResult suite(FerryTarget ferry, int lun, String suite) {
        ToolRun run = ToolRun.run(TIMEOUT, dir, "iscsi-test-cu", "--dataloss", "--initiator-name",
                IscsiTestCuConformanceTest.INITIATOR, "-t", "ALL." + suite, ferry.lunUrl(lun));
        CunitSuiteResult r = CunitSuiteResult.parse(suite, run.output(),
                run.timedOut() ? "timed out" : run.exitCode() > 1 ? "exit " + run.exitCode() : null);
        String where = suite + " on LUN " + lun + ":\n" + run.output();
        assertEquals(null, r.problem(), where);
        assertEquals(List.of(), r.failed(), where);
        assertTrue(!r.passed().isEmpty(), where);
        return r;
    }
}
