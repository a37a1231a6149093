package dev.ferry.frontend.nvme;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.testing.fuzz.NettyLeaks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any I/O commands (arbitrary SQEs: opcode, NSID, SGL, LBA ranges, and host data) on an I/O queue of an enabled
 * controller: see {@link NvmeFuzzing}.
 */
class NvmeIoFuzzTest {
    private static ModelHarness harness;

    @BeforeAll
    static void start() throws Exception {
        harness = NvmeFuzzing.harness();
    }

    @AfterAll
    static void stop() throws Exception {
        harness.close();
        NettyLeaks.collectAndAssertNone();
    }

    @FuzzTest
    void anyIoCommandCompletes(byte[] input) throws Exception {
        ModelHarness.FakeQueue admin = harness.admin(0);
        ModelHarness.FakeQueue io = harness.queue();
        try {
            ModelHarness.Done connected = io.run(ModelHarness.connect(1, 127, 0),
                    ModelHarness.connectData(harness.cntlid(admin), ModelHarness.NQN, ModelHarness.HOST));
            if (connected.status() != 0) {
                throw new AssertionError("I/O queue connect failed: " + Integer.toHexString(connected.status()));
            }
            NvmeFuzzing.runAll(harness, input, false, io);
        } finally {
            NvmeFuzzing.close(harness, io, admin);
        }
    }
}
