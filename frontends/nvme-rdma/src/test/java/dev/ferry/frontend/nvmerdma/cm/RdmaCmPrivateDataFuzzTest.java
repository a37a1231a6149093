package dev.ferry.frontend.nvmerdma.cm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.frontend.nvme.Limits;

/**
 * Any RDMA_CM connect private data is accepted with queue depths inside the limits or rejected with an
 * {@link RdmaCmStatus} that the reject private data carries; never an exception. Accept and reject private data
 * parse back to what was encoded.
 */
class RdmaCmPrivateDataFuzzTest {

    @FuzzTest
    void decidesAnyConnectRequest(byte[] privateData) {
        ConnectRequestCheck.Result r = ConnectRequestCheck.check(privateData);
        if (r.accepted()) {
            QueueDepths d = r.depths();
            assertTrue(d.qid() >= 0 && d.qid() <= Limits.MAX_IO_QUEUES, "qid");
            int max = d.qid() == 0 ? Limits.ADMIN_QUEUE_ENTRIES : Limits.MAX_QUEUE_ENTRIES;
            assertTrue(d.commandSlots() >= 2 && d.commandSlots() <= max, "queue entries");
            assertTrue(d.hostReceives() >= d.commandSlots(), "host receives");
            RdmaCmAcceptPrivateData accept = new RdmaCmAcceptPrivateData(0, d.commandSlots());
            assertEquals(accept, RdmaCmAcceptPrivateData.parse(accept.encode()));
        } else {
            assertNull(r.depths());
            assertTrue(r.rejectStatus() > 0 && r.rejectStatus() <= 0xFFFF);
            RdmaCmRejectPrivateData reject = new RdmaCmRejectPrivateData(0, r.rejectStatus());
            assertEquals(reject, RdmaCmRejectPrivateData.parse(reject.encode()));
        }
    }
}
