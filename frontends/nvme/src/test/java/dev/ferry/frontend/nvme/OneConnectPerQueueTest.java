package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.frontend.nvme.spec.Status;
import org.junit.jupiter.api.Test;

/**
 * A queue takes exactly one Connect (Base 2.0 6.3): a second one, even while the first still waits for its data,
 * is a Command Sequence Error and creates nothing, so no controller is left without a queue to delete it.
 */
class OneConnectPerQueueTest {
    static final byte[] DATA = ModelHarness.connectData(0xFFFF, ModelHarness.NQN, ModelHarness.HOST);

    @Test
    void aSecondConnectWhileTheFirstWaitsForItsDataIsRefused() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue q = h.queue();
            NvmeRequest first = q.receiveOnly(ModelHarness.connect(0, 31, 0));
            assertFalse(first.isCompleted(), "waits for its 1024 bytes of Connect data");
            NvmeRequest second = q.receiveOnly(ModelHarness.connect(0, 31, 0));
            assertEquals(Status.COMMAND_SEQUENCE_ERROR, q.next().status());
            assertTrue(second.isCompleted());

            q.deliver(first, DATA);
            assertEquals(Status.SUCCESS, q.next().status());
            assertEquals(1, h.target.controllers().size());

            q.connectionClosed();
            assertTrue(h.target.controllers().isEmpty(), "the controller went with its admin queue");
        }
    }

    @Test
    void bothDataArrivingInEitherOrderStillMakeOneController() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue q = h.queue();
            NvmeRequest first = q.receiveOnly(ModelHarness.connect(0, 31, 0));
            NvmeRequest second = q.receiveOnly(ModelHarness.connect(0, 31, 0));
            if (!second.isCompleted()) {
                q.deliver(second, DATA); // the old model took both and bound the queue to the later controller
            }
            q.deliver(first, DATA);
            assertEquals(1, h.target.controllers().size());
            q.connectionClosed();
            assertTrue(h.target.controllers().isEmpty(), "no orphan controller with KATO 0 stays forever");
        }
    }

    @Test
    void aConnectWhoseConnectionClosedBeforeItsDataCreatesNothing() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue q = h.queue();
            NvmeRequest connect = q.receiveOnly(ModelHarness.connect(0, 31, 0));
            q.connectionClosed();
            q.deliver(connect, DATA);
            assertTrue(h.target.controllers().isEmpty());
        }
    }

    @Test
    void aFailedConnectStillUsesTheQueuesOnlyConnect() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue q = h.queue();
            assertEquals(Status.CONNECT_INVALID_HOST, q.run(ModelHarness.connect(0, 31, 0),
                    ModelHarness.connectData(0xFFFF, ModelHarness.NQN, "nqn.2014-08.org.example:stranger")).status());
            assertEquals(Status.COMMAND_SEQUENCE_ERROR, q.run(ModelHarness.connect(0, 31, 0), DATA).status());
            assertTrue(h.target.controllers().isEmpty());
        }
    }
}
