package dev.ferry.testing.faulty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ferry.core.backend.BackendException;
import dev.ferry.core.config.BackstoreConfig;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.ring.CompletionQueue;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which requests the wrapper fails, holds or passes, decided by LBA range and operation. */
class FaultyBackendTest {
    private static final int BLOCK = 512;

    private final BlockingQueue<BlockRequest> done = new LinkedBlockingQueue<>();
    private final CompletionQueue queue = new CompletionQueue(Runnable::run, 64);
    private final FaultyBackend faulty;

    FaultyBackendTest() throws BackendException {
        faulty = (FaultyBackend) new FaultyBackendFactory().open(
                new BackstoreConfig("unit", FaultyBackendFactory.TYPE, "1M", null, null, null, null, null, null, null));
    }

    @AfterEach
    void close() {
        faulty.close();
    }

    private BlockRequest submit(BlockOp op, long lba, int blocks) {
        BlockRequest r = queue.acquire();
        var data = op == BlockOp.WRITE ? Unpooled.wrappedBuffer(new byte[blocks * BLOCK]) : Unpooled.buffer();
        r.set(op, lba, blocks, data, done::add, null).submitted(null, System.nanoTime());
        faulty.execute(r);
        return r;
    }

    private BlockRequest next() throws InterruptedException {
        BlockRequest r = done.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no completion within 10 s");
        }
        return r;
    }

    private void expect(CompletionStatus status, long failedLba) throws InterruptedException {
        BlockRequest r = next();
        assertEquals(status, r.status());
        assertEquals(failedLba, r.failedLba(), "failed LBA");
        r.release();
    }

    @Test
    void mediumErrorsNameTheFirstBadBlockOfTheRangeAndOnlyForTheirDirection() throws Exception {
        faulty.failReads(20, 12).failWrites(40);
        submit(BlockOp.READ, 10, 16);
        expect(CompletionStatus.MEDIUM_ERROR_READ, 12);
        submit(BlockOp.WRITE, 10, 16); // reads fail there, writes do not
        expect(CompletionStatus.GOOD, -1);
        submit(BlockOp.WRITE, 32, 16);
        expect(CompletionStatus.MEDIUM_ERROR_WRITE, 40);
        submit(BlockOp.READ, 21, 19); // 21..39: between the bad blocks
        expect(CompletionStatus.GOOD, -1);
        assertEquals(2, faulty.injectedFaults());
        faulty.heal();
        submit(BlockOp.READ, 10, 16);
        expect(CompletionStatus.GOOD, -1);
    }

    @Test
    void writesReachingThePoolLimitRunOutOfSpace() throws Exception {
        faulty.noSpaceFrom(100);
        submit(BlockOp.WRITE, 92, 8); // ends at 99
        expect(CompletionStatus.GOOD, -1);
        submit(BlockOp.WRITE, 96, 8);
        expect(CompletionStatus.NO_SPACE, -1);
        submit(BlockOp.READ, 96, 8);
        expect(CompletionStatus.GOOD, -1);
    }

    @Test
    void aStallHoldsRequestsUntilReleasedThenRunsThemAll() throws Exception {
        faulty.stall();
        for (int i = 0; i < 5; i++) {
            submit(BlockOp.WRITE, i, 1);
        }
        assertEquals(5, faulty.heldCount());
        assertNull(done.poll(), "nothing completes during a stall");
        faulty.release();
        for (int i = 0; i < 5; i++) {
            expect(CompletionStatus.GOOD, -1);
        }
        assertEquals(0, faulty.heldCount());
        assertEquals(5, faulty.passedRequests());
    }

    @Test
    void delayedRequestsStillCompleteAndLaterOnesAreNotDelayed() throws Exception {
        faulty.delayNext(2, Duration.ofMillis(50));
        submit(BlockOp.READ, 0, 1);
        submit(BlockOp.READ, 1, 1);
        submit(BlockOp.READ, 2, 1);
        // the third passes straight through on this thread, so it completes first; the delayed two follow
        assertEquals(2, next().lba());
        long first = next().lba();
        long second = next().lba();
        assertEquals(1, first + second);
        assertEquals(3, faulty.passedRequests());
    }

    @Test
    void theFactoryKnowsTheOpenBackstoreUntilItCloses() {
        assertEquals(faulty, FaultyBackendFactory.backstore("unit"));
        faulty.close();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> FaultyBackendFactory.backstore("unit"));
    }
}
