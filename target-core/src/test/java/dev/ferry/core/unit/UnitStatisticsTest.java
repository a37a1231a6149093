package dev.ferry.core.unit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.ring.CompletionQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Each loop counts in its own share with plain increments, so several loops delivering at once lose no count: the
 * sums are exact once they are done, and reading while they run never fails.
 */
class UnitStatisticsTest {
    private static final int LOOPS = 4;
    private static final int PER_LOOP = 50_000;

    @Test
    void loopsCountingAtOnceLoseNothing() throws InterruptedException {
        UnitStatistics statistics = new UnitStatistics();
        CountDownLatch start = new CountDownLatch(1);
        Thread[] loops = new Thread[LOOPS];
        for (int t = 0; t < LOOPS; t++) {
            CompletionQueue queue = new CompletionQueue(Runnable::run, 1); // one per loop thread, as in Ferry
            loops[t] = new Thread(() -> {
                await(start);
                for (int i = 0; i < PER_LOOP; i++) {
                    BlockRequest r = queue.acquire().set(i % 2 == 0 ? BlockOp.READ : BlockOp.WRITE, i, 2, null,
                            req -> { }, null);
                    r.submitted(null, System.nanoTime() - 1_000L * (i % 1000));
                    r.complete(i % 10 == 0 ? CompletionStatus.MEDIUM_ERROR_READ : CompletionStatus.GOOD);
                    statistics.record(r, 512);
                    r.release();
                }
            });
            loops[t].start();
        }
        start.countDown();
        while (loops[0].isAlive()) {
            statistics.reads(); // a reader summing meanwhile
            statistics.readLatency().snapshot();
        }
        for (Thread t : loops) {
            t.join();
        }
        assertEquals(LOOPS * PER_LOOP / 2, statistics.reads());
        assertEquals(LOOPS * PER_LOOP / 2, statistics.writes());
        assertEquals(LOOPS * PER_LOOP / 2 * 1024L, statistics.readBytes());
        assertEquals(LOOPS * PER_LOOP / 2 * 1024L, statistics.writeBytes());
        assertEquals(LOOPS * PER_LOOP / 10, statistics.errors());
        assertEquals(LOOPS * PER_LOOP / 2, statistics.readLatency().snapshot().total());
        assertEquals(LOOPS * PER_LOOP / 2, statistics.writeLatency().snapshot().total());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
