package dev.ferry.frontend.nvme;

import static dev.ferry.frontend.nvme.ReservationCommandsTest.command;
import static dev.ferry.frontend.nvme.ReservationCommandsTest.keys;
import static dev.ferry.frontend.nvme.ReservationCommandsTest.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.unit.reservation.ReservationState;
import dev.ferry.core.unit.reservation.SharedReservationStore;
import java.nio.ByteBuffer;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * NVMe reservation changes whose commit waits for storage (a shared store holding each commit until the test
 * releases it, as a slow Ceph cluster would) leave the event loop serving every other queue meanwhile: a new
 * controller connects, reads and a Reservation Report complete, and the change is completed once committed.
 */
class ReservationChangesOffLoopTest {
    static final long KEY = 0x1122334455667788L;

    @Test
    void registerWaitsForItsStoreOffTheLoop() throws Exception {
        HeldStore store = new HeldStore();
        try (ModelHarness h = new ModelHarness(512)) {
            h.units.get("disk0").reservations().share(store);
            ModelHarness.FakeQueue io = IoCommandsTest.io(h);
            io.submit(command(0x0D, 0, 16), keys(0, KEY)); // Reservation Register, returns once the loop is free
            assertTrue(store.entered.await(10, TimeUnit.SECONDS), "the change reached its store");

            // Another host's controller on the same loop: Connect, a read and the report all complete meanwhile.
            ModelHarness.FakeQueue other = ReservationCommandsTest.otherHost(h, (byte) 9);
            assertEquals(0, other.run(IoCommandsTest.rw(0x02, 1, 0, 1), null).status());
            assertEquals(0, report(other, 64, true).data()[5], "REGCTL: the change is not committed yet");
            assertTrue(store.holding, "served while the commit was still held");
            assertNull(io.done.poll(), "no completion before the change is committed");

            store.release.countDown();
            assertEquals(0, io.next().status());
            assertEquals(1, report(other, 64, true).data()[5], "REGCTL after the commit");
        } finally {
            store.release.countDown();
        }
    }

    @Test
    void persistThroughPowerLossCompletesAfterItsQueueClosed() throws Exception {
        HeldStore store = new HeldStore();
        try (ModelHarness h = new ModelHarness(512)) {
            h.units.get("disk0").reservations().share(store);
            ModelHarness.FakeQueue admin = h.admin(0);
            ByteBuffer setPtpl = ModelHarness.sqe(0x09, 1);
            setPtpl.putInt(40, 0x0D).putInt(44, 1); // Set Features, Persist Through Power Loss, PTPL=1
            admin.submit(setPtpl, null);
            assertTrue(store.entered.await(10, TimeUnit.SECONDS));
            admin.connectionClosed();
            assertTrue(store.holding, "the connection closed while the change was held");

            store.release.countDown();
            assertEquals(0, admin.next().status(), "completed once committed, after the close");
            assertEquals(0, h.loop.submit(() -> admin.queue.requestsInUse()).get(), "the request was released");
            assertTrue(h.units.get("disk0").reservations().state().aptpl());
        } finally {
            store.release.countDown();
        }
    }

    /** A shared store in memory whose commits wait until {@link #release} (at most 10 s, a safety net). */
    static final class HeldStore implements SharedReservationStore {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean holding;
        private Versioned stored = new Versioned(ReservationState.EMPTY, 0);

        @Override
        public synchronized Versioned load() {
            return stored;
        }

        @Override
        public OptionalLong commit(long version, ReservationState next) {
            holding = true;
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                holding = false;
            }
            synchronized (this) {
                if (stored.version() != version) {
                    return OptionalLong.empty();
                }
                stored = new Versioned(next, version + 1);
                return OptionalLong.of(version + 1);
            }
        }

        @Override
        public void onChange(Runnable changed) {
        }
    }
}
