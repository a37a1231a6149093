package dev.ferry.frontend.scsi;

import static dev.ferry.frontend.scsi.TargetHarness.A;
import static dev.ferry.frontend.scsi.TargetHarness.cdb;
import static dev.ferry.frontend.scsi.TargetHarness.read10;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Commands and their responses are reused ({@link ScsiCommandPool}): a command goes back to its thread's pool once,
 * after its task got the response, and the pool holds no more than the loop's in-flight bound.
 */
class CommandPoolTest {
    static final int QUEUE = 8;
    private final TargetHarness h = new TargetHarness(QUEUE, TargetHarness.disk("d0", 4096));

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    /**
     * A transport may start its next command from inside complete(); one that answers at once (here CHECK CONDITION,
     * or INQUIRY's data) must not touch the response still in hand.
     */
    @Test
    void aCommandRunFromInsideCompleteLeavesTheResponseInHandAlone() {
        for (boolean readOuter : new boolean[] {true, false}) {
            TargetHarness.TestTask inner = new TargetHarness.TestTask(0,
                    readOuter ? read10(4096, 1) : cdb(0x12, 0, 0, 0, 36, 0), 512, null, A);
            int[] seen = new int[3];
            ScsiTask outer = new Forwarding(new TargetHarness.TestTask(0,
                    readOuter ? read10(0, 2) : read10(4097, 1), 1024, null, A)) {
                @Override
                public void complete(ScsiResponse r) {
                    h.target.execute(inner, h.queue); // answered before execute returns
                    assertEquals(1, inner.completions);
                    seen[0] = r.status();
                    seen[1] = r.dataIn() == null ? 0 : r.dataIn().readableBytes();
                    seen[2] = r.sense() == null ? 0 : r.sense()[12];
                    super.complete(r);
                }
            };
            h.target.execute(outer, h.queue);
            TargetHarness.Response in = h.await(inner);
            assertEquals(0, h.queue.inFlight());
            if (readOuter) {
                assertEquals(ScsiResponse.GOOD, seen[0]);
                assertEquals(1024, seen[1]);
                assertEquals(ScsiResponse.CHECK_CONDITION, in.status());
                ((Forwarding) outer).t.response.dataIn().release();
            } else {
                assertEquals(ScsiResponse.CHECK_CONDITION, seen[0]);
                assertEquals(0x21, seen[2], "LBA OUT OF RANGE");
                assertEquals(ScsiResponse.GOOD, in.status());
                assertEquals(36, in.data().length);
            }
        }
    }

    @Test
    void aResponseKeptAfterCompleteCarriesNoStatus() {
        ScsiResponse[] kept = new ScsiResponse[1];
        TargetHarness.TestTask t = new TargetHarness.TestTask(0, cdb(0x00), 0, null, A); // TEST UNIT READY
        h.target.execute(new Forwarding(t) {
            @Override
            public void complete(ScsiResponse r) {
                kept[0] = r;
                super.complete(r);
            }
        }, h.queue);
        assertEquals(ScsiResponse.GOOD, t.response.status());
        assertEquals(-1, kept[0].status(), "valid only during complete()");
        assertNull(kept[0].dataIn());
    }

    @Test
    void aCommandBackInThePoolRefusesUse() {
        TargetHarness.TestTask t = new TargetHarness.TestTask(0, cdb(0x00), 0, null, A);
        ScsiCommand c = ScsiCommand.start(h.target, t, h.queue, h.target.view(A), null, 0);
        c.good();
        c.release();
        assertThrows(IllegalStateException.class, c::good);
        assertThrows(IllegalStateException.class, c::release);
        assertEquals(1, t.completions);
    }

    /** On a thread of its own, whose pool starts empty (the pools of other tests' threads do not count). */
    @Test
    void thePoolKeepsNoMoreThanTheLoopsInFlightBound() throws Throwable {
        Throwable[] failure = new Throwable[1];
        Thread loop = new Thread(() -> {
            try {
                fillAndDrain();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        loop.start();
        loop.join();
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    private void fillAndDrain() {
        assertEquals(0, ScsiCommandPool.idle());
        List<TargetHarness.TestTask> tasks = new ArrayList<>();
        for (int i = 0; i < 3 * QUEUE; i++) { // QUEUE reads in flight, the rest answered TASK SET FULL at once
            TargetHarness.TestTask t = new TargetHarness.TestTask(0, read10(i, 1), 512, null, A);
            tasks.add(t);
            h.target.execute(t, h.queue);
        }
        for (TargetHarness.TestTask t : tasks) {
            TargetHarness.Response r = h.await(t);
            assertTrue(r.status() == ScsiResponse.GOOD || r.status() == ScsiResponse.TASK_SET_FULL);
        }
        assertEquals(0, h.queue.inFlight());
        assertEquals(QUEUE, tasks.stream().filter(t -> t.response.status() == ScsiResponse.GOOD).count());
        // QUEUE + 1 commands existed at once (the reads in flight and one answering TASK SET FULL)
        assertEquals(QUEUE, ScsiCommandPool.idle());
    }

    /** A task that forwards to a {@link TargetHarness.TestTask}, to add behaviour to its completion. */
    private static class Forwarding implements ScsiTask {
        final TargetHarness.TestTask t;

        Forwarding(TargetHarness.TestTask t) {
            this.t = t;
        }

        @Override public long lun() { return t.lun(); }
        @Override public byte[] cdb() { return t.cdb(); }
        @Override public int expectedTransferLength() { return t.expectedTransferLength(); }
        @Override public ByteBuf dataOut() { return t.dataOut(); }
        @Override public TaskAttribute attribute() { return t.attribute(); }
        @Override public ItNexus nexus() { return t.nexus(); }
        @Override public boolean aborted() { return t.aborted(); }
        @Override public void complete(ScsiResponse r) { t.complete(r); }
    }
}
