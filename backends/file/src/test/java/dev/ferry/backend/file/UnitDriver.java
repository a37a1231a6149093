package dev.ferry.backend.file;

import dev.ferry.core.backend.Backend;
import dev.ferry.core.request.AllocationExtents;
import dev.ferry.core.request.BlockOp;
import dev.ferry.core.request.BlockRequest;
import dev.ferry.core.request.CompletionStatus;
import dev.ferry.core.ring.CompletionQueue;
import dev.ferry.core.unit.LogicalUnit;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Drives a backend the way a frontend does: through a core {@link LogicalUnit} and a {@link CompletionQueue} whose
 * "event loop" is one thread. Any test thread may call {@link #run}; acquire, submit and release all happen on the
 * loop thread, as the core requires.
 */
final class UnitDriver implements AutoCloseable {
    record Result(CompletionStatus status, long miscompareOffset, byte[] data) {
    }

    private final ExecutorService loop = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-loop"));
    private final CompletionQueue queue = new CompletionQueue(loop, 256);
    private final LogicalUnit unit;

    UnitDriver(Backend backend) {
        unit = new LogicalUnit(backend, backend.workers());
        unit.start();
    }

    LogicalUnit unit() {
        return unit;
    }

    Result read(long lba, int blocks) throws Exception {
        return run(BlockOp.READ, lba, blocks, null, r -> { });
    }

    Result write(long lba, byte[] data) throws Exception {
        return run(BlockOp.WRITE, lba, blocks(data), data, r -> { });
    }

    Result run(BlockOp op, long lba, int blocks, byte[] data, Consumer<BlockRequest> extra) throws Exception {
        CompletableFuture<Result> done = new CompletableFuture<>();
        loop.execute(() -> {
            BlockRequest r = queue.acquire();
            ByteBuf buf = op == BlockOp.READ ? Unpooled.directBuffer(blocks * blockSize())
                    : data == null ? null : Unpooled.wrappedBuffer(data);
            r.set(op, lba, blocks, buf, req -> {
                byte[] out = op == BlockOp.READ ? ByteBufUtil.getBytes(req.data()) : null;
                done.complete(new Result(req.status(), req.miscompareOffset(), out));
                req.release();
            }, null);
            extra.accept(r);
            unit.submit(r);
        });
        return done.get(30, TimeUnit.SECONDS);
    }

    /** The extents (block count, deallocated) the backend reports for {@code blocks} blocks at {@code lba}. */
    java.util.List<long[]> allocation(long lba, int blocks, int maxExtents) throws Exception {
        CompletableFuture<java.util.List<long[]>> done = new CompletableFuture<>();
        loop.execute(() -> {
            BlockRequest r = queue.acquire();
            int bytes = maxExtents * AllocationExtents.BYTES;
            r.set(BlockOp.ALLOCATION_STATUS, lba, blocks, Unpooled.buffer(bytes, bytes), req -> {
                java.util.List<long[]> out = new java.util.ArrayList<>();
                if (req.status() == CompletionStatus.GOOD) {
                    for (int i = 0; i < AllocationExtents.count(req.data()); i++) {
                        out.add(new long[] {AllocationExtents.blocks(req.data(), i),
                                AllocationExtents.deallocated(req.data(), i) ? 1 : 0});
                    }
                } else {
                    done.completeExceptionally(new AssertionError("status " + req.status()));
                }
                done.complete(out);
                req.release();
            }, null);
            unit.submit(r);
        });
        return done.get(30, TimeUnit.SECONDS);
    }

    int blockSize() {
        return unit.descriptor().logicalBlockSize();
    }

    int blocks(byte[] data) {
        return data.length / blockSize();
    }

    @Override
    public void close() throws Exception {
        unit.close();
        loop.shutdown();
        loop.awaitTermination(10, TimeUnit.SECONDS);
    }
}
