package dev.ferry.core.unit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.ring.CountingEventLoop;
import io.netty.buffer.Unpooled;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A unit fed from two real Netty event loops: a non-blocking backend runs on the submitting loop and its completion
 * comes after submit returns; each loop's statistics are summed; a close racing both loops' submits strands no
 * request and closes the backend only after the last call into it.
 */
class LogicalUnitOnLoopsTest {
    private static final long BLOCKS = 100;
    /** Reads of this block fail, so errors are counted too. */
    private static final long BAD_BLOCK = 99;

    private final CountingEventLoop loopA = new CountingEventLoop("unit-loop-a");
    private final CountingEventLoop loopB = new CountingEventLoop("unit-loop-b");

    @AfterEach
    void stop() throws InterruptedException {
        loopA.close();
        loopB.close();
    }

    /** Completes every request at once; counts calls, and calls after {@link #close}. */
    static final class TestBackend implements Backend {
        final boolean nonBlocking;
        final AtomicLong executed = new AtomicLong();
        final AtomicLong executedAfterClose = new AtomicLong();
        final AtomicInteger closes = new AtomicInteger();
        volatile Thread lastThread;

        TestBackend(boolean nonBlocking) {
            this.nonBlocking = nonBlocking;
        }

        @Override
        public BackendDescriptor describe() {
            return new BackendDescriptor("loops", BLOCKS, 512, 512, 0, 128, false, 1, false, false, false, false,
                    false, false, UnitIdentity.derive("loops", "TEST"));
        }

        @Override
        public boolean nonBlocking() {
            return nonBlocking;
        }

        @Override
        public void execute(BlockRequest r) {
            executed.incrementAndGet();
            if (closes.get() > 0) {
                executedAfterClose.incrementAndGet();
            }
            lastThread = Thread.currentThread();
            if (r.op() == BlockOp.READ) {
                r.data().writeZero(r.blocks() * 512);
            }
            r.complete(r.op() == BlockOp.READ && r.lba() == BAD_BLOCK
                    ? CompletionStatus.MEDIUM_ERROR_READ : CompletionStatus.GOOD);
        }

