package dev.ferry.core.unit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.ring.CompletionQueue;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A closed write fence ({@link LogicalUnit#fenceWrites}, a gateway member past its lease) refuses every request that
 * changes the medium, both as it is submitted and when a worker takes it from the ring after the fence closed
 * (the request was queued while the fence was open); reads still go through.
 */
class WriteFenceTest {
    private final List<BlockOp> reachedBackend = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstHeld = new CountDownLatch(1);
    private final CountDownLatch releaseFirst = new CountDownLatch(1);
    private final AtomicBoolean holdFirst = new AtomicBoolean();
    private LogicalUnit unit;

    private LogicalUnit unit() {
        unit = TestBackend.startedUnit("fenced", false, false, r -> {
            if (holdFirst.getAndSet(false)) {
                firstHeld.countDown();
                try {
                    releaseFirst.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            reachedBackend.add(r.op());
        });
        return unit;
    }

    @AfterEach
    void stop() throws InterruptedException {
        releaseFirst.countDown();
        unit.close();
    }

    private static CompletableFuture<CompletionStatus> submit(LogicalUnit u, BlockOp op) {
        CompletableFuture<CompletionStatus> result = new CompletableFuture<>();
        CompletionQueue cq = new CompletionQueue(Runnable::run, 2);
        BlockRequest r = cq.acquire();
        r.set(op, 0, 1, Unpooled.buffer(512).writerIndex(op == BlockOp.READ ? 0 : 512), req -> {
            result.complete(req.status());
            req.release();
        }, null);
        u.submit(r);
        return result;
    }

    @Test
    void aClosedFenceRefusesWritesAsTheyAreSubmittedAndLetsReadsThrough() throws Exception {
        AtomicBoolean mayWrite = new AtomicBoolean(true);
        LogicalUnit u = unit();
        u.fenceWrites(mayWrite::get);
        assertEquals(CompletionStatus.GOOD, submit(u, BlockOp.WRITE).get(5, TimeUnit.SECONDS));
        mayWrite.set(false);
        assertEquals(CompletionStatus.UNIT_NOT_READY, submit(u, BlockOp.WRITE).get(5, TimeUnit.SECONDS));
        assertEquals(CompletionStatus.UNIT_NOT_READY, submit(u, BlockOp.WRITE_ZEROES).get(5, TimeUnit.SECONDS));
        assertEquals(CompletionStatus.GOOD, submit(u, BlockOp.READ).get(5, TimeUnit.SECONDS));
        assertEquals(List.of(BlockOp.WRITE, BlockOp.READ), reachedBackend, "no refused write reached the backend");
    }

    @Test
    void aWriteQueuedBeforeTheFenceClosedIsRefusedByTheWorker() throws Exception {
        AtomicBoolean mayWrite = new AtomicBoolean(true);
        LogicalUnit u = unit();
        u.fenceWrites(mayWrite::get);
        holdFirst.set(true);
        CompletableFuture<CompletionStatus> first = submit(u, BlockOp.READ); // occupies the only worker
        assertTrue(firstHeld.await(10, TimeUnit.SECONDS));
        CompletableFuture<CompletionStatus> queued = submit(u, BlockOp.WRITE); // in the ring, fence open
        mayWrite.set(false); // the lease lapsed while the write waited
        releaseFirst.countDown();
        assertEquals(CompletionStatus.GOOD, first.get(5, TimeUnit.SECONDS));
        assertEquals(CompletionStatus.UNIT_NOT_READY, queued.get(5, TimeUnit.SECONDS));
        assertEquals(List.of(BlockOp.READ), reachedBackend, "the queued write never reached the backend");
    }
}
