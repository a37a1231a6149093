package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.config.BackstoreConfig;
import java.nio.file.Path;
import java.time.Duration;
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

    @Test
    void passesOnRamAndFileLuns() throws Exception {
        try (FerryTarget ferry = FerryTarget.start(FerryTarget.ram("ram", "64M", 4096),
                new BackstoreConfig("file", "file", "64M", dir.resolve("disk.img").toString(), 512, 512, null, null,
                        null, null))) {
            for (int lun = 0; lun < 2; lun++) {
                String url = ferry.lunUrl(lun);
                ToolRun run = ToolRun.run(TIMEOUT, dir, "iscsi-test-cu", "--dataloss", "--initiator-name",
                        IscsiTestCuConformanceTest.INITIATOR, "-t", "ALL.GetLBAStatus", url);
                CunitSuiteResult r = CunitSuiteResult.parse("GetLBAStatus", run.output(),
                        run.timedOut() ? "timed out" : run.exitCode() > 1 ? "exit " + run.exitCode() : null);
                String where = "LUN " + lun + ":\n" + run.output();
                assertEquals(null, r.problem(), where);
                assertEquals(List.of(), r.failed(), where);
                assertEquals(List.of(), r.skipped(), where);
                assertEquals(TESTS, r.passed().stream().map(t -> t.substring(t.lastIndexOf('.') + 1)).toList(),
                        where);
            }
        }
    }
}