        @Override
        public int workers() {
            return 2;
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    @Test
    void aNonBlockingBackendRunsOnTheSubmittingLoopAndCompletesAfterSubmitReturns() throws Exception {
        TestBackend backend = new TestBackend(true);
        LogicalUnit unit = new LogicalUnit(backend, backend.workers());
        unit.start();
        CompletionQueue cq = new CompletionQueue(loopA, 4);
        CountDownLatch delivered = new CountDownLatch(1);
        boolean[] deliveredInsideSubmit = {true};
        int[] tasks = {-1};
        Thread[] deliveredOn = new Thread[1];
        loopA.run(() -> {
            BlockRequest r = cq.acquire().set(BlockOp.READ, 0, 1, Unpooled.buffer(512), req -> {
                deliveredOn[0] = Thread.currentThread();
                assertEquals(CompletionStatus.GOOD, req.status());
                req.release();
                delivered.countDown();
            }, null);
            int before = loopA.executes();
            unit.submit(r);
            deliveredInsideSubmit[0] = delivered.getCount() == 0;
            tasks[0] = loopA.executes() - before;
        });
        assertTrue(delivered.await(60, TimeUnit.SECONDS));
        unit.close();
        assertFalse(deliveredInsideSubmit[0], "the completion was delivered inside submit");
        assertEquals(0, tasks[0], "the request or its completion was handed to another task");
        assertEquals(1, backend.executed.get());
        assertTrue(loopA.inEventLoop(backend.lastThread), "executed on the submitting loop");
        assertTrue(loopA.inEventLoop(deliveredOn[0]), "delivered on the submitting loop");
        assertEquals(1, backend.closes.get());
    }

    @Test
    void eachLoopCountsItsOwnRequestsAndTheStatisticsAreTheirSum() throws Exception {
        TestBackend backend = new TestBackend(false);
        LogicalUnit unit = new LogicalUnit(backend, backend.workers());
        unit.start();
        CountDownLatch delivered = new CountDownLatch(3 + 2 + 5 + 1 + 1);
        // Loop A: 3 one-block reads and 2 two-block writes; loop B: 5 one-block reads (one of them failing),
        // one one-block write, and a read out of range that the unit refuses.
        loopA.run(() -> submitAll(unit, new CompletionQueue(loopA, 16), delivered,
                new long[][] {{0, 1, 0}, {0, 1, 1}, {0, 1, 2}, {1, 2, 10}, {1, 2, 20}}));
        loopB.run(() -> submitAll(unit, new CompletionQueue(loopB, 16), delivered,
                new long[][] {{0, 1, 0}, {0, 1, 1}, {0, 1, 2}, {0, 1, 3}, {0, 1, BAD_BLOCK}, {1, 1, 30},
                        {0, 1, BLOCKS}}));
        assertTrue(delivered.await(60, TimeUnit.SECONDS));
        UnitStatistics s = unit.statistics();
        assertEquals(3 + 6, s.reads());
        assertEquals(2 + 1, s.writes());
        assertEquals(9 * 512, s.readBytes(), "the bytes every read asked for, as the unit counts them");
        assertEquals((2 * 2 + 1) * 512, s.writeBytes());
        assertEquals(2, s.errors(), "the failed read and the refused one");
        assertEquals(9, s.readLatency().snapshot().total());
        assertEquals(3, s.writeLatency().snapshot().total());
        assertTrue(s.readNanos() > 0 && s.writeNanos() > 0);
        unit.close();
    }

    /** Submits {op (0 read, 1 write), blocks, lba} each. */
    private static void submitAll(LogicalUnit unit, CompletionQueue cq, CountDownLatch delivered, long[][] requests) {
        for (long[] q : requests) {
            BlockOp op = q[0] == 0 ? BlockOp.READ : BlockOp.WRITE;
            int bytes = (int) q[1] * 512;
            BlockRequest r = cq.acquire().set(op, q[2], (int) q[1],
                    op == BlockOp.READ ? Unpooled.buffer(bytes) : Unpooled.buffer(bytes).writeZero(bytes), req -> {
                        req.release();
                        delivered.countDown();
                    }, null);
            unit.submit(r);
        }
    }

    /** What one loop submitted and got back, touched on that loop only. */
    private static final class Pump implements Runnable {
        final CompletionQueue cq;
        final LogicalUnit unit;
        final CountDownLatch running;
        long submitted;
        long delivered;
        long refusals;
        boolean refused;

        Pump(CompletionQueue cq, LogicalUnit unit, CountDownLatch running) {
            this.cq = cq;
            this.unit = unit;
            this.running = running;
        }

        /** Keeps the pool busy until the unit refuses, as a frontend with a deep queue does. */
        @Override
        public void run() {
            BlockRequest r;
            while (!refused && (r = cq.acquire()) != null) {
                submitted++;
                unit.submit(r.set(BlockOp.FLUSH, 0, 0, null, this::completed, null));
            }
        }

        private void completed(BlockRequest r) {
            delivered++;
            if (r.status() == CompletionStatus.UNIT_NOT_READY) {
                refusals++;
                refused = true;
            } else {
                assertEquals(CompletionStatus.GOOD, r.status());
            }
            r.release();
            if (delivered == 100) {
                running.countDown();
            }
            run();
        }

        boolean settled() {
            return refused && delivered == submitted && cq.inFlight() == 0;
        }

        /** {submitted, delivered, refusals}; on the pump's loop. */
        long[] counts() {
            return new long[] {submitted, delivered, refusals};
        }
    }

    @ParameterizedTest(name = "non-blocking backend: {0}")
    @ValueSource(booleans = {false, true})
    void closeRacingSubmitsFromTwoLoopsStrandsNothing(boolean nonBlocking) throws Exception {
        for (int round = 0; round < 20; round++) {
            TestBackend backend = new TestBackend(nonBlocking);
            LogicalUnit unit = new LogicalUnit(backend, backend.workers());
            unit.start();
            CountDownLatch running = new CountDownLatch(2);
            Pump a = new Pump(new CompletionQueue(loopA, 16), unit, running);
            Pump b = new Pump(new CompletionQueue(loopB, 16), unit, running);
            loopA.execute(a);
            loopB.execute(b);
            assertTrue(running.await(60, TimeUnit.SECONDS), "both loops submitting");
            unit.close();

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // a safety net: counts are asserted
            while (!(loopA.submit(a::settled).get() && loopB.submit(b::settled).get())
                    && System.nanoTime() - deadline < 0) {
                Thread.sleep(1);
            }
            long[] countsA = loopA.submit(a::counts).get();
            long[] countsB = loopB.submit(b::counts).get();
            assertEquals(countsA[0], countsA[1], "round " + round + ": loop A has requests that never came back");
            assertEquals(countsB[0], countsB[1], "round " + round + ": loop B has requests that never came back");
            assertEquals(countsA[0] + countsB[0], backend.executed.get() + countsA[2] + countsB[2],
                    "round " + round + ": every request was executed or refused, once");
            assertEquals(0, backend.executedAfterClose.get(), "the backend was closed under a call into it");
            assertEquals(1, backend.closes.get());
            assertNotEquals(0, backend.executed.get());
        }
    }
}
