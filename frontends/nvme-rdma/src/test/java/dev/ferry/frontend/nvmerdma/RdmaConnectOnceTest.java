package dev.ferry.frontend.nvmerdma;

import static dev.ferry.frontend.nvmerdma.RdmaHarness.connect;
import static dev.ferry.frontend.nvmerdma.RdmaHarness.connectData;
import static dev.ferry.frontend.nvmerdma.RdmaHarness.keyed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.frontend.nvme.spec.Status;
import dev.ferry.frontend.nvmerdma.FakeRdmaConnection.Op;
import dev.ferry.frontend.nvmerdma.FakeRdmaConnection.Posted;
import dev.ferry.frontend.nvmerdma.RdmaHarness.Cqe16;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Connect race over RDMA: a second Connect capsule while the first one's data is still being fetched by RDMA
 * READ gets Command Sequence Error and no READ, so one queue pair never makes two controllers.
 */
class RdmaConnectOnceTest {
    private RdmaHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new RdmaHarness();
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    private static ByteBuffer connectWithCid(int cid) {
        ByteBuffer b = connect(0, 31);
        b.putShort(2, (short) cid);
        return keyed(b, 0x1000L * cid, 1024, 0x70 + cid, false);
    }

    @Test
    void aSecondConnectWhileTheFirstIsReadingItsDataIsRefused() throws Exception {
        RdmaHarness.Qp q = h.new Qp();
        q.connectRequest(0, 32, 31);
        q.established();
        q.capsule(connectWithCid(1), null);
        Posted firstRead = q.fake.nextSend();
        assertEquals(Op.READ, firstRead.op());

        q.capsule(connectWithCid(2), null);
        Cqe16 refused = q.response();
        assertEquals(2, refused.cid());
        assertEquals(Status.COMMAND_SEQUENCE_ERROR, refused.status(), "no second RDMA READ, no second controller");

        q.hostReads(firstRead, connectData(0xFFFF));
        Cqe16 accepted = q.response();
        assertEquals(1, accepted.cid());
        assertEquals(Status.SUCCESS, accepted.status());
        assertEquals(1, h.target.controllers().size());

        q.qp.disconnected();
        q.flushAll();
        assertEquals(RdmaQueueState.CLOSED, q.state());
        assertTrue(h.target.controllers().isEmpty(), "the controller went with its queue pair");
        assertEquals(0, q.fake.leakedBuffers());
    }
}
