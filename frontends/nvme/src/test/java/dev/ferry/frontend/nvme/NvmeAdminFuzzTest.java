package dev.ferry.frontend.nvme;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.testing.fuzz.NettyLeaks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Any admin commands (arbitrary SQEs and host data) on an enabled controller's admin queue: see {@link NvmeFuzzing}. */
class NvmeAdminFuzzTest {
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
    void anyAdminCommandCompletes(byte[] input) throws Exception {
        ModelHarness.FakeQueue admin = harness.admin(0);
        try {
            NvmeFuzzing.runAll(harness, input, true, admin);
        } finally {
            NvmeFuzzing.close(harness, admin);
        }
    }
}
