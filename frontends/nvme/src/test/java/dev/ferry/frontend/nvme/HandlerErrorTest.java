package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.frontend.nvme.spec.Status;
import org.junit.jupiter.api.Test;

/**
 * An Error thrown by a command handler (an OutOfMemoryError above all) ends that command with Internal Error; it
 * does not escape into the event loop, and the queue goes on serving commands.
 */
class HandlerErrorTest {

    @Test
    void anOutOfMemoryErrorInAHandlerCompletesTheCommandWithInternalError() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            NvmeRequest r = admin.receiveOnly(ModelHarness.sqe(0x18, 0));
            r.expectHostData(0, req -> {
                throw new OutOfMemoryError("simulated: a buffer the heap could not give");
            });
            admin.deliver(r, null);
            assertEquals(Status.INTERNAL_ERROR, admin.next().status());
            assertFalse(admin.closed);
            assertEquals(Status.SUCCESS, admin.run(ModelHarness.sqe(0x18, 0), null).status(), "the queue goes on");
        }
    }

    @Test
    void anErrorWhileHandingOverTheResponseClosesTheConnection() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            admin.failNextComplete = new OutOfMemoryError("simulated: no buffer for the response");
            admin.submit(ModelHarness.sqe(0x18, 0), null);
            assertTrue(admin.closed, "the response is lost: the host must not wait for it forever");
        }
    }

    @Test
    void anErrorStillFreesTheCommandsQueueEntry() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            for (int i = 0; i < 40; i++) {
                NvmeRequest r = admin.receiveOnly(ModelHarness.sqe(0x18, 0));
                r.expectHostData(0, req -> {
                    throw new StackOverflowError("simulated");
                });
                admin.deliver(r, null);
                assertEquals(Status.INTERNAL_ERROR, admin.next().status());
            }
            assertFalse(admin.closed, "40 failed commands on a 32-entry queue, one at a time");
        }
    }
}
