package dev.ferry.core.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.unit.LogicalUnit;
import dev.ferry.core.unit.UnitIdentity;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Several event-loop threads submit through the rings at once to a unit with several workers; every request must
 * come back exactly once, on the thread that owns its completion queue, with the backend's result.
 */
class RingsUnderConcurrencyTest {

    /** Completes each request with GOOD and records which worker thread executed it. */
    static final class CountingBackend implements Backend {
        final AtomicLong executed = new AtomicLong();
        final ConcurrentHashMap<String, Boolean> workerThreads = new ConcurrentHashMap<>();

        @Override
        public BackendDescriptor describe() {
            return new BackendDescriptor("count", 1 << 20, 512, 4096, 0, 2048, false, 1, false, false,
                    false, false, false, false, UnitIdentity.derive("count", "TEST"));
        }

        @Override
        public void execute(BlockRequest r) {
            executed.incrementAndGet();
            workerThreads.put(Thread.currentThread().getName(), true);
            r.complete(r.lba() % 7 == 0 ? CompletionStatus.MEDIUM_ERROR_READ : CompletionStatus.GOOD);
        }

        @Override
        public int workers() {
            return 3;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void everyRequestCompletesOnceOnItsOwnLoop() throws Exception {
        CountingBackend backend = new CountingBackend();
        LogicalUnit unit = new LogicalUnit(backend, backend.workers());
        unit.start();
        int loops = 4;
        int perLoop = 20_000;
        List<ExecutorService> executors = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(loops);
        AtomicLong wrongThread = new AtomicLong();
        AtomicLong wrongStatus = new AtomicLong();
        long[] completed = new long[loops];
        try {
            for (int l = 0; l < loops; l++) {
                ExecutorService loop = Executors.newSingleThreadExecutor();
                executors.add(loop);
                Thread[] loopThread = new Thread[1];
                loop.submit(() -> loopThread[0] = Thread.currentThread()).get();
                CompletionQueue cq = new CompletionQueue(loop, 64);
                int index = l;
                long[] submitted = {0};
                Runnable[] pump = new Runnable[1];
                pump[0] = () -> {
                    // Submit until the pool is exhausted: backpressure is the pool, as for a real frontend.
                    BlockRequest r;
                    while (submitted[0] < perLoop && (r = cq.acquire()) != null) {
                        long lba = submitted[0]++;
                        r.set(BlockOp.FLUSH, lba, 0, null, req -> {
                            if (Thread.currentThread() != loopThread[0]) {
                                wrongThread.incrementAndGet();
                            }
                            CompletionStatus expected = req.lba() % 7 == 0
                                    ? CompletionStatus.MEDIUM_ERROR_READ : CompletionStatus.GOOD;
                            if (req.status() != expected) {
                                wrongStatus.incrementAndGet();
                            }
                            req.release();
                            if (++completed[index] == perLoop) {
                                done.countDown();
                            } else {
                                pump[0].run();
                            }
                        }, null);
                        unit.submit(r);
                    }
                };
                loop.execute(pump[0]);
            }
            assertTrue(done.await(60, TimeUnit.SECONDS), "all requests completed");
        } finally {
            executors.forEach(ExecutorService::shutdown);
            unit.close();
        }
        assertEquals(0, wrongThread.get(), "completions ran on a thread other than the owning loop");
        assertEquals(0, wrongStatus.get(), "a completion carried another request's status");
        assertEquals((long) loops * perLoop, backend.executed.get());
        for (long c : completed) {
            assertEquals(perLoop, c);
        }
        assertTrue(backend.workerThreads.size() > 1, "requests were spread over several workers");
    }

    @Test
    void poolBoundsRequestsInFlight() {
        CompletionQueue cq = new CompletionQueue(Runnable::run, 4);
        List<BlockRequest> held = new ArrayList<>();
        for (int i = 0; i < cq.capacity(); i++) {
            held.add(assertNotNullAndReturn(cq.acquire()));
        }
        assertNull(cq.acquire(), "an exhausted pool must push back instead of allocating");
        assertEquals(cq.capacity(), cq.inFlight());
        held.get(0).release();
        assertNotNull(cq.acquire());
    }

    private static BlockRequest assertNotNullAndReturn(BlockRequest r) {
        assertNotNull(r);
        return r;
    }
}
