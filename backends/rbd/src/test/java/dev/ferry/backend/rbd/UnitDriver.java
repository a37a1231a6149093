package dev.ferry.backend.rbd;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.LogicalUnit;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Drives a backend the way a frontend does: through a started {@link LogicalUnit}, with requests from a
 * {@link CompletionQueue} whose completions run on a single "event loop" thread.
 */
final class UnitDriver implements AutoCloseable {
    final LogicalUnit unit;
    private final ExecutorService loop = Executors.newSingleThreadExecutor();
    private final CompletionQueue queue = new CompletionQueue(loop, 256);

    UnitDriver(Backend backend) {
        unit = new LogicalUnit(backend, backend.workers());
        unit.start();
    }

    /** The outcome of one request; the data buffer stays with the caller. */
    record Result(CompletionStatus status, long miscompareOffset) {
    }

    Result run(BlockOp op, long lba, int blocks, ByteBuf data, boolean fua, long[]... ranges) throws Exception {
        return start(op, lba, blocks, data, fua, ranges).get(30, TimeUnit.SECONDS);
    }

    /** Submits without waiting; at most 256 may be in flight. */
    CompletableFuture<Result> start(BlockOp op, long lba, int blocks, ByteBuf data, boolean fua, long[]... ranges) {
        CompletableFuture<Result> done = new CompletableFuture<>();
        loop.submit(() -> {
            BlockRequest r = queue.acquire();
            r.set(op, lba, blocks, data, req -> {
                done.complete(new Result(req.status(), req.miscompareOffset()));
                req.takeData();
                req.release();
            }, null).fua(fua);
            for (long[] range : ranges) {
                r.addRange(range[0], (int) range[1]);
            }
            unit.submit(r);
        });
        return done;
    }

    CompletionStatus status(BlockOp op, long lba, int blocks, ByteBuf data) throws Exception {
        return run(op, lba, blocks, data, false).status();
    }

    @Override
    public void close() throws InterruptedException {
        unit.close();
        loop.shutdownNow();
    }
}
