package dev.ferry.core.unit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.backend.BackendDescriptor;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.ring.CompletionQueue;
import io.netty.buffer.Unpooled;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A failed flush is not forgotten: like fdatasync after writeback lost pages, a backend whose first flush fails and
 * whose later ones "succeed" must not get the unit to acknowledge a flush or a durable write again until the
 * backstore is reopened (a new {@link LogicalUnit}).
 */
class StickyDurabilityTest {
    /**
     * Fails its first flush (or, without a volatile cache, the sync of its first write) with a write error, as
     * fdatasync does once with EIO; everything else succeeds.
     */
    static final class FlakyFlushBackend implements Backend {
        final boolean volatileCache;
        final AtomicInteger flushes = new AtomicInteger();
        final AtomicInteger writes = new AtomicInteger();

        FlakyFlushBackend(boolean volatileCache) {
            this.volatileCache = volatileCache;
        }

        @Override
        public BackendDescriptor describe() {
            return new BackendDescriptor("t", 100, 512, 4096, 0, 128, true, 1, true, true, volatileCache,
                    volatileCache, false, false, UnitIdentity.derive("t", "TEST"));
        }

        @Override
        public void execute(BlockRequest r) {
            AtomicInteger count = r.op() == BlockOp.FLUSH || volatileCache ? flushes : writes;
            boolean fails = (r.op() == BlockOp.FLUSH || !volatileCache) && count.getAndIncrement() == 0;
            if (r.op() != BlockOp.FLUSH && volatileCache) {
                writes.incrementAndGet();
            }
            if (!fails) {
                r.complete(CompletionStatus.GOOD);
            } else if (r.op() == BlockOp.FLUSH) {
                r.complete(CompletionStatus.MEDIUM_ERROR_WRITE);
            } else {
                r.completeSyncFailed(CompletionStatus.MEDIUM_ERROR_WRITE); // the write's own fdatasync failed
            }
        }

        @Override
        public void close() {
        }
    }

    private static CompletionStatus run(LogicalUnit u, BlockOp op, boolean fua) throws Exception {
        return run(u, op, 0, fua);
    }

    private static CompletionStatus run(LogicalUnit u, BlockOp op, long lba, boolean fua) throws Exception {
        CompletableFuture<CompletionStatus> result = new CompletableFuture<>();
        CompletionQueue cq = new CompletionQueue(Runnable::run, 2);
        BlockRequest r = cq.acquire();
        r.set(op, lba, op == BlockOp.FLUSH ? 0 : 1, op == BlockOp.WRITE ? Unpooled.buffer(512).writerIndex(512) : null,
                req -> {
                    result.complete(req.status());
                    req.release();
                }, null).fua(fua);
        u.submit(r);
        return result.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aFailedFlushFailsEveryLaterFlushAndDurableWriteUntilReopened() throws Exception {
        FlakyFlushBackend backend = new FlakyFlushBackend(true);
        LogicalUnit u = new LogicalUnit(backend, 1);
        u.start();
        try {
            assertEquals(CompletionStatus.GOOD, run(u, BlockOp.WRITE, false));
            assertEquals(CompletionStatus.MEDIUM_ERROR_WRITE, run(u, BlockOp.FLUSH, false));
            assertTrue(u.durabilityLost());
            assertEquals(CompletionStatus.MEDIUM_ERROR_WRITE, run(u, BlockOp.FLUSH, false),
                    "the backend would say GOOD now; the unit must not");
            assertEquals(CompletionStatus.MEDIUM_ERROR_WRITE, run(u, BlockOp.WRITE, true), "FUA write");
            assertEquals(CompletionStatus.MEDIUM_ERROR_WRITE, run(u, BlockOp.WRITE_ZEROES, true), "FUA write zeroes");
            assertEquals(1, backend.flushes.get(), "later flushes never reached the backend");
            assertEquals(CompletionStatus.GOOD, run(u, BlockOp.WRITE, false), "a cached write promises nothing");
            u.writeCache().setEnabled(false, null);
            assertEquals(CompletionStatus.MEDIUM_ERROR_WRITE, run(u, BlockOp.WRITE, false),
                    "write-through makes every write durable, so every write fails");
        } finally {
            u.close();
        }
        LogicalUnit reopened = new LogicalUnit(backend, 1);
        reopened.start();
        try {
            assertFalse(reopened.durabilityLost());
            assertEquals(CompletionStatus.GOOD, run(reopened, BlockOp.FLUSH, false));
        } finally {
            reopened.close();
        }
    }

    /** Fails every write on its own blocks (a bad sector), syncs fine. */
    static final class BadSectorBackend implements Backend {
        @Override
        public BackendDescriptor describe() {
            return new FlakyFlushBackend(false).describe();
        }

        @Override
        public void close() {
        }

        @Override
        public void execute(BlockRequest r) {
            r.complete(r.op() == BlockOp.WRITE && r.lba() == 7 ? CompletionStatus.MEDIUM_ERROR_WRITE
                    : CompletionStatus.GOOD);
        }
    }

    @Test
    void aWriteThatFailsOnItsOwnBlocksFailsAlone() throws Exception {
        LogicalUnit u = new LogicalUnit(new BadSectorBackend(), 1);
        u.start();
        try {
            assertEquals(CompletionStatus.MEDIUM_ERROR_WRITE, run(u, BlockOp.WRITE, 7, true));
            assertFalse(u.durabilityLost(), "a bad sector says nothing of data acknowledged before");
            assertEquals(CompletionStatus.GOOD, run(u, BlockOp.WRITE, 8, true));
            assertEquals(CompletionStatus.GOOD, run(u, BlockOp.FLUSH, 0, false));
        } finally {
            u.close();
        }
    }

    @Test
    void withoutAVolatileCacheAFailedWriteSyncFailsEveryLaterWrite() throws Exception {
        // The backend writes every write through (no cache to switch): each write is a durable write.
        FlakyFlushBackend backend = new FlakyFlushBackend(false);
        LogicalUnit u = new LogicalUnit(backend, 1);
        u.start();
        try {
            assertEquals(CompletionStatus.MEDIUM_ERROR_WRITE, run(u, BlockOp.WRITE, false));
            assertEquals(CompletionStatus.MEDIUM_ERROR_WRITE, run(u, BlockOp.WRITE, false),
                    "the backend would say GOOD now; the unit must not");
            assertEquals(CompletionStatus.MEDIUM_ERROR_WRITE, run(u, BlockOp.FLUSH, false));
            assertEquals(1, backend.writes.get(), "nothing after the failure reached the backend");
        } finally {
            u.close();
        }
    }
}
