package dev.ferry.frontend.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.unit.Export;
import dev.ferry.core.unit.LogicalUnit;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the model does for every command without allocating or sharing: requests come from the queue's own bounded
 * pool (owned by its loop) and are reused, the namespace is found by a primitive NSID, and each queue keeps its own
 * keep-alive timestamp, the latest of which the controller's timer reads.
 */
class SteadyPathTest {

    @Test
    void requestsComeFromTheQueuesBoundedPoolAndAreReused() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0); // SQSIZE 31: 32 entries
            h.loop.submit(() -> {
                List<NvmeRequest> taken = new ArrayList<>();
                NvmeRequest r;
                while ((r = admin.queue.request()) != null) {
                    taken.add(r);
                    assertTrue(taken.size() <= 33, "more requests than the entries and the one refused");
                }
                assertEquals(33, taken.size(), "the entries, plus one for the command that breaks the bound");
                assertEquals(33, admin.queue.requestsInUse());
                NvmeRequest last = taken.get(32);
                last.release();
                last.release(); // a second owner dropping it changes nothing
                assertEquals(32, admin.queue.requestsInUse());
                assertSame(last, admin.queue.request(), "a released request is the next one handed out");
                assertNull(admin.queue.request());
                taken.forEach(NvmeRequest::release);
                assertEquals(0, admin.queue.requestsInUse());
            }).get();
            assertEquals(0, admin.run(ModelHarness.sqe(0x18, 0), null).status(), "the queue goes on");
        }
    }

    @Test
    void asyncEventRequestsDroppedByADeletionOnAnotherThreadReturnToThePoolOnTheLoop() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(0);
            for (int i = 0; i < Limits.ASYNC_EVENT_LIMIT; i++) {
                admin.submit(ModelHarness.sqe(0x0C, 0), null);
            }
            assertEquals(Limits.ASYNC_EVENT_LIMIT, (int) h.loop.submit(admin.queue::requestsInUse).get());
            Controller c = admin.queue.controller();
            c.delete("deleted by the test thread, as by the keep-alive timer");
            // The pool belongs to the loop: the drop is a task there, which runs before this check.
            assertEquals(0, (int) h.loop.submit(admin.queue::requestsInUse).get());
            assertTrue(admin.done.isEmpty(), "dropped, never completed");
        }
    }

    @Test
    void aNamespaceIsFoundWithoutAllocatingWhateverItsNsid() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            TreeMap<Long, LogicalUnit> ns = new TreeMap<>();
            ns.put(200L, h.units.get("disk0")); // above the Long cache (-128..127): boxing would allocate
            h.registry.replace(h.units, List.of(new Export(ModelHarness.NQN, "nvme", null, h.portals, ns,
                    Set.of(ModelHarness.HOST), false)));
            h.target.exportsChanged();
            Controller c = h.admin(0).queue.controller();
            assertNotNull(c.namespace(200));
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long found = 0;
            for (int i = 0; i < 20_000; i++) { // warm-up, so that the lookup is compiled
                found += c.namespace(200) != null ? 1 : 0;
            }
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 100_000; i++) {
                found += c.namespace(200) != null ? 1 : 0;
            }
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            assertEquals(120_000, found);
            assertTrue(allocated < 100_000, allocated + " bytes for 100,000 lookups");
        }
    }

    @Test
    void trafficOnAnyQueueRestartsTheKeepAliveTimerAndOutlivesItsQueue() throws Exception {
        try (ModelHarness h = new ModelHarness(512)) {
            ModelHarness.FakeQueue admin = h.admin(1000);
            Controller c = admin.queue.controller();
            ModelHarness.FakeQueue io = h.queue();
            assertEquals(0, io.run(ModelHarness.connect(1, 31, 0),
                    ModelHarness.connectData(c.cntlid(), ModelHarness.NQN, ModelHarness.HOST)).status());
            io.run(ModelHarness.sqe(0x00, 1), null); // a Flush on the I/O queue only
            long adminLast = admin.queue.lastCommandNanos();
            long ioLast = io.queue.lastCommandNanos();
            assertTrue(ioLast - adminLast >= 0, "the I/O queue's command came last");
            // KATO 1 s rounds to one KAS granule (1 s) plus one of slack: 2 s after the last command.
            long allowed = TimeUnit.SECONDS.toNanos(2);
            assertFalse(c.keepAliveExpired(ioLast + allowed), "the I/O queue's command counts");
            assertTrue(c.keepAliveExpired(ioLast + allowed + 1));
            io.connectionClosed();
            assertFalse(c.keepAliveExpired(ioLast + allowed), "so it does once its queue has gone");
        }
    }
}
