package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * libiscsi's ExtendedCopy and ReceiveCopyResults suites against Ferry over iSCSI: every test runs (none skips
 * itself as "not implemented", which it does unless the Third-party Copy VPD page advertises RECEIVE COPY RESULTS
 * and EXTENDED COPY answers) and passes; so do the Inquiry and ReportSupportedOpcodes suites, which read the VPD
 * page list and the opcode report that copy offload extends. The whole conformance run ({@link IscsiTestCuConformanceTest}) includes
 * them too; this one runs just them, in seconds.
 */
class ExtendedCopyConformanceTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Path WORK = Path.of("target", "iscsi-test-cu-copy");

    @Test
    void extendedCopyAndReceiveCopyResultsRunAndPass() throws Exception {
        Files.createDirectories(WORK);
        try (FerryTarget ferry = FerryTarget.start(FerryTarget.ram("xcopy", "64M"))) {
            String url = ferry.lunUrl(0);
            // Inquiry and ReportSupportedOpcodes check the VPD page list and the opcode report copy offload extends
            for (String suite : new String[]{"ExtendedCopy", "ReceiveCopyResults", "Inquiry",
                    "ReportSupportedOpcodes"}) {
                ToolRun run = ToolRun.run(TIMEOUT, WORK, "iscsi-test-cu", "--dataloss", "--initiator-name",
                        IscsiTestCuConformanceTest.INITIATOR, "-t", "ALL." + suite, url);
                CunitSuiteResult r = CunitSuiteResult.parse(suite, run.output(), run.timedOut() ? "timed out" : null);
                System.out.println(r.line());
                assertEquals(null, r.problem(), run.output());
                assertTrue(r.failed().isEmpty(), () -> suite + " failed: " + r.failed() + "\n" + run.output());
                assertTrue(r.skipped().isEmpty(), () -> suite + " skipped: " + r.skipped() + "\n" + run.output());
                assertTrue(r.passed().size() >= 2, () -> suite + " ran: " + r.passed() + "\n" + run.output());
            }
        }
    }
}
