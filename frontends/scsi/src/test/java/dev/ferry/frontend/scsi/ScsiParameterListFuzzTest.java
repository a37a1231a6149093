package dev.ferry.frontend.scsi;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.testing.fuzz.NettyLeaks;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every command that takes a parameter list (Data-Out parsed as structure, not stored as blocks) gets a defined
 * answer for any list: MODE SELECT(6)/(10), UNMAP, each PERSISTENT RESERVE OUT service action, WRITE SAME(10)/(16),
 * COMPARE AND WRITE. The CDB's parameter list length field is set to the list's length, so the parsers (not the
 * length checks before them) see the bytes. Input: records of [command choice][CDB bytes 1-15][list length, 2
 * bytes big-endian][list]; a record's commands run on one target, so a PR OUT REGISTER can precede a RESERVE.
 */
class ScsiParameterListFuzzTest {
    /** Opcode and where its parameter list length (or transfer length, in blocks) sits: offset, size. */
    private record ListCommand(int opcode, int lengthOffset, int lengthSize, boolean inBlocks) {
    }

    private static final ListCommand[] COMMANDS = {
        new ListCommand(0x15, 4, 1, false),  // MODE SELECT(6): SPC-4 6.13
        new ListCommand(0x55, 7, 2, false),  // MODE SELECT(10): SPC-4 6.14
        new ListCommand(0x42, 7, 2, false),  // UNMAP: SBC-3 5.28
        new ListCommand(0x5F, 5, 4, false),  // PERSISTENT RESERVE OUT: SPC-4 6.17
        new ListCommand(0x41, 0, 0, false),  // WRITE SAME(10): SBC-3 5.41, one block of data
        new ListCommand(0x93, 0, 0, false),  // WRITE SAME(16): SBC-3 5.42
        new ListCommand(0x89, 13, 1, true),  // COMPARE AND WRITE: SBC-3 5.2, 2 x NUMBER OF LOGICAL BLOCKS
    };
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
    void anyParameterListGetsADefinedAnswer(byte[] input) {
        harness.newTarget(null);
        int at = 0;
        while (at + 18 <= input.length) {
            ListCommand c = COMMANDS[(input[at] & 0xff) % COMMANDS.length];
            byte[] cdb = new byte[16];
            cdb[0] = (byte) c.opcode;
            System.arraycopy(input, at + 1, cdb, 1, 15);
            int length = Math.min((input[at + 16] & 0xff) << 8 | (input[at + 17] & 0xff), input.length - at - 18);
            byte[] list = Arrays.copyOfRange(input, at + 18, at + 18 + length);
            at += 18 + length;
            if (c.inBlocks) {
                cdb[c.lengthOffset] = (byte) (length / (2 * 512));
            } else {
                for (int i = 0; i < c.lengthSize; i++) {
                    cdb[c.lengthOffset + i] = (byte) (length >>> 8 * (c.lengthSize - 1 - i));
                }
            }
            ScsiFuzzing.runAndCheck(harness, (input[at - length - 18] & 0x80) != 0 ? TargetHarness.B : TargetHarness.A,
                    Luns.encode(0), cdb, length, list);
        }
    }
}
