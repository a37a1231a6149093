package dev.ferry.frontend.nvme;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.testing.fuzz.NettyLeaks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any commands on two new queues, before and after a Connect: Fabrics Connect with any data (queue ID, size,
 * CNTLID, NQNs, KATO), Property Get/Set, and whatever follows (a second Connect, enable, shutdown, I/O on a queue
 * that became an I/O queue): see {@link NvmeFuzzing}.
 */
class NvmeConnectFuzzTest {
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
    void anyFabricsExchangeCompletes(byte[] input) throws Exception {
        ModelHarness.FakeQueue admin = harness.queue();
        ModelHarness.FakeQueue second = harness.queue();
        try {
            // Records may go to a second queue, so an I/O queue Connect can follow an admin one.
            NvmeFuzzing.runAll(harness, input, true, admin, second);
        } finally {
            NvmeFuzzing.close(harness, second, admin);
        }
    }
}
