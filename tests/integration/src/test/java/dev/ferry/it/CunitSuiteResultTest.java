package dev.ferry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** iscsi-test-cu console output (as libiscsi 1.19 prints it) is attributed test by test. */
class CunitSuiteResultTest {
    private static final String OUTPUT = """
                 CUnit - A unit testing framework for C - Version 2.1-3
                 http://cunit.sourceforge.net/


            Suite: Read10
              Test: Simple ...passed
              Test: DpoFua ...    [SKIPPED] READ10 with DPO/FUA is not implemented.
            passed
              Test: BeyondEol ...FAILED
                1. test_read10_beyond_eol.c:54  - ret == 0
              Test: ZeroBlocks ...passed    [SKIPPED] PERSISTENT RESERVE IN is not implemented.

            Run Summary:    Type  Total    Ran Passed Failed Inactive
                          suites      1      1    n/a      0        0
                           tests      4      4      3      1        0
            """;

    @Test
    void passesSkipsAndFailuresAreAttributedToTheirTests() {
        CunitSuiteResult r = CunitSuiteResult.parse("Read10", OUTPUT, null);
        assertEquals(List.of("Simple", "ZeroBlocks"), r.passed());
        assertEquals(List.of("DpoFua"), r.skipped());
        assertEquals(List.of("BeyondEol"), r.failed());
        assertFalse(r.clean());
        assertTrue(r.line().contains("failed: BeyondEol"), r.line());
    }

    @Test
    void aSkipPrintedAfterTheVerdictDoesNotTurnAPassIntoASkip() {
        CunitSuiteResult r = CunitSuiteResult.parse("TestUnitReady",
                "  Test: Simple ...passed    [SKIPPED] PERSISTENT RESERVE IN is not implemented.\n\nRun Summary:\n", null);
        assertEquals(List.of("Simple"), r.passed());
        assertTrue(r.clean());
    }

    @Test
    void failedCommandsTheTestProvokedAreNoVerdict() {
        CunitSuiteResult r = CunitSuiteResult.parse("iSCSIdatasn", """
                  Test: iSCSIDataSnInvalid ...    [FAILED] WRITE10 command failed with status 2 / sense key COMMAND ABORTED
                    [FAILED] WRITE10 command failed with status 2 / sense key COMMAND ABORTED
                passed
                  Test: Other ...passed    [FAILED] PRIN command: failed with sense. UNIT_ATTENTION
                    [FAILED] PRIN command: failed with sense. UNIT_ATTENTION
                Run Summary:
                """, null);
        assertEquals(List.of("iSCSIDataSnInvalid", "Other"), r.passed());
        assertTrue(r.failed().isEmpty());
    }

    @Test
    void aSuiteCutOffMidTestFailsThatTest() {
        String cut = OUTPUT.substring(0, OUTPUT.indexOf("  Test: ZeroBlocks") + 22);
        CunitSuiteResult r = CunitSuiteResult.parse("Read10", cut, "timed out after 90 s");
        assertEquals(List.of("BeyondEol", "ZeroBlocks"), r.failed());
        assertTrue(r.line().contains("[timed out after 90 s]"), r.line());
    }

    @Test
    void onlySkippedIsNotClean() {
        CunitSuiteResult r = CunitSuiteResult.parse("ExtendedCopy",
                "  Test: Simple ...    [SKIPPED] EXTENDEDCOPY is not implemented.\npassed\nRun Summary:\n", null);
        assertEquals(List.of("Simple"), r.skipped());
        assertFalse(r.clean());
        assertTrue(CunitSuiteResult.parse("X", "  Test: Simple ...passed\nRun Summary:\n", null).clean());
    }
}
