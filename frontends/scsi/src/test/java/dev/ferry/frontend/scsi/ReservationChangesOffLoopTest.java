package dev.ferry.frontend.scsi;

import static dev.ferry.frontend.scsi.PersistentReservationsTest.K1;
import static dev.ferry.frontend.scsi.TargetHarness.A;
import static dev.ferry.frontend.scsi.TargetHarness.B;
import static dev.ferry.frontend.scsi.TargetHarness.read10;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.unit.reservation.ReservationState;
import dev.ferry.core.unit.reservation.SharedReservationStore;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A PERSISTENT RESERVE OUT whose commit waits for storage (here a shared store that holds every commit until the
 * test releases it, as a slow Ceph cluster would for up to rados_osd_op_timeout) must not hold the event loop: the
 * loop's other commands complete meanwhile, and the change is answered on the loop once committed.
 */
class ReservationChangesOffLoopTest {
    private final TargetHarness h = new TargetHarness(TargetHarness.disk("d0", 2048));
    private final PrCommands pr = new PrCommands(h);
    private final HeldStore store = new HeldStore();

    @AfterEach
    void close() throws Exception {
        store.release.countDown();
        h.close();
    }

    @Test
    void aLoopServesOtherCommandsWhileAChangeWaitsForItsStore() throws Exception {
        h.units.get(0).reservations().share(store);
        TargetHarness.TestTask register = prout(A, PrOutCommand.REGISTER, 0, K1);
        h.target.execute(register, h.queue); // on the "loop" (this thread)
        assertTrue(store.entered.await(10, TimeUnit.SECONDS), "the change reached its store");

        h.run(B, 0, read10(0, 1), 512, null).assertGood();
        assertEquals(new PrCommands.Keys(0, List.of()), pr.readKeys(B), "PR IN reads the committed state");
        assertTrue(store.holding, "the READ and PR IN completed while the commit was still held");
        assertNull(register.response, "no answer before the change is committed");

        store.release.countDown();
        h.await(register).assertGood();
        assertEquals(new PrCommands.Keys(1, List.of(K1)), pr.readKeys(B));
    }

    @Test
    void aFullBacklogAnswersBusyAndChangesNothing() throws Exception {
        h.units.get(0).reservations().share(store);
        List<TargetHarness.TestTask> waiting = new ArrayList<>();
        TargetHarness.TestTask first = prout(A, PrOutCommand.REGISTER, 0, K1);
        h.target.execute(first, h.queue);
        waiting.add(first);
        assertTrue(store.entered.await(10, TimeUnit.SECONDS));
        // Unregistering an unregistered nexus changes nothing, but waits for the unit's monitor all the same.
        TargetHarness.TestTask busy = null;
        for (int i = 0; i < 10_000 && busy == null; i++) {
            TargetHarness.TestTask t = prout(B, PrOutCommand.REGISTER, 0, 0);
            h.target.execute(t, h.queue);
            if (t.response != null) {
                busy = t;
            } else {
                waiting.add(t);
            }
        }
        assertTrue(busy != null, "the backlog is bounded");
        assertEquals(ScsiResponse.BUSY, h.await(busy).status());

        store.release.countDown();
        for (TargetHarness.TestTask t : waiting) {
            h.await(t).assertGood();
        }
        assertEquals(new PrCommands.Keys(1, List.of(K1)), pr.readKeys(B));
    }

    @Test
    void aUnitWhoseStoreIsSlowHoldsOneWorkerNotTheOtherUnits() throws Exception {
        try (TargetHarness two = new TargetHarness(TargetHarness.disk("d0", 2048), TargetHarness.disk("d1", 2048))) {
            two.units.get(0).reservations().share(store);
            HeldStore fast = new HeldStore();
            fast.release.countDown();
            two.units.get(1).reservations().share(fast);
            List<TargetHarness.TestTask> waiting = new ArrayList<>();
            for (int i = 0; i < 16; i++) { // more than the workers: the first holds the unit's monitor, the rest queue
                TargetHarness.TestTask t = prout(A, 0, PrOutCommand.REGISTER, 0, i == 0 ? K1 : 0);
                two.target.execute(t, two.queue);
                waiting.add(t);
            }
            assertTrue(store.entered.await(10, TimeUnit.SECONDS));

            two.run(prout(B, 1, PrOutCommand.REGISTER, 0, K1)).assertGood();
            assertTrue(store.holding, "the other unit's change committed while the first unit's was held");

            store.release.countDown();
            for (TargetHarness.TestTask t : waiting) {
                two.await(t);
            }
        }
    }

    private static TargetHarness.TestTask prout(ItNexus n, int serviceAction, long rk, long sark) {
        return prout(n, 0, serviceAction, rk, sark);
    }

    private static TargetHarness.TestTask prout(ItNexus n, long lun, int serviceAction, long rk, long sark) {
        byte[] list = PrCommands.basicList(rk, sark, 0);
        return new TargetHarness.TestTask(Luns.encode(lun), PrCommands.proutCdb(serviceAction, 0, list.length),
                list.length, Unpooled.wrappedBuffer(list), n);
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
