package dev.ferry.frontend.scsi;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.testing.fuzz.NettyLeaks;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any sequence of commands (arbitrary CDB, LUN, nexus, expected length and Data-Out) ends each with a defined status
 * and, for CHECK CONDITION, a sense key other than INTERNAL TARGET FAILURE; exactly one completion, no leaked
 * buffer, no hang. Input: records of [flags: bit 0 nexus B, bits 1-2 LUN 0/1/7/REPORT LUNS W-LUN]
 * [CDB length - 6 (mod 11)][CDB][expected length, 2 bytes big-endian][Data-Out: bit 3 of flags, then
 * expected-length bytes, zero-padded].
 */
class ScsiCommandFuzzTest {
    /** SAM LUN fields: LUN 0, LUN 1 (the plain disk), LUN 7 (none), the REPORT LUNS well-known LUN. */
    private static final long[] LUNS = {Luns.encode(0), Luns.encode(1), Luns.encode(7),
            (long) Luns.REPORT_LUNS_WLUN_ADDRESS << 48};
    private static TargetHarness harness;

    @BeforeAll
    static void start() {
        harness = ScsiFuzzing.harness();
    }

    @AfterAll
    static void stop() throws Exception {
        harness.close();
        NettyLeaks.collectAndAssertNone();
    }

    @FuzzTest
    void anyCommandGetsADefinedAnswer(byte[] input) {
        harness.newTarget(null);
        int at = 0;
        while (at + 2 <= input.length) {
            int flags = input[at] & 0xff;
            int cdbLength = 6 + (input[at + 1] & 0xff) % 11;
            at += 2;
            byte[] cdb = Arrays.copyOfRange(input, at, at + cdbLength); // zero-padded past the end
            at += cdbLength;
            int expected = at + 2 <= input.length ? (input[at] & 0xff) << 8 | (input[at + 1] & 0xff) : 0;
            at += 2;
            byte[] dataOut = null;
            if ((flags & 8) != 0) {
                dataOut = Arrays.copyOfRange(input, Math.min(at, input.length), Math.min(at, input.length) + expected);
                at += expected;
            }
            ScsiFuzzing.runAndCheck(harness, (flags & 1) != 0 ? TargetHarness.B : TargetHarness.A,
                    LUNS[(flags >>> 1) & 3], cdb, expected, dataOut);
        }
    }
}
