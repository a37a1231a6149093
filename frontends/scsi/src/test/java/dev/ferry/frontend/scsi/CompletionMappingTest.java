package dev.ferry.frontend.scsi;

import static dev.ferry.frontend.scsi.TargetHarness.A;
import static dev.ferry.frontend.scsi.TargetHarness.read10;
import static dev.ferry.frontend.scsi.TargetHarness.write10;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.ring.CompletionQueue;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** How backend outcomes become SCSI status and sense, aborted tasks, and concurrent use from several loops. */
class CompletionMappingTest {

    /** A backend that completes every request with a preset status. */
    static final class ScriptedBackend implements Backend {
        final BackendDescriptor d = TargetHarness.disk("scripted", 1024);
        volatile CompletionStatus next = CompletionStatus.GOOD;

        @Override public BackendDescriptor describe() { return d; }

        @Override
        public void execute(BlockRequest r) {
            if (next == CompletionStatus.MISCOMPARE) {
                r.completeMiscompare(77);
            } else {
                r.complete(next);
            }
        }

        @Override public void close() { }
    }

    @Test
    void backendOutcomesMapToStatusAndSense() throws Exception {
        ScriptedBackend b = new ScriptedBackend();
        try (TargetHarness h = new TargetHarness(8, b)) {
            b.next = CompletionStatus.MEDIUM_ERROR_READ;
            h.run(A, 0, read10(0, 1), 512, null).assertCheck(SenseData.MEDIUM_ERROR, 0x11, 0x00);
            b.next = CompletionStatus.MEDIUM_ERROR_WRITE;
            h.run(A, 0, write10(0, 1), 512, new byte[512]).assertCheck(SenseData.MEDIUM_ERROR, 0x0C, 0x00);
            b.next = CompletionStatus.NO_SPACE;
            h.run(A, 0, write10(0, 1), 512, new byte[512]).assertCheck(SenseData.DATA_PROTECT, 0x27, 0x07);
            b.next = CompletionStatus.WRITE_PROTECTED;
            h.run(A, 0, write10(0, 1), 512, new byte[512]).assertCheck(SenseData.DATA_PROTECT, 0x27, 0x00);
            b.next = CompletionStatus.INTERNAL_ERROR;
            h.run(A, 0, read10(0, 1), 512, null).assertCheck(SenseData.HARDWARE_ERROR, 0x44, 0x00);
            b.next = CompletionStatus.UNIT_NOT_READY;
            h.run(A, 0, read10(0, 1), 512, null).assertCheck(SenseData.NOT_READY, 0x04, 0x00);
            b.next = CompletionStatus.MISCOMPARE;
            assertEquals(77, h.run(A, 0, TargetHarness.rw10(0x2F, 0, 1, 0x02), 512, new byte[512])
                    .assertCheck(SenseData.MISCOMPARE, 0x1D, 0x00).information());
            b.next = CompletionStatus.BUSY;
            var busy = h.run(A, 0, read10(0, 1), 512, null);
            assertEquals(ScsiResponse.BUSY, busy.status());
            assertNull(busy.sense());
            b.next = CompletionStatus.RESERVATION_CONFLICT;
            assertEquals(ScsiResponse.RESERVATION_CONFLICT, h.run(A, 0, read10(0, 1), 512, null).status());
            b.next = CompletionStatus.ABORTED;
            assertEquals(ScsiResponse.TASK_ABORTED, h.run(A, 0, read10(0, 1), 512, null).status());
            b.next = CompletionStatus.GOOD;
            h.run(A, 0, read10(0, 1), 512, null).assertGood();
        }
    }

    @Test
    void abortedTaskCompletesWithTaskAbortedAndFreesItsData() throws Exception {
        try (TargetHarness h = new TargetHarness(TargetHarness.disk("d", 64))) {
            var t = new TargetHarness.TestTask(0, read10(0, 4), 2048, null, A);
            t.aborted = true;
            var r = h.run(t);
            assertEquals(ScsiResponse.TASK_ABORTED, r.status());
            assertEquals(0, r.data().length);
            var w = new TargetHarness.TestTask(0, write10(0, 1), 512, Unpooled.wrappedBuffer(new byte[512]), A);
            w.aborted = true;
            assertEquals(ScsiResponse.TASK_ABORTED, h.run(w).status());
        }
    }

    /** One event loop: a thread that runs execute and the completion hand-offs of its own CompletionQueue. */
    static final class Loop {
        final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
        final CompletionQueue queue = new CompletionQueue(tasks::add, 16);

        ScsiResponse run(ScsiTarget target, TargetHarness.TestTask t) throws InterruptedException {
            target.execute(t, queue);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (t.response == null && System.nanoTime() < deadline) {
                Runnable r = tasks.poll(10, TimeUnit.MILLISECONDS);
                if (r != null) {
                    r.run();
                }
            }
            return t.response;
        }
    }

    @Test
    void severalLoopsShareOneTarget() throws Exception {
        try (TargetHarness h = new TargetHarness(TargetHarness.disk("shared", 8192))) {
            int threads = 3;
            AtomicInteger failures = new AtomicInteger();
            AtomicInteger reserved = new AtomicInteger();
            CountDownLatch start = new CountDownLatch(1);
            java.util.concurrent.CyclicBarrier ioDone = new java.util.concurrent.CyclicBarrier(threads);
            List<Thread> all = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int id = i;
                ItNexus nexus = TargetHarness.nexus("iqn.2026-01.test:loop" + i, i + 1);
                Thread th = new Thread(() -> {
                    Loop loop = new Loop();
                    try {
                        start.await();
                        for (int k = 0; k < 50; k++) {
                            long lba = id * 1000L + k * 4;
                            byte[] d = TargetHarness.pattern(2048, id * 100 + k);
                            var w = loop.run(h.target, new TargetHarness.TestTask(0, write10(lba, 4), 2048,
                                    Unpooled.wrappedBuffer(d), nexus));
                            var r = loop.run(h.target, new TargetHarness.TestTask(0, read10(lba, 4), 2048, null, nexus));
                            byte[] back = new byte[2048];
                            r.dataIn().getBytes(r.dataIn().readerIndex(), back);
                            r.dataIn().release();
                            if (w.status() != 0 || r.status() != 0 || !java.util.Arrays.equals(d, back)) {
                                failures.incrementAndGet();
                            }
                        }
                        ioDone.await(); // a reservation taken earlier would (rightly) fail the others' I/O
                        var res = loop.run(h.target, new TargetHarness.TestTask(0, TargetHarness.cdb(0x16), 0, null,
                                nexus));
                        if (res.status() == ScsiResponse.GOOD) {
                            reserved.incrementAndGet();
                        } else if (res.status() != ScsiResponse.RESERVATION_CONFLICT) {
                            failures.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                });
                th.start();
                all.add(th);
            }
            start.countDown();
            for (Thread th : all) {
                th.join(30_000);
            }
            assertEquals(0, failures.get());
            assertEquals(1, reserved.get(), "exactly one nexus wins RESERVE(6)");
        }
    }
}
