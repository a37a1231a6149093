package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.frontend.nvme.spec.Status;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A queue holds at most SQSIZE + 1 outstanding commands (the size its Connect asked for, Base 2.0 6.3): a host
 * that ignores SQ flow control loses its connection instead of making the target buffer without end.
 */
class QueueDepthTest {

    @Test
    void oneCommandBeyondTheAdminQueueSizeClosesTheConnection() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0); // SQSIZE 31: 32 entries
            List<NvmeRequest> pending = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                pending.add(admin.receiveOnly(ModelHarness.sqe(0x18, 0)));
            }
            assertTrue(admin.done.isEmpty(), "32 Keep Alives outstanding, none run yet");
            assertFalse(admin.closed);

            admin.receiveOnly(ModelHarness.sqe(0x18, 0));
            assertEquals(Status.COMMAND_SEQUENCE_ERROR, admin.next().status());
            assertTrue(admin.closed, "the 33rd outstanding command ends the connection");
            for (NvmeRequest r : pending) {
                admin.deliver(r, null);
            }
        }
    }

    @Test
    void theAdminQueueIsNoLargerThanTheAsqszDiscoveryAdvertises() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            byte[] data = ModelHarness.connectData(0xFFFF, ModelHarness.NQN, ModelHarness.HOST);
            ModelHarness.Done big = h.queue().run(ModelHarness.connect(0, Limits.ADMIN_QUEUE_ENTRIES, 0), data);
            assertEquals(Status.CONNECT_INVALID_PARAMETERS, big.status());
            assertEquals(44, big.result(), "IPO SQSIZE");
            assertTrue(h.target.controllers().isEmpty());
            assertEquals(Status.SUCCESS, h.queue().run(ModelHarness.connect(0, Limits.ADMIN_QUEUE_ENTRIES - 1, 0),
                    data).status());
        }
    }

    @Test
    void completedCommandsFreeTheirEntries() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            for (int round = 0; round < 3; round++) {
                List<NvmeRequest> pending = new ArrayList<>();
                for (int i = 0; i < 32; i++) {
                    pending.add(admin.receiveOnly(ModelHarness.sqe(0x18, 0)));
                }
                for (NvmeRequest r : pending) {
                    admin.deliver(r, null);
                    assertEquals(Status.SUCCESS, admin.next().status());
                }
            }
            assertFalse(admin.closed);
        }
    }

    @Test
    void heldAsyncEventRequestsCountAsOutstanding() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            for (int i = 0; i < Limits.ASYNC_EVENT_LIMIT; i++) {
                admin.submit(ModelHarness.sqe(0x0C, 0), null);
            }
            for (int i = 0; i < 32 - Limits.ASYNC_EVENT_LIMIT; i++) {
                admin.receiveOnly(ModelHarness.sqe(0x18, 0));
            }
            assertFalse(admin.closed);
            admin.receiveOnly(ModelHarness.sqe(0x18, 0));
            assertTrue(admin.closed);
        }
    }
}
